"""The web chat's HTTP side: page, centres JSON, service worker, library, account and upload
endpoints (bad input included), stickers against the real triage."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bots import faq
from bots.triage import triage
from casestore import CaseStore, places
from casestore.centres import centre_slugs, load_centres
from casestore.vocab import TOPICS
from web import chat, create_app

DOMAIN = "example.org"
WS = "ws://127.0.0.1:15999/xmpp-websocket"
MB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


def _app(tmp_path: Path, **extra: object) -> Flask:
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    CaseStore(url).migrate()
    config = {"DOMAIN": DOMAIN, "TESTING": True, "DATABASE_URL": url, "WEBSOCKET_URL": WS}
    config.update(extra)
    return create_app(config)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return _app(tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- the page ---------------------------------------------------------------------------------


def test_index_carries_the_chat(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'id="chat"' in html
    assert f'data-websocket-url="{WS}"' in html
    assert f'data-bot-domain="bot.{DOMAIN}"' in html
    assert f'data-anon-domain="anon.{DOMAIN}"' in html
    assert f'data-upload-domain="upload.{DOMAIN}"' in html
    # same-origin module script and styles only
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert scripts == ["/static/chat/app.js"]
    assert 'type="module"' in html
    assert "<script>" not in html and "style=" not in html
    for needle in ("ศูนย์ที่ใกล้ฉันที่สุด", "แจ้งเบาะแสไม่ระบุตัวตน", "เฉพาะขณะที่หน้านี้ยังเปิดอยู่",
                   'href="tel:1567"', "เข้าสู่ระบบ", "vCard"):
        assert needle in html
    # the 76-centre table stays, each row with a button to chat with that centre
    assert len(re.findall(r'class="chat-here small-button" data-slug="', html)) == 76
    assert html.index('id="chat"') < html.index("ศูนย์ดำรงธรรม 76 จังหวัด")


def test_index_without_websocket_still_renders(tmp_path: Path) -> None:
    client = _app(tmp_path, WEBSOCKET_URL=None).test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-websocket-url=""' in response.get_data(as_text=True)
    assert "connect-src 'self' ws: wss:" in response.headers["Content-Security-Policy"]


def test_csp_allows_exactly_the_websocket_and_the_worker(client: FlaskClient) -> None:
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "connect-src 'self' ws://127.0.0.1:15999;" in csp
    assert "worker-src 'self'" in csp
    assert "script-src 'self';" in csp and "unsafe" not in csp and "http" not in csp


def test_stickers_are_rendered_and_triaged_into_their_topic(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert len(chat.STICKERS) >= 10
    assert {s.topic for s in chat.STICKERS} <= TOPICS
    for key in ("road", "water", "power", "noise", "drugs", "debt"):
        assert f'data-key="{key}"' in html
    for s in chat.STICKERS:
        found = triage(s.text)
        assert found.topic == s.topic, (s.key, found.topic)
        assert not found.needs_detail and not found.urgent, s.key
        assert faq.answer(s.text, found) is None, s.key  # it opens a case, not an FAQ answer


# --- centres ----------------------------------------------------------------------------------


def test_centres_json(client: FlaskClient) -> None:
    response = client.get("/chat/centres.json")
    assert response.status_code == 200
    assert "max-age" in response.headers["Cache-Control"]
    data = response.get_json()
    rows = data["centres"]
    assert len(rows) == 76
    assert {r["slug"] for r in rows} == centre_slugs()
    assert rows[0]["slug"] == "krabi"  # Thai order, as on the page
    (cr,) = [r for r in rows if r["slug"] == "chiangrai"]
    assert cr["jid"] == f"chiangrai@bot.{DOMAIN}"
    assert cr["province_th"] == "เชียงราย" and cr["province_en"] == "Chiang Rai"
    assert cr["name_th"] == "ศูนย์ดำรงธรรมจังหวัดเชียงราย"
    assert cr["ref_prefix"] == "TH57" and cr["phone"] == "1567"
    for r in rows:
        assert 5.5 < r["lat"] < 20.5 and 97.3 < r["lon"] < 105.7, r["slug"]
    assert data["hotline"] == "1567"


def test_every_seat_is_nearest_to_itself() -> None:
    for c in load_centres():
        lat, lon = places.centre_point(c)  # type: ignore[misc]
        assert places.nearest_centre(lat, lon).slug == c.slug


@pytest.mark.parametrize(
    ("lat", "lon", "slug"),
    [
        (20.43, 99.88, "chiangrai"),  # Mae Sai
        (7.01, 100.47, "songkhla"),  # Hat Yai
        (12.93, 100.88, "chonburi"),  # Pattaya
        (18.79, 98.99, "chiangmai"),
        (14.97, 102.10, "nakhonratchasima"),
    ],
)
def test_nearest_centre(lat: float, lon: float, slug: str) -> None:
    assert places.nearest_centre(lat, lon).slug == slug


# --- service worker and library ----------------------------------------------------------------


def test_service_worker(client: FlaskClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert "__VERSION__" not in source and "__SHELL__" not in source
    version = re.search(r'const VERSION = "([0-9a-f]{16})";', source)
    assert version
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", source).group(1))  # type: ignore[union-attr]
    assert "/" in shell and "/chat/lib/strophe.esm.js" in shell and "/chat/centres.json" in shell
    for url in shell:  # everything the worker keeps for offline use exists
        assert client.get(url).status_code == 200, url


def test_library_is_served_from_node_modules(client: FlaskClient) -> None:
    if chat.library_path("strophe.esm.js") is None:
        pytest.fail("web/node_modules is missing: run `npm ci` in web/ (scripts/setup.sh does)")
    response = client.get("/chat/lib/strophe.esm.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert b"Strophe" in response.data
    for bad in ("/chat/lib/strophe.umd.cjs", "/chat/lib/..%2Fpackage.json", "/chat/lib/x.js"):
        assert client.get(bad).status_code == 404


def test_manifest_and_chat_assets(client: FlaskClient) -> None:
    manifest = client.get("/static/chat/manifest.json")
    assert manifest.status_code == 200
    assert json.loads(manifest.data)["start_url"] == "/"
    for name in ("app.js", "store.js", "xmpp.js"):
        text = client.get(f"/static/chat/{name}").get_data(as_text=True)
        imports = re.findall(r"^import .* from '([^']+)';$", text, re.M)
        assert all(i.startswith(("./", "/chat/lib/")) for i in imports), imports
        assert not re.search(r"(fetch|import)\(\s*['\"`]https?:", text)
    css = client.get("/static/chat/chat.css").get_data(as_text=True)
    assert "url(" not in css and "@import" not in css


# --- POST /chat/api/account --------------------------------------------------------------------


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Replace the XMPP registration with a recorder (the real one is tested on the stack)."""
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(chat, "register", lambda jid, pw: calls.append((jid, pw)))
    return calls


