"""BOSH logins are throttled per client even behind a reverse proxy on the same host
(``DAMRONGDHAM_TRUSTED_PROXIES``, ``mod_damrongdham_auth_throttle``): on a real Prosody with
our rendered config, raw BOSH requests from 127.0.0.1 carrying ``X-Forwarded-For`` as a
proxy would."""

from __future__ import annotations

import base64
import http.client
import re
import uuid
from pathlib import Path

import pytest
from raw_xmpp import connect_tls

from damrongdham.prosody import ProsodyProcess, register
from devtools.local_stack import free_ports
from kernel.proxies import ENV
from kernel.settings import StackSettings

pytestmark = pytest.mark.xmpp

NS_BOSH = "http://jabber.org/protocol/httpbind"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"


def _bosh(port: int, body: str, forwarded: str | None) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    try:
        conn.request("POST", "/http-bind", body=body.encode(), headers=headers)
        answer = conn.getresponse()
        assert answer.status == 200, answer.status
        return answer.read().decode()
    finally:
        conn.close()


def bosh_login(settings: StackSettings, user: str, password: str, forwarded: str | None) -> str:
    """One BOSH session (both requests through the 'proxy'): 'success' or the failure."""
    port, host = settings.http_port, settings.citizen_domain
    opened = _bosh(port, f"<body content='text/xml; charset=utf-8' hold='1' rid='1000' "
                         f"to='{host}' ver='1.6' wait='5' xml:lang='en' xmpp:version='1.0' "
                         f"xmlns='{NS_BOSH}' xmlns:xmpp='urn:xmpp:xbosh'/>", forwarded)
    sid = re.search(r"sid=['\"]([^'\"]+)", opened)
    assert sid, opened
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    answer = _bosh(port, f"<body rid='1001' sid='{sid.group(1)}' xmlns='{NS_BOSH}'>"
                         f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'>{token}</auth></body>",
                   forwarded)
    return "success" if "<success" in answer else answer


def c2s_login(settings: StackSettings, user: str, password: str) -> bool:
    conn = connect_tls(settings.listen, settings.c2s_port, settings.citizen_domain,
                       settings.ca_file)
    try:
        return conn.auth_plain(user, password)
    finally:
        conn.close()


@pytest.fixture
def prosody(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if request.param:
        monkeypatch.setenv(ENV, request.param)
    else:
        monkeypatch.delenv(ENV, raising=False)
    c2s, comp, http_port = free_ports(3)
    settings = StackSettings(data_dir=tmp_path / "data", c2s_port=c2s, component_port=comp,
                             http_port=http_port)
    server = ProsodyProcess(settings, "secret-for-the-test")
    server.start()
    user, password = f"t{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    register(server.config, user, settings.citizen_domain, password)
    try:
        yield settings, user, password
    finally:
        server.stop()


@pytest.mark.parametrize("prosody", ["127.0.0.1"], indirect=True)
def test_behind_a_trusted_proxy_each_forwarded_client_is_counted(prosody) -> None:
    settings, user, password = prosody
    for _ in range(10):
        assert "not-authorized" in bosh_login(settings, user, "wrong", "203.0.113.5")
    locked = bosh_login(settings, user, password, "203.0.113.5")  # even the right password
    assert "temporary-auth-failure" in locked and "Too many failed logins" in locked
    # another client of the same proxy, and a client forging its own header through it
    # (the proxy appends the address it saw), are not the locked one
    assert bosh_login(settings, user, password, "203.0.113.6") == "success"
    assert bosh_login(settings, user, password, "203.0.113.5, 198.51.100.4") == "success"
    assert bosh_login(settings, user, password, None) == "success"  # the proxy itself
    assert c2s_login(settings, user, password)  # the dashboard's c2s login from loopback


@pytest.mark.parametrize("prosody", [None], indirect=True)
def test_without_a_trusted_proxy_loopback_is_counted_like_any_address(prosody) -> None:
    """X-Forwarded-For is not believed (the default trusts no proxy), and BOSH from
    127.0.0.1 is counted, so an undeclared local proxy is one address: not a way around."""
    settings, user, password = prosody
    for n in range(10):
        assert "not-authorized" in bosh_login(settings, user, "wrong", f"203.0.113.{n + 1}")
    locked = bosh_login(settings, user, password, "203.0.113.99")
    assert "temporary-auth-failure" in locked
    assert bosh_login(settings, user, password, None) != "success"
    # the plain c2s logins from loopback (dashboard, provisioning) are counted apart
    assert c2s_login(settings, user, password)
