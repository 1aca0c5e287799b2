"""The staff dashboard over HTTP (Flask test client).

Most tests stub the XMPP password check (``web.dashboard.check_password``) and write their
own ``provisioning.json``; the ones marked ``xmpp`` sign in against the real Prosody of the
session's ``damrongdham up`` (wrong password, a centre account, admin, a real citizen
account, the rate limit, logging out).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import web.dashboard as dashboard
from casestore import CaseStore, Status
from casestore.refs import utcnow
from web import create_app

DOMAIN = "example.org"
PASSWORD = "correct horse"
ENV_VARS = (
    "DAMRONGDHAM_DOMAIN",
    "DAMRONGDHAM_DATABASE_URL",
    "DAMRONGDHAM_C2S_HOST",
    "DAMRONGDHAM_C2S_PORT",
    "DAMRONGDHAM_SECRET_KEY",
    "DAMRONGDHAM_DATA_DIR",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def write_accounts(data_dir: Path, accounts: dict[str, dict], domain: str = DOMAIN) -> None:
    """A provisioning.json like `damrongdham provision` writes (provisioning/state.py)."""
    full = {
        jid: {"centre": a["centre"], "kind": a.get("kind", "staff"), "role": "member",
              "disabled": a.get("disabled", False)}
        for jid, a in accounts.items()
    }
    (data_dir / "provisioning.json").write_text(
        json.dumps({"domain": domain, "centres": {}, "accounts": full}), encoding="utf-8"
    )


ACCOUNTS = {
    f"chiangrai@{DOMAIN}": {"centre": "chiangrai", "kind": "centre"},
    f"chiangmai@{DOMAIN}": {"centre": "chiangmai", "kind": "centre"},
    f"somchai.chiangrai@{DOMAIN}": {"centre": "chiangrai"},
    f"dao.chiangrai-maesai@{DOMAIN}": {"centre": "chiangrai-maesai"},
    f"gone.chiangrai@{DOMAIN}": {"centre": "chiangrai", "disabled": True},
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    write_accounts(d, ACCOUNTS)
    return d


@pytest.fixture
def fake_xmpp(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The XMPP server accepts PASSWORD for every account; records who was checked."""
    asked: list[str] = []

    def check(jid: str, password: str, *_a: object, **_k: object) -> bool:
        asked.append(jid)
        return password == PASSWORD

    monkeypatch.setattr(dashboard, "check_password", check)
    return asked


@pytest.fixture
def app(store: CaseStore, data_dir: Path, fake_xmpp: list[str]) -> Flask:
    return create_app(
        {
            "DOMAIN": DOMAIN,
            "DATABASE_URL": str(store.engine.url),
            "DATA_DIR": str(data_dir),
            "TESTING": True,
        }
    )


