"""Routing rules, the choice of agent, the router on a real store, and room command syntax."""

from __future__ import annotations

import json

import pytest

from bots import catalogue
from bots.agent_commands.room import parse_room
from bots.relay import Relay
from bots.routing import DEFAULT, Router, RoutingRules, Rule, auto_holder, choose, parse_rules
from casestore import Status
from kernel.addresses import Addresses

ADDR = Addresses.for_domain("damrongdham.localhost")
ROOM = ADDR.room_jid("nan")
A, B, C = (f"{n}.nan@damrongdham.localhost" for n in ("a", "b", "c"))


def test_packaged_rules_are_auto_with_a_cap() -> None:
    rules = parse_rules(DEFAULT.read_text(encoding="utf-8"))
    assert rules.of("nan") == Rule("auto", 5)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not JSON"),
        ("[]", "not a routing file"),
        ('{"defaults": {"mode": "round-robin"}}', "defaults.mode"),
        ('{"defaults": {"max_per_agent": 0}}', "max_per_agent"),
        ('{"defaults": {"max_per_agent": true}}', "max_per_agent"),
        ('{"centres": {"nan": {"mode": "auto", "speed": 3}}}', "centres.nan: unknown keys"),
        ('{"centres": []}', "centres must be an object"),
    ],
)
def test_bad_rules_name_the_problem(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_rules(text, "r.json")


def test_centre_overrides_inherit_the_defaults() -> None:
    text = json.dumps({"defaults": {"max_per_agent": 3}, "centres": {"bangkok": {"mode": "room"}}})
    rules = parse_rules(text)
    assert rules.of("bangkok") == Rule("room", 3) and rules.of("nan") == Rule("auto", 3)


def test_choose_least_loaded_then_least_recent_under_the_cap() -> None:
    assert choose([A, B], {A: 2, B: 1}, {}, 5) == B
    assert choose([A, B], {A: 1, B: 1}, {A: 10.0, B: 5.0}, 5) == B
    assert choose([A, B], {A: 1, B: 1}, {}, 5) == A  # ties: by JID, deterministic
    assert choose([A, B], {A: 2, B: 2}, {}, 2) is None
    assert choose([], {}, {}, 5) is None


@pytest.fixture
def routed(store):
    on_duty: dict[str, set[str]] = {ROOM: set()}
    relay = Relay(store, ADDR)
    clock = iter(range(1, 1000))
    router = Router(
        store,
        ADDR,
        lambda room: frozenset(on_duty.get(room, set())),
        relay.actions,
        RoutingRules(Rule("auto", 2)),
        clock=lambda: float(next(clock)),
    )
    return store, router, on_duty


def _open(store, n: int = 1, urgent_words: str = "") -> list:
    return [
        store.open_case(
            centre="nan", province="TH-55", citizen_jid=f"c{i}@citizens.damrongdham.localhost",
            body=f"ไฟฟ้าดับ {urgent_words}{i}",
        ).case
        for i in range(n)
    ]  # fmt: skip


def test_router_spreads_cases_and_respects_the_cap(routed) -> None:
    store, router, on_duty = routed
    on_duty[ROOM] |= {A, B, "nick-without-jid", "x@elsewhere.example"}
    cases = _open(store, 5)
    outs = [router.route(c) for c in cases]
    holders = [store.get(c.ref).assigned_to for c in cases]
    assert holders[:4].count(A) == 2 and holders[:4].count(B) == 2
    assert holders[4] is None and outs[4] == []  # both at the cap: the case waits
    offer = [o for o in outs[0] if o.to == holders[0]]
    assert offer and offer[0].sender == cases[0].ref.lower()
    assert catalogue.values(offer[0].body, "agent.case_offered")["ref"] == cases[0].ref
    citizen = [o for o in outs[0] if o.to == cases[0].citizen_jid]
    assert citizen and A not in citizen[0].body and B not in citizen[0].body
    assert auto_holder(store.events(cases[0].ref)) == holders[0]


def test_router_leaves_cases_alone_in_room_mode_and_when_taken(routed) -> None:
    store, router, on_duty = routed
    on_duty[ROOM] |= {A}
    router.rules = RoutingRules(Rule("room", 5))
    (case,) = _open(store)
    assert router.route(case) == [] and store.get(case.ref).assigned_to is None
    router.rules = RoutingRules(Rule("auto", 5))
    store.claim(case.ref, B)
    assert router.route(store.get(case.ref)) == []
    assert store.get(case.ref).assigned_to == B


def test_available_again_hands_out_waiting_cases_urgent_first(routed) -> None:
    store, router, on_duty = routed
    plain = _open(store, 2)
    (urgent,) = [
        store.open_case(
            centre="nan", province="TH-55", citizen_jid="u@citizens.damrongdham.localhost",
            body="ช่วยด้วย มีคนถูกทำร้าย", urgent=True,
        ).case
    ]  # fmt: skip
    assert router.became_available("nan") == []  # nobody there yet
    on_duty[ROOM] |= {A}
    router.became_available("nan")
    assert store.get(urgent.ref).assigned_to == A  # urgent first, then the oldest, cap 2
    assert [store.get(c.ref).assigned_to for c in plain] == [A, None]


def test_unavailable_returns_only_unanswered_automatic_cases(routed) -> None:
    store, router, on_duty = routed
    on_duty[ROOM] |= {A}
    answered, silent, claimed = _open(store, 3)
    router.route(answered)
    router.route(silent)
    store.add_message(answered.ref, "agent", sender=A, body="รับเรื่องค่ะ")
    store.claim(claimed.ref, A)  # their own claim: a commitment, never taken back
    on_duty[ROOM] = {B}
    outs, left = router.became_unavailable(A, "nan")
    assert store.get(answered.ref).assigned_to == A
    assert store.get(claimed.ref).assigned_to == A
    assert store.get(silent.ref).assigned_to == B and left == []
    assert any(o.to == A and catalogue.matches(o.body, "agent.went_away") for o in outs)
    assert not any(o.to == silent.citizen_jid for o in outs)  # the citizen is not told twice
    on_duty[ROOM] = set()
    outs, left = router.became_unavailable(B, "nan")
    assert [c.ref for c in left] == [silent.ref] and store.get(silent.ref).status == Status.NEW
    assert any(o.groupchat and catalogue.matches(o.body, "room.back_in_queue") for o in outs)


def test_unavailable_on_one_device_only_changes_nothing(routed) -> None:
    store, router, on_duty = routed
    on_duty[ROOM] |= {A}
    (case,) = _open(store)
    router.route(case)
    assert router.became_unavailable(A, "nan") == ([], [])
    assert store.get(case.ref).assigned_to == A


@pytest.mark.parametrize(
    ("body", "name", "ref", "text"),
    [
        ("/claim TH57-2569-000001", "claim", "TH57-2569-000001", "/claim"),
        ("!รับเรื่อง th57-2569-000001", "claim", "TH57-2569-000001", "/claim"),
        ("/note TH57-2569-000001 โทรแล้ว", "note", "TH57-2569-000001", "/note โทรแล้ว"),
        (
            "/claim xmpp:th57-2569-000001@bot.damrongdham.localhost?message",
            "claim", "TH57-2569-000001", "/claim",
        ),
        ("/transfer TH57-2569-000001 chiangmai ผิดจังหวัด", "transfer", "TH57-2569-000001",
         "/transfer chiangmai ผิดจังหวัด"),
        ("/queue", "queue", None, "/queue"),
        ("/คิว", "queue", None, "/queue"),
        ("/help", "help", None, "/help"),
        ("/claim", "claim", None, ""),
        ("/note โทรแล้ว", "note", None, ""),
    ],
)  # fmt: skip
def test_room_command_syntax(body: str, name: str, ref: str | None, text: str) -> None:
    command = parse_room(body)
    assert command is not None
    assert (command.name, command.ref, command.text) == (name, ref, text)


@pytest.mark.parametrize("body", ["สวัสดีครับ", "/me ไปพักก่อน", "//claim", "/nick สมชาย", ""])
def test_room_talk_is_not_a_command(body: str) -> None:
    assert parse_room(body) is None


def test_queue_lists_waiting_urgent_first_then_held(routed) -> None:
    store, router, _ = routed
    plain, held = _open(store, 2)
    urgent = store.open_case(
        centre="nan", province="TH-55", citizen_jid="u@citizens.damrongdham.localhost",
        body="ช่วยด้วย", urgent=True,
    ).case  # fmt: skip
    store.claim(held.ref, A)
    text = router.actions.queue_text("nan")
    lines = text.split("\n")
    title = catalogue.values(lines[0], "agent.queue_title")
    assert (title["centre"], title["waiting"], title["held"]) == ("nan", "2", "1")
    assert catalogue.matches(lines[1], "agent.queue_waiting")
    assert catalogue.matches(lines[4], "agent.queue_held")
    assert text.index(urgent.ref) < text.index(plain.ref)
    assert text.index(plain.ref) < text.index(held.ref) and A in text
