"""Helpers the commands share: finding a centre or an agent, clipping, status summaries,
history and queue rendering. Pure functions of their arguments; texts in `bots.catalogue`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bots.catalogue import render
from casestore import TRANSITIONS, CaseStore, CaseView, EventView, MessageView, Status
from casestore.centres import Centre, all_centres, centre_by_slug
from casestore.labels import STATUS_TH, status_label
from kernel.addresses import Addresses

THAI_TIME = timezone(timedelta(hours=7), "ICT")
HISTORY_MESSAGES = 30
HISTORY_EVENTS = 30
HISTORY_CASES = 10
CLIP = 300
QUEUE_LINES = 20

#: The catalogue key of the line that ends the citizen's notice of a move to these statuses.
STATUS_HINT: dict[Status, str] = {
    Status.WAITING_CITIZEN: "citizen.hint_waiting",
    Status.FORWARDED: "citizen.hint_forwarded",
    Status.CLOSED: "citizen.hint_closed",
}
#: The catalogue key of who wrote a transcript line, by its direction.
DIRECTION_LABEL: dict[str, str] = {
    "citizen": "agent.from_citizen",
    "agent": "agent.from_agent",
    "note": "agent.from_note",
    "system": "agent.from_system",
}


def clip(text: str, limit: int = CLIP) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(at: datetime) -> str:
    return at.astimezone(THAI_TIME).strftime("%Y-%m-%d %H:%M")


def find_centre(word: str) -> Centre | None:
    """A centre by slug (any set), Thai or English name, or province name (its provincial
    or the Bangkok centre). An address's domain is not looked at: see `foreign_domain`."""
    key = word.strip().removeprefix("xmpp:").partition("@")[0].casefold()
    if not key:
        return None
    if centre := centre_by_slug(key):
        return centre
    for centre in all_centres():
        names = [centre.name_th, centre.name_en]
        if centre.kind in ("province", "bangkok"):
            names += [centre.province_th, centre.province_en, f"จังหวัด{centre.province_th}"]
        if key in (n.casefold() for n in names if n):
            return centre
    return None


def foreign_domain(word: str, addr: Addresses) -> str | None:
    """The domain of a centre address that is not this deployment's (``x@central.example``),
    else None (a slug, a name, or one of our own addresses: ``x@D``, ``x@bot.D``,
    ``x@rooms.D``)."""
    _, at, domain = word.strip().removeprefix("xmpp:").partition("@")
    if not at:
        return None
    domain = domain.partition("/")[0].partition("?")[0].casefold()
    ours = {addr.domain, addr.bot_domain, addr.muc_domain}
    return None if domain in {d.casefold() for d in ours} else domain


def find_agent(name: str, centre: str, staff: frozenset[str], domain: str) -> str | None:
    """A staff JID of the centre from a JID, `<name>` of `<name>.<centre>@D`, or the slug."""
    key = name.strip().removeprefix("xmpp:").casefold()
    if "@" in key:
        candidates = [key.split("/", 1)[0]]
    else:
        candidates = [f"{key}.{centre}@{domain}", f"{key}@{domain}"]
    lowered = {j.casefold(): j for j in staff}
    for cand in candidates:
        if cand in lowered:
            return lowered[cand]
    return None


def next_statuses(case: CaseView) -> list[Status]:
    """Where the lifecycle lets the case go from here (`merged` excepted: /merge names it)."""
    return sorted(TRANSITIONS[case.status] - {Status.MERGED}, key=list(Status).index)


def status_summary(case: CaseView) -> str:
    allowed = ", ".join(f"{s.value} ({STATUS_TH[s]})" for s in next_statuses(case)) or "—"
    return render(
        "agent.status_summary",
        label=status_label(case.status),
        holder=case.assigned_to or render("agent.nobody"),
        allowed=allowed,
    )


def refused_transition(current: CaseView, target: str) -> str:
    try:
        label = status_label(Status(target))
    except ValueError:
        label = str(target)
    return render("agent.cannot_move", label=label, status=target, summary=status_summary(current))


