"""/merge without XMPP: the store method on both backends, the command, its refusals."""

from __future__ import annotations

import pytest
from catalogue_helpers import told

from bots import catalogue
from bots.agent_commands.syntax import parse
from bots.relay import Relay
from casestore import CaseNotFound, CaseStore, InvalidTransition, Status
from kernel.addresses import Addresses, Outgoing

D = "damrongdham.localhost"
ADDR = Addresses.for_domain(D)
SOMCHAI = f"somchai.phrae@{D}"
STAFF = frozenset({f"phrae@{D}", SOMCHAI})
CITIZEN = f"nok@citizens.{D}"
OTHER = f"mai@citizens.{D}"
ROOM = f"phrae@rooms.{D}"


def open_at(store: CaseStore, centre: str = "phrae", citizen: str = CITIZEN, body="x") -> str:
    return store.open_case(centre=centre, province="TH-54", citizen_jid=citizen, body=body).case.ref


def test_store_merge(db_url: str) -> None:
    with CaseStore(db_url) as store:
        store.migrate()
        keep, dup = open_at(store), open_at(store)
        store.claim(dup, SOMCHAI)
        merged, kept = store.merge(dup, keep.lower(), SOMCHAI)
        assert (merged.ref, merged.status, kept.ref, kept.status) == (
            dup,
            Status.MERGED,
            keep,
            Status.NEW,
        )
        ev = store.events(dup)[-1]
        assert (ev.kind, ev.from_status, ev.to_status, ev.note) == (
            "merged",
            Status.ASSIGNED,
            Status.MERGED,
            keep,
        )
        assert (store.events(keep)[-1].kind, store.events(keep)[-1].note) == ("merged_in", dup)
        assert store.merged_into(dup) == keep and store.merged_into(keep) is None
        with pytest.raises(InvalidTransition):  # merged is final
            store.merge(dup, keep, SOMCHAI)
        for bad in (open_at(store, citizen=OTHER), open_at(store, centre="nan")):
            with pytest.raises(ValueError):
                store.merge(bad, keep, SOMCHAI)
        with pytest.raises(ValueError):
            store.merge(keep, keep, SOMCHAI)
        with pytest.raises(CaseNotFound):
            store.merge(keep, "TH54-2569-999999", SOMCHAI)
        assert store.get(keep).status == Status.NEW


def agent_says(relay: Relay, ref: str, body: str) -> list[Outgoing]:
    return relay.from_case_address(SOMCHAI, ref.lower(), body, None, True, STAFF)


def test_merge_parses() -> None:
    for body in (
        "/merge TH54-2569-000001",
        "/รวมเรื่อง TH54-2569-000001",
        "/รวมเรื่องTH54-2569-000001",
    ):
        cmd = parse(body)
        assert cmd is not None and cmd.name == "merge" and cmd.arg == "TH54-2569-000001"


def test_merge_closes_the_duplicate_and_tells_the_citizen(store, relay) -> None:
    keep, dup = open_at(store, body="ไฟดับ"), open_at(store, body="ไฟดับอีกแล้ว")
    outs = agent_says(relay, dup, f"/รวมเรื่อง xmpp:{ADDR.case_jid(keep)}")
    assert store.get(dup).status == Status.MERGED
    (notice,) = [o for o in outs if o.to == CITIZEN]
    assert notice.sender == "phrae" and SOMCHAI not in notice.body
    told_citizen = catalogue.values(notice.body, "citizen.merged")
    assert catalogue.matches(notice.body, "citizen.merged")
    assert (told_citizen["ref"], told_citizen["into"]) == (dup, keep)
    assert told_citizen["case_jid"] == ADDR.case_jid(keep)
    (room,) = [o for o in outs if o.to == ROOM]
    assert room.groupchat and catalogue.values(room.body, "room.merged") == {
        "ref": dup,
        "into": keep,
        "old": "new",
        "agent": SOMCHAI,
    }
    (confirm,) = [o for o in outs if o.to == SOMCHAI]
    assert told(confirm.body, "agent.merged")["into"] == keep
    assert store.transcript(dup)[-1].direction == "system"
    # the citizen writing to the duplicate's address lands in the case kept
    outs = relay.from_case_address(CITIZEN, dup.lower(), "ยังดับอยู่ครับ", None, False)
    assert store.transcript(keep)[-1].body == "ยังดับอยู่ครับ"
    assert [o.to for o in outs] == [ROOM] and keep in outs[0].body


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda s, keep: "nonsense", "agent.merge_no_case"),
        (lambda s, keep: "TH54-2569-999999", "agent.merge_no_case"),
        (lambda s, keep: keep, None),  # replaced below by the case itself
        (lambda s, keep: open_at(s, citizen=OTHER), "agent.merge_other_citizen"),
        (lambda s, keep: open_at(s, centre="nan"), "agent.merge_other_centre"),
    ],
)
def test_merge_refusals_change_nothing(store, relay, make, words) -> None:
    keep = open_at(store)
    dup = open_at(store)
    target = make(store, keep) if words else dup
    outs = agent_says(relay, dup, f"/merge {target}")
    assert [o.to for o in outs] == [SOMCHAI]
    problem = told(outs[0].body, "agent.nothing_changed")["problem"]
    assert catalogue.matches(problem, words or "agent.merge_itself")
    if words == "agent.merge_no_case":
        assert catalogue.values(problem, words) == {"arg": target}
    elif words:
        assert catalogue.values(problem, words)["ref"] == target
    if words == "agent.merge_other_centre":
        assert catalogue.values(problem, words)["centre"] == "nan"
    assert store.get(dup).status == Status.NEW and store.get(keep).status == Status.NEW
    assert [e.kind for e in store.events(dup)] == ["opened"]


def test_merge_into_a_closed_case_or_of_a_forwarded_one_is_refused(store, relay) -> None:
    keep, dup = open_at(store), open_at(store)
    store.set_status(keep, Status.CLOSED, SOMCHAI)
    problem = told(agent_says(relay, dup, f"/merge {keep}")[0].body, "agent.nothing_changed")
    assert catalogue.values(problem["problem"], "agent.merge_keep_not_open")["status"] == "closed"
    store.set_status(keep, Status.REOPENED, SOMCHAI)
    store.set_status(dup, Status.FORWARDED, SOMCHAI)
    outs = agent_says(relay, dup, f"/merge {keep}")
    assert [o.to for o in outs] == [SOMCHAI]
    assert told(outs[0].body, "agent.cannot_move")["status"] == "merged"
    assert store.get(dup).status == Status.FORWARDED
