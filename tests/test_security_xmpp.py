"""Security by default on the real stack: room isolation, no relaying to outsiders, component
secret, no plaintext auth, SCRAM-only password storage."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import re
import socket
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import slixmpp
from slixmpp.exceptions import IqError
from xmpp_helpers import Person, _person, citizen, login, ref_in

from bots import catalogue
from kernel.xmpp import new_client, start_client

pytestmark = pytest.mark.xmpp

CENTRE = "yasothon"  # the room the outsiders try to get into
OTHER = "trat"  # staff of another centre
MAM = "urn:xmpp:mam:2"
MUC_ADMIN = "http://jabber.org/protocol/muc#admin"


async def _anonymous(info: dict) -> Person:
    client = new_client(info["anon_domain"], "", Path(info["ca_file"]), ("xep_0045",))
    person = _person(client)
    await start_client(client, info["c2s_host"], info["c2s_port"])
    return person


async def _citizen(info: dict) -> Person:
    person = await citizen(info)
    person.client.register_plugin("xep_0045")
    return person


async def _outsiders(stack) -> list[tuple[str, Person]]:
    info = stack.info
    other = stack.credentials()[OTHER]
    return [
        ("citizen", await _citizen(info)),
        ("anonymous", await _anonymous(info)),
        ("other centre's staff", await login(info, other["jid"], other["password"])),
    ]


async def _join_refusal(client: slixmpp.ClientXMPP, room: str, nick: str) -> str:
    """Try to enter `room` (asking for history); the error condition of the refusal."""
    answer: asyncio.Future[slixmpp.Presence] = asyncio.get_running_loop().create_future()

    def on_presence(pres: slixmpp.Presence) -> None:
        if pres["from"].bare == room and not answer.done():
            answer.set_result(pres)

    client.add_event_handler("presence", on_presence)
    try:
        join = client.make_presence(pto=f"{room}/{nick}")
        x = ET.SubElement(join.xml, "{http://jabber.org/protocol/muc}x")
        ET.SubElement(x, "{http://jabber.org/protocol/muc}history", maxstanzas="20")
        join.send()
        pres = await asyncio.wait_for(answer, 10)
    finally:
        client.del_event_handler("presence", on_presence)
    assert pres["type"] == "error", f"{client.boundjid.bare} entered {room}"
    return pres["error"]["condition"]


async def _iq_error(client: slixmpp.ClientXMPP, to: str, itype: str, payload: str) -> str:
    """Send an IQ and return the error condition (fails the test if it succeeds)."""
    iq = client.make_iq(ito=to, itype=itype)
    iq.append(ET.fromstring(payload))
    try:
        await iq.send(timeout=10)
    except IqError as exc:
        return exc.iq["error"]["condition"]
    raise AssertionError(f"{client.boundjid.bare}: {payload} to {to} was answered")


def test_outsiders_cannot_join_read_or_list_a_centre_room(stack) -> None:
    room = f"{CENTRE}@{stack.info['muc_domain']}"

    async def scenario() -> None:
        for who, person in await _outsiders(stack):
            try:
                condition = await _join_refusal(person.client, room, f"spy-{who[:5]}")
                assert condition == "registration-required", (who, condition)
                mam = await _iq_error(
                    person.client, room, "set", f"<query xmlns='{MAM}' queryid='q1'/>"
                )
                assert mam in ("forbidden", "registration-required", "not-allowed"), (who, mam)
                members = await _iq_error(
                    person.client,
                    room,
                    "get",
                    f"<query xmlns='{MUC_ADMIN}'><item affiliation='member'/></query>",
                )
                assert members in ("forbidden", "not-allowed"), (who, members)
                # Nothing of the room reached them.
                assert not [m for m in person.inbox if str(m["from"].bare) == room]
            finally:
                person.close()

    asyncio.run(scenario())


def test_the_centre_itself_can_read_its_room(stack) -> None:
    """The counter-check: the same queries succeed for the room's own centre account."""
    info = stack.info
    room = f"{CENTRE}@{info['muc_domain']}"
    own = stack.credentials()[CENTRE]

    async def scenario() -> None:
        agent = await login(info, own["jid"], own["password"])
        try:
            iq = agent.client.make_iq(ito=room, itype="get")
            iq.append(
                ET.fromstring(f"<query xmlns='{MUC_ADMIN}'><item affiliation='member'/></query>")
            )
            await agent.join(room, "เจ้าหน้าที่")
            result = await iq.send(timeout=10)
            assert result["type"] == "result"
        finally:
            agent.close()

    asyncio.run(scenario())


