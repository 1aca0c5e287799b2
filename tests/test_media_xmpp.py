"""Pictures through a real Prosody: XEP-0363 upload to upload.D, the link relayed both ways
unprefixed with its XEP-0066 out-of-band element, the file served on the loopback address."""

from __future__ import annotations

import asyncio
import csv
import time
import urllib.request
import xml.etree.ElementTree as ET

import pytest
import slixmpp
from xmpp_helpers import Person, citizen, login, ref_in, start_stack

from casestore import CaseStore

pytestmark = pytest.mark.xmpp

CENTRE = "nan"
COMPLAINT = "ถนนในหมู่บ้านพังเป็นหลุมใหญ่ รถล้มทุกวัน ที่ อ.เมือง จ.น่าน"
UPLOAD_NS = "urn:xmpp:http:upload:0"
OOB_NS = "jabber:x:oob"
# A 1x1 PNG; the name carries digit runs the masking would read as a phone number.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a48d00"
    "00000049454e44ae426082"
)


@pytest.fixture(scope="module")
def media_stack(tmp_path_factory: pytest.TempPathFactory):
    running = start_stack(tmp_path_factory.mktemp("media") / "data")
    try:
        yield running
    finally:
        running.stop()


def password_of(stack, jid: str) -> str:
    with (stack.data_dir / "credentials.csv").open(encoding="utf-8") as fh:
        return next(row["password"] for row in csv.DictReader(fh) if row["jid"] == jid)


async def upload(person: Person, service: str, name: str, data: bytes) -> str:
    """What an app does to share a picture (XEP-0363): ask the upload service for a slot,
    PUT the bytes, return the GET URL. (slixmpp's own `xep_0363.upload_file` needs aiohttp,
    which is not a dependency of the project; this is the same exchange.)"""
    iq = person.client.make_iq_get(ito=service)
    request = ET.SubElement(iq.xml, f"{{{UPLOAD_NS}}}request")
    request.set("filename", name)
    request.set("size", str(len(data)))
    request.set("content-type", "image/png")
    result = await iq.send(timeout=10)
    slot = result.xml.find(f"{{{UPLOAD_NS}}}slot")
    assert slot is not None, result
    put = slot.find(f"{{{UPLOAD_NS}}}put")
    get = slot.find(f"{{{UPLOAD_NS}}}get")
    assert put is not None and get is not None
    headers = {h.get("name"): (h.text or "") for h in put.findall(f"{{{UPLOAD_NS}}}header")}
    headers["Content-Type"] = "image/png"
    req = urllib.request.Request(put.get("url"), data=data, headers=headers, method="PUT")

    def send() -> int:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status

    assert await asyncio.to_thread(send) in (200, 201)
    return get.get("url")


def share(person: Person, to: str, url: str) -> None:
    """The message Conversations and Dino send after an upload: the bare URL plus OOB."""
    msg = person.client.make_message(mto=to, mbody=url, mtype="chat")
    oob = ET.SubElement(msg.xml, f"{{{OOB_NS}}}x")
    ET.SubElement(oob, f"{{{OOB_NS}}}url").text = url
    msg.send()


def oob_url(msg: slixmpp.Message) -> str | None:
    return msg.xml.findtext(f"{{{OOB_NS}}}x/{{{OOB_NS}}}url")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def test_pictures_both_ways_through_the_upload_service(media_stack) -> None:
    info = media_stack.info
    assert info["upload_domain"] == f"upload.{info['domain']}"
    agent_jid = f"{CENTRE}@{info['domain']}"
    centre_bot = f"{CENTRE}@{info['bot_domain']}"
    store = CaseStore(media_stack.db_url)

    async def scenario() -> tuple[str, str, str]:
        person = await citizen(info)
        person.say(centre_bot, COMPLAINT)
        reply = await person.expect(lambda m: str(m["from"].bare) == centre_bot, timeout=10)
        ref = ref_in(reply["body"])
        assert ref, reply["body"]

        # citizen → centre: an uploaded picture as a follow-up of the open case
        mine = await upload(person, info["upload_domain"], "IMG_0812345678.png", PNG)
        assert mine.startswith(f"http://{info['c2s_host']}:{info['http_port']}/")
        share(person, centre_bot, mine)

        # agent → citizen: a picture to the case address, relayed bare with OOB
        agent = await login(info, agent_jid, password_of(media_stack, agent_jid))
        theirs = await upload(agent, info["upload_domain"], "map-0812345678.png", PNG)
        seen = len(person.inbox)
        share(agent, f"{ref.lower()}@{info['bot_domain']}", theirs)
        got = await person.expect(lambda m: m["body"] == theirs, timeout=10, start=seen)
        assert oob_url(got) == theirs
        assert str(got["from"].bare) == centre_bot
        heading = await person.expect(lambda m: ref in m["body"], timeout=10, start=seen)
        assert agent_jid not in heading["body"]
        for p in (agent, person):
            p.close()
        return ref, mine, theirs

    ref, mine, theirs = asyncio.run(scenario())
    assert fetch(mine) == PNG and fetch(theirs) == PNG
    deadline = time.monotonic() + 10
    while True:  # the transcript keeps both links whole (not masked)
        bodies = [m.body for m in store.transcript(ref)]
        if mine in bodies and theirs in bodies:
            break
        assert time.monotonic() < deadline, bodies
        time.sleep(0.2)
    store.close()
