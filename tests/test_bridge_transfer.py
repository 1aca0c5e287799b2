"""/transfer without XMPP: the store method on both backends, the command, its refusals."""

from __future__ import annotations

import pytest
from catalogue_helpers import told

from bots import catalogue
from bots.agent_commands.common import find_centre
from bots.agent_commands.syntax import parse
from bots.relay import Relay
from casestore import CaseStore, InvalidTransition, Status
from kernel.addresses import Addresses, Outgoing

D = "damrongdham.localhost"
ADDR = Addresses.for_domain(D)
SOMCHAI = f"somchai.phrae@{D}"
MALI = f"mali.phrae@{D}"
STAFF = frozenset({f"phrae@{D}", SOMCHAI, MALI})
CITIZEN = f"nok@citizens.{D}"
ROOM = f"phrae@rooms.{D}"
NEW_ROOM = f"chiangmai@rooms.{D}"


@pytest.fixture
def ref(store: CaseStore) -> str:
    return store.open_case(
        centre="phrae", province="TH-54", citizen_jid=CITIZEN, body="ถูกโกงเงินค่าที่ดินที่เชียงใหม่"
    ).case.ref


def agent_says(relay: Relay, ref: str, agent: str, body: str, staff=STAFF) -> list[Outgoing]:
    return relay.from_case_address(agent, ref.lower(), body, None, agent in staff, staff)


def to(outs: list[Outgoing], jid: str) -> list[Outgoing]:
    return [o for o in outs if o.to == jid]


# -- the store -------------------------------------------------------------------------------


def test_store_transfer_keeps_ref_history_and_releases_the_holder(db_url: str) -> None:
    with CaseStore(db_url) as store:
        store.migrate()
        ref = store.open_case(
            centre="phrae", province="TH-54", citizen_jid=CITIZEN, body="x"
        ).case.ref
        store.claim(ref, SOMCHAI)
        store.add_message(ref, "agent", SOMCHAI, "รับเรื่องครับ")
        before, after = store.transfer(ref, "chiangmai", SOMCHAI, "ที่ดินอยู่เชียงใหม่")
        assert (before.centre, before.assigned_to, before.status) == (
            "phrae",
            SOMCHAI,
            Status.ASSIGNED,
        )
        assert (after.ref, after.centre, after.assigned_to, after.status) == (
            ref,
            "chiangmai",
            None,
            Status.NEW,
        )
        assert store.get(ref).centre == "chiangmai"
        assert [m.direction for m in store.transcript(ref)] == ["citizen", "agent"]
        ev = store.events(ref)[-1]
        assert (ev.kind, ev.actor, ev.from_status, ev.to_status) == (
            "transferred",
            SOMCHAI,
            Status.ASSIGNED,
            Status.NEW,
        )
        assert ev.note == "phrae → chiangmai: ที่ดินอยู่เชียงใหม่"
        # a citizen writing to the old centre's address still reaches this case
        assert store.latest_open_case(CITIZEN, "phrae").ref == ref
        assert store.latest_open_case(CITIZEN, "chiangmai").ref == ref
        assert store.latest_open_case(CITIZEN, "nan") is None
        # in progress stays in progress; back to the first centre is allowed
        store.set_status(ref, Status.IN_PROGRESS, MALI)
        _b, again = store.transfer(ref, "phrae", MALI)
        assert again.status == Status.IN_PROGRESS and again.centre == "phrae"
        assert store.events(ref)[-1].note == "chiangmai → phrae"
        with pytest.raises(ValueError):
            store.transfer(ref, "phrae", MALI)
        store.set_status(ref, Status.RESOLVED, MALI)
        with pytest.raises(InvalidTransition):
            store.transfer(ref, "nan", MALI)
        assert store.get(ref).centre == "phrae"


# -- the command -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "arg"),
    [
        ("/transfer chiangmai", "chiangmai"),
        ("/โอนเรื่อง chiangmai", "chiangmai"),
        ("/โอนเรื่องเชียงใหม่", "เชียงใหม่"),
        ("/โอน moi เกินอำนาจจังหวัด", "moi เกินอำนาจจังหวัด"),
    ],
)
def test_transfer_parses(body: str, arg: str) -> None:
    cmd = parse(body)
    assert cmd is not None and cmd.name == "transfer" and cmd.arg == arg


@pytest.mark.parametrize(
    ("word", "slug"),
    [
        ("chiangmai", "chiangmai"),
        ("ChiangMai", "chiangmai"),
        ("เชียงใหม่", "chiangmai"),
        ("จังหวัดเชียงใหม่", "chiangmai"),
        ("ศูนย์ดำรงธรรมจังหวัดเชียงใหม่", "chiangmai"),
        ("moi", "moi"),
        ("chiangmai@rooms.damrongdham.localhost", "chiangmai"),
        ("atlantis", None),
        ("", None),
    ],
)
def test_find_centre(word: str, slug: str | None) -> None:
    centre = find_centre(word)
    assert (centre.slug if centre else None) == slug


