"""Citizens' commands to a centre address: status, rating, reopen (Intake, real CaseStore)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bots import catalogue, citizen
from bots.intake import Intake
from bots.relay import Relay
from casestore import CaseStore, Status
from casestore.refs import utcnow
from kernel.addresses import Addresses

pytestmark = pytest.mark.every_backend  # `store` on SQLite and PostgreSQL (conftest)

D = "d.example"
ADDR = Addresses.for_domain(D)
ALICE = f"alice@citizens.{D}"
BOB = f"bob@citizens.{D}"
AGENT = f"phrae@{D}"
ROOM = ADDR.room_jid("phrae")
ROAD = "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย ที่ อ.เมือง จ.แพร่"


@pytest.fixture
def intake(store: CaseStore) -> Intake:
    return Intake(store, ADDR, reopen_period_days=14)


def open_for(intake: Intake, who: str, text: str = ROAD) -> str:
    result = intake.handle(who, "phrae", text, None)
    assert result.opened is not None
    return result.opened.ref


def bodies(result, to: str) -> list[str]:
    return [o.body for o in result.out if o.to == to]


def resolve(store: CaseStore, ref: str) -> list[str]:
    """An agent resolves the case through the bridge; the citizen's notice is returned."""
    outs = Relay(store, ADDR).from_case_address(
        AGENT, ref.lower(), "/resolve ซ่อมแล้ว", None, True, frozenset({AGENT})
    )
    case = store.get(ref)
    return [o.body for o in outs if o.to == case.citizen_jid]


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind", "ref", "score", "bare"),
    [
        ("สถานะ TH54-2569-000001", "status", "TH54-2569-000001", None, False),
        ("status th54-2569-000001", "status", "TH54-2569-000001", None, False),
        ("สถานะTH54-๒๕๖๙-000001", "status", "TH54-2569-000001", None, False),
        ("  สถานะ ", "status", None, None, False),
        ("STATUS", "status", None, None, False),
        ("ให้คะแนน 4", "rate", None, 4, False),
        ("rate 5 TH54-2569-000003", "rate", "TH54-2569-000003", 5, False),
        ("rate 9", "rate", None, 0, False),
        ("4", "rate", None, 4, True),
        ("๕", "rate", None, 5, True),
        ("เปิดเรื่องใหม่ TH54-2569-000001", "reopen", "TH54-2569-000001", None, False),
        ("reopen", "reopen", None, None, False),
    ],
)
def test_citizen_commands_parse(body, kind, ref, score, bare) -> None:
    cmd = citizen.parse(body)
    assert cmd == citizen.CitizenCommand(kind, ref, score, bare)


@pytest.mark.parametrize(
    "body",
    [
        "สถานะเรื่องที่ดินของผมเป็นยังไงบ้าง",
        "status of the road please",
        "ให้คะแนนดีมาก",
        "rate it high",
        "12",
        "เปิดเรื่องใหม่เรื่องถนน",
        ROAD,
    ],
)
def test_ordinary_messages_are_not_citizen_commands(body: str) -> None:
    assert citizen.parse(body) is None


# -- status ----------------------------------------------------------------------------------


def test_status_of_own_case_and_of_someone_elses_reads_the_same_as_unknown(intake, store):
    ref = open_for(intake, ALICE)
    mine = intake.handle(ALICE, "chiangrai", f"สถานะ {ref}", "s1")  # any centre address
    (text,) = bodies(mine, ALICE)
    assert catalogue.matches(text, "citizen.case_status")
    told = catalogue.values(text, "citizen.case_status")
    assert (told["ref"], told["status_th"], told["status_en"]) == (ref, "รอรับเรื่อง", "new")
    assert told["centre_th"] == "ศูนย์ดำรงธรรมจังหวัดแพร่" and told["merged"] == ""
    assert mine.opened is None and mine.follow_ups == []

    theirs = intake.handle(BOB, "", f"status {ref}", "s2")
    missing = intake.handle(BOB, "", "status TH54-2569-999999", "s3")
    (leak,) = bodies(theirs, BOB)
    (none,) = bodies(missing, BOB)
    assert leak == none.replace("TH54-2569-999999", ref)
    assert catalogue.matches(leak, "citizen.case_not_found")
    assert "รอรับเรื่อง" not in leak and "แพร่" not in leak
    assert [m.direction for m in store.transcript(ref)] == ["citizen"]  # nothing stored


