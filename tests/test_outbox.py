"""/forward and the durable outbox: one transaction, Open311 payload, delivery to a real local
HTTP endpoint that is down then up (delivered exactly once), restarts, backoff, migration."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from catalogue_helpers import told
from sqlalchemy import inspect

import casestore.store.outbox as outbox_module  # where the store builds outbox rows
from bots import catalogue
from bots.agencies import Agency, find_agency, load_agencies, parse_agencies
from bots.relay import Relay
from bridge.outbox import agency_reference, backoff, deliver_due, open311_request, payload_of
from casestore import CaseStore, InvalidTransition, Status
from casestore.migrate import upgrade
from kernel.addresses import Addresses, Outgoing

D = "damrongdham.localhost"
ADDR = Addresses.for_domain(D)
SOMCHAI = f"somchai.phrae@{D}"
STAFF = frozenset({f"phrae@{D}", SOMCHAI})
CITIZEN = f"nok@citizens.{D}"
ROOM = f"phrae@rooms.{D}"
T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Agency311:
    """A tiny Open311 endpoint on 127.0.0.1 that records every request it accepts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[dict, dict]] = []  # (headers, JSON body)
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2/requests.json"

    def start(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), json.loads(body)))
                answer = json.dumps([{"service_request_id": f"PEA-{len(received)}"}]).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def endpoint():
    ep = Agency311(free_port())
    yield ep
    ep.stop()


def agencies_for(url: str | None) -> dict[str, Agency]:
    return {"pea": Agency("pea", "การไฟฟ้าส่วนภูมิภาค", "Provincial Electricity Authority", url)}


def open_case(store: CaseStore) -> str:
    return store.open_case(
        centre="phrae",
        province="TH-54",
        district="เมืองแพร่",
        citizen_jid=CITIZEN,
        body="เสาไฟฟ้าล้มขวางถนน",
        topic="infrastructure",
        now=T0,
    ).case.ref


# -- the store -------------------------------------------------------------------------------


def test_forward_writes_status_and_outbox_row_together(db_url: str, monkeypatch) -> None:
    with CaseStore(db_url) as store:
        store.migrate()
        ref = open_case(store)
        before, after, row = store.forward(ref, "pea", SOMCHAI, '{"x": 1}', "ด่วน", now=T0)
        assert (before.status, after.status) == (Status.NEW, Status.FORWARDED)
        assert (row.ref, row.agency, row.payload, row.attempts) == (ref, "pea", '{"x": 1}', 0)
        assert row.delivered_at is None and row.next_attempt_at == T0
        ev = store.events(ref)[-1]
        assert (ev.kind, ev.actor, ev.from_status, ev.to_status, ev.note) == (
            "forwarded",
            SOMCHAI,
            Status.NEW,
            Status.FORWARDED,
            "pea: ด่วน",
        )
        # the lifecycle refuses a second forward: no second row
        with pytest.raises(InvalidTransition):
            store.forward(ref, "pwa", SOMCHAI, "{}")
        assert len(store.deliveries(ref)) == 1

        other = open_case(store)

        class Broken:
            def __init__(self, **kw: object) -> None:
                raise RuntimeError("disk full")

        monkeypatch.setattr(outbox_module, "Delivery", Broken)
        with pytest.raises(RuntimeError):
            store.forward(other, "pea", SOMCHAI, "{}")
        monkeypatch.undo()
        assert store.get(other).status == Status.NEW  # no status change without its row
        assert [e.kind for e in store.events(other)] == ["opened"]
        assert store.deliveries(other) == []


def test_due_rows_are_leased_and_retried_after_a_failure(db_url: str) -> None:
    with CaseStore(db_url) as store:
        store.migrate()
        ref = open_case(store)
        _b, _a, row = store.forward(ref, "pea", SOMCHAI, "{}", now=T0)
        assert store.due_deliveries(now=T0 - timedelta(seconds=1)) == []
        (taken,) = store.due_deliveries(now=T0, lease=60)
        assert taken.id == row.id
        assert store.due_deliveries(now=T0 + timedelta(seconds=59)) == []  # leased
        failed = store.delivery_failed(row.id, "refused", T0 + timedelta(seconds=5))
        assert (failed.attempts, failed.last_error) == (1, "refused")
        assert store.due_deliveries(now=T0 + timedelta(seconds=4)) == []
        assert [r.id for r in store.due_deliveries(now=T0 + timedelta(seconds=5))] == [row.id]
        done = store.delivered(row.id, "PEA-7", now=T0 + timedelta(seconds=6))
        assert (done.attempts, done.agency_ref, done.last_error) == (2, "PEA-7", None)
        assert store.due_deliveries(now=T0 + timedelta(days=1)) == []
        again = store.delivered(row.id, "PEA-8")  # a late duplicate confirmation changes nothing
        assert again.agency_ref == "PEA-7"
        assert [e.kind for e in store.events(ref)][-1:] == ["delivered"]
        assert store.events(ref)[-1].note == "pea: PEA-7"