def test_transfer_moves_the_case_and_tells_everyone(store, relay, ref) -> None:
    agent_says(relay, ref, SOMCHAI, "/claim")
    outs = agent_says(relay, ref, SOMCHAI, "/transfer chiangmai ที่ดินอยู่ในเขตเชียงใหม่")
    case = store.get(ref)
    assert (case.ref, case.centre, case.assigned_to, case.status) == (
        ref,
        "chiangmai",
        None,
        Status.NEW,
    )
    (confirm,) = to(outs, SOMCHAI)
    assert told(confirm.body, "agent.transferred")["slug"] == "chiangmai"
    (notice,) = to(outs, CITIZEN)
    assert notice.sender == "chiangmai"  # the citizen's replies go to the new centre
    moved = catalogue.values(notice.body, "citizen.transferred")
    assert catalogue.matches(notice.body, "citizen.transferred") and SOMCHAI not in notice.body
    assert (moved["ref"], moved["new_th"], moved["case_jid"]) == (
        ref,
        "ศูนย์ดำรงธรรมจังหวัดเชียงใหม่",
        ADDR.case_jid(ref),
    )
    assert "ที่ดินอยู่ในเขตเชียงใหม่" not in notice.body  # the reason is for colleagues
    (old_room,) = to(outs, ROOM)
    (new_room,) = to(outs, NEW_ROOM)
    assert old_room.groupchat and new_room.groupchat
    out = catalogue.values(old_room.body, "room.transferred_out")
    assert (out["ref"], out["slug"], out["agent"]) == (ref, "chiangmai", SOMCHAI)
    arrived = catalogue.values(new_room.body, "room.transferred_in")
    assert catalogue.matches(new_room.body, "room.transferred_in")
    assert (arrived["ref"], arrived["old"], arrived["case_jid"]) == (
        ref,
        "phrae",
        ADDR.case_jid(ref),
    )
    assert arrived["urgent"] == "" and arrived["why"] == " — ที่ดินอยู่ในเขตเชียงใหม่"
    assert store.transcript(ref)[-1].direction == "system"
    assert store.transcript(ref)[-1].body == notice.body
    ev = store.events(ref)[-1]
    assert ev.kind == "transferred" and ev.actor == SOMCHAI
    assert ev.note == "phrae → chiangmai: ที่ดินอยู่ในเขตเชียงใหม่"
    history = agent_says(relay, ref, f"chiangmai@{D}", "/history", frozenset({f"chiangmai@{D}"}))
    assert "transferred" in history[0].body and "phrae → chiangmai" in history[0].body


def test_the_reason_reaches_colleagues_but_never_the_citizen_nor_track(store, relay, ref):
    """docs/open311.md: transfer reasons are written for colleagues; the citizen's chat, the
    transcript /track shows and /track's timeline never carry them."""
    from web.track import tracked

    reason = "ผิดจังหวัด ผู้ร้องเคยร้องซ้ำ"
    agent_says(relay, ref, SOMCHAI, "/claim")
    outs = agent_says(relay, ref, SOMCHAI, f"/transfer chiangmai {reason}")
    assert [o for o in outs if reason in o.body and o.groupchat]  # the rooms have it
    assert reason in (store.events(ref)[-1].note or "")  # the audit note keeps it
    for out in to(outs, CITIZEN):
        assert reason not in out.body and "ผิดจังหวัด" not in out.body
    for msg in store.transcript(ref):
        if msg.direction in ("system", "agent"):
            assert "ผิดจังหวัด" not in msg.body
    agent_says(relay, ref, f"chiangmai@{D}", "/note ผิดจังหวัด บันทึกภายใน",
               frozenset({f"chiangmai@{D}"}))
    shown = tracked(store.get(ref), store.events(ref), store.transcript(ref)).as_json()
    assert "ผิดจังหวัด" not in repr(shown) and "บันทึกภายใน" not in repr(shown)
    assert any("เชียงใหม่" in step["th"] for step in shown["timeline"])


def test_after_a_transfer_the_citizen_reaches_the_new_centre(store, relay, ref) -> None:
    agent_says(relay, ref, SOMCHAI, "/โอนเรื่องเชียงใหม่")
    outs = relay.from_case_address(CITIZEN, ref.lower(), "ขอบคุณครับ", None, False)
    (room,) = [o for o in outs if o.groupchat]
    assert room.to == NEW_ROOM and "ขอบคุณครับ" in room.body
    # the old centre's staff are no longer agents of the case (the bridge asks by centre)
    old = relay.from_case_address(SOMCHAI, ref.lower(), "/claim", None, False)
    assert catalogue.matches(old[0].body, "agent.other_centre")
    assert catalogue.values(old[0].body, "agent.other_centre")["centre"] == "chiangmai"
    assert store.get(ref).assigned_to is None