def new_client(app: Flask, ip: str = "192.0.2.10") -> FlaskClient:
    """A browser at `ip` (a label for the rate limiter; nothing is sent there)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def login_csrf(client: FlaskClient) -> str:
    page = client.get("/dashboard/login")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def sign_in(client: FlaskClient, user: str, password: str = PASSWORD, **extra: str):
    data = {"csrf": login_csrf(client), "username": user, "password": password, **extra}
    return client.post("/dashboard/login", data=data)


def session_csrf(client: FlaskClient) -> str:
    page = client.get("/dashboard")
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def refs_listed(html: str) -> list[str]:
    return re.findall(r'<tr data-ref="([^"]+)"', html)


def chart(html: str, chart_id: str) -> dict[str, int]:
    m = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert m, f"no chart {chart_id}"
    return {k: int(v) for k, v in re.findall(r'data-key="([^"]+)" data-value="(\d+)"', m.group(0))}


T0 = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok, 15 Jan 2569 (BE)


@pytest.fixture
def cases(store: CaseStore) -> dict[str, str]:
    """Cases of chiangrai, its district centre Mae Sai, and chiangmai."""
    now = utcnow()
    refs: dict[str, object] = {}
    refs["cr1"] = store.open_case(
        centre="chiangrai", province="TH-57", citizen_jid="c1@citizens.example.org",
        body="ถนนหน้าบ้านเป็นหลุมใหญ่", topic="infrastructure", now=T0,
    )
    refs["cr2"] = store.open_case(
        centre="chiangrai", province="TH-57", citizen_jid="c2@citizens.example.org",
        body="=HYPERLINK(\"http://x\") ที่ดินทับซ้อน", topic="land", urgent=True,
        urgent_reason="ขู่ทำร้าย", now=now - timedelta(days=1),
    )
    refs["ms1"] = store.open_case(
        centre="chiangrai-maesai", province="TH-57", district="แม่สาย",
        citizen_jid="c3@citizens.example.org", body="น้ำประปาไม่ไหล", topic="infrastructure",
        now=now - timedelta(hours=2),
    )
    refs["cm1"] = store.open_case(
        centre="chiangmai", province="TH-50", citizen_jid="c4@citizens.example.org",
        body="ยาเสพติดในหมู่บ้าน", topic="drugs", now=now,
    )
    out = {k: v.case.ref for k, v in refs.items()}  # type: ignore[attr-defined]
    out["pin_cr2"] = refs["cr2"].pin  # type: ignore[attr-defined]
    store.add_message(out["cr2"], "agent", f"chiangrai@{DOMAIN}", "รับเรื่องแล้ว",
                      now=now - timedelta(days=1) + timedelta(minutes=30))
    store.add_note(out["cr2"], f"chiangrai@{DOMAIN}", "โทรหาผู้ใหญ่บ้านแล้ว")
    store.assign(out["cr2"], f"somchai.chiangrai@{DOMAIN}", f"chiangrai@{DOMAIN}")
    store.set_status(out["cr1"], Status.RESOLVED, f"chiangrai@{DOMAIN}", "ซ่อมแล้ว",
                     now=T0 + timedelta(days=1))
    store.record(out["ms1"], f"bot.{DOMAIN}", "sla_first_response")
    return out


# -- signing in ---------------------------------------------------------------------------


def test_pages_need_a_session(app: Flask, cases: dict[str, str]) -> None:
    c = new_client(app)
    for path in ("/dashboard", "/dashboard/stats", "/dashboard/export.csv",
                 f"/dashboard/cases/{cases['cr1']}", "/dashboard?status=new"):
        r = c.get(path)
        assert r.status_code == 302, path
        assert r.headers["Location"].startswith("/dashboard/login?next=")
    assert c.post("/dashboard/logout").status_code == 302


def test_sign_in_sets_a_strict_httponly_cookie_and_stores_only_a_hash(
    app: Flask, store: CaseStore
) -> None:
    from sqlalchemy import select

    from casestore.models import WebSession

    c = new_client(app)
    r = sign_in(c, "chiangrai", next="/dashboard/stats")
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard/stats"
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("dd_session="))
    token = cookie.split(";")[0].split("=", 1)[1]
    attrs = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/dashboard"} <= attrs
    assert "secure" not in attrs  # plain http here
    with store.reading() as s:
        rows = s.scalars(select(WebSession)).all()
    assert len(rows) == 1 and rows[0].jid == f"chiangrai@{DOMAIN}"
    assert rows[0].token_hash != token and len(rows[0].token_hash) == 64
    page = c.get("/dashboard")
    assert page.status_code == 200 and f"chiangrai@{DOMAIN}" in page.text
    assert page.headers["Cache-Control"] == "no-store"

    https, base = new_client(app), "https://localhost"
    page = https.get("/dashboard/login", base_url=base).text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = https.post("/dashboard/login", base_url=base,
                   data={"csrf": token, "username": "chiangrai", "password": PASSWORD})
    assert r.status_code == 302
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("dd_session="))
    assert "secure" in {a.strip().lower() for a in cookie.split(";")[1:]}


def test_wrong_password_gets_the_generic_message(app: Flask) -> None:
    r = sign_in(new_client(app), "chiangrai", "wrong")
    assert r.status_code == 401
    assert "ชื่อบัญชีหรือรหัสผ่านไม่ถูกต้อง" in r.text
    r2 = sign_in(new_client(app), "nobody!", "wrong")  # not even an account name: same text
    assert r2.status_code == 401 and "ชื่อบัญชีหรือรหัสผ่านไม่ถูกต้อง" in r2.text


@pytest.mark.parametrize(
    ("user", "status", "text"),
    [
        (f"somchai@citizens.{DOMAIN}", 403, "บัญชีประชาชน"),
        (f"x1@anon.{DOMAIN}", 403, "บัญชีนิรนาม"),
        ("someone@jabber.example.net", 403, f"ใช้บัญชีเจ้าหน้าที่ของ {DOMAIN} เท่านั้น"),
    ],
)
def test_citizens_anon_and_other_domains_are_refused_before_asking_xmpp(
    app: Flask, fake_xmpp: list[str], user: str, status: int, text: str
) -> None:
    r = sign_in(new_client(app), user)
    assert r.status_code == status and text in r.text
    assert fake_xmpp == []
    assert "dd_session=" not in " ".join(r.headers.getlist("Set-Cookie"))


def test_accounts_of_d_that_are_not_staff_or_are_disabled(app: Flask) -> None:
    r = sign_in(new_client(app), f"bob@{DOMAIN}")
    assert r.status_code == 403 and "ไม่มีสิทธิ์" in r.text
    r = sign_in(new_client(app), f"gone.chiangrai@{DOMAIN}")
    assert r.status_code == 403 and "ถูกระงับ" in r.text
    # a centre account by its name works even before provisioning.json lists it
    assert sign_in(new_client(app), f"nan@{DOMAIN}").status_code == 302


def test_disabling_an_account_ends_its_open_sessions(app: Flask, data_dir: Path) -> None:
    c = new_client(app)
    assert sign_in(c, f"somchai.chiangrai@{DOMAIN}").status_code == 302
    assert c.get("/dashboard").status_code == 200
    accounts = dict(ACCOUNTS)
    accounts[f"somchai.chiangrai@{DOMAIN}"] = {"centre": "chiangrai", "disabled": True}
    write_accounts(data_dir, accounts)
    import os

    os.utime(data_dir / "provisioning.json", (1, 1))  # a different mtime, surely
    assert c.get("/dashboard").status_code == 302


def test_xmpp_server_down_is_a_clear_503(store: CaseStore, data_dir: Path) -> None:
    """The real check (no stub) against a closed port: a clean error, not a hang or a 500."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    app = create_app({"DOMAIN": DOMAIN, "DATABASE_URL": str(store.engine.url),
                      "DATA_DIR": str(data_dir), "C2S_PORT": port,
                      "DASHBOARD_LOGIN_TIMEOUT": 3})
    r = sign_in(new_client(app), "chiangrai")
    assert r.status_code == 503 and "XMPP" in r.text