def test_upgrade_from_0001_keeps_cases_and_adds_the_outbox(db_url: str) -> None:
    from sqlalchemy import text

    with CaseStore(db_url) as store:
        upgrade(store.engine, "0001")
        ref = "TH54-2569-000001"
        with store.engine.begin() as conn:  # as a 0001 server wrote it (no later columns)
            conn.execute(text(
                "INSERT INTO cases (ref, centre, province, district, citizen_jid, status, type,"
                " topic, urgent, urgent_reason, summary, assigned_to, channel, pin_hash,"
                " created_at, updated_at) VALUES (:ref, 'phrae', 'TH-54', 'เมืองแพร่',"
                " 'nok@citizens.d', 'new', 'complaint', 'infrastructure', :no, NULL,"
                " 'เสาไฟฟ้าล้ม', NULL, 'xmpp', 'h', :at, :at)"
            ), {"ref": ref, "no": False, "at": datetime.now(UTC)})
        assert "outbox" not in inspect(store.engine).get_table_names()
        store.migrate()
        assert "outbox" in inspect(store.engine).get_table_names()
        assert store.get(ref) is not None
        store.forward(ref, "pea", SOMCHAI, "{}")
        assert len(store.deliveries(ref)) == 1


def test_the_payload_is_the_public_record_plus_what_the_agency_needs(store: CaseStore) -> None:
    """One serialiser: the outbox sends the public Open311 record (status forwarded) with the
    masked summary, the agency, the address, type and urgency; nothing of the citizen's."""
    from casestore.open311_format import service_request

    case = store.get(open_case(store))
    assert case is not None
    sent = open311_request(case, agencies_for(None)["pea"], "ด่วน", lat_long=(18.14, 100.14))
    public = service_request(case, status=Status.FORWARDED)
    shared = set(public) - {"description", "agency_responsible", "address", "lat", "long"}
    assert {k: sent[k] for k in shared if public[k] is not None} == {
        k: public[k] for k in shared if public[k] is not None
    }
    assert not {k for k in shared if public[k] is None} & set(sent)
    assert sent["description"] == case.summary and public["description"] != case.summary
    assert sent["agency_responsible"] == "การไฟฟ้าส่วนภูมิภาค"
    assert sent["address_string"] == "อ.เมืองแพร่ จ.แพร่" and "address" not in sent
    assert (sent["lat"], sent["long"], sent["agency_note"]) == (18.14, 100.14, "ด่วน")
    assert (sent["status"], sent["status_notes"], sent["requested_datetime"]) == (
        "open",
        "forwarded",
        "2026-11-21T09:00:00+07:00",
    )
    assert CITIZEN not in payload_of(sent)


# -- delivery --------------------------------------------------------------------------------


def test_endpoint_down_then_up_is_delivered_exactly_once(tmp_path: Path, endpoint) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    clock = [T0]

    def now() -> datetime:
        return clock[0]

    with CaseStore(url) as store:
        store.migrate()
        ref = open_case(store)
        case = store.get(ref)
        agencies = agencies_for(endpoint.url)
        payload = payload_of(open311_request(case, agencies["pea"]))
        store.forward(ref, "pea", SOMCHAI, payload, now=T0)
        # the agency is down: two attempts fail, each waiting twice as long as the one before
        first = deliver_due(store, agencies, now=now)
        assert first.delivered == [] and first.failed[0].attempts == 1
        assert first.failed[0].next_attempt_at == T0 + timedelta(seconds=5)
        clock[0] = T0 + timedelta(seconds=5)
        second = deliver_due(store, agencies, now=now)
        assert second.failed[0].next_attempt_at == clock[0] + timedelta(seconds=10)
        assert second.failed[0].attempts == 2 and second.failed[0].last_error

    # the bot restarts; the row is still pending; the agency comes back
    endpoint.start()
    with CaseStore(url) as store:
        clock[0] = T0 + timedelta(seconds=14)
        assert deliver_due(store, agencies, now=now).delivered == []  # not due yet
        clock[0] = T0 + timedelta(seconds=15)
        (done,) = deliver_due(store, agencies, now=now).delivered
        assert (done.agency_ref, done.delivered_at, done.attempts) == ("PEA-1", clock[0], 3)
        clock[0] = T0 + timedelta(days=2)
        assert deliver_due(store, agencies, now=now).delivered == []
    assert len(endpoint.received) == 1
    headers, body = endpoint.received[0]
    assert headers["Idempotency-Key"] == f"damrongdham/{done.id}"
    assert headers["Content-Type"].startswith("application/json")
    assert body["service_request_id"] == ref and body["service_code"] == "infrastructure"
    assert body["description"] == "เสาไฟฟ้าล้มขวางถนน"
    assert body["address_string"] == "อ.เมืองแพร่ จ.แพร่"
    assert body["status"] == "open" and body["status_notes"] == "forwarded"
    assert "lat" not in body and CITIZEN not in json.dumps(body, ensure_ascii=False)


