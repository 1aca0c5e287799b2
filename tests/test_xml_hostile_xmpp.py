"""Hostile XML from a real client connection (issue 7): raw bytes over STARTTLS to the
session stack's Prosody (`tests/raw_xmpp.py`), before and after authentication.

What Prosody 0.12 does with them (its own source, /usr/lib/prosody): `util/xmppstream.lua`
turns a DOCTYPE, a comment or a processing instruction into a "restricted-xml" parse error
(RFC 6120 §11.1), expat refuses undefined entities, and `mod_c2s.lua` limits a stanza to
`c2s_unauthed_stanza_size_limit` (10,000 bytes) before authentication and
`c2s_stanza_size_limit` (256 KiB) after; our `prosody/prosody.cfg.lua.in` sets neither, so
those defaults apply. Each case must end in a stream error and a closed connection, leak no
file content, leave the same Prosody process running, and the stack must still serve a
normal citizen afterwards. A `from` claiming to be the bot or an agent is overwritten with
the sender's own address (`core/stanza_router.lua` stamps c2s stanzas).
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from pathlib import Path

import pytest
from raw_xmpp import RawXmpp, connect_tls, login, stream_error, stream_header
from xmpp_helpers import REF_RE, citizen, ref_in

from kernel.xmpp import close_client, register_account

pytestmark = pytest.mark.xmpp

LAUGHS = "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
)
BILLION_LAUGHS = f'<!DOCTYPE lolz [<!ENTITY lol0 "lol">{LAUGHS}]>'
XXE = "<!DOCTYPE x [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
#: Conditions a server may close a hostile stream with.
REFUSED = {"not-well-formed", "restricted-xml", "policy-violation", "invalid-xml",
           "bad-format", "invalid-namespace"}
SECRET_MARKERS = ("root:", "/bin/", "lollollol")


def _new_account(stack) -> tuple[str, str]:
    """A citizen account of its own, made by in-band registration: (jid, password)."""
    info = stack.info
    jid, password = f"raw{uuid.uuid4().hex[:8]}@{info['citizen_domain']}", uuid.uuid4().hex

    async def make() -> None:
        client = await register_account(jid, password, info["c2s_host"], info["c2s_port"],
                                        Path(info["ca_file"]))
        await close_client(client)

    asyncio.run(make())
    return jid, password


@pytest.fixture(scope="module")
def account(stack) -> tuple[str, str]:
    """The account of the hostile cases (the server refuses what they send: it never reaches
    the bot, so they cannot open or extend a case)."""
    return _new_account(stack)


@pytest.fixture(scope="module")
def prosody_pid(stack) -> int:
    """Prosody's process id before any hostile input (it must be the same one after)."""
    return int((stack.data_dir / "prosody" / "prosody.pid").read_text().strip())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _tls(stack, reopen: bool = True) -> RawXmpp:
    info = stack.info
    return connect_tls(info["c2s_host"], info["c2s_port"], info["citizen_domain"],
                       info["ca_file"], reopen=reopen)


def _authed(stack, account: tuple[str, str]) -> RawXmpp:
    info = stack.info
    return login(info["c2s_host"], info["c2s_port"], account[0], account[1], info["ca_file"])


def _assert_refused(conn: RawXmpp, what: str, oversized: bool = False) -> str | None:
    """The server answered `what` with a stream error and closed the connection. For an
    oversized stanza the error may be lost: the server closes while our bytes are still
    unread, and the kernel then resets the connection, dropping what was in flight."""
    assert conn.wait_closed(timeout=15), f"{what}: connection still open; got {conn.tail()!r}"
    condition = stream_error(conn.received)
    allowed = {"policy-violation", None} if oversized else REFUSED
    assert condition in allowed, f"{what}: closed with {condition!r}: {conn.tail()!r}"
    print(f"{what}: closed, stream error {condition}")
    for marker in SECRET_MARKERS:
        assert marker not in conn.received, f"{what}: {marker!r} in the answer"
    return condition


# -- before authentication (TLS is up, the stream restarts) ---------------------------------

PRE_AUTH = {
    # A DOCTYPE before the new stream header: the only place XML allows one.
    "billion laughs": lambda d: BILLION_LAUGHS + stream_header(d).replace(
        "<?xml version='1.0'?>", "").replace("xml:lang='th'", "xml:lang='&lol9;'"),
    "external entity": lambda d: XXE + stream_header(d).replace(
        "<?xml version='1.0'?>", "").replace("xml:lang='th'", "xml:lang='&xxe;'"),
    "processing instruction": lambda d: stream_header(d) + "<?php system('id'); ?>",
    "comment": lambda d: stream_header(d) + "<!-- hello -->",
    # 20,000 bytes, twice Prosody's limit before authentication
    "oversized before auth": lambda d: stream_header(d)
    + f"<iq type='get' id='x'><query xmlns='jabber:iq:register'>{'A' * 20000}</query></iq>",
}


@pytest.mark.parametrize("name", sorted(PRE_AUTH))
def test_hostile_xml_before_authentication(stack, prosody_pid: int, name: str) -> None:
    conn = _tls(stack, reopen=False)
    try:
        conn.send(PRE_AUTH[name](stack.info["citizen_domain"]))
        _assert_refused(conn, name, oversized=name.startswith("oversized"))
        assert _alive(prosody_pid)
    finally:
        conn.close()


# -- after authentication (a bound citizen session) -----------------------------------------