def test_rate_limits_per_account_and_per_ip(store: CaseStore, data_dir: Path,
                                            fake_xmpp: list[str]) -> None:
    app = create_app({"DOMAIN": DOMAIN, "DATABASE_URL": str(store.engine.url),
                      "DATA_DIR": str(data_dir), "DASHBOARD_LOGIN_LIMIT_ACCOUNT": 3,
                      "DASHBOARD_LOGIN_LIMIT_IP": 6})
    c = new_client(app, ip="192.0.2.20")
    assert [sign_in(c, "nan", "bad").status_code for _ in range(3)] == [401] * 3
    limited = sign_in(c, "nan")  # the right password no longer helps
    assert limited.status_code == 429 and "หลายครั้งเกินไป" in limited.text
    assert int(limited.headers["Retry-After"]) > 0
    assert fake_xmpp.count(f"nan@{DOMAIN}") == 3  # the fourth never reached the server
    # another IP is limited for that account too; other accounts are fine from elsewhere
    assert sign_in(new_client(app, ip="192.0.2.21"), "nan").status_code == 429
    assert sign_in(new_client(app, ip="192.0.2.21"), "phrae").status_code == 302
    # per IP: 6 attempts whatever the account
    assert sign_in(c, "phayao", "bad").status_code == 401
    assert sign_in(c, "lampang", "bad").status_code == 401
    assert sign_in(c, "phayao").status_code == 429
    # a success forgets the account's failures
    d = new_client(app, ip="192.0.2.22")
    assert sign_in(d, "trang", "bad").status_code == 401
    assert sign_in(d, "trang", "bad").status_code == 401
    assert sign_in(d, "trang").status_code == 302
    e = new_client(app, ip="192.0.2.22")
    assert [sign_in(e, "trang", "bad").status_code for _ in range(3)] == [401] * 3