def test_an_agency_without_endpoint_keeps_the_row_pending(store: CaseStore) -> None:
    ref = open_case(store)
    store.forward(ref, "pea", SOMCHAI, "{}", now=T0)
    out = deliver_due(store, agencies_for(None), now=lambda: T0)
    assert out.delivered == [] and "no endpoint" in out.failed[0].last_error
    assert store.deliveries(ref)[0].delivered_at is None


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff(n, 5, 60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


@pytest.mark.parametrize(
    ("answer", "ref"),
    [
        (b'[{"service_request_id": "638344"}]', "638344"),
        (b'[{"token": "12345"}]', "12345"),
        (b'{"service_request_id": 7}', "7"),
        (b"ok", None),
        (b"", None),
    ],
)
def test_agency_reference(answer: bytes, ref: str | None) -> None:
    assert agency_reference(answer) == ref


# -- agencies --------------------------------------------------------------------------------


def test_packaged_agencies_and_overrides(tmp_path: Path, monkeypatch) -> None:
    agencies = load_agencies()
    assert {"pea", "pwa", "dol", "ocpb", "police"} <= set(agencies)
    assert all(a.url is None for a in agencies.values())  # no endpoint is assumed
    assert find_agency("การไฟฟ้าส่วนภูมิภาค", agencies).id == "pea"
    assert find_agency("PEA", agencies).id == "pea"
    assert find_agency("nasa", agencies) is None
    mine = tmp_path / "agencies.json"
    mine.write_text(
        json.dumps({"agencies": [{"id": "x", "name_th": "ก", "name_en": "X", "url": "http://h/"}]})
    )
    monkeypatch.setenv("DAMRONGDHAM_AGENCIES", str(mine))
    assert list(load_agencies()) == ["x"]
    for bad in ('{"agencies": [{"id": "x"}]}', '{"agencies": [{"id": "Bad Id", "name_th": '
                '"ก", "name_en": "X"}]}', '{"agencies": [{"id": "x", "name_th": "ก", '
                '"name_en": "X", "url": "ftp://h"}]}', "[]"):  # fmt: skip
        with pytest.raises(ValueError):
            parse_agencies(bad)


# -- the command -----------------------------------------------------------------------------


def agent_says(relay: Relay, ref: str, body: str) -> list[Outgoing]:
    return relay.from_case_address(SOMCHAI, ref.lower(), body, None, True, STAFF)


def test_forward_command(store: CaseStore) -> None:
    relay = Relay(store, ADDR, agencies=agencies_for("http://127.0.0.1:9/"))
    ref = open_case(store)
    refused = agent_says(relay, ref, "/forward nasa")
    assert [o.to for o in refused] == [SOMCHAI]
    read = told(refused[0].body, "agent.no_agency")
    assert read["word"] == "nasa" and "pea" in read["known"]
    assert told(agent_says(relay, ref, "/forward")[0].body, "agent.argument_missing")["name"] == (
        "forward"
    )
    assert store.deliveries(ref) == [] and store.get(ref).status == Status.NEW

    outs = agent_says(relay, ref, "/ส่งต่อ การไฟฟ้าส่วนภูมิภาค เสาล้มขวางถนน")
    assert store.get(ref).status == Status.FORWARDED
    (notice,) = [o for o in outs if o.to == CITIZEN]
    read = catalogue.values(notice.body, "citizen.status_notice")
    assert (read["ref"], read["status_th"]) == (ref, "ส่งต่อหน่วยงานที่เกี่ยวข้องแล้ว")
    _, agency_line, hint = read["more"].split("\n")
    assert catalogue.values(agency_line, "citizen.forwarded_to")["name_th"] == "การไฟฟ้าส่วนภูมิภาค"
    assert catalogue.matches(hint, "citizen.hint_forwarded")
    assert notice.sender == "phrae" and SOMCHAI not in notice.body
    (room,) = [o for o in outs if o.to == ROOM]
    changed = catalogue.values(room.body, "room.status_changed")
    assert (changed["new"], changed["why"]) == ("forwarded", f" — {agency_line}")
    (confirm,) = [o for o in outs if o.to == SOMCHAI]
    assert told(confirm.body, "agent.forwarded")["agency"] == "pea"
    (row,) = store.deliveries(ref)
    request = json.loads(row.payload)
    assert request["service_request_id"] == ref and request["agency_note"] == "เสาล้มขวางถนน"
    again = agent_says(relay, ref, "/forward pea")  # forwarded → forwarded: refused
    assert [o.to for o in again] == [SOMCHAI]
    assert told(again[0].body, "agent.cannot_move")["status"] == "forwarded"
    assert len(store.deliveries(ref)) == 1