def test_account_is_created(
    client: FlaskClient, registered: list[tuple[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    response = client.post("/chat/api/account", data="{}", headers=JSON)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert re.fullmatch(rf"w[a-z0-9]{{12}}@citizens\.{re.escape(DOMAIN)}", data["jid"])
    assert len(data["password"]) >= 20
    assert registered == [(data["jid"], data["password"])]
    assert data["password"] not in caplog.text
    again = client.post("/chat/api/account", headers=JSON).get_json()  # empty body is fine
    assert again["jid"] != data["jid"] and again["password"] != data["password"]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ("{}", {"Content-Type": "text/plain"}, 415),
        ("{}", {}, 415),
        ("{not json", JSON, 400),
        ("[1, 2]", JSON, 400),
        ('"text"', JSON, 400),
        (b"\xff\xfe\x00", JSON, 400),
        ("x" * MB, JSON, 413),
        (json.dumps({"pad": "x" * MB}), JSON, 413),
    ],
)
def test_account_bad_input(
    client: FlaskClient, registered: list[tuple[str, str]], body: object,
    headers: dict[str, str], status: int,
) -> None:
    response = client.post("/chat/api/account", data=body, headers=headers)
    assert response.status_code == status
    data = response.get_json()
    assert data["error"] and data["message_th"] and data["message_en"]
    assert registered == []


def test_account_wrong_method(client: FlaskClient) -> None:
    assert client.get("/chat/api/account").status_code == 405


def test_account_rate_limited_per_address(tmp_path: Path, registered: list) -> None:
    client = _app(tmp_path, CHAT_ACCOUNT_LIMIT=2).test_client()
    codes = [client.post("/chat/api/account", headers=JSON).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    response = client.post("/chat/api/account", headers=JSON)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "ลองใหม่" in response.get_json()["message_th"]
    other = client.post("/chat/api/account", headers=JSON,
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 201  # another address has its own budget
    assert len(registered) == 3


def test_account_registration_failure_is_503(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kernel.xmpp import XmppConnectError

    def refuse(jid: str, pw: str) -> None:
        raise XmppConnectError("registration refused: not-allowed")

    monkeypatch.setattr(chat, "register", refuse)
    response = client.post("/chat/api/account", headers=JSON)
    assert response.status_code == 503
    assert response.get_json()["error"] == "unavailable"


def test_account_without_database_is_503(registered: list) -> None:
    client = create_app({"DOMAIN": DOMAIN, "WEBSOCKET_URL": WS}).test_client()
    response = client.post("/chat/api/account", headers=JSON)
    assert response.status_code == 503
    assert registered == []


# --- PUT /chat/api/upload ------------------------------------------------------------------------


class _Upstream(BaseHTTPRequestHandler):
    """A stand-in for Prosody's http_file_share PUT endpoint that records what it got."""

    received: list[tuple[str, dict[str, str], bytes]] = []  # noqa: RUF012
    status = 201

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, dict(self.headers), body))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[tuple[type[_Upstream], int]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    _Upstream.received = []
    _Upstream.status = 201
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield _Upstream, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _upload_client(tmp_path: Path, port: int, **extra: object) -> FlaskClient:
    ws = f"ws://127.0.0.1:{port}/xmpp-websocket"
    return _app(tmp_path, WEBSOCKET_URL=ws, **extra).test_client()


def test_upload_is_relayed_to_the_slot(tmp_path: Path, upstream: tuple) -> None:
    handler, port = upstream
    client = _upload_client(tmp_path, port)
    photo = bytes(range(256)) * 4096  # 1 MB
    slot = f"http://127.0.0.1:{port}/file_share/0a1b2c/photo%20x.jpg"
    response = client.put("/chat/api/upload", data=photo, headers={
        "Content-Type": "image/jpeg", "X-Upload-Url": slot,
        "X-Upload-Authorization": "Bearer abc.def"})
    assert response.status_code == 201, response.get_json()
    ((path, headers, body),) = handler.received
    assert path == "/file_share/0a1b2c/photo%20x.jpg"
    assert headers["Authorization"] == "Bearer abc.def"
    assert headers["Content-Type"] == "image/jpeg"
    assert body == photo


def test_upload_refused_upstream_is_502(tmp_path: Path, upstream: tuple) -> None:
    handler, port = upstream
    handler.status = 403
    client = _upload_client(tmp_path, port)
    response = client.put("/chat/api/upload", data=b"x" * 10, headers={
        "X-Upload-Url": f"http://127.0.0.1:{port}/file_share/a/b.jpg"})
    assert response.status_code == 502
    assert response.get_json()["upstream_status"] == 403


@pytest.mark.parametrize(
    "slot",
    [
        "",
        "not a url",
        "http://evil.example/file_share/a/b.jpg",
        "http://127.0.0.1:1/file_share/a/b.jpg",  # another port
        "https://127.0.0.1:{port}/file_share/a/b.jpg",  # another scheme
        "http://127.0.0.1:{port}/admin",
        "http://127.0.0.1:{port}/file_share/../admin",
        "http://user@127.0.0.1:{port}/file_share/a/b.jpg",
        "http://127.0.0.1:{port}/file_share/a/b.jpg\x01",  # a control character
    ],
)
def test_upload_refuses_other_targets(tmp_path: Path, upstream: tuple, slot: str) -> None:
    handler, port = upstream
    client = _upload_client(tmp_path, port)
    response = client.put("/chat/api/upload", data=b"abc",
                          headers={"X-Upload-Url": slot.format(port=port)})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_slot"
    assert handler.received == []


def test_upload_size_checks(tmp_path: Path, upstream: tuple) -> None:
    handler, port = upstream
    client = _upload_client(tmp_path, port, CHAT_UPLOAD_MAX_BYTES=MB // 2)
    slot = {"X-Upload-Url": f"http://127.0.0.1:{port}/file_share/a/b.jpg"}
    assert client.put("/chat/api/upload", data=b"x" * MB, headers=slot).status_code == 413
    assert client.put("/chat/api/upload", data=b"", headers=slot).status_code == 411
    empty = client.put("/chat/api/upload", data=b"", headers={**slot, "Content-Length": "0"})
    assert empty.status_code in (400, 411)  # the test client drops "Content-Length: 0"
    bad = client.put("/chat/api/upload", data=b"abc",
                     headers={**slot, "X-Upload-Authorization": "Bearer \x01"})
    assert bad.status_code == 400
    assert handler.received == []


def test_upload_without_websocket_is_refused(tmp_path: Path) -> None:
    client = _app(tmp_path, WEBSOCKET_URL=None).test_client()
    response = client.put("/chat/api/upload", data=b"abc",
                          headers={"X-Upload-Url": "http://127.0.0.1:5280/file_share/a/b"})
    assert response.status_code == 400


def test_upload_rate_limited(tmp_path: Path, upstream: tuple) -> None:
    _handler, port = upstream
    client = _upload_client(tmp_path, port, CHAT_UPLOAD_LIMIT=1)
    slot = {"X-Upload-Url": f"http://127.0.0.1:{port}/file_share/a/b.jpg"}
    assert client.put("/chat/api/upload", data=b"abc", headers=slot).status_code == 201
    assert client.put("/chat/api/upload", data=b"abc", headers=slot).status_code == 429


def _put(client: FlaskClient, port: int, size: int, address: str, sub: str | None = None):
    headers = {"X-Upload-Url": f"http://127.0.0.1:{port}/file_share/a/b.jpg"}
    if sub:
        headers["X-Upload-Authorization"] = _token(sub)
    return client.put("/chat/api/upload", data=b"x" * size, headers=headers,
                      environ_base={"REMOTE_ADDR": address})


def test_upload_bytes_are_limited_per_address_with_a_thai_message(tmp_path: Path,
                                                                  upstream: tuple) -> None:
    """Many small sessions from one address share the address's daily bytes; another
    address still uploads."""
    _handler, port = upstream
    client = _upload_client(tmp_path, port, CHAT_UPLOAD_ADDRESS_BYTES=300 * 1024)
    for _ in range(3):
        assert _put(client, port, 100 * 1024, "198.51.100.7").status_code == 201
    refused = _put(client, port, 100 * 1024, "198.51.100.7")
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["error"] == "upload_quota"
    assert "โควตา" in body["message_th"] and "quota" in body["message_en"]
    assert int(refused.headers["Retry-After"]) > 3600
    assert _put(client, port, 100 * 1024, "198.51.100.8").status_code == 201


def test_upload_count_is_limited_per_address_with_a_thai_message(tmp_path: Path,
                                                                 upstream: tuple) -> None:
    _handler, port = upstream
    client = _upload_client(tmp_path, port, CHAT_UPLOAD_LIMIT=2)
    for _ in range(2):
        assert _put(client, port, 10, "198.51.100.9").status_code == 201
    refused = _put(client, port, 10, "198.51.100.9")
    assert refused.status_code == 429
    assert refused.get_json()["message_th"].startswith("อัปโหลดบ่อยเกินไป")
    assert _put(client, port, 10, "198.51.100.10").status_code == 201


@pytest.mark.parametrize("setting", [{"CHAT_UPLOAD_GLOBAL_BYTES": 250 * 1024},
                                     {"CHAT_UPLOAD_GLOBAL_LIMIT": 2}])
def test_uploads_of_many_addresses_stop_at_the_global_quota(tmp_path: Path, upstream: tuple,
                                                            setting: dict) -> None:
    """A script spreading uploads over many addresses (and anonymous sessions) stops at the
    server's total, with the Thai message."""
    _handler, port = upstream
    client = _upload_client(tmp_path, port, **setting)
    assert _put(client, port, 100 * 1024, "198.51.100.11").status_code == 201
    assert _put(client, port, 100 * 1024, "198.51.100.12",
                sub=f"anonymous@anon.{DOMAIN}").status_code == 201
    for address in ("198.51.100.13", "198.51.100.14"):
        refused = _put(client, port, 100 * 1024, address)
        assert refused.status_code == 503
        body = refused.get_json()
        assert body["error"] == "upload_quota_global"
        assert body["message_th"].startswith("พื้นที่รับไฟล์ของระบบเต็มแล้ว")
        assert "Retry-After" in refused.headers


@pytest.mark.parametrize("trusted", [None, "127.0.0.1"])
def test_limits_count_the_forwarded_client_only_behind_a_trusted_proxy(
        tmp_path: Path, upstream: tuple, trusted: str | None) -> None:
    """DAMRONGDHAM_TRUSTED_PROXIES: behind a declared proxy each forwarded client has its own
    limit; otherwise X-Forwarded-For is ignored and the proxy is one address."""
    _handler, port = upstream
    client = _upload_client(tmp_path, port, CHAT_UPLOAD_LIMIT=1, TRUSTED_PROXIES=trusted)
    slot = {"X-Upload-Url": f"http://127.0.0.1:{port}/file_share/a/b.jpg"}

    def put(forwarded: str) -> int:
        return client.put("/chat/api/upload", data=b"abc",
                          headers={**slot, "X-Forwarded-For": forwarded},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code

    assert put("203.0.113.5") == 201
    if trusted:
        assert put("203.0.113.5") == 429
        assert put("203.0.113.6") == 201
        assert put("203.0.113.6, 203.0.113.7") == 201  # the hop the proxy saw counts
    else:
        assert put("203.0.113.6") == 429  # one address: the proxy


def test_trusted_proxy_settings_and_the_client_rule() -> None:
    from kernel.proxies import ProxySettingError, client_address, parse
    from web import load_settings

    assert parse(" 127.0.0.1, ::1 10.0.0.0/8 127.0.0.1") == ("127.0.0.1", "::1", "10.0.0.0/8")
    assert parse("") == ()
    with pytest.raises(ProxySettingError, match="not an IP"):
        parse("proxy.local")
    with pytest.raises(ValueError):
        load_settings({"TRUSTED_PROXIES": "nonsense"})
    trusted = ("127.0.0.1", "10.0.0.0/8")
    assert client_address("127.0.0.1", "1.2.3.4, 10.1.1.1", trusted) == "1.2.3.4"
    assert client_address("198.51.100.1", "1.2.3.4", trusted) == "198.51.100.1"  # not a proxy
    assert client_address("127.0.0.1", "garbage", trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", None, trusted) == "127.0.0.1"


def test_the_daily_upload_total_comes_from_the_environment(monkeypatch) -> None:
    from web import load_settings

    monkeypatch.setenv("DAMRONGDHAM_UPLOAD_DAILY_MB", "512")
    assert load_settings({})["CHAT_UPLOAD_GLOBAL_BYTES"] == 512 * 1024 * 1024


# --- against the real stack ----------------------------------------------------------------------


@pytest.mark.xmpp
def test_account_endpoint_makes_a_real_account(stack) -> None:
    """POST on the stack's web makes an account a standard XMPP client can sign in to."""
    import urllib.request

    from xmpp_helpers import login

    req = urllib.request.Request(f"{stack.info['web_url']}chat/api/account", data=b"{}",
                                 headers=JSON, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 201
        data = json.loads(resp.read())
    assert data["jid"].endswith(f"@{stack.info['citizen_domain']}")

    async def sign_in() -> str:
        person = await login(stack.info, data["jid"], data["password"])
        try:
            return person.jid
        finally:
            person.close()

    assert asyncio.run(sign_in()) == data["jid"]


def _token(sub: str) -> str:
    import base64

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"Bearer {b64({'alg': 'HS256'})}.{b64({'sub': sub, 'slot': 'a'})}.c2lnbmF0dXJl"


def test_anonymous_uploads_are_counted_without_the_address(tmp_path: Path,
                                                            upstream: tuple) -> None:
    """A slot issued to anonymous@anon.D: one shared bucket, no row holds the address;
    a citizen's upload is still counted per address."""
    import sqlite3

    _handler, port = upstream
    client = _upload_client(tmp_path, port, CHAT_ANON_UPLOAD_LIMIT=2)
    marker = "198.51.100.201"
    slot = {"X-Upload-Url": f"http://127.0.0.1:{port}/file_share/a/b.jpg"}
    anon = {**slot, "X-Upload-Authorization": _token(f"anonymous@anon.{DOMAIN}")}
    env = {"REMOTE_ADDR": marker}
    for expected in (201, 201, 429):
        answer = client.put("/chat/api/upload", data=b"abc", headers=anon, environ_base=env)
        assert answer.status_code == expected
    with sqlite3.connect(tmp_path / "web.sqlite3") as db:
        buckets = sorted(r[0] for r in db.execute("SELECT bucket FROM rate_limits"))
    assert buckets == ["chat-upload-kib:all", "chat-upload:all", "chat-upload:anonymous"]
    citizen = {**slot, "X-Upload-Authorization": _token(f"w123@citizens.{DOMAIN}")}
    assert client.put("/chat/api/upload", data=b"abc", headers=citizen,
                      environ_base=env).status_code == 201
    with sqlite3.connect(tmp_path / "web.sqlite3") as db:
        buckets = sorted(r[0] for r in db.execute("SELECT bucket FROM rate_limits"))
    assert buckets == ["chat-upload-kib:all", f"chat-upload-kib:ip:{marker}", "chat-upload:all",
                       "chat-upload:anonymous", f"chat-upload:ip:{marker}"]
    for bad in ("Bearer x.y.z", "Bearer ...", "Basic abc", _token(f"anon.{DOMAIN}")):
        assert not _anon_slot(client, bad)


def _anon_slot(client: FlaskClient, authorization: str) -> bool:
    with client.application.test_request_context():
        return chat._anonymous_slot(authorization)