def test_status_alone_lists_open_cases(intake, store):
    (empty,) = bodies(intake.handle(ALICE, "phrae", "สถานะ", None), ALICE)
    assert catalogue.matches(empty, "citizen.no_open_cases")
    first = open_for(intake, ALICE)
    resolve(store, first)
    second = open_for(intake, ALICE, "น้ำประปาไม่ไหลสามวันแล้ว จ.แพร่")
    (listing,) = bodies(intake.handle(ALICE, "phrae", "สถานะ", None), ALICE)
    assert catalogue.matches(listing, "citizen.open_cases")
    assert catalogue.values(listing, "citizen.open_cases")["count"] == "1"
    assert second in listing and first not in listing


def test_status_does_not_open_a_case_or_land_in_the_open_one(intake, store):
    ref = open_for(intake, ALICE)
    result = intake.handle(ALICE, "phrae", f"สถานะ {ref}", None)
    assert result.follow_ups == [] and len(store.transcript(ref)) == 1
    assert store.count() == 1


# -- rating ----------------------------------------------------------------------------------


def test_resolved_notice_invites_a_rating_and_a_bare_digit_answers_it(intake, store):
    ref = open_for(intake, ALICE)
    (notice,) = resolve(store, ref)
    read = catalogue.values(notice, "citizen.status_notice")
    assert (read["ref"], read["status_en"]) == (ref, "resolved")
    text, invitation = read["more"].removeprefix("\n").split("\n", 1)
    assert text == "ซ่อมแล้ว"
    assert catalogue.matches(invitation, "citizen.rating_invitation")
    assert catalogue.values(invitation, "citizen.rating_invitation") == {"ref": ref, "days": "14"}

    result = intake.handle(ALICE, "phrae", "4", "r1")
    assert catalogue.values(bodies(result, ALICE)[0], "citizen.rating_thanks") == {
        "ref": ref,
        "score": "4",
    }
    (room,) = bodies(result, ROOM)
    assert catalogue.values(room, "room.rated") == {"ref": ref, "score": "4"}
    assert store.rating(ref) == 4
    assert [e.kind for e in store.events(ref)][-1] == "rated"
    assert store.count() == 1

    # After the answer a bare digit is an ordinary message again (here: asks for details).
    again = intake.handle(ALICE, "phrae", "5", "r2")
    assert store.rating(ref) == 4 and again.opened is None
    # An explicit command still changes it.
    intake.handle(ALICE, "phrae", f"ให้คะแนน 5 {ref}", "r3")
    assert store.rating(ref) == 5


def test_history_shows_the_rating(intake, store):
    ref = open_for(intake, ALICE)
    resolve(store, ref)
    intake.handle(ALICE, "phrae", "rate 3", None)
    outs = Relay(store, ADDR).from_case_address(
        AGENT, ref.lower(), "/history", None, True, frozenset({AGENT})
    )
    assert any("rating: 3/5" in o.body for o in outs if o.to == AGENT)


def test_a_digit_without_an_invitation_is_an_ordinary_message(intake, store):
    ref = open_for(intake, ALICE)
    result = intake.handle(ALICE, "phrae", "3", None)
    assert [m.body for m in store.transcript(ref)][-1] == "3"  # a follow-up on the open case
    assert result.follow_ups and store.rating(ref) is None


