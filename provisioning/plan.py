"""What provisioning would change: desired state per centre versus what was applied."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from casestore.centres import Centre, centre_by_slug
from casestore.staff import room_lists
from provisioning.credentials import Credential
from provisioning.profile import ProfileSpec
from provisioning.state import STEPS, State
from provisioning.target import Target
from provisioning.xmpp_admin import RoomSpec

SPEC_VERSION = 1


@dataclass(frozen=True)
class Item:
    """One centre: what it should be and which steps are still to do."""

    centre: Centre
    account: str
    room: RoomSpec
    profile: ProfileSpec
    spec_hash: str
    todo: tuple[str, ...]
    action: str  # create | update | resume | ok

    def describe(self) -> str:
        return f"{self.action:7} {self.centre.slug:28} {', '.join(self.todo) or '-'}"


@dataclass(frozen=True)
class Plan:
    items: tuple[Item, ...]
    retired: tuple[str, ...]  # centres applied earlier, no longer in the data

    @property
    def changes(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.action != "ok")

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.action] = counts.get(item.action, 0) + 1
        words = {"create": "to create", "update": "to update", "resume": "to finish",
                 "ok": "up to date"}
        parts = [f"{counts[a]} {words[a]}" for a in ("create", "update", "resume", "ok")
                 if counts.get(a)]
        if self.retired:
            parts.append(f"{len(self.retired)} no longer in the data (not removed)")
        return ", ".join(parts) or "nothing selected"


def room_spec(centre: Centre, target: Target, state: State) -> RoomSpec:
    """Members-only room: admin and bot own it, the centre account (and the parent
    centre's, for a district) administer it, staff join with the role they were given
    (:func:`casestore.staff.room_lists`: these lists say who is staff)."""
    description = f"ห้องรับเรื่องร้องเรียนของ{centre.name_th} — {centre.name_en}"
    parent = centre_by_slug(centre.parent) if centre.parent else None
    if parent is not None:
        description += f" · ห้องจังหวัด: xmpp:{parent.slug}@{target.muc_domain}?join"
    admins, members = room_lists(centre, target.domain, state.accounts)
    return RoomSpec(
        jid=f"{centre.slug}@{target.muc_domain}",
        name=centre.name_th,
        description=description,
        owners=(target.admin_jid, target.bot_domain),
        admins=admins,
        members=members,
    )


def _hash(room: RoomSpec, profile: ProfileSpec, account: str) -> str:
    blob = json.dumps(
        {"v": SPEC_VERSION, "room": asdict(room), "profile": asdict(profile), "account": account},
        sort_keys=True, ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def make_plan(
    centres: Iterable[Centre], target: Target, state: State, creds: dict[str, Credential]
) -> Plan:
    items = []
    selected = set()
    for centre in centres:
        selected.add(centre.slug)
        account = f"{centre.slug}@{target.domain}"
        room = room_spec(centre, target, state)
        profile = ProfileSpec.for_centre(centre)
        spec_hash = _hash(room, profile, account)
        applied = state.centres.get(centre.slug)
        have_password = account in creds and bool(creds[account].password)
        if applied is None:
            todo, action = STEPS, "create"
        elif applied.complete(spec_hash) and have_password:
            todo, action = (), "ok"
        elif applied.spec_hash == spec_hash:
            todo, action = tuple(s for s in STEPS if s not in applied.done), "resume"
        else:
            todo = ("room", "profile") if "account" in applied.done else STEPS
            action = "update"
        if not have_password and "account" not in todo:
            todo = ("account", *todo)
        items.append(Item(centre, account, room, profile, spec_hash, tuple(todo), action))
    retired = tuple(
        sorted(s for s in state.centres if s not in selected and centre_by_slug(s) is None)
    )
    return Plan(tuple(items), retired)
