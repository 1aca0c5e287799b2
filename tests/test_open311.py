"""Open311 GeoReport v2 over HTTP, API keys and `damrongdham apikey`.

Reads and writes that touch the store run on SQLite and PostgreSQL (`db_url`); input
checks run on SQLite.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casestore import TOPICS, CaseStore, Status
from casestore.api_keys import create_key, hash_key, list_keys, revoke_key, verify_key
from casestore.public_reads import nearest_province, province_point, rate_hits
from damrongdham.cli import main as cli_main
from web import create_app, open311

DOMAIN = "example.org"
ID_NUMBER = "3100600123456"
ID_DASHED = "3-1006-00123-45-6"
PHONE = "081-234-5678"
CITIZEN = "somsri@citizens.example.org"
AGENT = "somchai.chiangrai@example.org"
SECRET_BODY = (f"นางสมศรี มีสุข บัตรประชาชน {ID_DASHED} ({ID_NUMBER}) โทร {PHONE} "
               "ถนนหน้าบ้านเลขที่ 12/3 เป็นหลุมลึก")
HIGH = (10_000, 3600)


def _app(url: str, **config: object) -> Iterator[Flask]:
    store = CaseStore(url)
    store.migrate()
    store.close()
    app = create_app({
        "DOMAIN": DOMAIN,
        "DATABASE_URL": url,
        "SECRET_KEY": "test",
        "TESTING": True,
        "OPEN311_BAD_KEY_LIMIT": HIGH,
        "OPEN311_KEY_LIMIT": HIGH,
        "OPEN311_CACHE_SECONDS": 0,  # each test sees what it just wrote
        **config,
    })
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
    yield from _app(db_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _store(app: Flask) -> CaseStore:
    with app.app_context():
        from web import db

        return db.store()


def _key(app: Flask, agency: str = "pwa-chiangrai") -> tuple[int, str]:
    view, key = create_key(_store(app), agency, "Provincial Waterworks, Chiang Rai")
    return view.id, key


def _open(app: Flask, *, topic: str = "infrastructure", type_: str = "complaint",
          now: datetime | None = None, centre: str = "chiangrai", province: str = "TH-57",
          district: str | None = "แม่สาย", citizen: str = CITIZEN, body: str = SECRET_BODY) -> str:
    return _store(app).open_case(
        centre=centre, province=province, district=district, citizen_jid=citizen, body=body,
        topic=topic, type=type_, now=now,
    ).case.ref


def _errors(answer, code: int) -> str:
    assert answer.status_code == code, answer.get_data(as_text=True)
    assert answer.mimetype == "application/json"
    data = answer.json
    assert isinstance(data, list) and len(data) == 1
    assert set(data[0]) == {"code", "description"} and data[0]["code"] == code
    assert data[0]["description"]
    return data[0]["description"]


# -- services ------------------------------------------------------------------------------


def test_services_are_the_case_topics(client: FlaskClient) -> None:
    answer = client.get("/open311/v2/services.json")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    services = answer.json
    assert {s["service_code"] for s in services} == TOPICS
    for s in services:
        assert set(s) == {"service_code", "service_name", "description", "metadata", "type",
                          "keywords", "group"}
        assert s["metadata"] is False and s["type"] == "realtime"
        assert s["service_name"] and s["description"] and s["keywords"] and s["group"]
    land = next(s for s in services if s["service_code"] == "land")
    assert land["service_name"] == "ที่ดิน (Land)"


def test_service_words_match_the_bots(client: FlaskClient) -> None:
    from casestore.labels import TOPIC_TH, TYPE_TH

    assert {code: s.th for code, s in open311.SERVICES.items()} == TOPIC_TH
    assert {t: th for t, (th, _en) in open311.TYPE_LABELS.items()} == TYPE_TH


def test_services_xml(client: FlaskClient) -> None:
    answer = client.get("/open311/v2/services.xml")
    assert answer.status_code == 200 and answer.mimetype == "text/xml"
    assert answer.data.startswith(b"<?xml")
    root = ET.fromstring(answer.data)
    assert root.tag == "services" and len(root) == len(TOPICS)
    assert {el.findtext("service_code") for el in root} == TOPICS
    assert root[0].findtext("metadata") == "false"


def test_service_definition(client: FlaskClient) -> None:
    answer = client.get("/open311/v2/services/land.json")
    assert answer.status_code == 200
    assert answer.json == {"service_code": "land", "attributes": []}
    xml = ET.fromstring(client.get("/open311/v2/services/land.xml").data)
    assert xml.tag == "service_definition" and xml.findtext("service_code") == "land"
    assert "not found" in _errors(client.get("/open311/v2/services/potholes.json"), 404)


def test_discovery(client: FlaskClient) -> None:
    data = client.get("/open311/discovery.json").json
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"


# -- reading requests ----------------------------------------------------------------------


def test_requests_public_fields(any_app: Flask) -> None:
    ref = _open(any_app)
    store = _store(any_app)
    store.claim(ref, AGENT)
    store.set_status(ref, Status.IN_PROGRESS, AGENT)
    client = any_app.test_client()
    answer = client.get("/open311/v2/requests.json")
    assert answer.status_code == 200
    (req,) = answer.json
    assert req["service_request_id"] == ref
    assert req["status"] == "open" and req["status_notes"] == "in_progress"
    assert req["service_code"] == "infrastructure"
    assert req["service_name"] == "สาธารณูปโภค (Infrastructure)"
    assert req["description"] == "ร้องเรียน · สาธารณูปโภค (complaint, infrastructure)"
    assert req["agency_responsible"] == "ศูนย์ดำรงธรรมจังหวัดเชียงราย"
    assert req["address"] == "อ.แม่สาย จ.เชียงราย"
    assert (req["lat"], req["long"]) == province_point("TH-57")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", req["requested_datetime"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", req["updated_datetime"])
    for empty in ("service_notice", "expected_datetime", "address_id", "zipcode", "media_url"):
        assert req[empty] is None
    one = client.get(f"/open311/v2/requests/{ref.lower()}.json")
    assert one.status_code == 200 and one.json == [req]
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{ref}.xml").data)
    assert xml.tag == "service_requests"
    assert xml.find("request").findtext("service_request_id") == ref


def test_updated_datetime_moves_with_status_not_with_messages(any_app: Flask) -> None:
    t0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    ref = _open(any_app, now=t0)
    store = _store(any_app)
    store.set_status(ref, Status.IN_PROGRESS, AGENT, now=t0 + timedelta(hours=1))
    store.add_note(ref, AGENT, "บันทึกภายใน", now=t0 + timedelta(hours=5))
    store.add_message(ref, "citizen", CITIZEN, "ขอบคุณค่ะ", now=t0 + timedelta(hours=6))
    (req,) = any_app.test_client().get(f"/open311/v2/requests/{ref}.json").json
    assert req["requested_datetime"] == "2026-11-01T08:00:00+07:00"
    assert req["updated_datetime"] == "2026-11-01T09:00:00+07:00"


def test_closed_statuses_are_closed(app: Flask, client: FlaskClient) -> None:
    store = _store(app)
    resolved, closed, merged, open_ = (_open(app) for _ in range(4))
    store.set_status(resolved, Status.RESOLVED, AGENT)
    store.set_status(closed, Status.CLOSED, AGENT)
    store.merge(merged, open_, AGENT)
    by_id = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json}
    assert {k: (v["status"], v["status_notes"]) for k, v in by_id.items()} == {
        resolved: ("closed", "resolved"),
        closed: ("closed", "closed"),
        merged: ("closed", "merged"),
        open_: ("open", "new"),
    }
    only_open = client.get("/open311/v2/requests.json?status=open").json
    assert [r["service_request_id"] for r in only_open] == [open_]
    only_closed = client.get("/open311/v2/requests.json?status=closed").json
    assert {r["service_request_id"] for r in only_closed} == {resolved, closed, merged}
    both = client.get("/open311/v2/requests.json?status=open,closed").json
    assert len(both) == 4


def test_requests_filters(any_app: Flask) -> None:
    now = datetime.now(UTC)
    land_old = _open(any_app, topic="land", now=now - timedelta(days=100))
    land_new = _open(any_app, topic="land", now=now - timedelta(days=2))
    water = _open(any_app, topic="infrastructure", now=now - timedelta(days=1))
    debt = _open(any_app, topic="debt", centre="chiangmai", province="TH-50", district=None,
                 now=now - timedelta(hours=1))
    client = any_app.test_client()

    def ids(query: str) -> list[str]:
        answer = client.get(f"/open311/v2/requests.json?{query}")
        assert answer.status_code == 200, answer.json
        return [r["service_request_id"] for r in answer.json]

    assert ids("") == [debt, water, land_new]  # newest first, the last 90 days only
    assert ids("service_code=land") == [land_new]
    assert ids("service_code=land,debt") == [debt, land_new]
    assert ids("service_code=land&service_code=debt") == [debt, land_new]
    assert ids("centre=chiangmai") == [debt]
    # service_request_id overrides every other filter, the 90 days too
    assert ids(f"service_request_id={land_old.lower()},{debt}&service_code=welfare") == [
        debt, land_old]
    assert ids("service_request_id=TH57-2569-999999") == []
    start = (now - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={start}&end_date={end}") == [land_old]
    assert ids(f"start_date={start}") == [land_old]  # 90 days from the start
    local = (now - timedelta(days=1, hours=12)).astimezone(open311.BANGKOK)
    since = local.isoformat(timespec="seconds")
    assert ids(f"start_date={since.replace('+', '%2B')}") == [debt, water]
    assert ids(f"start_date={since}") == [debt, water]  # an unencoded + read as a space
    day = now.astimezone(open311.BANGKOK).strftime("%Y-%m-%d")
    assert debt in ids(f"end_date={day}")  # a date: the whole day in Thai time
    assert ids("page_size=2") == [debt, water]
    assert ids("page_size=2&page=2") == [land_new]


def test_at_most_1000_requests_by_default(app: Flask, client: FlaskClient,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(open311, "DEFAULT_LIMIT", 5)
    refs = [_open(app) for _ in range(7)]
    answer = client.get("/open311/v2/requests.json").json
    assert [r["service_request_id"] for r in answer] == refs[::-1][:5]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("start_date=yesterday", "not a W3C datetime"),
        ("start_date=21/11/2026", "not a W3C datetime"),
        ("start_date=2026-11-21T08:00:00", "not a W3C datetime"),  # no time zone
        ("end_date=2026-13-01", "not a real date"),
        ("start_date=2026-02-30T00:00:00Z", "not a real date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 days"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "after start_date"),
        ("service_code=potholes", "service_code 'potholes' is unknown"),
        ("status=pending", "status must be open or closed"),
        ("service_request_id=12345", "not a case reference"),
        ("centre=atlantis", "centre 'atlantis' is unknown"),
        ("page_size=0", "page_size"),
        ("page_size=5000", "page_size"),
        ("page=x", "page"),
        ("jurisdiction_id=other.example", "jurisdiction_id"),
    ],
)
def test_bad_request_queries(client: FlaskClient, query: str, words: str) -> None:
    assert words in _errors(client.get(f"/open311/v2/requests.json?{query}"), 400)


def test_jurisdiction_id_may_be_the_domain(client: FlaskClient) -> None:
    assert client.get(f"/open311/v2/requests.json?jurisdiction_id={DOMAIN}").status_code == 200


def test_one_request_not_found(client: FlaskClient) -> None:
    assert "not found" in _errors(client.get("/open311/v2/requests/TH57-2569-000099.json"), 404)
    assert "not found" in _errors(client.get("/open311/v2/requests/nonsense.json"), 404)
    xml = client.get("/open311/v2/requests/nonsense.xml")
    assert xml.status_code == 404
    root = ET.fromstring(xml.data)
    assert root.tag == "errors" and root.find("error").findtext("code") == "404"


def test_unknown_paths_methods_and_formats(client: FlaskClient) -> None:
    assert "no such Open311 resource" in _errors(client.get("/open311/v2/widgets.json"), 404)
    assert "format" in _errors(client.get("/open311/v2/requests.csv"), 404)
    wrong = client.delete("/open311/v2/requests.json")
    assert "not allowed" in _errors(wrong, 405)
    assert wrong.headers["Allow"] == "GET, POST"
    assert _errors(client.post("/open311/v2/services.json"), 405)


# -- agencies open cases -------------------------------------------------------------------


def test_post_opens_a_case_from_lat_long(any_app: Flask) -> None:
    key_id, key = _key(any_app)
    client = any_app.test_client()
    answer = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "infrastructure", "lat": "19.93", "long": "99.85",
        "description": "ท่อประปาแตก น้ำไหลท่วมถนน", "first_name": "สมชาย", "last_name": "ใจดี",
        "phone": PHONE, "email": "somchai@example.net",
    })
    assert answer.status_code == 201, answer.json
    (created,) = answer.json
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None
    ref = created["service_request_id"]
    assert ref.startswith("TH57-")
    assert "ศูนย์ดำรงธรรมจังหวัดเชียงราย" in created["service_notice"]
    store = _store(any_app)
    case = store.get(ref)
    assert case is not None
    assert (case.centre, case.province, case.channel) == ("chiangrai", "TH-57", "open311")
    assert case.citizen_jid == "pwa-chiangrai@open311.invalid"
    assert (case.topic, case.type, case.status) == ("infrastructure", "complaint", Status.NEW)
    (first,) = store.transcript(ref)
    assert "ท่อประปาแตก" in first.body and PHONE in first.body and "geo:19.93,99.85" in first.body
    (used,) = [k for k in list_keys(store) if k.id == key_id]
    assert used.last_used_at is not None
    public = client.get(f"/open311/v2/requests/{ref}.json").get_data(as_text=True)
    for secret in ("ท่อประปาแตก", PHONE, "สมชาย", "somchai", "open311.invalid", "pwa"):
        assert secret not in public


def test_post_description_is_masked_like_any_citizen_text(app: Flask) -> None:
    _key_id, key = _key(app)
    answer = app.test_client().post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "infrastructure", "centre": "chiangrai",
        "description": "ไฟถนนดับ ผู้แจ้งบัตร 1-1017-00203-45-1 โทร 081 234 5678",
        "phone": PHONE,
    })
    assert answer.status_code == 201, answer.json
    ref = answer.json[0]["service_request_id"]
    store = _store(app)
    (first,) = store.transcript(ref)
    digits = re.sub(r"\D", "", first.body.split("\n")[0])
    assert "1101700203451" not in digits and "0812345678" not in digits, first.body
    assert "[เลขบัตร]" in first.body and "[เบอร์โทร]" in first.body
    assert PHONE in first.body  # the contact field, sent for the centre to call back
    assert "1101700203451" not in re.sub(r"\D", "", store.get(ref).summary)


def test_post_json_and_address_string_and_centre(any_app: Flask) -> None:
    _, key = _key(any_app)
    client = any_app.test_client()
    by_address = client.post("/open311/v2/requests.json", json={
        "api_key": key, "service_code": "environment",
        "address_string": "ริมน้ำกก ต.เวียง อ.แม่สาย จ.เชียงราย", "description": "มีคนเผาขยะ",
        "lat": None, "attribute": {"x": 1},
    })
    assert by_address.status_code == 201, by_address.json
    case = _store(any_app).get(by_address.json[0]["service_request_id"])
    assert (case.centre, case.district, case.topic) == ("chiangrai", "แม่สาย", "environment")
    english = client.post("/open311/v2/requests.json", json={
        "api_key": key, "service_code": "land", "address_string": "Mae Sai district, Chiang Rai"})
    case = _store(any_app).get(english.json[0]["service_request_id"])
    assert (case.centre, case.district) == ("chiangrai", "แม่สาย")
    by_centre = client.post("/open311/v2/requests.xml", data={
        "api_key": key, "service_code": "labour", "centre": "nan", "type": "help"})
    assert by_centre.status_code == 201
    ref = ET.fromstring(by_centre.data).find("request").findtext("service_request_id")
    case = _store(any_app).get(ref)
    assert (case.centre, case.province, case.type) == ("nan", "TH-55", "help")


def test_an_unclear_address_is_fine_when_the_centre_is_given(app: Flask,
                                                           client: FlaskClient) -> None:
    _, key = _key(app)
    answer = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "land", "centre": "phrae",
        "address_string": "ที่ดินติดเขต จ.แพร่ กับ จ.น่าน"})
    assert answer.status_code == 201
    assert _store(app).get(answer.json[0]["service_request_id"]).centre == "phrae"


def test_idempotency_key_gives_the_same_case(app: Flask, client: FlaskClient) -> None:
    _, key = _key(app)
    form = {"api_key": key, "service_code": "debt", "centre": "lampang"}
    first = client.post("/open311/v2/requests.json", data=form,
                        headers={"Idempotency-Key": "agency-42"})
    again = client.post("/open311/v2/requests.json", data=form,
                        headers={"Idempotency-Key": "agency-42"})
    other = client.post("/open311/v2/requests.json", data=form,
                        headers={"Idempotency-Key": "agency-43"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json[0]["service_request_id"] == again.json[0]["service_request_id"]
    assert other.json[0]["service_request_id"] != first.json[0]["service_request_id"]
    assert _store(app).count() == 2


def test_bad_missing_and_revoked_keys(any_app: Flask) -> None:
    key_id, key = _key(any_app)
    client = any_app.test_client()
    form = {"service_code": "land", "centre": "chiangrai"}
    url = "/open311/v2/requests.json"
    assert "missing" in _errors(client.post(url, data=form), 403)
    assert "not valid" in _errors(client.post(url, data={**form, "api_key": "nonsense"}), 403)
    forged = re.sub(r"[0-9a-f]$", lambda m: "0" if m.group(0) != "0" else "1", key)
    assert "not valid" in _errors(client.post(url, data={**form, "api_key": forged}), 403)
    other_id = key.replace(f"_{key_id}_", f"_{key_id + 100}_")
    assert "not valid" in _errors(client.post(url, data={**form, "api_key": other_id}), 403)
    assert "not valid" in _errors(client.post(url, data={**form, "api_key": key.upper()}), 403)
    assert "missing" in _errors(client.post(f"{url}?api_key={key}", data=form), 403)
    assert client.post(url, data={**form, "api_key": key}).status_code == 201
    revoke_key(_store(any_app), key_id)
    assert "not valid" in _errors(client.post(url, data={**form, "api_key": key}), 403)


def test_wrong_keys_are_rate_limited(sqlite_url: str) -> None:
    for app in _app(sqlite_url, OPEN311_BAD_KEY_LIMIT=(3, 900)):
        _, key = _key(app)
        client = app.test_client()
        url = "/open311/v2/requests.json"
        form = {"service_code": "land", "centre": "chiangrai"}
        for _ in range(3):
            _errors(client.post(url, data={**form, "api_key": "dd311_1_" + "0" * 48}), 403)
        limited = client.post(url, data={**form, "api_key": "dd311_1_" + "1" * 48})
        assert "try again in 15 minute" in _errors(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 900
        # a valid key works from that very address: bad keys never block an agency
        assert client.post(url, data={**form, "api_key": key}).status_code == 201
        assert "try again" in _errors(client.post(url, data={**form}), 429)  # no key: still limited
        assert rate_hits(_store(app), "open311:badkey:127.0.0.1", timedelta(minutes=15)) >= 3


def test_cases_per_key_are_rate_limited(sqlite_url: str) -> None:
    for app in _app(sqlite_url, OPEN311_KEY_LIMIT=(2, 3600)):
        _, key = _key(app)
        client = app.test_client()
        form = {"api_key": key, "service_code": "land", "centre": "chiangrai"}
        assert [client.post("/open311/v2/requests.json", data=form).status_code
                for _ in range(2)] == [201, 201]
        limited = client.post("/open311/v2/requests.json", data=form)
        assert "too many requests with this api_key" in _errors(limited, 429)
        assert int(limited.headers["Retry-After"]) > 3000


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"centre": "chiangrai"}, "service_code is required"),
        ({"service_code": "potholes", "centre": "chiangrai"}, "service_code 'potholes'"),
        ({"service_code": "land"}, "a location is required"),
        ({"service_code": "land", "lat": "19.9"}, "both lat and long"),
        ({"service_code": "land", "lat": "north", "long": "99.8"}, "not a number"),
        ({"service_code": "land", "lat": "nan", "long": "99.8"}, "outside"),
        ({"service_code": "land", "lat": "48.85", "long": "2.35"}, "not in Thailand"),
        ({"service_code": "land", "lat": "13.75", "long": "100.5"}, "TH-10"),  # Bangkok
        ({"service_code": "land", "centre": "atlantis"}, "not a provincial centre"),
        ({"service_code": "land", "centre": "moi"}, "not a provincial centre"),
        ({"service_code": "land", "address_string": "123 Main Street"}, "names no Thai province"),
        ({"service_code": "land", "address_string": "จ.เชียงราย หรือ จ.เชียงใหม่"},
         "more than one province"),
        ({"service_code": "land", "centre": "chiangrai", "description": "ก" * 4001},
         "description is longer than 4000"),
        ({"service_code": "land", "centre": "chiangrai", "type": "rumour"}, "type must be"),
        ({"service_code": "land", "centre": "chiangrai", "media_url": "javascript:alert(1)"},
         "media_url"),
        ({"service_code": "land", "centre": "chiangrai", "jurisdiction_id": "x.example"},
         "jurisdiction_id"),
    ],
)
def test_post_bad_fields(app: Flask, client: FlaskClient, fields: dict, words: str) -> None:
    _, key = _key(app)
    answer = client.post("/open311/v2/requests.json", data={"api_key": key, **fields})
    assert words in _errors(answer, 400)
    assert _store(app).count() == 0


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2, 3]", "must be an object"),
        ('{"api_key": {"nested": true}}', "must be text"),
        ("[" * 30_000 + "]" * 30_000, "not valid JSON"),
    ],
)
def test_post_malformed_json(client: FlaskClient, body: str, words: str) -> None:
    answer = client.post("/open311/v2/requests.json", data=body, content_type="application/json")
    assert words in _errors(answer, 400)


def test_post_megabyte_body_is_413(client: FlaskClient) -> None:
    big = {"api_key": "x", "service_code": "land", "description": "ก" * 400_000}
    answer = client.post("/open311/v2/requests.json", data=big)
    assert "too large" in _errors(answer, 413)
    raw = client.post("/open311/v2/requests.json", data=b"{" + b" " * 1_000_000 + b"}",
                      content_type="application/json")
    assert "at most 64 KB" in _errors(raw, 413)


# -- no personal data in public reads ------------------------------------------------------


def test_public_reads_hold_no_personal_data(any_app: Flask) -> None:
    store = _store(any_app)
    ref = _open(any_app)
    tip = _open(any_app, type_="tip", topic="drugs", district="เชียงแสน")
    store.claim(ref, AGENT)
    store.add_message(ref, "agent", AGENT, f"คุณสมศรีครับ โทรกลับที่ {PHONE} ได้ไหม")
    store.add_note(ref, AGENT, f"ผู้ร้องเลขบัตร {ID_NUMBER}")
    pin = store.open_case(centre="chiangrai", province="TH-57", citizen_jid=CITIZEN,
                          body=SECRET_BODY).pin
    _, key = _key(any_app)
    client = any_app.test_client()
    posted = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "welfare", "centre": "chiangrai",
        "description": SECRET_BODY, "first_name": "มานี", "last_name": "มีนา",
        "phone": PHONE, "email": "manee@example.net"})
    assert posted.status_code == 201
    urls = ["/open311/discovery.json"]
    for fmt in ("json", "xml"):
        urls += [f"/open311/v2/services.{fmt}", f"/open311/v2/requests.{fmt}",
                 f"/open311/v2/requests.{fmt}?status=open",
                 f"/open311/v2/requests/{ref}.{fmt}", f"/open311/v2/requests/{tip}.{fmt}",
                 f"/open311/v2/requests/{posted.json[0]['service_request_id']}.{fmt}"]
    digits_id = ID_NUMBER
    digits_phone = re.sub(r"\D", "", PHONE)
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = answer.get_data(as_text=True)
        flat = re.sub(r"\D", "", text)
        assert digits_id not in flat and digits_phone not in flat, url
        for secret in (ID_DASHED, PHONE, "สมศรี", "มีสุข", "มานี", "มีนา", "manee", CITIZEN,
                       AGENT, "somchai", "หลุมลึก", "12/3", "open311.invalid", "pwa-chiangrai",
                       "@", pin):
            assert secret not in text, (url, secret)
    (tip_json,) = client.get(f"/open311/v2/requests/{tip}.json").json
    assert tip_json["address"] == "จ.เชียงราย"  # a tip's district is left out
    assert "เชียงแสน" not in client.get("/open311/v2/requests.json").get_data(as_text=True)


# -- keys in the store and the command line --------------------------------------------------


def test_api_keys_store_only_a_hash(db_store: CaseStore) -> None:
    view, key = create_key(db_store, "dds", "Department of Special Investigation")
    assert re.fullmatch(rf"dd311_{view.id}_[0-9a-f]{{48}}", key)
    with db_store.reading() as s:
        from casestore.models import ApiKey

        row = s.get(ApiKey, view.id)
        assert row.key_hash == hash_key(key) and key not in row.key_hash
    assert verify_key(db_store, key).id == view.id
    assert verify_key(db_store, key + "0") is None
    assert verify_key(db_store, None) is None
    assert verify_key(db_store, "x" * 10_000) is None
    revoked = revoke_key(db_store, view.id)
    assert revoked is not None and not revoked.active
    assert revoke_key(db_store, view.id).revoked_at == revoked.revoked_at
    assert verify_key(db_store, key) is None
    assert revoke_key(db_store, 999) is None
    for bad in ("", "Upper", "has space", "x" * 65, "-start", "ไทย", "a@b"):
        with pytest.raises(ValueError):
            create_key(db_store, bad)


def test_apikey_cli(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["apikey", "--database-url", sqlite_url]
    assert cli_main([*base, "add", "pwa-chiangrai", "--label", "การประปาส่วนภูมิภาค"]) == 0
    out = capsys.readouterr().out
    (key,) = re.findall(r"dd311_\d+_[0-9a-f]{48}", out)
    assert "pwa-chiangrai@open311.invalid" in out
    assert cli_main([*base, "list"]) == 0
    listing = capsys.readouterr().out
    assert "pwa-chiangrai" in listing and "การประปาส่วนภูมิภาค" in listing
    assert key not in listing and key[-48:] not in listing
    key_id = int(key.split("_")[1])
    with CaseStore(sqlite_url) as store:
        assert verify_key(store, key) is not None
    assert cli_main([*base, "revoke", str(key_id)]) == 0
    assert "revoked" in capsys.readouterr().out
    with CaseStore(sqlite_url) as store:
        assert verify_key(store, key) is None
    assert cli_main([*base, "revoke", "999"]) == 1
    assert "no API key 999" in capsys.readouterr().err
    assert cli_main([*base, "add", "Not Valid"]) == 2
    assert "agency" in capsys.readouterr().err


def test_apikey_cli_uses_the_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAMRONGDHAM_DATABASE_URL", raising=False)
    assert cli_main(["apikey", "--data-dir", str(tmp_path / "none"), "list"]) == 2
    assert "damrongdham up" in capsys.readouterr().err
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"data_dir": str(data)}), encoding="utf-8")
    assert cli_main(["apikey", "--data-dir", str(data), "list"]) == 0
    assert "no API keys yet" in capsys.readouterr().out
    assert cli_main(["apikey", "add", "dopa", "--data-dir", str(data)]) == 0  # options last
    assert "agency dopa" in capsys.readouterr().out
    assert (data / "damrongdham.sqlite3").exists()


def test_nearest_province() -> None:
    assert nearest_province(19.91, 99.84) == "TH-57"  # Mueang Chiang Rai
    assert nearest_province(18.79, 98.98) == "TH-50"  # Chiang Mai
    assert nearest_province(48.85, 2.35) is None


def test_public_lists_are_reused_for_a_few_seconds(sqlite_url: str) -> None:
    """With the cache on (the default), a list asked again within the period is the same
    answer even if a case was opened meanwhile; another query is not."""
    for app in _app(sqlite_url, OPEN311_CACHE_SECONDS=60):
        client = app.test_client()
        first = client.get("/open311/v2/requests.json")
        assert first.status_code == 200 and "max-age=60" in first.headers["Cache-Control"]
        store = CaseStore(sqlite_url)
        store.open_case(centre="nan", province="TH-55", citizen_jid="a@citizens.d",
                        body="ถนนพัง", topic="infrastructure")  # fmt: skip
        store.close()
        again = client.get("/open311/v2/requests.json")
        assert again.get_data() == first.get_data()
        other = client.get("/open311/v2/requests.json?status=open")
        assert len(other.get_json()) == len(first.get_json()) + 1


# -- anonymous cases: province only, dates to the day ------------------------------------------

ANON = "anonymous@anon.example.org"


def test_anonymous_cases_publish_the_province_and_the_day_only(any_app: Flask) -> None:
    """Whatever its type, a case of the anonymous placeholder shows no district and no time
    of day, on the list, the single record and in XML; a registered citizen's complaint of
    the same second keeps both."""
    t0 = datetime(2026, 11, 1, 3, 4, 5, tzinfo=UTC)  # 10:04:05 in Thai time
    anon = _open(any_app, citizen=ANON, type_="complaint", now=t0)
    named = _open(any_app, now=t0)
    _store(any_app).set_status(anon, Status.IN_PROGRESS, AGENT, now=t0 + timedelta(hours=20))
    client = any_app.test_client()
    by_id = {r["service_request_id"]: r for r in client.get(
        f"/open311/v2/requests.json?service_request_id={anon},{named}").json}
    rec = by_id[anon]
    assert rec["address"] == "จ.เชียงราย"
    assert rec["requested_datetime"] == "2026-11-01"
    assert rec["updated_datetime"] == "2026-11-02"  # 23:04:05 UTC is the 2nd in Thai time
    assert "แม่สาย" not in json.dumps(rec, ensure_ascii=False)
    assert by_id[named]["address"] == "อ.แม่สาย จ.เชียงราย"
    assert by_id[named]["requested_datetime"] == "2026-11-01T10:04:05+07:00"
    assert client.get(f"/open311/v2/requests/{anon}.json").json == [rec]
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{anon}.xml").data).find("request")
    assert xml.findtext("requested_datetime") == "2026-11-01"
    assert xml.findtext("address") == "จ.เชียงราย"


def test_time_filters_cannot_find_an_anonymous_cases_second(any_app: Flask) -> None:
    """start_date/end_date see an anonymous case by its day: narrowing the window around
    its second neither finds it nor loses it, where a named case's second is public."""
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    anon = _open(any_app, citizen=ANON, now=t0)
    named = _open(any_app, now=t0)
    client = any_app.test_client()

    def ids(start: datetime, end: datetime) -> set[str]:
        q = (f"start_date={start.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
             f"&end_date={end.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")
        answer = client.get(f"/open311/v2/requests.json?{q}")
        assert answer.status_code == 200, answer.json
        return {r["service_request_id"] for r in answer.json}

    day = t0.astimezone(open311.BANGKOK).replace(hour=0, minute=0, second=0)
    assert ids(t0 - timedelta(seconds=1), t0 + timedelta(seconds=1)) == {named}
    assert ids(t0 + timedelta(seconds=1), t0 + timedelta(hours=2)) == set()
    assert ids(day, day + timedelta(days=1)) == {anon, named}
    assert ids(day + timedelta(seconds=1), day + timedelta(days=2)) == {named}  # day began


