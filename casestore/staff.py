"""Who is staff: one truth, one set of rules, two readers.

**The truth is the affiliation list of each centre's room** (``<slug>@rooms.D``: owners,
admins and members) on the XMPP server:

* the room is the centre's shared inbox and is members-only, so the list already decides
  who sees the cases in any XMPP app; an authorisation read from anywhere else could
  disagree with what the agents actually see;
* admins may change it with any XMPP tool (Gajim's room settings, an ad-hoc command, a
  Prosody console), not only with ``damrongdham provision``;
* provisioning writes it (:func:`room_lists`, through ``provisioning.plan.room_spec``),
  and its own file ``provisioning.json`` is only its record of what it applied ("losing it
  is safe", ``provisioning/state.py``).

**The rules**, the same for every reader, given the lists:

* only accounts of the deployment's domain ``D`` are staff;
* ``X`` is staff of centre ``C`` (may act on its cases) when ``X`` is ``C``'s centre account
  ``<slug>@D``, ``admin@D`` (who owns every room) or on ``C``'s room list
  (:func:`is_staff`, :func:`staff_of`);
* the centres ``X`` may see are those it is staff of and their district centres — a
  province oversees its districts (:func:`visible_centres`); ``admin@D`` sees every centre.

**The readers.** The bridge (``bridge/component.py``, ``is_agent``/``staff_of``) reads the
lists live from the server (XEP-0045 affiliation lists, cached a minute). The web has no
XMPP connection: the dashboard (``web/dashboard_auth.py``) derives the lists from
``provisioning.json`` with the very function provisioning writes them with
(:func:`listed_rooms` → :func:`room_lists`), so it holds the same lists as long as they were
changed only by ``damrongdham provision``. A change made with another XMPP tool reaches the
bridge within a minute and the dashboard never: give dashboard access with
``damrongdham provision agent add`` (and take it with ``provision disable``). The dashboard
also refuses an account ``provisioning.json`` marks disabled, which ends its open sessions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Protocol

from .centres import Centre, all_centres, centre_by_slug, children_of

__all__ = [
    "ADMIN_USER",
    "Account",
    "centre_account",
    "is_staff",
    "listed_rooms",
    "room_lists",
    "staff_of",
    "visible_centres",
]

ADMIN_USER = "admin"
"""``admin@D``: the deployment's administrator, owner of every room."""


class Account(Protocol):
    """What provisioning records of an account (``provisioning.state.AccountState``)."""

    @property
    def centre(self) -> str: ...
    @property
    def kind(self) -> str: ...  # "centre" | "staff"
    @property
    def role(self) -> str: ...  # room affiliation of a staff account: "admin" | "member"
    @property
    def disabled(self) -> bool: ...


def centre_account(centre: str, domain: str) -> str:
    """The centre's own account, ``<slug>@D``."""
    return f"{centre}@{domain}"


def staff_of(centre: str, domain: str, listed: Iterable[str]) -> frozenset[str]:
    """The centre's staff: its account and every JID on its room's list."""
    return frozenset(listed) | {centre_account(centre, domain)}


def is_staff(jid: str, centre: str, domain: str, listed: Collection[str]) -> bool:
    """Whether bare ``jid`` may act on ``centre``'s cases, given its room's list."""
    if jid.partition("@")[2] != domain:
        return False
    return jid in (centre_account(centre, domain), f"{ADMIN_USER}@{domain}") or jid in listed


def room_lists(
    centre: Centre, domain: str, accounts: Mapping[str, Account]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(admins, members) of the centre's room as provisioning writes them: the centre
    account and, for a district, its provincial centre's account administer it; the centre's
    staff accounts that are not disabled join with the role they were given. (Owners, the
    server admin and the bot, are provisioning's business.)"""
    admins = [centre_account(centre.slug, domain)]
    parent = centre_by_slug(centre.parent) if centre.parent else None
    if parent is not None:
        admins.append(centre_account(parent.slug, domain))
    members = []
    for jid, acc in sorted(accounts.items()):
        if acc.centre != centre.slug or acc.kind != "staff" or acc.disabled:
            continue
        (admins if acc.role == "admin" else members).append(jid)
    return tuple(admins), tuple(members)


def listed_rooms(domain: str, accounts: Mapping[str, Account]) -> dict[str, frozenset[str]]:
    """JID → slugs of the centres whose room lists it, as :func:`room_lists` writes them for
    every known centre (what the server holds when only provisioning changed the lists)."""
    by_centre: dict[str, dict[str, Account]] = {}
    for jid, acc in accounts.items():
        by_centre.setdefault(acc.centre, {})[jid] = acc
    listed: dict[str, set[str]] = {}
    for centre in all_centres():
        admins, members = room_lists(centre, domain, by_centre.get(centre.slug, {}))
        for jid in (*admins, *members):
            listed.setdefault(jid, set()).add(centre.slug)
    return {jid: frozenset(slugs) for jid, slugs in listed.items()}


def visible_centres(jid: str, domain: str, listed_in: Iterable[str]) -> frozenset[str] | None:
    """The centres whose cases bare ``jid`` may see, given the centres whose room lists it:
    ``None`` for ``admin@D`` (every centre); else the centres it is staff of and their
    district centres; empty for anyone else (not staff)."""
    local, _, host = jid.partition("@")
    if host != domain:
        return frozenset()
    if local == ADMIN_USER:
        return None
    own = {slug for slug in listed_in if centre_by_slug(slug) is not None}
    centre = centre_by_slug(local)
    if centre is not None and centre.slug == local:  # a centre account, by its name
        own.add(local)
    return frozenset(own | {c.slug for slug in own for c in children_of(slug)})