def test_rating_refusals(intake, store):
    (text,) = bodies(intake.handle(ALICE, "phrae", "rate 4", None), ALICE)
    assert catalogue.matches(text, "citizen.nothing_to_rate")
    ref = open_for(intake, ALICE)
    (text,) = bodies(intake.handle(ALICE, "phrae", f"rate 4 {ref}", None), ALICE)
    assert catalogue.matches(text, "citizen.not_ratable") and store.rating(ref) is None
    resolve(store, ref)
    (text,) = bodies(intake.handle(ALICE, "phrae", "rate 8", None), ALICE)
    assert catalogue.matches(text, "citizen.rating_range") and store.rating(ref) is None
    (text,) = bodies(intake.handle(BOB, "phrae", f"rate 1 {ref}", None), BOB)
    assert catalogue.matches(text, "citizen.case_not_found") and store.rating(ref) is None


def test_store_rate_validates_and_replaces(store):
    ref = store.open_case(centre="phrae", province="TH-54", citizen_jid=ALICE, body="x").case.ref
    assert store.rating(ref) is None
    with pytest.raises(ValueError):
        store.rate(ref, 6, ALICE)
    store.rate(ref, 2, ALICE)
    store.rate(ref, 5, ALICE)
    assert store.rating(ref) == 5
    assert [e.note for e in store.events(ref) if e.kind == "rated"] == ["2", "5"]
    assert store.rating("TH54-2569-999999") is None


# -- reopen ----------------------------------------------------------------------------------


def test_citizen_reopens_within_the_period(intake, store):
    ref = open_for(intake, ALICE)
    resolve(store, ref)
    result = intake.handle(ALICE, "phrae", f"เปิดเรื่องใหม่ {ref}", None)
    assert store.get(ref).status == Status.REOPENED
    (notice,) = bodies(result, ALICE)
    assert catalogue.values(notice, "citizen.reopened")["ref"] == ref
    (room,) = bodies(result, ROOM)
    assert catalogue.values(room, "room.reopened")["ref"] == ref
    event = store.events(ref)[-1]
    assert (event.actor, event.to_status) == (ALICE, Status.REOPENED)
    # The next message lands in the reopened case.
    follow = intake.handle(ALICE, "phrae", "ยังเป็นหลุมอยู่เลยครับ", None)
    assert follow.follow_ups and follow.follow_ups[0][0].ref == ref


def test_reopen_refusals(intake, store):
    (text,) = bodies(intake.handle(ALICE, "phrae", "reopen", None), ALICE)
    assert catalogue.matches(text, "citizen.nothing_to_reopen")
    ref = open_for(intake, ALICE)
    (text,) = bodies(intake.handle(BOB, "phrae", f"reopen {ref}", None), BOB)
    assert catalogue.matches(text, "citizen.case_not_found")
    (text,) = bodies(intake.handle(ALICE, "phrae", f"reopen {ref}", None), ALICE)
    # still open: its status, nothing changes
    assert catalogue.values(text, "citizen.case_status")["status_en"] == "new"
    assert store.get(ref).status == Status.NEW


def test_reopen_after_the_period_is_refused(intake, store):
    ref = open_for(intake, ALICE)
    store.set_status(ref, Status.RESOLVED, AGENT, now=utcnow() - timedelta(days=15))
    (text,) = bodies(intake.handle(ALICE, "phrae", f"reopen {ref}", None), ALICE)
    assert catalogue.matches(text, "citizen.reopen_too_late")
    assert catalogue.values(text, "citizen.reopen_too_late") == {"ref": ref, "days": "14"}
    assert store.get(ref).status == Status.RESOLVED
    short = Intake(store, ADDR, reopen_period_days=30)
    short.handle(ALICE, "phrae", f"reopen {ref}", None)
    assert store.get(ref).status == Status.REOPENED


def test_faq_and_new_cases_still_work(intake, store):
    answer = intake.handle(ALICE, "phrae", "ศูนย์ดำรงธรรมเปิดกี่โมง", None)
    assert answer.opened is None and store.count() == 0 and answer.out
    assert open_for(intake, ALICE)
