"""Anonymous sessions per client address (prosody/modules/mod_damrongdham_anon_logins.lua),
on a real Prosody: a client opening too many is refused in Thai and English, other
addresses and registered citizens are not, and no address is written to disk.

The clients are raw SASL ANONYMOUS logins bound to chosen loopback addresses (127.0.0.2,
127.0.0.3…), so that one test can be several networks."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import ssl
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from xmpp_helpers import citizen, start_stack

from damrongdham.prosody import ProsodyError, abuse_limits

pytestmark = pytest.mark.xmpp

PER_MINUTE = 4
LIMITS = {"DAMRONGDHAM_ANON_LOGINS_PER_MINUTE": str(PER_MINUTE),
          "DAMRONGDHAM_ANON_LOGINS_PER_HOUR": "6", "DAMRONGDHAM_ANON_LOGINS_EXEMPT": "none"}
SASL = "urn:ietf:params:xml:ns:xmpp-sasl"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    saved = {k: os.environ.get(k) for k in LIMITS}
    os.environ.update(LIMITS)
    try:
        running = start_stack(tmp_path_factory.mktemp("anonlogins") / "data")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        yield running
    finally:
        running.stop()


def _read_until(sock, pattern: bytes, timeout: float = 10) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while not re.search(pattern, data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _open(sock, domain: str) -> None:
    sock.sendall(f"<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' "
                 "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
                 .encode())


def anonymous_login(info: dict, source: str) -> tuple[bool, str]:
    """(logged in, the failure's text) of one SASL ANONYMOUS login from `source`."""
    domain = info["anon_domain"]
    raw = socket.create_connection((info["c2s_host"], info["c2s_port"]), timeout=10,
                                   source_address=(source, 0))
    try:
        _open(raw, domain)
        _read_until(raw, rb"</stream:features>")
        raw.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        _read_until(raw, rb"<proceed")
        context = ssl.create_default_context(cafile=info["ca_file"])
        sock = context.wrap_socket(raw, server_hostname=domain)
        _open(sock, domain)
        _read_until(sock, rb"</stream:features>")
        sock.sendall(f"<auth xmlns='{SASL}' mechanism='ANONYMOUS'/>".encode())
        answer = _read_until(sock, rb"</failure>|<success[^>]*/>|</success>")
        if b"<success" in answer:
            return True, ""
        failure = ET.fromstring(answer[answer.index(b"<failure"):])
        assert failure.find(f"{{{SASL}}}temporary-auth-failure") is not None, answer
        return False, failure.findtext(f"{{{SASL}}}text") or ""
    finally:
        raw.close()


def test_one_address_is_refused_past_its_limit_others_are_not(limited) -> None:
    info = limited.info
    results = [anonymous_login(info, "127.0.0.2") for _ in range(PER_MINUTE + 2)]
    assert [ok for ok, _ in results] == [True] * PER_MINUTE + [False, False]
    text = results[-1][1]
    assert "มากเกินไป" in text and "try again" in text, text
    # Another network, a registered citizen: untouched by the first one's limit.
    assert anonymous_login(info, "127.0.0.3") == (True, "")

    async def registered() -> str:
        person = await citizen(info)
        jid = person.jid
        person.close()
        await asyncio.sleep(0.2)
        return jid

    assert asyncio.run(registered()).endswith("@" + info["citizen_domain"])
    # The hour's limit (6) counts across minutes: two more for 127.0.0.3, then refused.
    assert [anonymous_login(info, "127.0.0.3")[0] for _ in range(6)] == [True] * 3 + [False] * 3


def test_no_client_address_is_written_to_disk(limited) -> None:
    anonymous_login(limited.info, "127.0.0.4")
    hits = []
    for path in Path(limited.data_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [str(path) for ip in (b"127.0.0.2", b"127.0.0.3", b"127.0.0.4") if ip in data]
    assert hits == []


def test_limits_come_from_the_environment_and_bad_values_are_refused(monkeypatch) -> None:
    monkeypatch.setenv("DAMRONGDHAM_FLOOD_GUARD_RATE", "35")
    monkeypatch.setenv("DAMRONGDHAM_ANON_LOGINS_EXEMPT", "127.0.0.1, ::1")
    values = abuse_limits()
    assert values["flood_guard_rate"] == 35 and values["anon_logins_per_minute"] == 30
    assert values["anon_logins_exempt"] == '"127.0.0.1"; "::1"'
    monkeypatch.setenv("DAMRONGDHAM_ANON_LOGINS_PER_HOUR", "lots")
    with pytest.raises(ProsodyError, match="DAMRONGDHAM_ANON_LOGINS_PER_HOUR"):
        abuse_limits()
    monkeypatch.setenv("DAMRONGDHAM_ANON_LOGINS_PER_HOUR", "300")
    monkeypatch.setenv("DAMRONGDHAM_ANON_LOGINS_EXEMPT", "localhost")
    with pytest.raises(ProsodyError, match="not an address"):
        abuse_limits()


def test_ipv6_addresses_are_counted_by_their_64(tmp_path: Path) -> None:
    """The module's own `prefix` run by the Lua that runs Prosody."""
    lua = next((p for p in sorted(Path("/usr/bin").glob("lua5.*"))), None)
    if lua is None:
        pytest.skip("no Lua interpreter beside Prosody")
    module = Path(__file__).resolve().parent.parent / "prosody" / "modules"
    source = (module / "mod_damrongdham_anon_logins.lua").read_text("utf-8")
    function = re.search(r"^local function prefix\(ip\).*?^end$", source, re.S | re.M)
    assert function is not None
    cases = {"2001:db8:aa:bb:1:2:3:4": "2001:db8:aa:bb::/64",
             "2001:DB8:aa:bb:ffff::9": "2001:db8:aa:bb::/64",
             "2001:db8::1": "2001:db8:0:0::/64", "2001:0db8:00aa:0bb::": "2001:db8:aa:bb::/64",
             "10.1.2.3": "10.1.2.3"}
    script = tmp_path / "prefix.lua"
    script.write_text(function.group(0) + "\n" + "".join(
        f'print(prefix("{ip}"))\n' for ip in cases), "utf-8")
    out = subprocess.run([str(lua), str(script)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == list(cases.values())


def test_the_web_chat_says_so_in_thai_and_retries_by_itself(limited) -> None:
    """The page's anonymous session over WebSocket is counted by the address too: once
    this network's minute is used up, the page shows the Thai "busy" state (not a sign-in
    failure) and schedules its own retry."""
    from browser_helpers import chromium, screenshot

    url = f"{limited.info['web_url']}?anon=1"
    with chromium() as browser:
        context = browser.new_context(locale="th-TH")  # type: ignore[attr-defined]
        try:
            pages = []
            for _ in range(PER_MINUTE + 1):  # the test's own logins already used some
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector('#chat-status[data-state="online"], '
                                       '#chat-status[data-state="busy"]', timeout=45_000)
                pages.append(page)
            busy = pages[-1]
            assert busy.get_attribute("#chat-status", "data-state") == "busy"
            text = busy.inner_text("#chat-status")
            assert "ลองเชื่อมต่อใหม่เองใน" in text and "retrying by itself" in text, text
            seconds = int(re.search(r"ใน (\d+) วินาที", text).group(1))
            assert 24 <= seconds <= 36  # 30 s with jitter, not a hammering loop
            screenshot(busy, "chat-anon-busy")
        finally:
            context.close()
