"""Case tracking over HTTP (/track and /track.json) with Flask's test client.

The store matters (PINs, events, transcript, rate-limit counters), so the main paths run on
SQLite and PostgreSQL (`db_url`); pure input handling runs on SQLite only.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bots import catalogue
from casestore import CaseStore, Status
from web import create_app, track

T0 = datetime(2026, 11, 21, 1, 30, tzinfo=UTC)  # 08:30 in Bangkok, 21 Nov 2569 BE
CITIZEN = "somsri@citizens.example.org"
OTHER_CITIZEN = "prasert@citizens.example.org"
AGENT = "somchai.chiangrai@example.org"
CENTRE_BOT = "chiangrai@bot.example.org"
ID_NUMBER = "1102003004005"
PHONE = "0812345678"
BODY = f"ถนนหน้าบ้านเป็นหลุม เลขบัตร {ID_NUMBER} โทร {PHONE} นายสมศรี ใจดี"
NOTE = "บันทึกภายใน: ผู้ร้องเคยร้องเรื่องนี้แล้ว"
AGENT_REPLY = "รับเรื่องแล้วครับ จะส่งช่างไปตรวจพรุ่งนี้"
NOTICE = catalogue.render(  # a status notice as the agent commands send it
    "citizen.status_notice",
    ref="TH57",
    signature="ศูนย์ดำรงธรรมจังหวัดเชียงราย",
    status_th="กำลังดำเนินการ",
    status_en="in progress",
    more="",
)
HIGH = (10_000, 3600)


def _app(url: str, **config: object) -> Iterator[Flask]:
    store = CaseStore(url)
    store.migrate()
    store.close()
    settings = {
        "DOMAIN": "example.org",
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "TRACK_LIMIT_IP": HIGH,
        "TRACK_LIMIT_REF": HIGH,
        "TRACK_LIMIT_SOURCE": HIGH,
        **config,
    }
    app = create_app(settings)
    yield app
    if "casestore" in app.extensions:
        app.extensions["casestore"].close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cases.sqlite3'}"


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Flask]:
    yield from _app(sqlite_url)


@pytest.fixture
def any_app(db_url: str) -> Iterator[Flask]:
    """The app on each backend."""
    yield from _app(db_url)


def _store(app: Flask) -> CaseStore:
    with app.app_context():
        from web import db

        return db.store()


def _case(app: Flask, body: str = BODY, citizen: str = CITIZEN, centre: str = "chiangrai",
          province: str = "TH-57", now: datetime = T0) -> tuple[str, str]:
    opened = _store(app).open_case(centre=centre, province=province, district="แม่สาย",
                                   citizen_jid=citizen, body=body, topic="infrastructure",
                                   now=now)
    assert opened.pin is not None
    return opened.case.ref, opened.pin


def _handled(app: Flask, ref: str) -> None:
    """An agent takes the case, replies, notes, changes its status; a notice goes out."""
    store = _store(app)
    store.claim(ref, AGENT, now=T0 + timedelta(minutes=5))
    store.add_message(ref, "agent", AGENT, AGENT_REPLY, now=T0 + timedelta(minutes=6))
    store.add_note(ref, AGENT, NOTE, now=T0 + timedelta(minutes=7))
    store.set_status(ref, Status.IN_PROGRESS, AGENT, "ส่งช่างแล้ว", now=T0 + timedelta(hours=2))
    store.add_message(ref, "system", CENTRE_BOT, NOTICE, now=T0 + timedelta(hours=2))
    store.add_message(ref, "citizen", CITIZEN, "ขอบคุณค่ะ บ้านเลขที่ 99", now=T0 + timedelta(hours=3))


def _csrf(client: FlaskClient) -> str:
    page = client.get("/track")
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert m, page.text
    return m.group(1)


def _post(client: FlaskClient, ref: str, pin: str, **environ: str):
    token = _csrf(client)
    return client.post("/track", data={"csrf": token, "ref": ref, "pin": pin},
                       environ_base=environ)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _alert(html: str) -> str:
    m = re.search(r'<div class="track-message" role="alert">(.*?)</div>', html, re.S)
    return _text(m.group(1)).strip() if m else ""


# -- the form ------------------------------------------------------------------------------


def test_form_is_plain_html_with_a_signed_token_and_cookie(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/track")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.text
    assert '<html lang="th">' in html
    assert "<script" not in html  # usable without JavaScript
    assert re.search(r'<form class="track-form" method="post" action="/track"', html)
    assert 'name="ref"' in html and 'name="pin"' in html and 'name="csrf"' in html
    assert "/static/track.css" in html
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(f"{track.CSRF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/track" in cookie
    css = client.get("/static/track.css")
    assert css.status_code == 200 and b".case-status" in css.data


def test_ref_in_the_query_fills_the_form_but_a_pin_never_does(app: Flask) -> None:
    html = app.test_client().get("/track?ref=th57-2569-000042&pin=123456").text
    assert 'value="TH57-2569-000042"' in html
    assert "123456" not in html


# -- finding a case ------------------------------------------------------------------------


def test_tracking_shows_status_timeline_and_the_centres_replies(any_app: Flask) -> None:
    ref, pin = _case(any_app)
    _handled(any_app, ref)
    client = any_app.test_client()
    page = _post(client, ref, pin)
    assert page.status_code == 200, _alert(page.text)
    assert page.headers["Cache-Control"] == "no-store"
    text = _text(page.text)
    assert ref in text
    assert "กำลังดำเนินการ" in text and "in progress" in text  # Thai label + English
    assert 'data-status="in_progress"' in page.text
    assert "ศูนย์ดำรงธรรมจังหวัดเชียงราย" in text
    # Buddhist-era dates in Thai time: opened 01:30 UTC = 08:30 ICT; in progress at 10:30
    assert "21 พ.ย. 2569 เวลา 08:30 น." in text
    assert "21 พ.ย. 2569 เวลา 10:30 น." in text
    assert 'datetime="2026-11-21T08:30:00+07:00"' in page.text
    assert "เปิดเรื่อง" in text and "สถานะ: มีเจ้าหน้าที่รับเรื่องแล้ว" in text
    assert "สถานะ: กำลังดำเนินการ" in text
    assert AGENT_REPLY in text and " ".join(NOTICE.split()) in text
    # never: internal notes, the agent's address, the citizen's own words or data, the PIN
    for secret in (NOTE, AGENT, "somchai", CITIZEN, "บ้านเลขที่ 99", ID_NUMBER, PHONE,
                   "สมศรี", "ส่งช่างแล้ว", CENTRE_BOT):
        assert secret not in page.text, secret
    assert f'value="{pin}"' not in page.text and pin not in text


@pytest.mark.parametrize(
    "typed",
    [
        "th57-2569-000001",
        "  TH57 2569 000001 ",
        "TH๕๗-๒๕๖๙-๐๐๐๐๐๑",
        "TH572569000001",
        "th57–2569–000001",  # en dashes from a phone keyboard
        "ＴＨ５７－２５６９－０００００１",  # full-width
    ],
)
def test_references_are_read_gracefully(typed: str) -> None:
    assert str(track.normalise_ref(typed)) == "TH57-2569-000001"


@pytest.mark.parametrize("typed", ["", "TH57", "TH57-2569-000000", "57-2569-000001", "x" * 500,
                                   "TH57-2569-0000001", None, 42])
def test_bad_references_are_refused(typed: object) -> None:
    assert track.normalise_ref(typed) is None


@pytest.mark.parametrize(("typed", "pin"), [("123456", "123456"), (" 123 456 ", "123456"),
                                            ("๑๒๓๔๕๖", "123456"), ("123-456", "123456"),
                                            ("12345", None), ("1234567", None),
                                            ("abcdef", None), ("١٢٣٤٥٦", None), (123456, None)])
def test_pins_are_read_gracefully(typed: object, pin: str | None) -> None:
    assert track.normalise_pin(typed) == pin


def test_a_thai_digit_reference_and_pin_find_the_case(app: Flask) -> None:
    ref, pin = _case(app)
    thai = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    page = _post(app.test_client(), ref.lower().translate(thai), " ".join(pin).translate(thai))
    assert page.status_code == 200, _alert(page.text)
    assert "รอรับเรื่อง" in _text(page.text)


def test_wrong_pin_and_missing_case_answer_alike(any_app: Flask) -> None:
    ref, pin = _case(any_app)
    client = any_app.test_client()
    wrong = "000000" if pin != "000000" else "111111"
    bad_pin = _post(client, ref, wrong)
    missing = _post(client, "TH57-2569-999999", wrong)
    assert bad_pin.status_code == missing.status_code == 404
    assert _alert(bad_pin.text) == _alert(missing.text)
    assert "ไม่พบเรื่องที่ตรงกับเลขที่เรื่องและรหัส PIN" in _alert(bad_pin.text)
    assert "No case matches" in _alert(bad_pin.text)
    assert ref in bad_pin.text  # the reference is kept in the form …
    assert wrong not in bad_pin.text  # … the PIN is not
    assert 'class="case"' not in bad_pin.text


def test_a_missing_case_costs_as_much_time_as_a_wrong_pin(app: Flask) -> None:
    ref, pin = _case(app)
    wrong = "000000" if pin != "000000" else "111111"
    client = app.test_client()
    token = _csrf(client)

    def timed(r: str) -> float:
        start = time.perf_counter()
        answer = client.post("/track", data={"csrf": token, "ref": r, "pin": wrong})
        assert answer.status_code == 404
        return time.perf_counter() - start

    timed(ref), timed("TH57-2569-999999")  # warm up
    existing = statistics.median(timed(ref) for _ in range(9))
    missing = statistics.median(timed("TH57-2569-999999") for _ in range(9))
    assert 0.5 < missing / existing < 2.0, (existing, missing)
    assert existing > 0.01  # a slow hash ran for both


@pytest.mark.parametrize(
    ("ref", "pin", "words"),
    [
        ("not-a-ref", "123456", "เลขที่เรื่องไม่ถูกต้อง"),
        ("", "123456", "เลขที่เรื่องไม่ถูกต้อง"),
        ("TH57-2569-000001", "12", "รหัส PIN คือตัวเลข 6 หลัก"),
        ("TH57-2569-000001", "", "รหัส PIN คือตัวเลข 6 หลัก"),
    ],
)
def test_bad_input_gets_a_clear_400(app: Flask, ref: str, pin: str, words: str) -> None:
    page = _post(app.test_client(), ref, pin)
    assert page.status_code == 400
    assert words in _alert(page.text)


def test_forms_without_a_valid_token_are_refused(app: Flask, monkeypatch: pytest.MonkeyPatch):
    ref, pin = _case(app)
    client = app.test_client()
    token = _csrf(client)
    no_token = client.post("/track", data={"ref": ref, "pin": pin})
    forged = client.post("/track", data={"csrf": token + "x", "ref": ref, "pin": pin})
    other_key = create_app({"SECRET_KEY": "another", "TESTING": True})
    with other_key.test_request_context():
        foreign = track._signer().dumps("whatever-nonce-value-123456")
    foreign_answer = client.post("/track", data={"csrf": foreign, "ref": ref, "pin": pin})
    fresh = app.test_client()  # a token from one browser, posted by another (no cookie)
    no_cookie = fresh.post("/track", data={"csrf": token, "ref": ref, "pin": pin})
    for page in (no_token, forged, foreign_answer, no_cookie):
        assert page.status_code == 400
        assert "แบบฟอร์มหมดอายุ" in _alert(page.text)
        assert 'class="case"' not in page.text
    monkeypatch.setattr(track, "CSRF_MAX_AGE", -1)  # every token is now expired
    expired = client.post("/track", data={"csrf": token, "ref": ref, "pin": pin})
    assert expired.status_code == 400
    monkeypatch.undo()
    again = client.post("/track", data={"csrf": _csrf(client), "ref": ref, "pin": pin})
    assert again.status_code == 200


def test_the_pin_is_never_logged(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    ref, pin = _case(app)
    with caplog.at_level(logging.DEBUG):
        assert _post(app.test_client(), ref, pin).status_code == 200
        app.test_client().post("/track.json", json={"ref": ref, "pin": pin})
    assert pin not in caplog.text


# -- rate limits ---------------------------------------------------------------------------


def test_guessing_at_a_case_slows_the_guessers_and_never_locks_the_citizen_out(
        sqlite_url: str) -> None:
    for app in _app(sqlite_url, TRACK_LIMIT_REF=(3, 3600), TRACK_LIMIT_SOURCE=(5, 3600)):
        ref, pin = _case(app)
        client = app.test_client()
        wrong = "000000" if pin != "000000" else "111111"
        for i in range(10):  # ten strangers, one wrong PIN each (the old lockout)
            assert _post(client, ref, wrong, REMOTE_ADDR=f"10.0.0.{i + 1}").status_code == 404
        # a stranger who failed now waits, growing with the failures on the case...
        slowed = _post(client, ref, wrong, REMOTE_ADDR="10.0.0.1")
        assert slowed.status_code == 429
        assert 1 <= int(slowed.headers["Retry-After"]) <= 15 * 60
        assert 'class="case"' not in slowed.text
        # ...while the citizen, from an address that has not failed, gets in at once
        assert _post(client, ref, pin, REMOTE_ADDR="10.0.0.99").status_code == 200
        # and the right PIN forgets the case's back-off
        assert _post(client, ref, wrong, REMOTE_ADDR="10.0.0.1").status_code == 404


def test_an_address_with_too_many_wrong_pins_is_refused(sqlite_url: str) -> None:
    for app in _app(sqlite_url, TRACK_LIMIT_REF=HIGH, TRACK_LIMIT_SOURCE=(3, 3600)):
        ref, pin = _case(app)
        other, other_pin = _case(app, citizen=OTHER_CITIZEN)
        client = app.test_client()
        for n in range(3):  # wrong PINs on cases that may not even exist
            missing = f"TH57-2569-99999{n}"
            assert _post(client, missing, "123456", REMOTE_ADDR="10.1.0.1").status_code == 404
        limited = _post(client, ref, pin, REMOTE_ADDR="10.1.0.1")  # even the right PIN
        assert limited.status_code == 429
        assert 3500 <= int(limited.headers["Retry-After"]) <= 3600
        alert = _alert(limited.text)
        assert "ลองใหม่อีกครั้งใน 60 นาที" in alert and "try again in 60 minutes" in alert
        # the case itself is not locked: its citizen gets in from elsewhere
        assert _post(client, ref, pin, REMOTE_ADDR="10.1.0.2").status_code == 200
        assert _post(client, other, other_pin, REMOTE_ADDR="10.1.0.2").status_code == 200


def test_attempts_per_client_address_are_limited(any_app: Flask) -> None:
    any_app.config["TRACK_LIMIT_IP"] = (2, 600)
    ref, pin = _case(any_app)
    client = any_app.test_client()
    assert _post(client, ref, pin, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert _post(client, "TH57-2569-999999", "123456", REMOTE_ADDR="192.0.2.7").status_code == 404
    limited = _post(client, ref, pin, REMOTE_ADDR="192.0.2.7")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 600
    assert "ลองหลายครั้งเกินไป" in _alert(limited.text)
    assert "Too many attempts" in _alert(limited.text)
    assert _post(client, ref, pin, REMOTE_ADDR="192.0.2.8").status_code == 200

    # The address is counted by a keyed hash: no row of the database holds it.
    import sqlalchemy as sa

    from casestore.models import RateLimit

    with _store(any_app).reading() as session:
        buckets = list(session.scalars(sa.select(RateLimit.bucket)))
    assert [b for b in buckets if b.startswith("track:ip:h:")]
    assert not [b for b in buckets if "192.0.2." in b], buckets


# -- oversized and odd requests ------------------------------------------------------------


def test_a_megabyte_form_is_refused_with_413(app: Flask) -> None:
    client = app.test_client()
    token = _csrf(client)
    page = client.post("/track", data={"csrf": token, "ref": "x" * 1_000_000, "pin": "1"})
    assert page.status_code == 413
    assert "ใหญ่เกินไป" in _alert(page.text) and "too large" in _alert(page.text)
    raw = client.post("/track.json", data=b"{" + b" " * 1_000_000 + b"}",
                      content_type="application/json")
    assert raw.status_code == 413
    assert raw.json["error"] == "too_large"


# -- JSON for the web chat -----------------------------------------------------------------


def test_json_tracking(any_app: Flask) -> None:
    ref, pin = _case(any_app)
    _handled(any_app, ref)
    client = any_app.test_client()
    answer = client.post("/track.json", json={"ref": ref.lower(), "pin": pin})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    data = answer.json
    assert data["ref"] == ref and data["status"] == "in_progress"
    assert data["status_th"] == "กำลังดำเนินการ" and data["status_en"] == "in progress"
    assert data["is_open"] is True
    assert data["opened"]["iso"] == "2026-11-21T08:30:00+07:00"
    assert data["opened"]["th"] == "21 พ.ย. 2569 เวลา 08:30 น."
    # the last thing shown (the notice at 10:30), not the citizen's later message
    assert data["updated"]["iso"] == "2026-11-21T10:30:00+07:00"
    assert [s["status"] for s in data["timeline"]] == ["new", "assigned", "in_progress"]
    assert [(r["kind"], r["body"]) for r in data["replies"]] == [
        ("staff", AGENT_REPLY), ("notice", NOTICE)]
    text = answer.get_data(as_text=True)
    for secret in (NOTE, AGENT, CITIZEN, ID_NUMBER, PHONE, pin, "บ้านเลขที่ 99"):
        assert secret not in text, secret
    wrong = client.post("/track.json", json={"ref": ref, "pin": "000000" if pin != "000000"
                                              else "111111"})
    missing = client.post("/track.json", json={"ref": "TH57-2569-999999", "pin": "000000"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json == missing.json
    assert wrong.json["error"] == "no_match"


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        ({"data": "ref=TH57-2569-000001&pin=123456",
          "content_type": "application/x-www-form-urlencoded"}, 415, "json_required"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "bad_json"),
        ({"data": "[1, 2]", "content_type": "application/json"}, 400, "bad_json"),
        ({"data": "[" * 8000 + "]" * 8000, "content_type": "application/json"}, 400,
         "bad_json"),
        ({"data": b"\xff\xfe", "content_type": "application/json"}, 400, "bad_json"),
        ({"json": {"ref": "nonsense", "pin": "123456"}}, 400, "ref"),
        ({"json": {"ref": "TH57-2569-000001", "pin": 123456}}, 400, "pin"),
        ({"json": {"ref": "TH57-2569-000001", "pin": "123456"},
          "headers": {"Origin": "https://evil.example"}}, 403, "cross_origin"),
    ],
)
def test_json_bad_input(app: Flask, kwargs: dict, status: int, error: str) -> None:
    answer = app.test_client().post("/track.json", **kwargs)
    assert answer.status_code == status
    assert answer.json["error"] == error
    assert answer.json["message_th"] and answer.json["message_en"]


def test_json_same_origin_is_accepted(app: Flask) -> None:
    ref, pin = _case(app)
    answer = app.test_client().post("/track.json", json={"ref": ref, "pin": pin},
                                    headers={"Origin": "http://localhost"})
    assert answer.status_code == 200


def test_json_rate_limit_says_when(sqlite_url: str) -> None:
    for app in _app(sqlite_url, TRACK_LIMIT_IP=(1, 120)):
        client = app.test_client()
        client.post("/track.json", json={"ref": "TH57-2569-000001", "pin": "123456"})
        answer = client.post("/track.json", json={"ref": "TH57-2569-000001", "pin": "123456"})
        assert answer.status_code == 429
        assert answer.json["error"] == "rate_limited"
        assert 1 <= answer.json["retry_after"] == int(answer.headers["Retry-After"]) <= 120
        assert "นาที" in answer.json["message_th"] or "วินาที" in answer.json["message_th"]


# -- what the timeline says about moves between centres and merges --------------------------


def test_transfer_and_merge_in_the_timeline(any_app: Flask) -> None:
    store = _store(any_app)
    ref, pin = _case(any_app)
    keep, _ = _case(any_app)
    other_ref, _ = _case(any_app, citizen=OTHER_CITIZEN, body="เรื่องของคนอื่น 0899999999")
    store.add_message(other_ref, "agent", AGENT, "คำตอบถึงผู้ร้องอีกคน")
    store.transfer(ref, "chiangmai", AGENT, "เหตุผลภายใน: อยู่ในเขตเชียงใหม่",
                   now=T0 + timedelta(hours=1))
    store.transfer(keep, "chiangmai", AGENT, now=T0 + timedelta(hours=1))
    store.merge(ref, keep, AGENT, now=T0 + timedelta(hours=2))
    data = any_app.test_client().post("/track.json", json={"ref": ref, "pin": pin}).json
    steps = [s["th"] for s in data["timeline"]]
    assert "โอนเรื่องไปยังศูนย์ดำรงธรรมจังหวัดเชียงใหม่" in steps
    assert f"รวมกับเรื่องอื่นแล้ว (เรื่อง {keep})" in steps
    assert data["status"] == "merged" and data["is_open"] is False
    assert data["centre_th"] == "ศูนย์ดำรงธรรมจังหวัดเชียงใหม่"
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("เหตุผลภายใน", other_ref, "คำตอบถึงผู้ร้องอีกคน", "0899999999", AGENT):
        assert secret not in text, secret


def test_json_origin_is_compared_by_host(app: Flask) -> None:
    client = app.test_client()
    body = {"ref": "TH57-2569-000001", "pin": "123456"}
    behind_tls = client.post("/track.json", json=body, headers={"Origin": "https://localhost"})
    assert behind_tls.status_code == 404  # looked up (no such case), not refused
    lookalike = client.post("/track.json", json=body,
                            headers={"Origin": "http://localhost.evil.example"})
    assert lookalike.status_code == 403
    null = client.post("/track.json", json=body, headers={"Origin": "null"})
    assert null.status_code == 403


# -- what agents write for colleagues stays with them (issue 15) ----------------------------


def test_notes_for_colleagues_reach_neither_track_nor_open311(any_app: Flask) -> None:
    """docs/open311.md: internal notes, transfer reasons, status, assignment, merge and SLA
    notes are never shown: not on /track (page and JSON), not in the public Open311 record."""
    from casestore.events import EventKind

    store = _store(any_app)
    ref, pin = _case(any_app)
    keep, _ = _case(any_app)
    secrets = {
        "note": "ลับ-บันทึก ผู้ร้องเคยร้องซ้ำ",
        "transfer": "ลับ-โอน ผิดจังหวัด",
        "status": "ลับ-สถานะ รอผู้ใหญ่บ้าน",
        "sla": "ลับ-เร่งรัด",
        "assigned": "ลับ-มอบหมาย",
    }
    at = T0 + timedelta(minutes=5)
    store.claim(ref, AGENT, now=at)
    store.add_note(ref, AGENT, secrets["note"], now=at)
    store.set_status(ref, Status.IN_PROGRESS, AGENT, secrets["status"], now=at)
    store.record(ref, AGENT, EventKind.ASSIGNED, secrets["assigned"], now=at)
    store.record(ref, "bot.example.org", EventKind.SLA_ESCALATION_1, secrets["sla"], now=at)
    store.transfer(ref, "chiangmai", AGENT, secrets["transfer"], now=at + timedelta(hours=1))
    store.transfer(keep, "chiangmai", AGENT, now=at + timedelta(hours=1))
    store.merge(ref, keep, AGENT, now=at + timedelta(hours=2))
    client = any_app.test_client()
    page = _post(client, ref, pin)
    data = client.post("/track.json", json={"ref": ref, "pin": pin})
    public = client.get(f"/open311/v2/requests/{ref}.json")
    assert page.status_code == data.status_code == public.status_code == 200
    assert "เชียงใหม่" in data.get_data(as_text=True)  # the move itself is shown
    for shown in (_text(page.get_data(as_text=True)), data.get_data(as_text=True),
                  json.dumps(data.json, ensure_ascii=False),
                  json.dumps(public.json, ensure_ascii=False)):
        for what, secret in secrets.items():
            assert secret not in shown, what
            assert secret.split()[0] not in shown, what
        assert "ผิดจังหวัด" not in shown and AGENT not in shown
