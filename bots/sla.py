"""Service targets in working days: pure date arithmetic and the breach rules. No I/O in
the functions below except the two loaders.

A *working day* is Monday–Friday and not a Thai government holiday (``data/holidays.json``,
2026–2027). Days are Thai-time calendar days. A target of *n* working days for something
that started at ``start`` falls due at the end (midnight, Thai time) of the *n*-th working
day after the day of ``start``: a case opened on Friday afternoon with a one-day first
response target is due by the end of Monday (Tuesday if Monday is a holiday).

Targets per centre come from ``data/sla.json`` (defaults: first response 1 working day,
resolution 15 working days, ministry step 5 working days after the first escalation),
replaced by the file in ``$DAMRONGDHAM_SLA``.

Escalation has two steps, each recorded once as an audit event and derived from the stored
events only (so it survives checker runs and restarts):

1. when the resolution target is missed (``sla_escalation_1``): a district centre's case
   goes to its province's room, a provincial (or Bangkok) centre's case to the ministry
   room ``moi``;
2. when the case is still unresolved ``ministry_escalation_days`` working days after step 1
   was recorded (``sla_escalation_2``): a district case goes on to ``moi``; a provincial
   case's step is a reminder to ``moi``.

A step whose room is not served on this server is still recorded (note ``… unreachable``)
and flagged instead: step 2 of a district case in the province room, otherwise in the
case's own room.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bots.catalogue import render
from casestore import CaseView, EventView, MessageView, Status
from casestore.centres import centre_by_slug
from casestore.events import EventKind
from casestore.refs import BANGKOK
from kernel.addresses import Addresses, Outgoing

DATA = Path(__file__).with_name("data")
HOLIDAYS = DATA / "holidays.json"
TARGETS = DATA / "sla.json"
ENV = "DAMRONGDHAM_SLA"
FIRST_RESPONSE_DAYS, RESOLUTION_DAYS, MINISTRY_ESCALATION_DAYS = 1, 15, 5
MAX_DAYS = 3660  # guard: no target reaches further than ~10 years

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"
#: Audit event kinds recorded when a breach is flagged (once per case and breach).
EVENT = {FIRST_RESPONSE: EventKind.SLA_FIRST_RESPONSE, RESOLUTION: EventKind.SLA_RESOLUTION}
#: What counts as the centre's first response (an internal note does not: the citizen
#: sees nothing of it; nor does anything the bot did itself, such as the router's automatic
#: assignment: its actor is the bot's domain, not a person's JID).
RESPONSE_EVENTS = frozenset(
    {
        EventKind.CLAIMED,
        EventKind.ASSIGNED,
        EventKind.STATUS,
        EventKind.FORWARDED,
        EventKind.MERGED,
        EventKind.TRANSFERRED,
    }
)
DONE = frozenset({Status.RESOLVED, Status.CLOSED, Status.MERGED})
MINISTRY = "moi"
#: Audit event kinds of the two escalation steps (note: the target room's slug, with
#: `` unreachable`` when that room is not served).
STEP_EVENT = {1: EventKind.SLA_ESCALATION_1, 2: EventKind.SLA_ESCALATION_2}
UNREACHABLE = " unreachable"


# -- calendar --------------------------------------------------------------------------------


def load_holidays(path: Path = HOLIDAYS) -> frozenset[date]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(
        date.fromisoformat(day) for year in data["years"].values() for day in year["days"]
    )


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def thai_date(at: datetime) -> date:
    """The calendar day of `at` in Thailand (naive means UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BANGKOK).date()


def working_days_between(start: datetime, end: datetime, holidays: frozenset[date]) -> int:
    """Working days after the day of `start`, up to and including the day of `end` (Thai
    time); 0 when `end` is on the same day or before."""
    first, last = thai_date(start), thai_date(end)
    count, day = 0, first + timedelta(days=1)
    while day <= last:
        if is_working_day(day, holidays):
            count += 1
        day += timedelta(days=1)
    return count


def due_at(start: datetime, working_days: int, holidays: frozenset[date]) -> datetime:
    """When a target of `working_days` counted from `start` falls due: midnight (Thai
    time) at the end of the `working_days`-th working day after the day of `start`.
    0 days: the end of the day of `start`."""
    if working_days < 0:
        raise ValueError("a target is 0 or more working days")
    day, left, guard = thai_date(start), working_days, 0
    while left:
        day += timedelta(days=1)
        guard += 1
        if guard > MAX_DAYS:
            raise ValueError("target too far away")
        if is_working_day(day, holidays):
            left -= 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=BANGKOK)


# -- targets ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Targets:
    first_response_days: int = FIRST_RESPONSE_DAYS
    resolution_days: int = RESOLUTION_DAYS
    #: working days after the first escalation before the ministry step
    ministry_escalation_days: int = MINISTRY_ESCALATION_DAYS


class SlaTargets:
    def __init__(self, defaults: Targets, centres: dict[str, Targets]) -> None:
        self.defaults = defaults
        self.centres = centres

    def of(self, centre: str) -> Targets:
        return self.centres.get(centre, self.defaults)