def test_an_address_out_of_attempts_does_not_lock_the_accounts_it_names(
        store: CaseStore, data_dir: Path, fake_xmpp: list[str]) -> None:
    app = create_app({"DOMAIN": DOMAIN, "DATABASE_URL": str(store.engine.url),
                      "DATA_DIR": str(data_dir), "DASHBOARD_LOGIN_LIMIT_ACCOUNT": 3,
                      "DASHBOARD_LOGIN_LIMIT_IP": 2})
    attacker = new_client(app, ip="198.51.100.66")
    assert [sign_in(attacker, "nan", "bad").status_code for _ in range(2)] == [401] * 2
    # out of attempts: every further guess is refused by the address, for any account
    for user in ("chiangrai", "phrae", "trang", "chiangrai", "phrae", "trang", "nan"):
        assert sign_in(attacker, user, "bad").status_code == 429
    # ...and none of it counted against the accounts: their owners sign in from elsewhere
    for n, user in enumerate(("chiangrai", "phrae", "trang", "nan")):
        assert sign_in(new_client(app, ip=f"192.0.2.{30 + n}"), user).status_code == 302, user


def test_next_never_leaves_the_dashboard(app: Flask) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/dashboard//evil.example",
                   "/track", "/dashboard/logout"):
        r = sign_in(new_client(app), "chiangrai", next=target)
        assert r.headers["Location"] == "/dashboard", target


# -- CSRF and logging out -----------------------------------------------------------------


@pytest.mark.parametrize("target", ["/dashboard\r\nSet-Cookie: x=1", "/dashboard\nX: y",
                                    "/dashboard?q=\u0085", "/dashboard\x00", "/dashboard\t"])
def test_next_with_control_characters_is_dropped(app: Flask, target: str) -> None:
    assert new_client(app).get("/dashboard/login", query_string={"next": target}).status_code == 200
    r = sign_in(new_client(app), "chiangrai", next=target)
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard", target


def test_csrf_is_required_on_every_post(app: Flask) -> None:
    c = new_client(app)
    login_csrf(c)
    base = {"username": "chiangrai", "password": PASSWORD}
    assert c.post("/dashboard/login", data=base).status_code == 403
    assert c.post("/dashboard/login", data={**base, "csrf": "forged"}).status_code == 403
    assert c.post("/dashboard/login", data={**base, "csrf": "ปลอม"}).status_code == 403
    fresh = new_client(app)  # a token without its cookie (another browser's page)
    assert fresh.post("/dashboard/login", data={**base, "csrf": login_csrf(c)}).status_code == 403
    assert sign_in(c, "chiangrai").status_code == 302
    assert c.post("/dashboard/logout").status_code == 403
    assert c.post("/dashboard/logout", data={"csrf": "forged"}).status_code == 403
    assert c.post("/dashboard/logout", data={"csrf": "ปลอม"}).status_code == 403
    assert c.get("/dashboard").status_code == 200  # still signed in


def test_logout_kills_the_session_server_side(app: Flask, store: CaseStore) -> None:
    from casestore.web_sessions import WebSessions

    c = new_client(app)
    assert sign_in(c, "chiangrai").status_code == 302
    cookie = c.get_cookie("dd_session", path="/dashboard")
    assert cookie is not None
    old = cookie.value
    r = c.post("/dashboard/logout", data={"csrf": session_csrf(c)})
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard/login"
    assert c.get("/dashboard").status_code == 302
    assert WebSessions(store).count() == 0
    thief = new_client(app, ip="192.0.2.99")
    thief.set_cookie("dd_session", old, path="/dashboard")
    r = thief.get("/dashboard")
    assert r.status_code == 302 and r.headers["Location"].startswith("/dashboard/login")


# -- who sees what --------------------------------------------------------------------------


def test_centre_sees_its_own_and_its_district_cases(app: Flask, cases: dict[str, str]) -> None:
    c = new_client(app)
    sign_in(c, "chiangrai")
    listed = refs_listed(c.get("/dashboard").text)
    assert set(listed) == {cases["cr1"], cases["cr2"], cases["ms1"]}
    assert listed[0] == cases["ms1"]  # newest first
    assert c.get(f"/dashboard/cases/{cases['ms1']}").status_code == 200
    assert c.get(f"/dashboard/cases/{cases['cm1']}").status_code == 404
    assert c.get("/dashboard?centre=chiangmai").status_code == 403
    assert c.get("/dashboard/stats?centre=chiangmai").status_code == 403
    csv_text = c.get("/dashboard/export.csv").data.decode("utf-8-sig")
    assert cases["cm1"] not in csv_text and cases["ms1"] in csv_text
    assert refs_listed(c.get("/dashboard?centre=chiangrai-maesai").text) == [cases["ms1"]]