@pytest.mark.parametrize(
    ("body", "key", "values"),
    [
        ("/transfer atlantis", "agent.transfer_no_centre", {"word": "atlantis"}),
        ("/transfer", "agent.argument_missing", {"name": "transfer"}),
        ("/transfer phrae", "agent.transfer_already_at", {"slug": "phrae"}),
        # a centre of another server: refused, never taken for this server's nonthaburi
        (
            "/transfer nonthaburi@central.localhost",
            "agent.transfer_not_a_peer",
            {"word": "nonthaburi@central.localhost", "domain": "central.localhost", "ours": D},
        ),
        (
            "/โอน xmpp:nonthaburi@bot.central.localhost ด่วน",
            "agent.transfer_not_a_peer",
            {"word": "xmpp:nonthaburi@bot.central.localhost"},
        ),
        (
            "/transfer chiangmai@rooms.example.go.th",
            "agent.transfer_not_a_peer",
            {"word": "chiangmai@rooms.example.go.th"},
        ),
    ],
)
def test_transfer_refusals_change_nothing(store, relay, ref, body, key, values) -> None:
    outs = agent_says(relay, ref, SOMCHAI, body)
    assert [o.to for o in outs] == [SOMCHAI]
    read = told(outs[0].body, key)
    assert {name: read[name] for name in values} == values
    assert store.get(ref).centre == "phrae"
    assert [e.kind for e in store.events(ref)] == ["opened"]


def test_transfer_of_a_closed_case_or_to_an_unserved_centre_is_refused(store, ref) -> None:
    relay = Relay(store, ADDR, served=lambda: frozenset({"phrae", "chiangmai"}))
    outs = agent_says(relay, ref, SOMCHAI, "/transfer chiangrai-maesai")
    assert [o.to for o in outs] == [SOMCHAI]
    assert told(outs[0].body, "agent.transfer_not_served")["slug"] == "chiangrai-maesai"
    agent_says(relay, ref, SOMCHAI, "/close")
    outs = agent_says(relay, ref, SOMCHAI, "/transfer chiangmai")
    assert [o.to for o in outs] == [SOMCHAI]
    assert told(outs[0].body, "agent.transfer_not_open")["status"] == "closed"
    assert store.get(ref).centre == "phrae"
    assert [e.kind for e in store.events(ref)] == ["opened", "status"]


@pytest.mark.parametrize(
    "word",
    [
        f"chiangmai@{D}",
        f"xmpp:chiangmai@rooms.{D}",
        f"chiangmai@bot.{D}",
        "CHIANGMAI@ROOMS.DAMRONGDHAM.LOCALHOST",
    ],
)
def test_transfer_to_an_address_of_this_server(store, relay, ref, word) -> None:
    outs = agent_says(relay, ref, SOMCHAI, f"/transfer {word}")
    assert store.get(ref).centre == "chiangmai", [o.body for o in outs]
    assert any(o.to == NEW_ROOM for o in outs)


# -- a centre of a federated peer server: the command asks the edge (no XMPP here) -------------


@pytest.mark.parametrize(
    "body", ["/transfer nonthaburi@central.localhost ส่งส่วนกลาง",
             "/โอน xmpp:nonthaburi@bot.central.localhost ส่งส่วนกลาง"],
)
def test_transfer_to_a_peer_server_is_a_request_for_the_edge(store, ref, body) -> None:
    from kernel.addresses import RemoteTransfer

    relay = Relay(store, Addresses.for_domain(D, ["central.localhost"]))
    outs = agent_says(relay, ref, SOMCHAI, body)
    (request,) = [o for o in outs if isinstance(o, RemoteTransfer)]
    assert (request.ref, request.peer, request.centre, request.to, request.reason) == (
        ref, "central.localhost", "nonthaburi", SOMCHAI, "ส่งส่วนกลาง"
    )
    (told,) = [o for o in outs if not isinstance(o, RemoteTransfer)]
    assert told.to == SOMCHAI and catalogue.contains(told.body, "agent.remote_transfer_sending")
    assert store.get(ref).centre == "phrae"  # nothing changed until the peer has it
    assert [e.kind for e in store.events(ref)] == ["opened"]
    # another server stays refused, naming the peers it could go to
    outs = agent_says(relay, ref, SOMCHAI, "/transfer nonthaburi@elsewhere.localhost")
    assert [o.to for o in outs] == [SOMCHAI]
    assert catalogue.contains(outs[0].body, "agent.transfer_not_a_peer")
    assert "central.localhost" in outs[0].body
    agent_says(relay, ref, SOMCHAI, "/close")
    outs = agent_says(relay, ref, SOMCHAI, "/transfer nonthaburi@central.localhost")
    assert not [o for o in outs if isinstance(o, RemoteTransfer)]
    assert "reopen it first" in outs[0].body


def test_citizens_of_peer_servers_are_citizens_here() -> None:
    addr = Addresses.for_domain(D, ["Central.localhost"])
    assert addr.peers == frozenset({"central.localhost"})
    assert addr.citizen_domains == frozenset({
        f"citizens.{D}", f"anon.{D}", "citizens.central.localhost", "anon.central.localhost"
    })
    assert Addresses.for_domain(D).citizen_domains == frozenset({f"citizens.{D}", f"anon.{D}"})
