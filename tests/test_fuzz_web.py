"""Fuzzing every web endpoint (issue 7, hostile input): the Flask test client against
``web.create_app`` on a migrated SQLite store with a few cases, an Open311 API key and staff
accounts.

The routes are read from ``app.url_map``, so an endpoint added later is fuzzed without
touching this file. Each request draws a route and fills its variables (valid values such as a
real reference, and hostile ones), a method (the route's own and others), a query string, a
body (none, a form, JSON, raw bytes under any content type), headers, cookies (none, garbage,
a real signed-in staff or admin session, the forms' CSRF cookies) and a client address.

``DAMRONGDHAM_FUZZ_EXAMPLES`` requests per run (default 10,000) across all routes. Properties:
no exception (``TESTING`` propagates them), never a 500, every answer carries the security
headers, a static file is never served from outside ``web/static``. The XMPP server the app
talks to (account creation, staff sign-in, photo upload relay) is a closed loopback port, so
those paths end in their "unavailable" answers (503/502), which are allowed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, PathConverter, Rule
from xmpp_helpers import free_ports

import web.dashboard as dashboard
from casestore import CaseStore
from casestore.api_keys import create_key
from web import SECURITY_HEADERS, create_app

EXAMPLES = int(os.environ.get("DAMRONGDHAM_FUZZ_EXAMPLES", "10000"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)
DOMAIN = "example.org"
PASSWORD = "fuzz-password"
STATIC = (Path(__file__).resolve().parent.parent / "web" / "static").resolve()
ENV_VARS = ("DAMRONGDHAM_DOMAIN", "DAMRONGDHAM_DATABASE_URL", "DAMRONGDHAM_C2S_HOST",
            "DAMRONGDHAM_C2S_PORT", "DAMRONGDHAM_SECRET_KEY", "DAMRONGDHAM_DATA_DIR",
            "DAMRONGDHAM_WEBSOCKET_URL")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND")
#: Answers a hostile request may get besides 2xx–4xx: a dependency that is down.
UNAVAILABLE = (502, 503)


def _routes() -> list[Rule]:
    app = create_app({"DOMAIN": DOMAIN, "TESTING": True})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


ROUTES = _routes()


@dataclass
class Site:
    """The app under fuzz and the real values a request may carry."""

    app: Flask
    refs: list[str]
    pins: list[str]
    api_key: str
    sessions: list[str]  # dashboard session cookies: admin, centre staff
    track_csrf: tuple[str, str]  # (cookie, form token) of the tracking form
    login_csrf: tuple[str, str]  # (cookie, form token) of the sign-in form
    ws_origin: str


def _write_accounts(data_dir: Path) -> None:
    accounts = {
        f"chiangrai@{DOMAIN}": {"centre": "chiangrai", "kind": "centre"},
        f"somchai.chiangrai@{DOMAIN}": {"centre": "chiangrai", "kind": "staff"},
    }
    state = {jid: {**a, "role": "member", "disabled": False} for jid, a in accounts.items()}
    (data_dir / "provisioning.json").write_text(
        json.dumps({"domain": DOMAIN, "centres": {}, "accounts": state}), encoding="utf-8"
    )


def _sign_in(app: Flask, user: str) -> str:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    page = client.get("/dashboard/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post("/dashboard/login",
                         data={"username": user, "password": PASSWORD, "csrf": token})
    assert answer.status_code in (302, 303), answer.text
    cookie = client.get_cookie(dashboard.COOKIE, path=dashboard.PATH)
    assert cookie is not None
    return cookie.value


def _form_csrf(app: Flask, path: str, cookie_name: str) -> tuple[str, str]:
    client = app.test_client()
    page = client.get(path)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    cookie = client.get_cookie(cookie_name, path=path) or client.get_cookie(cookie_name)
    return (cookie.value if cookie else ""), (token.group(1) if token else "")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    saved = {name: os.environ.pop(name) for name in ENV_VARS if name in os.environ}
    tmp = tmp_path_factory.mktemp("fuzzweb")
    store = CaseStore(f"sqlite:///{tmp / 'cases.sqlite3'}")
    store.migrate()
    refs, pins = [], []
    for i, (centre, province, text) in enumerate((
        ("chiangrai", "TH-57", "ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มทุกวัน"),
        ("chiangmai", "TH-50", "เพื่อนบ้านเปิดเพลงเสียงดังทุกคืน <script>alert(1)</script>"),
        ("chiangrai", "TH-57", "=cmd|' /C calc'!A0 ขอให้ตรวจสอบ"),
    )):
        opened = store.open_case(centre=centre, province=province,
                                 citizen_jid=f"c{i}@citizens.{DOMAIN}", body=text)
        refs.append(str(opened.case.ref))
        pins.append(opened.pin or "")
    _view, api_key = create_key(store, "pwa", "fuzz")
    data_dir = tmp / "data"
    data_dir.mkdir()
    _write_accounts(data_dir)
    c2s_port, upload_port = free_ports(2)  # nothing listens there: XMPP is "down"
    ws_origin = f"127.0.0.1:{upload_port}"
    app = create_app({
        "DOMAIN": DOMAIN, "DATABASE_URL": str(store.engine.url), "DATA_DIR": str(data_dir),
        "TESTING": True, "C2S_HOST": "127.0.0.1", "C2S_PORT": c2s_port,
        "WEBSOCKET_URL": f"ws://{ws_origin}/xmpp-websocket", "SECRET_KEY": "fuzz-secret",
    })
    with pytest.MonkeyPatch.context() as mp:
        # Staff sign-in asks the XMPP server; here it accepts PASSWORD for every account.
        mp.setattr(dashboard, "check_password", lambda _jid, pw, *_a, **_k: pw == PASSWORD)
        sessions = [_sign_in(app, "admin"), _sign_in(app, "somchai.chiangrai")]
        yield Site(app, refs, pins, api_key, sessions,
                   _form_csrf(app, "/track", "dd_track"),
                   _form_csrf(app, "/dashboard/login", dashboard.LOGIN_COOKIE), ws_origin)
    store.close()
    os.environ.update(saved)


# -- strategies -------------------------------------------------------------------------------

# Every code point (lone surrogates too); sampled nasties for what parsers trip on.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
NASTY = ["", " ", "0", "-1", "1e309", "NaN", "9" * 40, "null", "true", "[]", "{}",
         "../../etc/passwd", "..%2f..%2f", "%00", "\x00", "<script>alert(1)</script>",
         "' OR 1=1 --", "${7*7}", "{{7*7}}", "=HYPERLINK(\"x\")", "\u202e", "\ud800",
         "ก" * 300, "x" * 5000,
         "2026-13-45", "2569-01-01", "2026-01-01T00:00:00Z", "TH57-2569-000001",
         "th00-2569-000000", "chiangrai", "moi", "all", "open", "closed", "in_progress",
         "land", "json", "xml", "http://evil.example/", "//evil.example", "javascript:alert(1)",
         "admin", f"admin@{DOMAIN}", "somchai.chiangrai",
         # far dates (overflowed time-zone arithmetic once) and control characters in what
         # ends up in a header (the login's next → Location)
         "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
         "0001-01-01T00:00:00 14:00", "2400-01-01", "0544-12-31",
         "/dashboard\r\nSet-Cookie: x=1", "/dashboard\n", "/dashboard\x00", "/dashboard\u2028",
         "/dashboard?q=\u0085", "/dashboard/cases/TH57-2569-000001\t"]
KEYS = ["ref", "pin", "csrf", "q", "page", "status", "centre", "topic", "type", "from", "to",
        "start_date", "end_date", "service_code", "service_request_id", "api_key",
        "jurisdiction_id", "lat", "long", "address_string", "description", "email",
        "first_name", "next", "username", "password", "sort", "per_page", "urgent", "format",
        "since", "until", "province"]

# Dates and datetimes over the whole range Python knows, in the forms the endpoints read
# (W3C with any offset, a bare day, a Buddhist-era year).
OFFSETS = ["", "Z", "+00:00", "+07:00", "+14:00", "-14:00", " 07:00", "+23:59", "-23:59"]
EDGE_DAYS = [date(1, 1, 1), date(1, 1, 2), date(1899, 12, 31), date(1900, 1, 1),
             date(9000, 12, 31), date(9001, 1, 1), date(9999, 12, 30), date(9999, 12, 31)]
far_dates = st.one_of(
    st.tuples(st.sampled_from(EDGE_DAYS), st.sampled_from(OFFSETS), st.booleans()).map(
        lambda t: f"{t[0].year:04d}-{t[0]:%m-%d}" + (f"T00:00:00{t[1]}" if t[2] else "")),
    st.dates().map(lambda d: f"{d.year:04d}-{d:%m-%d}"),
    st.dates(max_value=date(9999 - 543, 12, 31)).map(
        lambda d: f"{d.year + 543:04d}-{d:%m-%d}"),
    st.tuples(st.datetimes(), st.sampled_from(OFFSETS)).map(
        lambda t: f"{t[0].year:04d}-{t[0]:%m-%dT%H:%M:%S}{t[1]}"),
)
DATE_KEYS = ["start_date", "end_date", "since", "until"]
# request headers: control characters and latin-1 (line breaks cannot arrive in HTTP/1.1,
# and the test client refuses them)
header_text = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=30)
next_values = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20).map(
        lambda t: "/dashboard" + t),
    st.sampled_from(["/dashboard\r\nLocation: //evil.example", "/dashboard\x0b", "\n"]),
)


ascii_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
PATHS = ["style.css", "../__init__.py", "..%2f..%2fREADME.md", "%2e%2e/%2e%2e/pyproject.toml",
         "chat/", "x/../../x", "/etc/passwd", "v2/requests.json", "a" * 3000]
RAW_BODIES = [b"{", b"\xff\xfe{}", b"[1,2", b"a=1&&b", b"<?xml version='1.0'?><!DOCTYPE x "
              b"[<!ENTITY a SYSTEM 'file:///etc/passwd'>]><x>&a;</x>"]
RAW_TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data",
             "multipart/form-data; boundary=x", "text/xml", "application/octet-stream",
             "image/png", "", "a/b; charset=x-unknown"]
ADDRESSES = ["192.0.2.1", "192.0.2.2", "198.51.100.7", "2001:db8::1", "127.0.0.1"]


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def requests(site: Site) -> st.SearchStrategy[dict]:
    """Hostile requests to the routes of ROUTES (every sub-strategy built once: building
    them per draw costs more than the request)."""
    real = [*site.refs, *(r.lower() for r in site.refs), *site.pins, site.api_key,
            site.track_csrf[1], site.login_csrf[1]]
    values = st.one_of(st.sampled_from(NASTY), st.sampled_from(real), any_text,
                       st.integers(-(2**70), 2**70).map(str))
    segment = values.flatmap(lambda raw: st.sampled_from(["", "/", "%"]).map(
        lambda safe: quote(_encode(raw), safe=safe)))
    by_converter = {
        "any": {id(c): st.sampled_from(sorted(c.items))
                for r in ROUTES for c in r._converters.values() if isinstance(c, AnyConverter)},
    }
    path_values = st.one_of(st.sampled_from(PATHS), segment)
    key = st.one_of(st.sampled_from(KEYS), any_text)
    pairs = st.one_of(
        st.lists(st.tuples(key, values), max_size=6),
        st.lists(st.tuples(st.sampled_from(DATE_KEYS), far_dates), min_size=1, max_size=3),
        st.tuples(st.just("next"), next_values).map(lambda p: [p]),
    )
    form = st.one_of(
        st.dictionaries(st.sampled_from(KEYS), values.map(
            lambda v: _encode(v).decode("utf-8", "replace")), max_size=6),
        st.fixed_dictionaries({"next": next_values, "username": st.sampled_from(
            ["admin", "somchai.chiangrai", "x"]), "password": st.just(PASSWORD),
            "csrf": st.just(site.login_csrf[1])}),
    )
    leaf = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False),
                     st.integers(-(2**70), 2**70),
                     values.map(lambda v: _encode(v).decode("utf-8", "replace")))
    doc = st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner,
                        max_size=5)), max_leaves=12)
    json_body = st.tuples(doc, st.booleans()).map(
        lambda d: json.dumps(d[0], ensure_ascii=d[1]).encode())
    json_type = st.sampled_from(["application/json", "application/json; charset=utf-8",
                                 "text/plain"])
    raw_body = st.one_of(st.binary(max_size=300), st.sampled_from(RAW_BODIES))
    header_options = {
        "Origin": ["http://localhost", "null", "http://evil.example", "https://example.org"],
        "Referer": ["http://evil.example/", "http://localhost/track", "x"],
        "Accept": ["*/*", "application/json", "text/html", "application/xml", "x/y"],
        "Accept-Language": ["th", "en", "*", "th-TH,th;q=0.9,en;q=0.8", ";;q=x"],
        "X-Forwarded-For": ["1.2.3.4", "::1, 10.0.0.1", "not an address"],
        "X-Upload-Url": [f"http://{site.ws_origin}/file_share/a/b.jpg",
                         f"http://{site.ws_origin}/file_share/../x", "http://evil.example/"],
        "X-Upload-Authorization": ["Bearer x", "\t"],
        "If-Modified-Since": ["Sat, 21 Nov 2026 00:00:00 GMT", "garbage"],
        "Range": ["bytes=0-10", "bytes=99999999-", "bytes=x"],
        "Authorization": ["Basic Zm9vOmJhcg==", "Bearer x"],
    }
    header_values = {name: st.one_of(st.sampled_from(opts), ascii_text, header_text)
                     for name, opts in header_options.items()}
    jar = {dashboard.COOKIE: st.sampled_from([*site.sessions, "x", ""]),
           "dd_track": st.sampled_from([site.track_csrf[0], "x"]),
           dashboard.LOGIN_COOKIE: st.sampled_from([site.login_csrf[0], "x"]),
           "session": st.just("e30.x.y")}
    methods = {r.endpoint + r.rule: st.one_of(st.sampled_from(sorted(r.methods or {"GET"})),
                                              st.sampled_from(METHODS)) for r in ROUTES}
    dice = st.integers(0, 19)
    routes, addresses, raw_types = (st.sampled_from(x) for x in (ROUTES, ADDRESSES, RAW_TYPES))
    junk_query = st.sampled_from(["&&=&", "%ff%fe=%c0%af", "a=%", "=", "a[]=1&a[]=2"])

    @st.composite
    def build(draw: st.DrawFn) -> dict:
        rule = draw(routes)
        path = rule.rule
        for name in rule.arguments:
            conv = rule._converters[name]
            if isinstance(conv, AnyConverter) and draw(dice):
                value = draw(by_converter["any"][id(conv)])
            elif isinstance(conv, PathConverter):
                value = draw(path_values)
            else:
                value = draw(segment)
            path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r">", lambda _m, v=value: v,
                          path)
        if draw(dice) == 0:
            path = "/" + quote(_encode(draw(any_text)), safe="/%")
        method = draw(methods[rule.endpoint + rule.rule])
        query = urlencode([(_encode(k), _encode(v)) for k, v in draw(pairs)])
        if draw(dice) < 2:
            query += draw(junk_query)
        headers: dict[str, str] = {}
        data: bytes | dict | None = None
        kind = draw(dice) % 4
        if kind == 1:
            data = draw(form)
        elif kind == 2:
            data = draw(json_body)
            headers["Content-Type"] = draw(json_type)
        elif kind == 3:
            data = draw(raw_body)
            headers["Content-Type"] = draw(raw_types)
        for name, strategy in header_values.items():
            if draw(dice) < 3:
                headers[name] = draw(strategy)
        cookies = [f"{name}={draw(strategy)}" for name, strategy in jar.items()
                   if draw(dice) < 7]
        if draw(dice) < 4:
            cookies.append(draw(ascii_text))
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        return {"rule": rule, "path": path, "method": method, "query": query, "data": data,
                "headers": headers, "addr": draw(addresses)}

    return build()


def send(client: FlaskClient, req: dict):
    return client.open(req["path"], method=req["method"], query_string=req["query"],
                       data=req["data"], headers=req["headers"],
                       environ_overrides={"REMOTE_ADDR": req["addr"]})


def check_answer(req: dict, response) -> None:
    body = response.get_data()  # runs streamed bodies (CSV export) to the end
    where = f"{req['method']} {req['path']}?{req['query'][:200]}"
    assert response.status_code != 500, f"{where}: 500\n{body[:500]!r}"
    assert response.status_code < 500 or response.status_code in UNAVAILABLE, where
    for name in ("X-Content-Type-Options", "Content-Security-Policy"):
        assert name in response.headers, f"{where}: no {name}"
    if req["method"] == "GET" and response.status_code == 200 and req["path"].startswith(
        "/static/"
    ):
        assert body in _static_files(), f"{where}: served something that is not in web/static"


@functools.cache
def _static_files() -> frozenset[bytes]:
    return frozenset(p.read_bytes() for p in STATIC.rglob("*") if p.is_file())


HITS: Counter[str] = Counter()
STATUSES: Counter[tuple[str, int]] = Counter()


@pytest.mark.timeout(600)
def test_fuzz_every_route(site: Site) -> None:
    client = site.app.test_client(use_cookies=False)
    started = time.monotonic()

    @FUZZ
    @given(requests(site))
    def one(req: dict) -> None:
        HITS[req["rule"].endpoint] += 1
        response = send(client, req)
        STATUSES[req["rule"].endpoint, response.status_code] += 1
        check_answer(req, response)

    one()
    elapsed = time.monotonic() - started
    print(f"\n{sum(HITS.values())} requests in {elapsed:.1f} s over {len(HITS)} endpoints:",
          dict(sorted(HITS.items())))
    print("answers:", {e: sorted((c, n) for (e2, c), n in STATUSES.items() if e2 == e)
                       for e in sorted(HITS)})
    if len(ROUTES) * 100 <= EXAMPLES:  # a short run may not draw every route
        assert set(HITS) == {r.endpoint for r in ROUTES}, "a route was never drawn"


def test_every_route_and_method_with_nasty_payloads(site: Site) -> None:
    """A fixed sweep, independent of the random draw: each route with each method and a few
    payloads known to break parsers. Also measures the time per route."""
    client = site.app.test_client(use_cookies=False)
    payloads: list[tuple[str, dict]] = [
        ("", {}),
        ("ref=%ff&pin=%00&page=-1&page=99999999999999999999", {"data": b"\xff\xfe\x00"}),
        ("q=" + quote("ก" * 3000), {"json": {"ref": [1, {"a": None}], "pin": 1e308}}),
        ("", {"data": b"{" * 5000, "headers": {"Content-Type": "application/json"}}),
        ("", {"data": {"ref": site.refs[0], "pin": site.pins[0], "csrf": site.track_csrf[1],
                       "api_key": site.api_key},
              "headers": {"Cookie": f"dd_track={site.track_csrf[0]}; "
                                    f"{dashboard.COOKIE}={site.sessions[0]}"}}),
    ]
    timings: dict[str, float] = {}
    for rule in ROUTES:
        path = re.sub(r"<(?:any\(([^,)]+)[^>]*|[^>]+)>",
                      lambda m: m.group(1) or site.refs[0], rule.rule)
        t0 = time.monotonic()
        n = 0
        for method in sorted({*(rule.methods or ()), "GET", "POST", "DELETE"}):
            for query, kwargs in payloads:
                response = client.open(path, method=method, query_string=query, **kwargs)
                check_answer({"rule": rule, "path": path, "method": method, "query": query},
                             response)
                n += 1
        timings[rule.endpoint] = (time.monotonic() - t0) / n * 1000
    print("\nms per request:", {k: round(v, 1) for k, v in sorted(timings.items())})


DATED = ["/open311/v2/requests.json", "/open311/v2/requests.xml", "/dashboard",
         "/dashboard/stats", "/dashboard/export.csv"]


@pytest.mark.timeout(300)
def test_fuzz_dates_and_the_login_next(site: Site) -> None:
    """Aimed at what overflowed or broke a header once: any date in any form on every dated
    endpoint (signed in, so the dashboard reads them), and any `next` on the sign-in."""
    client = site.app.test_client(use_cookies=False)
    signed_in = {"Cookie": f"{dashboard.COOKIE}={site.sessions[0]}"}
    login_cookie = {"Cookie": f"{dashboard.LOGIN_COOKIE}={site.login_csrf[0]}"}

    @settings(max_examples=max(100, EXAMPLES // 20), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(DATED), st.lists(st.tuples(st.sampled_from(DATE_KEYS), far_dates),
                                            min_size=1, max_size=3), next_values,
           st.integers(0, 2**24 - 1).map(lambda n: f"10.{n >> 16}.{n >> 8 & 255}.{n & 255}"))
    def one(path: str, dates: list[tuple[str, str]], target: str, addr: str) -> None:
        query = urlencode(dates)
        response = client.get(path, query_string=query, headers=signed_in)
        check_answer({"method": "GET", "path": path, "query": query}, response)
        query = urlencode([("next", target)])
        response = client.get("/dashboard/login", query_string=query)
        check_answer({"method": "GET", "path": "/dashboard/login", "query": query}, response)
        form = {"username": "admin", "password": PASSWORD, "csrf": site.login_csrf[1],
                "next": target}
        response = client.post("/dashboard/login", data=form, headers=login_cookie,
                               environ_overrides={"REMOTE_ADDR": addr})  # under its limit
        check_answer({"method": "POST", "path": "/dashboard/login", "query": ""}, response)
        assert response.status_code in (302, 429), response.status_code
        if response.status_code == 302:
            location = response.headers["Location"]
            assert location.startswith("/dashboard") and location.isprintable(), location

    one()


def test_security_headers_are_the_ones_checked() -> None:
    """The names check_answer looks for are still the app's security headers."""
    assert {"X-Content-Type-Options", "Content-Security-Policy"} <= set(SECURITY_HEADERS)