def test_staff_district_and_admin_scopes(app: Flask, cases: dict[str, str]) -> None:
    staff = new_client(app)
    sign_in(staff, f"somchai.chiangrai@{DOMAIN}")
    assert set(refs_listed(staff.get("/dashboard").text)) == {
        cases["cr1"], cases["cr2"], cases["ms1"]
    }
    district = new_client(app)
    sign_in(district, f"dao.chiangrai-maesai@{DOMAIN}")
    assert refs_listed(district.get("/dashboard").text) == [cases["ms1"]]
    assert district.get(f"/dashboard/cases/{cases['cr1']}").status_code == 404
    other = new_client(app)
    sign_in(other, "chiangmai")
    assert refs_listed(other.get("/dashboard").text) == [cases["cm1"]]
    admin = new_client(app)
    sign_in(admin, "admin")
    page = admin.get("/dashboard")
    assert set(refs_listed(page.text)) == {cases[k] for k in ("cr1", "cr2", "ms1", "cm1")}
    assert 'id="f-province"' in page.text  # the province filter is for admins
    assert admin.get(f"/dashboard/cases/{cases['cm1']}").status_code == 200
    assert refs_listed(admin.get("/dashboard?province=TH-50").text) == [cases["cm1"]]


# -- list, filters, case page ---------------------------------------------------------------


def test_filters_search_and_paging(app: Flask, cases: dict[str, str]) -> None:
    c = new_client(app)
    sign_in(c, "chiangrai")

    def listed(query: str) -> set[str]:
        r = c.get(f"/dashboard?{query}")
        assert r.status_code == 200, query
        return set(refs_listed(r.text))

    assert listed("status=resolved") == {cases["cr1"]}
    assert listed("status=open") == {cases["cr2"], cases["ms1"]}
    assert listed("status=assigned") == {cases["cr2"]}
    assert listed("topic=infrastructure") == {cases["cr1"], cases["ms1"]}
    assert listed("type=complaint&urgent=1") == {cases["cr2"]}
    assert listed("urgent=0") == {cases["cr1"], cases["ms1"]}
    assert listed("q=ทับซ้อน") == {cases["cr2"]}
    assert listed(f"q={cases['cr1'].lower()}") == {cases["cr1"]}
    assert listed("q=ยาเสพติด") == set()  # chiangmai's case stays out of reach
    assert listed("since=2026-01-15&until=2026-01-15") == {cases["cr1"]}
    assert listed("since=2569-01-15&until=2569-01-15") == {cases["cr1"]}  # Buddhist era
    first = c.get("/dashboard?per_page=2")
    second = c.get("/dashboard?per_page=2&page=2")
    assert len(refs_listed(first.text)) == 2 and len(refs_listed(second.text)) == 1
    assert 'rel="next"' in first.text and "per_page=2" in first.text
    assert set(refs_listed(first.text)) | set(refs_listed(second.text)) == {
        cases["cr1"], cases["cr2"], cases["ms1"]
    }
    far = c.get("/dashboard?page=99")
    assert far.status_code == 200 and 'id="no-cases"' in far.text


@pytest.mark.parametrize(
    "query",
    [
        "page=-1", "page=0", "page=abc", "page=99999999999999999999", "per_page=0",
        "per_page=100000", "status=unknown", "status=", "topic=weather", "type=%00",
        "urgent=maybe", "since=yesterday", "until=2026-13-45", "since=2026-11-21&until=2026-11-01",
        "centre=atlantis", "centre=chiangmai", "province=TH-99", "province=xx",
        "q=" + "ก" * 5000, "q=%25%27%22%3C", "centre[]=x", "since=0000-01-01",
        "since=0001-01-01", "until=0001-01-01", "since=9999-12-31", "until=9999-12-31",
        "since=0001-01-01&until=9999-12-31", "since=0544-01-01", "until=2400-01-01",
    ],
)
def test_bad_query_parameters_never_crash(app: Flask, cases: dict[str, str], query: str) -> None:
    c = new_client(app)
    sign_in(c, "chiangrai")
    for path in ("/dashboard", "/dashboard/stats", "/dashboard/export.csv"):
        r = c.get(f"{path}?{query}")
        assert r.status_code in (200, 400, 403), (path, query, r.status_code)
        r.close()
    for ref in ("nope", "TH57-2569-000000", "TH57-2569-999999", "../etc", "%00"):
        assert c.get(f"/dashboard/cases/{ref}").status_code == 404