def _targets(row: object, base: Targets, where: str) -> Targets:
    if not isinstance(row, dict):
        raise ValueError(f"{where}: must be an object")
    values = {}
    for key in ("first_response_days", "resolution_days", "ministry_escalation_days"):
        value = row.get(key, getattr(base, key))
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
            raise ValueError(f"{where}.{key}: a whole number of working days, 0–365")
        values[key] = value
    return Targets(**values)


def parse_targets(text: str, source: str = "sla.json") -> SlaTargets:
    try:
        data = json.loads(text)
        defaults = _targets(data.get("defaults", {}), Targets(), f"{source}: defaults")
        centres = {
            slug: _targets(row, defaults, f"{source}: centres.{slug}")
            for slug, row in data.get("centres", {}).items()
        }
    except (AttributeError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{source}: not an SLA file ({exc})") from exc
    return SlaTargets(defaults, centres)


def load_targets(path: str | Path | None = None) -> SlaTargets:
    chosen = Path(path or os.environ.get(ENV) or TARGETS)
    return parse_targets(chosen.read_text(encoding="utf-8"), str(chosen))


# -- breaches --------------------------------------------------------------------------------


def responded(events: Iterable[EventView], messages: Iterable[MessageView]) -> bool:
    """Whether the centre has acted on the case (an agent's reply or command)."""
    return any(e.kind in RESPONSE_EVENTS and "@" in e.actor for e in events) or any(
        m.direction == "agent" for m in messages
    )


def breaches(
    case: CaseView,
    events: list[EventView],
    messages: list[MessageView],
    now: datetime,
    targets: Targets,
    holidays: frozenset[date],
) -> list[str]:
    """The targets the case has newly missed at `now` (not flagged before: no event yet)."""
    flagged = {e.kind for e in events}
    out = []
    if case.status in DONE:
        return out
    if (
        EVENT[FIRST_RESPONSE] not in flagged
        and now >= due_at(case.created_at, targets.first_response_days, holidays)
        and not responded(events, messages)
    ):
        out.append(FIRST_RESPONSE)
    if EVENT[RESOLUTION] not in flagged and now >= due_at(
        case.created_at, targets.resolution_days, holidays
    ):
        out.append(RESOLUTION)
    return out


def escalation_chain(centre: str) -> tuple[str, str] | None:
    """The rooms of the two escalation steps for a centre's case: a district centre's
    (province, ``moi``), a provincial or Bangkok centre's (``moi``, ``moi``: the second step
    is a reminder); None for the ministry level itself and unknown centres."""
    found = centre_by_slug(centre)
    if found is None:
        return None
    if found.kind == "district" and found.parent:
        return found.parent, MINISTRY
    if found.kind in ("province", "bangkok"):
        return MINISTRY, MINISTRY
    return None


def escalation_room_slug(centre: str, served: frozenset[str] | None) -> str | None:
    """Where a missed resolution target is escalated first (step 1) when that room is served
    (`served` None: cannot say, assume it is); else None."""
    chain = escalation_chain(centre)
    if chain is None or (served is not None and chain[0] not in served):
        return None
    return chain[0]


def step_recorded(events: Iterable[EventView], step: int) -> EventView | None:
    """The event recording escalation `step` (1 or 2), if any. A case whose missed resolution
    was flagged by a checker before two-step escalation (``sla_resolution`` with no
    ``sla_escalation_1``) counts as escalated once, at that flag: it was escalated with it."""
    events = list(events)
    for e in events:
        if e.kind == STEP_EVENT[step]:
            return e
    if step == 1:
        for e in events:
            if e.kind == EVENT[RESOLUTION]:
                return e
    return None


def first_target(events: Iterable[EventView], centre: str) -> str | None:
    """The room step 1 went to: its event's note (the case may have moved since), else the
    first room of the centre's chain."""
    first = step_recorded(events, 1)
    if first is not None and first.kind == STEP_EVENT[1] and first.note:
        return first.note.removesuffix(UNREACHABLE)
    chain = escalation_chain(centre)
    return chain[0] if chain else None


def ministry_due_at(
    events: Iterable[EventView], targets: Targets, holidays: frozenset[date]
) -> datetime | None:
    """When step 2 falls due: `ministry_escalation_days` working days after the day step 1
    was recorded (None before step 1)."""
    first = step_recorded(events, 1)
    if first is None:
        return None
    return due_at(first.at, targets.ministry_escalation_days, holidays)


def escalations(
    case: CaseView,
    events: list[EventView],
    now: datetime,
    targets: Targets,
    holidays: frozenset[date],
) -> list[int]:
    """The escalation steps newly due at `now` (each only once: no event for it yet).

    Step 1 is due with the missed resolution target; step 2 only once step 1 is recorded and
    `ministry_escalation_days` working days have passed since, so both never fall in one run.
    """
    if case.status in DONE or escalation_chain(case.centre) is None:
        return []
    if step_recorded(events, 1) is None:
        if now >= due_at(case.created_at, targets.resolution_days, holidays):
            return [1]
        return []
    second = ministry_due_at(events, targets, holidays)
    if step_recorded(events, 2) is None and second is not None and now >= second:
        return [2]
    return []


def step_target(centre: str, step: int, served: frozenset[str] | None) -> tuple[str, bool]:
    """The room slug of escalation `step` for a centre's case, and whether it is served."""
    chain = escalation_chain(centre)
    if chain is None:
        raise ValueError(f"{centre}: no escalation")
    target = chain[step - 1]
    return target, served is None or target in served


def step_note(centre: str, step: int, served: frozenset[str] | None) -> str:
    """The audit note of an escalation step: the target's slug (`` unreachable`` if unserved)."""
    target, reached = step_target(centre, step, served)
    return target if reached else target + UNREACHABLE


def _when(at: datetime) -> str:
    return at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")


def _room(addresses: Addresses, slug: str, body: str) -> Outgoing:
    return Outgoing(to=addresses.room_jid(slug), body=body, groupchat=True)


def notices(
    case: CaseView,
    missed: list[str],
    targets: Targets,
    holidays: frozenset[date],
    addresses: Addresses,
    served: frozenset[str] | None,
    steps: Iterable[int] = (),
    events: Iterable[EventView] = (),
) -> list[Outgoing]:
    """The room flags for newly missed targets and the notices of escalation `steps` (from
    :func:`escalations`; `events`: the case's events before this run, for step 2's dates).

    Each step is announced in its target room with the case address, and the case's own
    room is told; a step whose room is not served is flagged instead (step 2 of a district
    case in the province room, otherwise in the case's own room)."""
    steps = list(steps)
    events = list(events)
    own = case.centre
    outs: list[Outgoing] = []
    found = centre_by_slug(own)
    common = {"ref": case.ref, "link": f"xmpp:{addresses.case_jid(case.ref)}?message"}
    about = {  # the case, for the rooms that do not know it
        "name": found.name_th if found else own,
        "own": own,
        "status": case.status.value,
        "holder": case.assigned_to or "—",
    }
    resolution_due = due_at(case.created_at, targets.resolution_days, holidays)
    summary = " ".join(case.summary.split())[:160]

    for kind in missed:
        if kind == FIRST_RESPONSE:
            days = targets.first_response_days
            due = _when(due_at(case.created_at, days, holidays))
            text = render("room.sla_first_response", days=days, due=due, **common)
        else:
            escalation = ""
            if 1 in steps:
                target, reached = step_target(own, 1, served)
                key = "room.sla_escalated_to" if reached else "room.sla_escalation_failed"
                escalation = render(key, target=target)
            text = render(
                "room.sla_resolution",
                days=targets.resolution_days,
                due=_when(resolution_due),
                escalation=escalation,
                **common,
            )
        outs.append(_room(addresses, own, text))

    for step in steps:
        target, reached = step_target(own, step, served)
        if step == 1:
            if RESOLUTION not in missed:  # not told with the flag above
                key = "room.sla_step1_escalated" if reached else "room.sla_step1_failed"
                outs.append(_room(addresses, own, render(key, target=target, **common)))
            if reached:
                text = render(
                    "room.sla_step1",
                    days=targets.resolution_days,
                    due=_when(resolution_due),
                    summary=summary,
                    **about,
                    **common,
                )
                outs.append(_room(addresses, target, text))
            continue
        first = step_recorded(events, 1)
        since = render("room.sla_since", when=_when(first.at)) if first else ""
        days = targets.ministry_escalation_days
        earlier = first_target(events, own)
        province = earlier if earlier != MINISTRY else None
        reminder = province is None  # moi had step 1 already (a provincial case)
        # the province room hears of step 2 too (once, if the case has not moved there)
        tell_province = (
            province is not None and province != own and (served is None or province in served)
        )
        if reached:
            if reminder:
                head = render(
                    "room.sla_step2_reminder",
                    since=since, days=days, summary=summary, **about, **common,
                )  # fmt: skip
            else:
                head = render(
                    "room.sla_step2_ministry",
                    province=province, since=since, days=days, summary=summary, **about, **common,
                )  # fmt: skip
            outs.append(_room(addresses, target, head))
            key = "room.sla_step2_reminder_sent" if reminder else "room.sla_step2_ministry_told"
            told = {"days": days, "target": target, **common}
            if not reminder:
                told["province"] = province
            outs.append(_room(addresses, own, render(key, here="", **told)))
            if tell_province:
                here = render("room.sla_escalated_here", since=since)
                outs.append(_room(addresses, province, render(key, here=here, **told)))
            continue
        flag = render(
            "room.sla_step2_failed", days=days, since=since, target=target, **about, **common
        )
        if tell_province:
            outs.append(_room(addresses, province, flag))
        outs.append(_room(addresses, own, flag))
    return outs