def _post_auth_payloads(to: str) -> dict[str, str]:
    return {
        "billion laughs": BILLION_LAUGHS + f"<message to='{to}'><body>&lol9;</body></message>",
        "external entity": XXE + f"<message to='{to}'><body>&xxe;</body></message>",
        "undefined entity": f"<message to='{to}'><body>&xxe;</body></message>",
        "processing instruction": f"<message to='{to}'><?php system('id'); ?>"
                                  "<body>x</body></message>",
        "comment": f"<message to='{to}'><!-- x --><body>x</body></message>",
        # 1 MB: four times c2s_stanza_size_limit (256 KiB)
        "oversized 1 MB": f"<message to='{to}' type='chat'><body>{'ก' * 350_000}</body>"
                          "</message>",
    }


@pytest.mark.parametrize("name", sorted(_post_auth_payloads("x")))
def test_hostile_xml_after_authentication(stack, account, prosody_pid: int, name: str) -> None:
    conn = _authed(stack, account)
    try:
        payload = _post_auth_payloads(f"chiangrai@{stack.info['bot_domain']}")[name]
        assert len(payload.encode()) < 1100_000
        conn.send(payload)  # may fail half-way: the server closes as soon as it has seen enough
        if _assert_refused(conn, name, oversized=name.startswith("oversized")):
            assert "stanza-too-big" in conn.received or not name.startswith("oversized")
        assert _alive(prosody_pid)
    finally:
        conn.close()


def test_stanza_under_the_limit_is_delivered(stack, account) -> None:
    """The limit is not a lower one: 200 KB in one stanza (under 256 KiB) goes through."""
    conn = _authed(stack, account)
    try:
        conn.send(f"<iq type='get' id='big1' to='{stack.info['domain']}'>"
                  f"<query xmlns='jabber:iq:version'/><x xmlns='urn:x'>{'a' * 200_000}</x></iq>")
        answer = conn.read_until(r"<iq[^>]*id=['\"]big1['\"]", timeout=15)
        assert stream_error(answer) is None and not conn.closed
    finally:
        conn.close()


def test_deeply_nested_stanza_to_the_bot(stack, prosody_pid: int) -> None:
    """30,000 nested elements (210 KB, under the limit, so Prosody passes it on) in a
    complaint to a centre: the bot's XML handling does not recurse itself to death, it opens
    the case and answers."""
    conn = _authed(stack, _new_account(stack))  # its own citizen: no open case yet
    bot = f"chiangrai@{stack.info['bot_domain']}"
    try:
        conn.send("<presence/>")
        mark = len(conn.received)
        depth = 30_000
        conn.send(f"<message to='{bot}' type='chat'><body>ท่อประปาแตกน้ำท่วมถนน จ.เชียงราย</body>"
                  f"<x xmlns='urn:x'>{'<a>' * depth}{'</a>' * depth}</x></message>")
        answer = conn.read_until(REF_RE.pattern, timeout=15, start=mark)
        assert stream_error(answer) is None and ref_in(answer)
        assert _alive(prosody_pid)
    finally:
        conn.close()


# -- spoofed senders ------------------------------------------------------------------------

def test_spoofed_from_is_stamped_with_the_real_sender(stack) -> None:
    """A citizen's raw stanza claiming to come from the bot, a centre or an agent reaches
    the recipient from the citizen's own address; the bot, given a stanza "from" the centre's
    agent account, answers the citizen who really sent it."""
    info = stack.info
    bot, centre_agent = f"chiangrai@{info['bot_domain']}", f"chiangrai@{info['domain']}"

    account = _new_account(stack)  # no open case: the bot answers a first message with a ref

    async def scenario() -> None:
        other = await citizen(info)
        conn = await asyncio.to_thread(_authed, stack, account)
        try:
            assert conn.jid and conn.jid.startswith(account[0] + "/")
            conn.send("<presence/>")  # available, so that the bot's answer is delivered now
            for claimed in (bot, info["bot_domain"], centre_agent, f"{centre_agent}/desk"):
                conn.message(other.jid, f"spoof as {claimed}", **{"from": claimed})
                got = await other.expect(lambda m, c=claimed: f"spoof as {c}" in m["body"], 10)
                assert str(got["from"]) == conn.jid, f"{claimed}: from {got['from']}"
            # The bot is asked as if by the centre's agent account: it must see the citizen.
            mark = len(conn.received)
            conn.message(bot, "ไฟฟ้าดับทั้งซอยมาสามวันแล้ว ที่ อ.เมือง จ.เชียงราย",
                         **{"from": centre_agent})
            answer = await asyncio.to_thread(conn.read_until, REF_RE.pattern, 15, mark)
            assert re.search(rf"from=['\"]{re.escape(bot)}", answer), answer[:400]
            assert ref_in(answer)
        finally:
            conn.close()
            other.close()

    asyncio.run(scenario())


# -- and afterwards ---------------------------------------------------------------------------

def test_stack_still_serves_citizens_after_hostile_input(stack, prosody_pid: int) -> None:
    """Runs after the cases above (file order): same Prosody process, a normal complaint
    still gets its case reference."""
    info = stack.info
    assert stack.proc.poll() is None
    assert _alive(prosody_pid)
    assert int((stack.data_dir / "prosody" / "prosody.pid").read_text()) == prosody_pid

    async def scenario() -> str:
        person = await citizen(info)
        bot = f"chiangmai@{info['bot_domain']}"
        person.say(bot, "ขยะไม่มีคนมาเก็บหน้าบ้านสองสัปดาห์แล้ว ส่งกลิ่นเหม็นมาก อ.เมือง จ.เชียงใหม่")
        reply = await person.expect(lambda m: str(m["from"].bare) == bot, timeout=10)
        person.close()
        return reply["body"]

    body = asyncio.run(scenario())
    ref = ref_in(body)
    assert ref and ref.startswith("TH50-"), body