def test_case_page_transcript_audit_log_thai_dates(app: Flask, cases: dict[str, str]) -> None:
    c = new_client(app)
    sign_in(c, "chiangrai")
    r = c.get(f"/dashboard/cases/{cases['cr1'].lower()}")
    assert r.status_code == 200
    assert "15 ม.ค. 2569 10:00 น." in r.text  # Buddhist era, Bangkok time
    assert "ถนนหน้าบ้านเป็นหลุมใหญ่" in r.text and "แก้ไขแล้ว" in r.text
    assert "เปิดเรื่อง" in r.text and "ซ่อมแล้ว" in r.text  # audit: opened, status + note
    assert "c1@citizens.example.org" not in r.text  # the citizen's address is not shown
    r2 = c.get(f"/dashboard/cases/{cases['cr2']}").text
    assert 'data-direction="agent"' in r2 and 'data-direction="note"' in r2
    assert "โทรหาผู้ใหญ่บ้านแล้ว" in r2 and "ขู่ทำร้าย" in r2
    assert f"somchai.chiangrai@{DOMAIN}" in r2 and "มอบหมายเจ้าหน้าที่" in r2
    assert "สาธารณูปโภค" in c.get("/dashboard").text  # topic label in Thai


def test_pages_keep_to_the_csp(app: Flask, cases: dict[str, str]) -> None:
    c = new_client(app)
    pages = [c.get("/dashboard/login").text]
    sign_in(c, "admin")
    pages += [c.get(p).text for p in
              ("/dashboard", "/dashboard/stats", f"/dashboard/cases/{cases['cr2']}")]
    for html in pages:
        assert "<script" not in html and " style=" not in html and "<style" not in html
        assert "cdn" not in html.lower()
        assert "dashboard.css" in html


# -- CSV export ------------------------------------------------------------------------------


def test_csv_export_utf8_bom_columns_no_pins(app: Flask, cases: dict[str, str]) -> None:
    c = new_client(app)
    sign_in(c, "chiangrai")
    r = c.get("/dashboard/export.csv?topic=land")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith("attachment; filename=")
    raw = r.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0].keys()) == list(dashboard.CSV_COLUMNS)
    assert [row["ref"] for row in rows] == [cases["cr2"]]
    row = rows[0]
    assert row["topic_th"] == "ที่ดิน" and row["status_th"] == "มีเจ้าหน้าที่รับเรื่องแล้ว"
    assert row["centre_th"] == "ศูนย์ดำรงธรรมจังหวัดเชียงราย" and row["province_th"] == "เชียงราย"
    assert row["urgent"] == "1" and row["response_minutes"] == "30.0"
    assert re.fullmatch(r"25\d\d-\d\d-\d\d \d\d:\d\d", row["created_be"])
    assert row["summary"].startswith("'=HYPERLINK")  # not run as a formula by Excel
    text = raw.decode("utf-8-sig")
    assert cases["pin_cr2"] not in [value for r in rows for value in r.values()]
    assert not [name for name in rows[0] if "pin" in name or "citizen" in name]
    assert "citizens.example.org" not in text
    everything = c.get("/dashboard/export.csv").data.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 3


# -- charts ---------------------------------------------------------------------------------


