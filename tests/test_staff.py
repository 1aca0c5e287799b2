"""Who is staff (casestore.staff): one set of rules for the bridge and the dashboard, over the
centre rooms' lists; the dashboard's lists, derived from provisioning.json, are the ones
provisioning writes to the server."""

from __future__ import annotations

from pathlib import Path

import pytest

from casestore import staff
from casestore.centres import all_centres, centre_by_slug, children_of
from provisioning.plan import room_spec
from provisioning.state import AccountState, State
from provisioning.target import Target

D = "damrongdham.localhost"
ACCOUNTS = {
    f"chiangrai@{D}": AccountState("chiangrai", "centre"),
    f"somchai.chiangrai@{D}": AccountState("chiangrai", "staff", "member"),
    f"head.chiangrai@{D}": AccountState("chiangrai", "staff", "admin"),
    f"dao.chiangrai-maesai@{D}": AccountState("chiangrai-maesai", "staff", "member"),
    f"gone.chiangrai@{D}": AccountState("chiangrai", "staff", "member", disabled=True),
    f"nid.chiangmai@{D}": AccountState("chiangmai", "staff", "member"),
}
TARGET = Target(
    domain=D, host="localhost", port=5222, admin_jid=f"admin@{D}", admin_password="x",
    ca_file=None, muc_domain=f"rooms.{D}", bot_domain=f"bot.{D}",
    credentials_file=Path("/nonexistent"), state_file=Path("/nonexistent"),
)  # fmt: skip
CENTRES = ["chiangrai", "chiangrai-maesai", "chiangmai", "phrae"]


def server_list(slug: str) -> frozenset[str]:
    """The room's affiliation list as provisioning writes it to the server."""
    centre = centre_by_slug(slug)
    assert centre is not None
    spec = room_spec(centre, TARGET, State(D, {}, dict(ACCOUNTS)))
    return frozenset((*spec.owners, *spec.admins, *spec.members))


def test_provisioning_writes_the_lists_the_rules_derive() -> None:
    centre = centre_by_slug("chiangrai-maesai")
    assert centre is not None
    spec = room_spec(centre, TARGET, State(D, {}, dict(ACCOUNTS)))
    assert (spec.admins, spec.members) == staff.room_lists(centre, D, ACCOUNTS)
    assert spec.admins == (f"chiangrai-maesai@{D}", f"chiangrai@{D}")
    assert spec.members == (f"dao.chiangrai-maesai@{D}",)
    cr = staff.room_lists(centre_by_slug("chiangrai"), D, ACCOUNTS)  # type: ignore[arg-type]
    assert cr == ((f"chiangrai@{D}", f"head.chiangrai@{D}"), (f"somchai.chiangrai@{D}",))


@pytest.mark.parametrize("jid", [*ACCOUNTS, f"admin@{D}", f"phrae@{D}", f"nok@citizens.{D}",
                                 f"bot.{D}", "somchai.chiangrai@example.org"])  # fmt: skip
def test_bridge_and_dashboard_agree_on_who_is_staff(jid: str) -> None:
    """The bridge's answer (the server's list) and the dashboard's (the list derived from
    provisioning.json) are the same for every account and centre."""
    listed = staff.listed_rooms(D, ACCOUNTS).get(jid, frozenset())
    for slug in CENTRES:
        bridge = staff.is_staff(jid, slug, D, staff.staff_of(slug, D, server_list(slug)))
        web = staff.is_staff(jid, slug, D, {j for j in [jid] if slug in listed})
        assert bridge == web, (jid, slug)
        if jid.startswith("admin@"):
            assert bridge  # the owner of every room
        elif web:
            visible = staff.visible_centres(jid, D, listed)
            assert visible is not None and slug in visible  # staff of a centre may see it


def test_which_centres_each_may_see() -> None:
    listed = staff.listed_rooms(D, ACCOUNTS)

    def sees(jid: str) -> frozenset[str] | None:
        return staff.visible_centres(jid, D, listed.get(jid, ()))

    chiangrai = frozenset({"chiangrai", *(c.slug for c in children_of("chiangrai"))})
    assert sees(f"admin@{D}") is None
    assert sees(f"chiangrai@{D}") == chiangrai
    assert sees(f"somchai.chiangrai@{D}") == chiangrai  # the province oversees its districts
    assert sees(f"dao.chiangrai-maesai@{D}") == {"chiangrai-maesai"}
    assert sees(f"nid.chiangmai@{D}") == {"chiangmai", *(c.slug for c in children_of("chiangmai"))}
    assert sees(f"phrae@{D}") == {"phrae", *(c.slug for c in children_of("phrae"))}  # by name
    assert sees(f"gone.chiangrai@{D}") == set()  # disabled: off the list
    assert sees(f"nobody@{D}") == set()
    assert sees(f"chiangrai@citizens.{D}") == set()
    # a provincial staff member sees the district's cases but is not its staff
    assert not staff.is_staff(f"somchai.chiangrai@{D}", "chiangrai-maesai", D,
                              server_list("chiangrai-maesai"))  # fmt: skip


def test_every_centre_account_is_staff_of_its_centre_and_its_districts() -> None:
    listed = staff.listed_rooms(D, {})
    for c in all_centres():
        if c.parent is None:
            continue
        assert c.slug in listed[f"{c.parent}@{D}"] and c.slug in listed[f"{c.slug}@{D}"]
