"""Agent commands without XMPP: the parser, each command's effect and refusals, the audit log."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from catalogue_helpers import told

from bots import catalogue
from bots.agent_commands import registry
from bots.agent_commands.syntax import help_text, parse, parse_status, reply_text
from bots.relay import Relay
from casestore import AlreadyAssigned, CaseStore, InvalidTransition, Status
from casestore.labels import STATUS_EN, STATUS_TH
from casestore.policy import reopen_days
from kernel.addresses import Addresses, Outgoing

SPECS = registry.commands()

D = "damrongdham.localhost"
ADDR = Addresses.for_domain(D)
CENTRE = f"phrae@{D}"
SOMCHAI = f"somchai.phrae@{D}"
MALI = f"mali.phrae@{D}"
STAFF = frozenset({CENTRE, SOMCHAI, MALI})
CITIZEN = f"nok@citizens.{D}"
ROOM = f"phrae@rooms.{D}"


# -- parser ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "name", "arg"),
    [
        ("/claim", "claim", ""),
        ("!claim", "claim", ""),
        ("/CLAIM", "claim", ""),
        ("/รับเรื่อง", "claim", ""),
        ("/ help", "help", ""),
        ("/?", "help", ""),
        ("/ช่วยเหลือ", "help", ""),
        ("/assign somchai", "assign", "somchai"),
        ("/มอบหมาย mali.phrae@x", "assign", "mali.phrae@x"),
        ("/note โทรหาผู้ร้องแล้ว", "note", "โทรหาผู้ร้องแล้ว"),
        ("/บันทึกโทรหาผู้ร้องแล้ว", "note", "โทรหาผู้ร้องแล้ว"),  # Thai: no space needed
        ("/note line one\nline two", "note", "line one\nline two"),
        ("/status in_progress", "status", "in_progress"),
        ("/สถานะ กำลังดำเนินการ", "status", "กำลังดำเนินการ"),
        ("/resolve ซ่อมถนนเสร็จแล้ว", "resolve", "ซ่อมถนนเสร็จแล้ว"),
        ("/แก้ไขแล้ว", "resolve", ""),
        ("/close", "close", ""),
        ("/ปิดเรื่อง", "close", ""),
        ("/reopen", "reopen", ""),
        ("/เปิดใหม่", "reopen", ""),
        ("/history", "history", ""),
        ("/ประวัติ", "history", ""),
        ("  /claim  ", "claim", ""),
    ],
)
def test_commands_parse(body: str, name: str, arg: str) -> None:
    cmd = parse(body)
    assert cmd is not None and cmd.name == name and cmd.arg == arg


@pytest.mark.parametrize(
    "body",
    [
        "รับเรื่องแล้วครับ จะส่งช่างไปพรุ่งนี้",  # starts with a Thai command word, no prefix
        "สถานะเรื่องของท่านคือกำลังดำเนินการ",
        "ปิดเรื่องนี้ได้ไหมครับ",
        "close the gate please",
        "help is on the way",
        "//close",  # escaped: sent as "/close"
        "!!",
        "/",
        "",
        "ขอบคุณครับ /ศูนย์ดำรงธรรม",
    ],
)
def test_replies_are_not_commands(body: str) -> None:
    assert parse(body) is None


def test_unknown_command_keeps_the_word() -> None:
    cmd = parse("/frobnicate now")
    assert cmd is not None and cmd.spec is None and cmd.word == "frobnicate"


def test_escape_sends_the_slash() -> None:
    assert reply_text("//close the gate") == "/close the gate"
    assert reply_text("!!important") == "!important"
    assert reply_text("สวัสดีครับ") == "สวัสดีครับ"


def test_help_lists_every_command_in_thai_and_english() -> None:
    text = help_text()
    for spec in SPECS:
        assert f"/{spec.name}" in text and f"/{spec.thai}" in text


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("in_progress", Status.IN_PROGRESS),
        ("In-Progress", Status.IN_PROGRESS),
        ("in progress", Status.IN_PROGRESS),
        ("กำลังดำเนินการ", Status.IN_PROGRESS),
        ("waiting", Status.WAITING_CITIZEN),
        ("รอข้อมูล", Status.WAITING_CITIZEN),
        ("forwarded", Status.FORWARDED),
        ("resolved", Status.RESOLVED),
        ("nonsense", None),
        ("", None),
    ],
)
def test_status_words(word: str, status: Status | None) -> None:
    assert parse_status(word) == status


# -- commands against a SQLite store ---------------------------------------------------------


@pytest.fixture
def ref(store: CaseStore) -> str:
    return store.open_case(
        centre="phrae", province="TH-54", citizen_jid=CITIZEN, body="น้ำประปาไม่ไหลสามวันแล้ว"
    ).case.ref


def agent_says(relay: Relay, ref: str, agent: str, body: str, origin: str | None = None):
    return relay.from_case_address(agent, ref.lower(), body, origin, agent in STAFF, STAFF)


def to(outs: list[Outgoing], jid: str) -> list[str]:
    return [o.body for o in outs if o.to == jid]


def kinds(store: CaseStore, ref: str) -> list[str]:
    return [e.kind for e in store.events(ref)]


def test_claim_assigns_and_tells_the_citizen_and_the_room(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "/claim")
    case = store.get(ref)
    assert case.assigned_to == SOMCHAI and case.status == Status.ASSIGNED
    (notice,) = to(outs, CITIZEN)
    read = catalogue.values(notice, "citizen.status_notice")
    assert (read["ref"], read["status_en"], read["more"]) == (ref, "assigned", "")
    assert read["status_th"] == STATUS_TH[Status.ASSIGNED]
    assert SOMCHAI not in notice  # the citizen never sees the agent's JID
    citizen_out = next(o for o in outs if o.to == CITIZEN)
    assert citizen_out.sender == "phrae"  # signed by the centre
    room = [o for o in outs if o.to == ROOM]
    assert room and all(o.groupchat for o in room)
    assert catalogue.values(room[0].body, "room.claimed") == {"ref": ref, "agent": SOMCHAI}
    assert catalogue.values(room[1].body, "room.status_changed")["new"] == "assigned"
    assert told(to(outs, SOMCHAI)[0], "agent.claimed") == {"case": ref}
    assert kinds(store, ref) == ["opened", "claimed"]
    ev = store.events(ref)[-1]
    assert (ev.actor, ev.from_status, ev.to_status) == (SOMCHAI, Status.NEW, Status.ASSIGNED)
    # the notice is part of the case record
    assert store.transcript(ref)[-1].direction == "system"


def test_second_claim_is_refused_with_the_holder(store, relay, ref) -> None:
    agent_says(relay, ref, SOMCHAI, "/claim")
    outs = agent_says(relay, ref, MALI, "/รับเรื่อง")
    assert outs == [o for o in outs if o.to == MALI]
    assert told(outs[0].body, "agent.claimed_by_other")["agent"] == SOMCHAI
    assert store.get(ref).assigned_to == SOMCHAI
    again = agent_says(relay, ref, SOMCHAI, "/claim")
    assert told(again[0].body, "agent.already_yours") == {"case": ref}
    assert kinds(store, ref) == ["opened", "claimed"]


def test_assign_by_name_and_by_jid(store, relay, ref) -> None:
    outs = agent_says(relay, ref, CENTRE, "/assign mali")
    assert store.get(ref).assigned_to == MALI
    (mine,) = to(outs, MALI)
    read = catalogue.values(mine, "agent.assigned_to_you")
    assert (read["ref"], read["agent"], read["case_jid"]) == (ref, CENTRE, ADDR.case_jid(ref))
    assert told(to(outs, CENTRE)[0], "agent.assigned")["target"] == MALI
    assert to(outs, CITIZEN)  # new -> assigned is a status change
    outs = agent_says(relay, ref, MALI, f"/มอบหมาย {SOMCHAI}")
    assert store.get(ref).assigned_to == SOMCHAI
    assert to(outs, CITIZEN) == []  # still "assigned": the citizen is not bothered
    assert kinds(store, ref) == ["opened", "assigned", "assigned"]
    assert store.events(ref)[-1].actor == MALI


def test_assign_refusals(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "/assign")
    assert told(outs[0].body, "agent.argument_missing")["name"] == "assign"
    outs = agent_says(relay, ref, SOMCHAI, f"/assign stranger@citizens.{D}")
    assert told(outs[0].body, "agent.no_agent")["arg"] == f"stranger@citizens.{D}"
    outs = agent_says(relay, ref, SOMCHAI, "/assign somsak")
    assert told(outs[0].body, "agent.no_agent")["arg"] == "somsak" and len(outs) == 1
    assert store.get(ref).assigned_to is None and kinds(store, ref) == ["opened"]


def test_note_is_stored_and_never_relayed(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "/บันทึก ผู้ร้องเคยร้องเรื่องเดียวกันปีที่แล้ว", "n1")
    assert [o.to for o in outs] == [SOMCHAI]
    assert told(outs[0].body, "agent.note_saved") == {"case": ref}
    last = store.transcript(ref)[-1]
    assert (last.direction, last.sender) == ("note", SOMCHAI)
    assert "ปีที่แล้ว" in last.body
    assert kinds(store, ref) == ["opened", "note"]
    # redelivered (same origin id): stored once, no second confirmation
    assert agent_says(relay, ref, SOMCHAI, "/บันทึก ผู้ร้องเคยร้องเรื่องเดียวกันปีที่แล้ว", "n1") == []
    assert kinds(store, ref) == ["opened", "note"]
    outs = agent_says(relay, ref, SOMCHAI, "/note")
    assert told(outs[0].body, "agent.argument_missing")["name"] == "note"
    assert kinds(store, ref) == ["opened", "note"]


def test_status_change_is_validated_and_told(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "/status in_progress")
    assert store.get(ref).status == Status.IN_PROGRESS
    (notice,) = to(outs, CITIZEN)
    read = catalogue.values(notice, "citizen.status_notice")
    assert (read["status_th"], read["status_en"]) == ("กำลังดำเนินการ", "in progress")
    assert told(to(outs, SOMCHAI)[0], "agent.status_now")["status"] == "in_progress"
    # in_progress -> new is not allowed
    outs = agent_says(relay, ref, SOMCHAI, "/status new")
    assert [o.to for o in outs] == [SOMCHAI]
    refused = told(outs[0].body, "agent.cannot_move")
    assert refused["status"] == "new"
    allowed = catalogue.values(refused["summary"], "agent.status_summary")["allowed"]
    assert "resolved (แก้ไขแล้ว)" in allowed and "new" not in allowed
    outs = agent_says(relay, ref, SOMCHAI, "/status flying")
    assert told(outs[0].body, "agent.unknown_status")["arg"] == "flying"
    outs = agent_says(relay, ref, SOMCHAI, "/status merged")
    assert told(outs[0].body, "agent.merge_needs_ref") == {"case": ref}
    outs = agent_says(relay, ref, SOMCHAI, "/สถานะ")
    summary = told(outs[0].body, "agent.status_summary")
    assert summary["label"].startswith("กำลังดำเนินการ") and len(outs) == 1
    assert summary["holder"] == catalogue.render("agent.nobody")
    assert store.get(ref).status == Status.IN_PROGRESS
    assert kinds(store, ref) == ["opened", "status"]


def test_resolve_close_reopen(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "/resolve การประปาซ่อมท่อแล้ว")
    assert store.get(ref).status == Status.RESOLVED
    (notice,) = to(outs, CITIZEN)
    read = catalogue.values(notice, "citizen.status_notice")
    assert (read["status_th"], read["status_en"]) == ("แก้ไขแล้ว", "resolved")
    invitation = catalogue.render("citizen.rating_invitation", ref=ref, days=reopen_days())
    assert read["more"] == f"\nการประปาซ่อมท่อแล้ว\n{invitation}"
    again = agent_says(relay, ref, SOMCHAI, "/resolve")[0].body  # twice: refused
    assert told(again, "agent.cannot_move")["label"].startswith("แก้ไขแล้ว")
    outs = agent_says(relay, ref, SOMCHAI, "/ปิดเรื่อง")
    assert store.get(ref).status == Status.CLOSED
    read = catalogue.values(to(outs, CITIZEN)[0], "citizen.status_notice")
    assert read["status_en"] == STATUS_EN[Status.CLOSED]
    assert read["more"] == "\n" + catalogue.render("citizen.hint_closed")
    outs = agent_says(relay, ref, SOMCHAI, "/close")
    assert told(outs[0].body, "agent.cannot_move")["status"] == "closed" and len(outs) == 1
    outs = agent_says(relay, ref, SOMCHAI, "/reopen")
    assert store.get(ref).status == Status.REOPENED
    read = catalogue.values(to(outs, CITIZEN)[0], "citizen.status_notice")
    assert read["status_th"] == "เปิดเรื่องใหม่"
    outs = agent_says(relay, ref, SOMCHAI, "/reopen")
    assert told(outs[0].body, "agent.cannot_move")["status"] == "reopened"
    assert kinds(store, ref) == ["opened", "status", "status", "status"]
    evs = store.events(ref)
    assert evs[1].note == "การประปาซ่อมท่อแล้ว"
    assert [(e.from_status, e.to_status) for e in evs[1:]] == [
        (Status.NEW, Status.RESOLVED),
        (Status.RESOLVED, Status.CLOSED),
        (Status.CLOSED, Status.REOPENED),
    ]


def test_a_redelivered_command_runs_once(store, relay, ref) -> None:
    first = agent_says(relay, ref, SOMCHAI, "/resolve เสร็จแล้ว", "same-id")
    assert to(first, CITIZEN)
    assert agent_says(relay, ref, SOMCHAI, "/resolve เสร็จแล้ว", "same-id") == []
    assert agent_says(relay, ref, SOMCHAI, "/history", "h1")
    assert agent_says(relay, ref, SOMCHAI, "/history", "h1") == []
    assert kinds(store, ref) == ["opened", "status", "history"]


def test_assign_on_a_closed_case_is_refused(store, relay, ref) -> None:
    agent_says(relay, ref, SOMCHAI, "/close")
    outs = agent_says(relay, ref, SOMCHAI, "/assign mali")
    assert [o.to for o in outs] == [SOMCHAI]
    assert told(outs[0].body, "agent.cannot_move")["status"] == "assigned"
    assert store.get(ref).assigned_to is None
    assert kinds(store, ref) == ["opened", "status"]


def test_close_takes_no_argument(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "/close now")
    assert told(outs[0].body, "agent.argument_not_taken")["name"] == "close"
    assert store.get(ref).status == Status.NEW


def test_history_shows_transcript_audit_and_earlier_cases(store, relay, ref) -> None:
    earlier = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=CITIZEN, body="ไฟถนนดับทั้งซอย"
    ).case.ref
    agent_says(relay, ref, SOMCHAI, "/claim")
    agent_says(relay, ref, SOMCHAI, "กำลังประสานการประปาครับ")
    agent_says(relay, ref, SOMCHAI, "/note รอการประปาตอบ")
    outs = agent_says(relay, ref, MALI, "/ประวัติ")
    assert [o.to for o in outs] == [MALI]
    text = outs[0].body
    for piece in ("น้ำประปาไม่ไหล", "กำลังประสาน", "รอการประปาตอบ", "claimed", "note", earlier):
        assert piece in text
    assert kinds(store, ref)[-1] == "history" and store.events(ref)[-1].actor == MALI
    others = catalogue.render("agent.history_others", count=1)
    assert ref not in text.split(others)[1] and earlier in text.split(others)[1]
    assert text.startswith("[" + ref + "] ") and catalogue.contains(text, "agent.history_title")


def test_help_and_unknown_command(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "/ช่วยเหลือ")
    assert "/claim" in outs[0].body and "/รับเรื่อง" in outs[0].body
    assert kinds(store, ref) == ["opened", "help"]
    outs = agent_says(relay, ref, SOMCHAI, "/frobnicate")
    assert [o.to for o in outs] == [SOMCHAI]
    assert told(outs[0].body, "agent.unknown_command")["word"] == "frobnicate"
    assert len(store.transcript(ref)) == 1 and kinds(store, ref) == ["opened", "help"]


def test_plain_reply_and_escaped_slash_go_to_the_citizen(store, relay, ref) -> None:
    outs = agent_says(relay, ref, SOMCHAI, "รับเรื่องแล้วครับ")
    assert any("รับเรื่องแล้วครับ" in b for b in to(outs, CITIZEN))
    assert store.get(ref).assigned_to == SOMCHAI  # the first to answer takes the case
    assert len(to(outs, CITIZEN)) == 1  # the reply is the news: no separate notice
    assert any(SOMCHAI in b for b in to(outs, ROOM))
    assert kinds(store, ref) == ["opened", "claimed"]
    outs = agent_says(relay, ref, SOMCHAI, "//close คือคำสั่งปิดเรื่อง")
    assert any("/close คือคำสั่งปิดเรื่อง" in b for b in to(outs, CITIZEN))
    assert store.get(ref).status == Status.ASSIGNED


def test_a_citizen_command_is_just_a_message(store, relay, ref) -> None:
    outs = relay.from_case_address(CITIZEN, ref.lower(), "/close", None, False, frozenset())
    assert store.get(ref).status == Status.NEW
    assert [o.to for o in outs] == [ROOM] and "/close" in outs[0].body
    assert store.transcript(ref)[-1].direction == "citizen"
    assert kinds(store, ref) == ["opened"]


def test_an_agent_of_another_centre_is_refused(store, relay, ref) -> None:
    other = f"somsri.nan@{D}"
    outs = relay.from_case_address(other, ref.lower(), "/claim", None, False, frozenset())
    assert [o.to for o in outs] == [other]
    assert catalogue.matches(outs[0].body, "agent.other_centre")
    assert catalogue.values(outs[0].body, "agent.other_centre") == {"ref": ref, "centre": "phrae"}
    assert store.get(ref).assigned_to is None and kinds(store, ref) == ["opened"]
    assert len(store.transcript(ref)) == 1


# -- the store: claim and notes, on SQLite and PostgreSQL -----------------------------------


def test_claim_rules(db_url: str) -> None:
    with CaseStore(db_url) as store:
        store.migrate()
        ref = store.open_case(centre="phrae", province=None, citizen_jid="a@x", body="x").case.ref
        assert store.claim(ref, "b@y").assigned_to == "b@y"
        with pytest.raises(AlreadyAssigned) as info:
            store.claim(ref, "c@y")
        assert info.value.holder == "b@y"
        store.set_status(ref, Status.RESOLVED, "b@y")
        with pytest.raises(InvalidTransition):
            store.claim(ref, "b@y")
        msg, added = store.add_note(ref, "b@y", "internal", "o1")
        assert added and msg.direction == "note"
        assert store.add_note(ref, "b@y", "internal", "o1")[1] is False
        store.record(ref, "b@y", "history")
        assert [e.kind for e in store.events(ref)] == [
            "opened",
            "claimed",
            "status",
            "note",
            "history",
        ]


def test_concurrent_claims_have_exactly_one_winner(db_url: str, monkeypatch) -> None:
    n = 6
    CaseStore(db_url).migrate()
    real_require = CaseStore._require

    def slow_require(self, s, ref, lock=False):  # widen the read -> update window
        case = real_require(self, s, ref, lock)
        time.sleep(0.02)
        return case

    monkeypatch.setattr(CaseStore, "_require", slow_require)
    stores = [CaseStore(db_url) for _ in range(n)]
    refs = [
        stores[0].open_case(centre="phrae", province=None, citizen_jid="a@x", body=str(i)).case.ref
        for i in range(5)
    ]
    try:
        for ref in refs:
            barrier = threading.Barrier(n)

            def claim(i: int, ref: str = ref, barrier: threading.Barrier = barrier) -> str:
                barrier.wait()
                try:
                    stores[i].claim(ref, f"agent{i}@y")
                    return "won"
                except AlreadyAssigned as exc:
                    return exc.holder

            with ThreadPoolExecutor(n) as pool:
                results = list(pool.map(claim, range(n)))
            winners = [f"agent{i}@y" for i, r in enumerate(results) if r == "won"]
            assert len(winners) == 1, results
            assert all(r in ("won", winners[0]) for r in results)
            assert stores[0].get(ref).assigned_to == winners[0]
            assert [e.kind for e in stores[0].events(ref)] == ["opened", "claimed"]
    finally:
        for s in stores:
            s.close()
