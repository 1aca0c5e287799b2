"""Service targets in working days: pure date arithmetic and the breach rules. No I/O in
the functions below except the two loaders.

A *working day* is Monday–Friday and not a Thai government holiday (``data/holidays.json``,
2026–2027). Days are Thai-time calendar days. A target of *n* working days for something
that started at ``start`` falls due at the end (midnight, Thai time) of the *n*-th working
day after the day of ``start``: a case opened on Friday afternoon with a one-day first
response target is due by the end of Monday (Tuesday if Monday is a holiday).

Targets per centre come from ``data/sla.json`` (defaults: first response 1 working day,
resolution 15 working days), replaced by the file in ``$DAMRONGDHAM_SLA``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from casestore import CaseView, EventView, MessageView, Status
from casestore.centres import centre_by_slug
from casestore.refs import BANGKOK
from damrongdham.addresses import Addresses, Outgoing

DATA = Path(__file__).with_name("data")
HOLIDAYS = DATA / "holidays.json"
TARGETS = DATA / "sla.json"
ENV = "DAMRONGDHAM_SLA"
FIRST_RESPONSE_DAYS, RESOLUTION_DAYS = 1, 15
MAX_DAYS = 3660  # guard: no target reaches further than ~10 years

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"
#: Audit event kinds recorded when a breach is flagged (once per case and breach).
EVENT = {FIRST_RESPONSE: "sla_first_response", RESOLUTION: "sla_resolution"}
#: What counts as the centre's first response (an internal note does not: the citizen
#: sees nothing of it).
RESPONSE_EVENTS = frozenset({"claimed", "assigned", "status", "forwarded", "merged", "transferred"})
DONE = frozenset({Status.RESOLVED, Status.CLOSED, Status.MERGED})


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
    for key in ("first_response_days", "resolution_days"):
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
    return any(e.kind in RESPONSE_EVENTS for e in events) or any(
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


def escalation_room_slug(centre: str, served: frozenset[str] | None) -> str | None:
    """Where a missed resolution target is escalated: a district centre's parent (its
    province), a provincial (or Bangkok) centre's ministry (`moi`) when that centre is served;
    else nowhere (flagged in the centre's own room only)."""
    found = centre_by_slug(centre)
    if found is None:
        return None
    target = None
    if found.kind == "district":
        target = found.parent
    elif found.kind in ("province", "bangkok"):
        target = "moi"
    if target is None or (served is not None and target not in served):
        return None
    return target


def _when(at: datetime) -> str:
    return at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")


def notices(
    case: CaseView,
    missed: list[str],
    targets: Targets,
    holidays: frozenset[date],
    addresses: Addresses,
    served: frozenset[str] | None,
) -> list[Outgoing]:
    """The room flags for newly missed targets, and the escalation of a missed resolution."""
    outs = []
    link = f"xmpp:{addresses.case_jid(case.ref)}?message"
    for kind in missed:
        if kind == FIRST_RESPONSE:
            days = targets.first_response_days
            due = due_at(case.created_at, days, holidays)
            text = (
                f"⏰ {case.ref} เกินกำหนดตอบครั้งแรก ({days} วันทำการ ครบ {_when(due)}) "
                f"· first response overdue (target {days} working day(s), due {_when(due)})\n"
                f"{link}"
            )
        else:
            days = targets.resolution_days
            due = due_at(case.created_at, days, holidays)
            text = (
                f"⏰ {case.ref} เกินกำหนดแก้ไข ({days} วันทำการ ครบ {_when(due)}) "
                f"· resolution overdue (target {days} working days, due {_when(due)})"
            )
            up = escalation_room_slug(case.centre, served)
            if up is not None:
                text += f" — แจ้งระดับสูงขึ้นแล้ว · escalated to {up}"
                found = centre_by_slug(case.centre)
                name = found.name_th if found else case.centre
                outs.append(
                    Outgoing(
                        to=addresses.room_jid(up),
                        body=(
                            f"⬆️ {case.ref} ของ{name} ({case.centre}) เกินกำหนดแก้ไข "
                            f"{days} วันทำการ · escalated from {case.centre}: resolution "
                            f"overdue (due {_when(due)}), status {case.status.value}, "
                            f"held by {case.assigned_to or '—'}\n"
                            f"{' '.join(case.summary.split())[:160]}"
                        ),
                        groupchat=True,
                    )
                )
            text += f"\n{link}"
        outs.insert(0, Outgoing(to=addresses.room_jid(case.centre), body=text, groupchat=True))
    return outs