# -- history ---------------------------------------------------------------------------------


def history(store: CaseStore, ref: str) -> str:
    """Transcript (last 30), audit log (last 30) and the citizen's other cases."""
    case = store.get(ref)
    assert case is not None
    messages = store.transcript(ref)
    events = store.events(ref)
    label = status_label(case.status)
    holder = case.assigned_to or "—"
    lines = [render("agent.history_title", ref=case.ref, label=label, holder=holder)]
    if (score := store.rating(ref)) is not None:
        lines.append(render("agent.history_rating", score=score))
    shown = min(len(messages), HISTORY_MESSAGES)
    lines.append(render("agent.history_transcript", shown=shown, total=len(messages)))
    lines += [message_line(m) for m in messages[-HISTORY_MESSAGES:]]
    shown = min(len(events), HISTORY_EVENTS)
    lines.append(render("agent.history_audit", shown=shown, total=len(events)))
    lines += [event_line(e) for e in events[-HISTORY_EVENTS:]]
    others = [c for c in store.cases_for_citizen(case.citizen_jid) if c.ref != case.ref]
    lines.append(render("agent.history_others", count=len(others)))
    for other in others[:HISTORY_CASES]:
        line = f"{other.ref} · {when(other.created_at)} · {other.status.value}"
        if other.centre == case.centre:
            line += f" · {clip(other.summary, 80)}"
        else:
            line += " · " + render("agent.history_other_centre", centre=other.centre)
        lines.append(line)
    if not others:
        lines.append(render("agent.history_none"))
    return "\n".join(lines)


def message_line(m: MessageView) -> str:
    key = DIRECTION_LABEL.get(m.direction)
    who = render(key) if key else m.direction
    if m.direction in ("agent", "note"):
        who += f" ({m.sender})"
    return f"{when(m.created_at)} {who}: {clip(m.body)}"


def event_line(e: EventView) -> str:
    line = f"{when(e.at)} {e.kind} · {e.actor}"
    if e.from_status or e.to_status:
        old = e.from_status.value if e.from_status else "—"
        line += f" · {old} → {e.to_status.value if e.to_status else '—'}"
    if e.note and e.kind not in ("claimed",):
        line += f" · {clip(e.note, 120)}"
    return line


# -- lists of cases --------------------------------------------------------------------------


def case_line(case: CaseView, addr: Addresses, now: datetime, holder: bool = True) -> str:
    """``• 🚨 REF (สถานะ, 3 ชม. · h) · holder summary xmpp:…?message``"""
    hours = max(0, int((now - case.created_at).total_seconds() // 3600))
    flag = "🚨 " if case.urgent else ""
    who = f" · {case.assigned_to}" if holder and case.assigned_to else ""
    return (
        f"• {flag}{case.ref} ({STATUS_TH[case.status]}, {hours} ชม. · h){who} "
        f"{clip(case.summary, 60)} xmpp:{addr.case_jid(case.ref)}?message"
    )


def queue_text(store: CaseStore, addr: Addresses, centre: str, now: datetime | None = None) -> str:
    """The centre's open cases: waiting (urgent first), then held, with their holders."""
    cases = store.open_cases(centre=centre)
    waiting = [c for c in cases if c.assigned_to is None]
    waiting.sort(key=lambda c: (not c.urgent, c.created_at))
    held = [c for c in cases if c.assigned_to is not None]
    name = found.name_th if (found := centre_by_slug(centre)) else centre
    lines = [
        render("agent.queue_title", name=name, centre=centre, waiting=len(waiting), held=len(held))
    ]
    now = now or datetime.now(THAI_TIME)
    for key, group in (("agent.queue_waiting", waiting), ("agent.queue_held", held)):
        if not group:
            continue
        lines.append(render(key))
        lines += [case_line(c, addr, now) for c in group[:QUEUE_LINES]]
        if len(group) > QUEUE_LINES:
            lines.append(render("agent.queue_more", count=len(group) - QUEUE_LINES))
    return "\n".join(lines)