def test_a_purged_anonymous_case_stays_anonymous(any_app: Flask) -> None:
    from casestore.pdpa import purge

    t0 = datetime(2025, 1, 1, 3, 0, tzinfo=UTC)
    anon = _open(any_app, citizen=ANON, now=t0)
    store = _store(any_app)
    store.set_status(anon, Status.CLOSED, AGENT, now=t0 + timedelta(days=1))
    assert purge(store, older_than_days=30).refs == [anon]
    (rec,) = any_app.test_client().get(f"/open311/v2/requests/{anon}.json").json
    assert rec["address"] == "จ.เชียงราย" and rec["requested_datetime"] == "2025-01-01"


@pytest.mark.parametrize("query", [
    "start_date=0001-01-01", "end_date=0001-01-01", "start_date=9999-12-31",
    "end_date=9999-12-31", "start_date=0001-01-01T00:00:00%2B14:00",
    "start_date=9999-12-31T23:59:59-14:00", "end_date=9999-12-31T23:59:59%2B14:00",
    "start_date=0001-01-01T00:00:00Z&end_date=0001-01-02T00:00:00Z",
])
def test_far_dates_are_a_400_never_a_500(any_app: Flask, query: str) -> None:
    r = any_app.test_client().get(f"/open311/v2/requests.json?{query}")
    assert r.status_code in (200, 400), (query, r.status_code)