def test_charts_show_the_right_numbers(app: Flask, store: CaseStore,
                                       cases: dict[str, str]) -> None:
    c = new_client(app)
    sign_in(c, "admin")
    r = c.get("/dashboard/stats")  # the last 30 days: not cr1 (15 Jan 2026)
    assert r.status_code == 200
    html = r.text
    topics = chart(html, "chart-topics")
    assert topics == {"land": 1, "drugs": 1, "infrastructure": 1}
    days = chart(html, "chart-days")
    assert len(days) == 30 and sum(days.values()) == sum(topics.values())
    provinces = chart(html, "chart-provinces")
    assert provinces == {"TH-50": 1, "TH-57": 2}
    assert chart(html, "chart-sla") == {
        "sla_first_response": 1, "sla_resolution": 0, "sla_escalation_1": 0,
        "sla_escalation_2": 0,
    }
    response = chart(html, "chart-response")
    assert response["lt_1h"] == 1 and sum(response.values()) == sum(topics.values())
    assert 'data-answered="1"' in html

    span = c.get("/dashboard/stats?since=2026-01-15&until=2026-01-15&centre=chiangrai").text
    assert chart(span, "chart-days") == {"2026-01-15": 1}
    assert chart(span, "chart-topics") == {"infrastructure": 1}
    assert chart(span, "chart-statuses") == {"resolved": 1}
    mine = new_client(app)
    sign_in(mine, "chiangmai")
    assert chart(mine.get("/dashboard/stats").text, "chart-topics") == {"drugs": 1}
    assert c.get("/dashboard/stats?since=2020-01-01&until=2026-01-01").status_code == 400


def test_every_topic_and_type_has_a_thai_label() -> None:
    from casestore.labels import TOPIC_TH, TYPE_TH
    from casestore.vocab import TOPICS, TYPES

    assert set(TOPIC_TH) == set(TOPICS) and set(TYPE_TH) == set(TYPES)


# -- against the real XMPP server -------------------------------------------------------------


@pytest.fixture
def stack_app(stack, tmp_path: Path) -> Flask:
    """The dashboard checking passwords with the running stack's Prosody (its own database,
    so its rate-limit counters and sessions stay out of the stack's)."""
    s = CaseStore(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    s.migrate()
    s.close()
    info = stack.info
    return create_app(
        {
            "DOMAIN": info["domain"],
            "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
            "C2S_HOST": info["c2s_host"],
            "C2S_PORT": info["c2s_port"],
            "DATA_DIR": str(stack.data_dir),
            "DASHBOARD_LOGIN_LIMIT_ACCOUNT": 3,
        }
    )


@pytest.mark.xmpp
def test_real_login_wrong_password_centre_and_admin(stack, stack_app: Flask) -> None:
    info = stack.info
    creds = stack.credentials()["chiangrai"]
    c = new_client(stack_app)
    wrong = sign_in(c, creds["jid"], creds["password"] + "x")
    assert wrong.status_code == 401 and "ชื่อบัญชีหรือรหัสผ่านไม่ถูกต้อง" in wrong.text
    ok = sign_in(c, "chiangrai", creds["password"])  # the user part alone is enough
    assert ok.status_code == 302, ok.text
    page = c.get("/dashboard")
    assert page.status_code == 200 and creds["jid"] in page.text
    admin_pw = json.loads((stack.data_dir / "secrets.json").read_text())["admin_password"]
    a = new_client(stack_app)
    assert sign_in(a, f"admin@{info['domain']}", admin_pw).status_code == 302
    assert "ผู้ดูแลระบบ" in a.get("/dashboard").text
    r = a.post("/dashboard/logout", data={"csrf": session_csrf(a)})
    assert r.status_code == 302
    assert a.get("/dashboard").status_code == 302


@pytest.mark.xmpp
def test_real_citizen_account_is_refused(stack, stack_app: Flask) -> None:
    from kernel.xmpp import close_client, register_account

    info = stack.info
    jid, password = f"d{uuid.uuid4().hex[:10]}@{info['citizen_domain']}", uuid.uuid4().hex

    async def register() -> None:
        client = await register_account(jid, password, info["c2s_host"], info["c2s_port"],
                                        Path(info["ca_file"]))
        await close_client(client)

    asyncio.run(register())
    r = sign_in(new_client(stack_app), jid, password)
    assert r.status_code == 403 and "บัญชีประชาชน" in r.text


@pytest.mark.xmpp
def test_real_login_rate_limit(stack, stack_app: Flask) -> None:
    creds = stack.credentials()["nan"]
    c = new_client(stack_app, ip="192.0.2.50")
    assert [sign_in(c, creds["jid"], "nope").status_code for _ in range(3)] == [401] * 3
    limited = sign_in(c, creds["jid"], creds["password"])
    assert limited.status_code == 429 and "Retry-After" in limited.headers
