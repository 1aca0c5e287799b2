"""What the bot says to citizens (and the room's announcement of a new case): the values
each text needs, worked out from cases and centres. The texts are in `bots.catalogue`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bots.catalogue import render
from casestore import CaseView, Status
from casestore.centres import Centre
from casestore.labels import STATUS_EN, STATUS_TH, TOPIC_TH, TYPE_TH

THAI_TIME = timezone(timedelta(hours=7), "ICT")


def case_opened(ref: str, pin: str, centre: Centre, urgent: bool) -> str:
    warning = render("citizen.emergency") + "\n\n" if urgent else ""
    return render(
        "citizen.case_opened",
        warning=warning,
        centre_th=centre.name_th,
        centre_en=centre.name_en,
        ref=ref,
        pin=pin,
    )


def urgent_follow_up(ref: str, reason: str | None) -> str:
    return render(
        "citizen.urgent_follow_up",
        emergency=render("citizen.emergency"),
        ref=ref,
        why=f" ({reason})" if reason else "",
    )


def need_detail() -> str:
    return render("citizen.need_detail")


def greeting() -> str:
    return render("citizen.greeting")


def unknown_centre(local: str, domain: str) -> str:
    return render("citizen.unknown_centre", local=local, domain=domain)


def empty_message() -> str:
    return render("citizen.empty_message")


def too_long(limit: int, got: int) -> str:
    return render("citizen.too_long", limit=limit, got=got)


def need_province(domain: str) -> str:
    return render("citizen.need_province", domain=domain)


def no_centre_for(iso: str, domain: str) -> str:
    return render("citizen.no_centre_for", iso=iso, domain=domain)


def staff_not_citizen() -> str:
    return render("agent.not_citizen_address")


def room_announcement(
    ref: str,
    case_jid: str,
    type_: str,
    topic: str,
    province_th: str | None,
    urgency: str,
    urgent_reason: str | None,
    summary: str,
    evidence: tuple[str, ...],
) -> str:
    """A new case in its centre's room: an emergency and a hazard are marked with their
    kind of danger."""
    values = {
        "ref": ref,
        "type_th": TYPE_TH.get(type_, type_),
        "topic_th": TOPIC_TH.get(topic, topic),
        "province": province_th or render("room.unknown_province"),
        "summary": summary,
        "evidence": render("room.evidence", words=", ".join(evidence)) if evidence else "",
        "reply": render("room.reply_link", case_jid=case_jid),
    }
    if urgency == "emergency":
        return render("room.new_case_urgent", reason=urgent_reason, **values)
    if urgency == "hazard":
        return render("room.new_case_hazard", reason=urgent_reason, **values)
    return render("room.new_case", **values)


def urgency_mark(urgency: str) -> str:
    """The mark before a case in an agent's line: emergency, hazard, or nothing."""
    if urgency == "emergency":
        return render("agent.urgent_mark")
    return render("agent.hazard_mark") if urgency == "hazard" else ""


# -- citizens' commands (bots.citizen) -------------------------------------------------------


def _centre_names(slug: str) -> tuple[str, str]:
    from casestore.centres import centre_by_slug

    centre = centre_by_slug(slug)
    return (centre.name_th, centre.name_en) if centre else (slug, slug)


def _when(at: datetime) -> str:
    return at.astimezone(THAI_TIME).strftime("%Y-%m-%d %H:%M")


def case_status(case: CaseView, merged_into: str | None = None) -> str:
    th, en = _centre_names(case.centre)
    return render(
        "citizen.case_status",
        ref=case.ref,
        status_th=STATUS_TH[case.status],
        status_en=STATUS_EN[case.status],
        when=_when(case.updated_at),
        centre_th=th,
        centre_en=en,
        merged=render("citizen.continued_under", into=merged_into) if merged_into else "",
    )


def case_not_found(ref: str) -> str:
    return render("citizen.case_not_found", ref=ref)


def open_cases(cases: list[CaseView]) -> str:
    if not cases:
        return render("citizen.no_open_cases")
    lines = []
    for case in cases:
        th, _en = _centre_names(case.centre)
        lines.append(
            f"• {case.ref} · {STATUS_TH[case.status]} ({STATUS_EN[case.status]}) · "
            f"{_when(case.updated_at)} · {th}"
        )
    return render("citizen.open_cases", count=len(cases), cases="\n".join(lines))


def rating_thanks(ref: str, score: int) -> str:
    return render("citizen.rating_thanks", ref=ref, score=score)


def rating_range() -> str:
    return render("citizen.rating_range")


def nothing_to_rate() -> str:
    return render("citizen.nothing_to_rate")


def not_ratable(ref: str, status: Status) -> str:
    return render(
        "citizen.not_ratable", ref=ref, status_th=STATUS_TH[status], status_en=STATUS_EN[status]
    )


def nothing_to_reopen() -> str:
    return render("citizen.nothing_to_reopen")


def not_reopenable(ref: str, status: Status) -> str:
    return render(
        "citizen.not_reopenable",
        ref=ref,
        status_th=STATUS_TH[status],
        status_en=STATUS_EN[status],
    )


def reopen_too_late(ref: str, days: int) -> str:
    return render("citizen.reopen_too_late", ref=ref, days=days)


def reopened(ref: str, centre_th: str) -> str:
    return render(
        "citizen.reopened",
        ref=ref,
        centre_th=centre_th,
        status_th=STATUS_TH[Status.REOPENED],
        status_en=STATUS_EN[Status.REOPENED],
    )
