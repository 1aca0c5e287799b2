"""Whistle-blowers stay untraceable, PINs stay secret: markers planted, every byte searched.

A real stack of its own (`damrongdham up`, on the database DAMRONGDHAM_TEST_DB picks for
stacks). An anonymous tipster (SASL ANONYMOUS on anon.D) opens the web page and uploads a
photo through the web relay with a marker User-Agent and X-Forwarded-For, shares it, and
reports a complaint that names a district. Then EVERY file under the data directory —
Prosody's SQLite with its write-ahead log, the case store, every log, the uploads — and the
supervisor's output are searched for the session's name, the markers and the PIN. The
public Open311 record shows the province only and the day only. A registered citizen's PIN
is in no file (Prosody's archive included) once the agent's reply has reached them.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import time
import urllib.request
import uuid
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select
from test_anon_tips_xmpp import anonymous
from test_media_xmpp import PNG, UPLOAD_NS, share
from xmpp_helpers import Person, citizen, login, ref_in, start_stack

from casestore import CaseStore
from casestore.models import RateLimit
from kernel.imagemeta import blank_metadata

pytestmark = pytest.mark.xmpp

CENTRE = "sukhothai"
# A complaint, not a tip, naming a district: published with the province only all the same.
ANON_REPORT = "ถนนหน้าบ้านพังเป็นหลุมใหญ่ รถจักรยานยนต์ล้มทุกวัน ที่ อ.ศรีสำโรง จ.สุโขทัย"
CITIZEN_REPORT = "ไฟถนนดับทั้งซอยมาสองสัปดาห์ ที่ อ.สวรรคโลก จ.สุโขทัย"
PIN_RE = re.compile(r"PIN\)?:?\s*(\d{6})")
MARK = uuid.uuid4().hex[:10]
GPS = f"GPS 13.7563N 100.5018E phone-serial {MARK}-EXIF".encode()


def _png_with_text(png: bytes, text: bytes) -> bytes:
    """`png` with a tEXt chunk after its header, as cameras and editors write them."""
    data = b"Comment\x00" + text
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    return png[:33] + chunk + png[33:]


PHOTO = _png_with_text(PNG, GPS)
UA = f"PrivacyMarkerUA/{MARK}"
XFF = "198.51.100.173"
CLEAN_WITHIN_S = 15.0


@pytest.fixture(scope="module")
def privacy_stack(tmp_path_factory: pytest.TempPathFactory):
    running = start_stack(tmp_path_factory.mktemp("privacy") / "data")
    try:
        yield running
    finally:
        running.stop()


def _files(stack) -> list[Path]:
    found = [p for p in stack.data_dir.rglob("*") if p.is_file()]
    return [*found, stack.output_file]


def _holding(stack, needles: dict[str, bytes]) -> dict[str, list[str]]:
    """{needle name: files holding it}, every byte of every file read."""
    hits: dict[str, list[str]] = {}
    for path in _files(stack):
        try:
            data = path.read_bytes()
        except (FileNotFoundError, PermissionError):
            continue  # a file removed while we looked (a rotated WAL, a pid file)
        for name, needle in needles.items():
            if needle in data:
                hits.setdefault(name, []).append(str(path.relative_to(stack.data_dir.parent)))
    return hits


def _clean_after(stack, needles: dict[str, bytes], within: float) -> tuple[float, dict]:
    """Seconds until no file holds any needle (or the hits left after `within`)."""
    start = time.monotonic()
    while True:
        hits = _holding(stack, needles)
        took = time.monotonic() - start
        if not hits or took > within:
            return took, hits
        time.sleep(0.25)


def _http(url: str, method: str = "GET", data: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, method=method, headers={
        "User-Agent": UA, "X-Forwarded-For": XFF, **(headers or {})})
    with urllib.request.urlopen(req, timeout=15) as resp:
        return resp.status, resp.read()


async def _upload_through_the_web(person: Person, info: dict, name: str) -> str:
    """What the web page does: a slot over XMPP, the PUT through `PUT /chat/api/upload`."""
    iq = person.client.make_iq_get(ito=info["upload_domain"])
    request = ET.SubElement(iq.xml, f"{{{UPLOAD_NS}}}request")
    request.set("filename", name)
    request.set("size", str(len(PHOTO)))
    request.set("content-type", "image/png")
    result = await iq.send(timeout=10)
    slot = result.xml.find(f"{{{UPLOAD_NS}}}slot")
    assert slot is not None, result
    put, get = slot.find(f"{{{UPLOAD_NS}}}put"), slot.find(f"{{{UPLOAD_NS}}}get")
    headers = {"Content-Type": "image/png", "X-Upload-Url": put.get("url")}
    for h in put.findall(f"{{{UPLOAD_NS}}}header"):
        headers[f"X-Upload-{h.get('name')}"] = h.text or ""
    status, _ = await asyncio.to_thread(
        _http, f"{info['web_url'].rstrip('/')}/chat/api/upload", "PUT", PHOTO, headers)
    assert status == 201
    return get.get("url")


def _pin_needles(pin: str) -> dict[str, bytes]:
    """The PIN as the bot's answer writes it (Thai and English lines): any copy of that
    answer holds one of these; six bare digits would also match unrelated numbers."""
    return {"PIN (th)": f"(PIN): {pin}".encode(), "PIN (en)": f"PIN {pin}.".encode()}


def test_an_anonymous_report_with_a_photo_leaves_no_trace(privacy_stack) -> None:
    stack = privacy_stack
    info = stack.info
    centre_bot = f"{CENTRE}@{info['bot_domain']}"
    creds = stack.credentials()[CENTRE]

    async def scenario() -> tuple[str, str, str, str]:
        status, page = await asyncio.to_thread(_http, f"{info['web_url'].rstrip('/')}/?anon=1")
        assert status == 200 and page
        tipster = await anonymous(info)
        session = tipster.jid
        tipster.say(centre_bot, ANON_REPORT)
        opened = await tipster.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        ref, pin = ref_in(opened["body"]), PIN_RE.search(opened["body"])
        assert ref and pin, opened["body"]  # the PIN reaches the live session
        agent = await login(info, creds["jid"], creds["password"])
        case_jid = f"{ref.lower()}@{info['bot_domain']}"
        agent.say(case_jid, "รับเรื่องแล้ว ขอภาพถ่ายด้วยครับ")
        await tipster.expect(lambda m: "ขอภาพถ่าย" in m["body"], timeout=15)
        photo = await _upload_through_the_web(tipster, info, f"IMG_{MARK}.png")
        share(tipster, case_jid, photo)
        await agent.expect(lambda m: m["body"] == photo, timeout=15)  # stored, relayed
        tipster.close()
        agent.close()
        await asyncio.sleep(0.5)
        return session, ref, pin.group(1), photo

    session, ref, pin, photo = asyncio.run(scenario())
    local = session.partition("@")[0]
    assert len(local) >= 8  # a random name: searching for it is meaningful

    # The case store: placeholder citizen, the district known to staff, the photo's link.
    store = CaseStore(stack.db_url)
    try:
        case = store.get(ref)
        assert case is not None and case.citizen_jid == f"anonymous@{info['anon_domain']}"
        assert case.type != "tip" and case.district, (case.type, case.district)
        assert any(m.body == photo for m in store.transcript(ref))
        # The relay counted the anonymous upload without the client's address.
        with store.reading() as s:
            buckets = set(s.scalars(select(RateLimit.bucket)))
        assert "chat-upload:anonymous" in buckets, buckets
        assert not [b for b in buckets if b.startswith("chat-upload:ip:")], buckets
    finally:
        store.close()

    needles = {"session": local.encode(), "user agent": UA.encode(), "X-Forwarded-For":
               XFF.encode(), "photo's metadata": GPS, **_pin_needles(pin)}
    took, hits = _clean_after(stack, needles, CLEAN_WITHIN_S)
    print(f"\nanonymous report: no trace on disk {took:.2f} s after the last acknowledgement")
    assert hits == {}, hits
    # The searches can find what they look for: the photo's file is there, and the case
    # reference and marker file name are in files; the photo is there with its metadata
    # blanked in place (same length, as the upload slot requires), its pixels unchanged.
    blanked = blank_metadata(PHOTO)
    assert len(blanked) == len(PHOTO) and GPS not in blanked and PNG[33:] in blanked
    assert _holding(stack, {"ref": ref.encode(), "photo": blanked, "name": MARK.encode()}).keys() \
        == {"ref", "photo", "name"}

    # The public Open311 record: province only, the day only.
    _status, body = _http(f"{info['web_url'].rstrip('/')}/open311/v2/requests/{ref}.json")
    (record,) = json.loads(body)
    assert record["address"] == "จ.สุโขทัย", record
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", record["requested_datetime"]), record
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", record["updated_datetime"]), record


def test_a_registered_citizens_pin_is_in_no_file(privacy_stack) -> None:
    stack = privacy_stack
    info = stack.info
    centre_bot = f"{CENTRE}@{info['bot_domain']}"
    creds = stack.credentials()[CENTRE]

    async def scenario() -> tuple[str, str]:
        person = await citizen(info)
        person.say(centre_bot, CITIZEN_REPORT)
        opened = await person.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        ref, pin = ref_in(opened["body"]), PIN_RE.search(opened["body"])
        assert ref and pin, opened["body"]
        agent = await login(info, creds["jid"], creds["password"])
        agent.say(f"{ref.lower()}@{info['bot_domain']}", "รับเรื่องแล้ว จะแจ้งการไฟฟ้าให้ครับ")
        await person.expect(lambda m: "รับเรื่องแล้ว" in m["body"], timeout=15)
        # The citizen's archive (MAM) does keep the conversation — the counter-check below.
        person.close()
        agent.close()
        await asyncio.sleep(0.5)
        return ref, pin.group(1)

    _ref, pin = asyncio.run(scenario())
    took, hits = _clean_after(stack, _pin_needles(pin), CLEAN_WITHIN_S)
    print(f"\nregistered citizen: PIN on no disk {took:.2f} s after the reply")
    assert hits == {}, hits
    # Counter-check: the citizen's archive keeps the agent's reply, so the search would have
    # found the PIN's message had it been archived.
    archived = _holding(stack, {"reply": "จะแจ้งการไฟฟ้าให้ครับ".encode()})["reply"]
    assert any("/prosody/data/" in path for path in archived), archived