def test_citizens_reach_no_agent_through_the_bot(stack) -> None:
    info = stack.info
    bot = info["bot_domain"]
    own = stack.credentials()[CENTRE]
    agent_local = f"somchai.{CENTRE}"  # a named agent's account: <name>.<centre>@D

    async def scenario() -> None:
        agent = await login(info, own["jid"], own["password"])
        await agent.join(f"{CENTRE}@{info['muc_domain']}", "เจ้าหน้าที่ยโสธร")
        owner, intruder = await citizen(info), await citizen(info)
        try:
            owner.say(f"{CENTRE}@{bot}", "ร้องเรียนไฟถนนดับทั้งซอยมาสามเดือน อ.เมือง จ.ยโสธร")
            reply = await owner.expect(lambda m: str(m["from"].bare) == f"{CENTRE}@{bot}")
            ref = ref_in(reply["body"])
            assert ref, reply["body"]
            await asyncio.sleep(0.5)  # the routing offer, if any, arrives first
            start = len(agent.inbox)
            secret = "ข้อความลับจากผู้บุกรุก"
            # To an agent's account name at the bot domain: no such address, not relayed.
            intruder.say(f"{agent_local}@{bot}", f"{secret} 1")
            await intruder.expect(lambda m: str(m["from"].bare) == f"{agent_local}@{bot}")
            # To the case address of someone else's case: refused, not relayed.
            case_jid = f"{ref.lower()}@{bot}"
            intruder.say(case_jid, f"{secret} 2")
            refused = await intruder.expect(lambda m: str(m["from"].bare) == case_jid)
            assert catalogue.values(refused["body"], "citizen.not_allowed") == {"ref": ref}
            # Sending as the bot: the server does not let a client pick its 'from'.
            spoof = intruder.client.make_message(
                mto=own["jid"], mbody=f"{secret} 3", mtype="chat", mfrom=f"{CENTRE}@{bot}"
            )
            spoof.send()
            # The owner's message does arrive (so the agent is listening) …
            owner.say(case_jid, "เพิ่มเติม: เสาไฟต้นที่สามล้ม")
            await agent.expect(lambda m: "เสาไฟต้นที่สามล้ม" in m["body"], start=start)
            # … and nothing of the intruder's came through the bot. The spoofed message is
            # delivered directly (XMPP lets a local user write to a local user) but under
            # the intruder's own JID: the server stamps it, it never reads as the bot.
            late = agent.inbox[start:] + await agent.quiet(1.0)
            leaked = [m for m in late if secret in m["body"]]
            assert [m["body"] for m in leaked] == [f"{secret} 3"]
            assert str(leaked[0]["from"].bare) == intruder.jid
        finally:
            for p in (agent, owner, intruder):
                p.close()

    asyncio.run(scenario())


def _recv_until(sock: socket.socket, pattern: str, limit: float = 10.0) -> str:
    sock.settimeout(limit)
    data = b""
    while not re.search(pattern, data.decode("utf-8", "replace")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("name", ["bot", "evil"])
def test_component_port_refuses_a_wrong_secret(stack, name: str) -> None:
    info = stack.info
    domain = f"{name}.{info['domain']}"
    with socket.create_connection((info["c2s_host"], info["component_port"]), 10) as sock:
        sock.sendall(
            (
                "<stream:stream xmlns='jabber:component:accept' "
                f"xmlns:stream='http://etherx.jabber.org/streams' to='{domain}'>"
            ).encode()
        )
        head = _recv_until(sock, r"<stream:stream[^>]*>|</stream:stream>|<stream:error")
        if "<stream:error" in head:  # an unknown component name: refused at once
            assert "host-unknown" in head or "not-authorized" in head
            return
        stream_id = re.search(r"\bid=['\"]([^'\"]+)", head).group(1)
        wrong = hashlib.sha1(f"{stream_id}not-the-secret".encode()).hexdigest()
        sock.sendall(f"<handshake>{wrong}</handshake>".encode())
        answer = _recv_until(sock, r"</stream:stream>|<handshake\s*/>|<handshake>")
    assert "not-authorized" in answer
    assert not re.search(r"<handshake\s*/>|<handshake></handshake>", answer)


def test_c2s_refuses_plaintext_auth_without_tls(stack) -> None:
    info = stack.info
    creds = stack.credentials()[CENTRE]
    user = creds["jid"].partition("@")[0]
    with socket.create_connection((info["c2s_host"], info["c2s_port"]), 10) as sock:
        sock.sendall(
            (
                "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                f"xmlns:stream='http://etherx.jabber.org/streams' to='{info['domain']}' "
                "version='1.0'>"
            ).encode()
        )
        features = _recv_until(sock, r"</stream:features>")
        assert "urn:ietf:params:xml:ns:xmpp-tls" in features and "<required" in features
        assert "PLAIN" not in features  # no mechanism is offered before STARTTLS
        token = base64.b64encode(f"\0{user}\0{creds['password']}".encode()).decode()
        sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
        sock.sendall(f"<auth xmlns='{sasl}' mechanism='PLAIN'>{token}</auth>".encode())
        answer = ""
        with contextlib.suppress(OSError):
            answer = _recv_until(sock, r"</failure>|</stream:stream>|<success")
    assert "<success" not in answer
    assert "encryption-required" in answer


def test_passwords_are_stored_as_scram_only(stack) -> None:
    prosody = stack.data_dir / "prosody"
    config = (prosody / "prosody.cfg.lua").read_text(encoding="utf-8")
    assert re.search(r'^authentication = "internal_hashed"$', config, re.MULTILINE)
    assert re.search(r"^allow_unencrypted_plain_auth = false$", config, re.MULTILINE)
    assert re.search(r"^c2s_require_encryption = true$", config, re.MULTILINE)
    creds = stack.credentials()
    passwords = {row["password"] for row in creds.values() if row["password"]}
    assert len(passwords) > 10
    db = sqlite3.connect(f"file:{prosody / 'data' / 'prosody.sqlite'}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT host, user, key, value FROM prosody WHERE store = 'accounts'"
        ).fetchall()
    finally:
        db.close()
    assert rows
    keys = {key for _, _, key, _ in rows}
    assert {"stored_key", "server_key", "salt", "iteration_count"} <= keys
    assert "password" not in keys
    stored = "\n".join(str(value) for *_, value in rows)
    assert not [p for p in passwords if p in stored]
