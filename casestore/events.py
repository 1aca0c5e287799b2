"""The kinds of audit event a case can have (``CaseEvent.kind``, ``EventView.kind``).

One list for every part that records or reads events: the case store itself, the bridge
(relay, SLA checker, router, announcements), agent commands, PDPA purges. A member *is* its
stored string (a ``StrEnum``): ``EventKind.OPENED == "opened"``, it hashes like it and is
stored as it, so rows written before this enum read back equal to its members.

``CaseStore.record`` also takes any other short string: nothing outside this list is
refused, and an unknown kind reads back as a plain ``str``.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """An audit event's kind, stored as its value (at most 32 characters)."""

    # -- the case's lifecycle (casestore.store) ---------------------------------------------
    OPENED = "opened"  # note: the channel ("xmpp", "web", "open311"…)
    ASSIGNED = "assigned"  # note: the agent (by the router: "auto:<agent>")
    CLAIMED = "claimed"  # note: the agent
    STATUS = "status"  # note: the agent's reason, if any
    NOTE = "note"  # an internal note (note: its text)
    TRANSFERRED = "transferred"  # note: "<old centre> → <new centre>[: reason]"
    FORWARDED = "forwarded"  # note: the agency (and the agent's note)
    DELIVERED = "delivered"  # note: the agency (and its reference)
    MERGED = "merged"  # on the duplicate; note: the case it went into
    MERGED_IN = "merged_in"  # on the case kept; note: the duplicate
    RATED = "rated"  # note: the citizen's score, 1–5
    RELEASED = "released"  # taken from its agent, status kept (note: why, e.g. disabled)
    PIN_REISSUED = "pin_reissued"
    PURGED = "purged"  # PDPA: the citizen's personal data was erased (casestore.pdpa)

    # -- the bridge ------------------------------------------------------------------------
    QUEUED = "queued"  # the citizen was told that nobody is on duty (note: the centre)
    REATTACHED = "reattached"  # an anonymous tipster came back with the PIN
    ANNOUNCED = "announced"  # a case opened outside the chat was announced in its room
    SLA_FIRST_RESPONSE = "sla_first_response"  # first-response target missed (bridge.sla)
    SLA_RESOLUTION = "sla_resolution"  # resolution target missed
    SLA_ESCALATION_1 = "sla_escalation_1"  # escalated; note: the room's slug
    SLA_ESCALATION_2 = "sla_escalation_2"  # escalated to the ministry

    # -- agent commands that only read (each records its own name) ---------------------------
    HELP = "help"
    HISTORY = "history"
    REPLY_LIST = "reply_list"


#: A ``transferred`` event's note starts "<old centre> → <new centre>".
TRANSFER_ARROW = " → "
#: An ``assigned`` event made by the router has the note "auto:<agent>".
AUTO_PREFIX = "auto:"

#: Audit event kinds the SLA checker (``bots/sla.py``) records once per case when a
#: target is missed or the case is escalated, in the order the dashboard shows them.
SLA_EVENTS: tuple[EventKind, ...] = (
    EventKind.SLA_FIRST_RESPONSE,
    EventKind.SLA_RESOLUTION,
    EventKind.SLA_ESCALATION_1,
    EventKind.SLA_ESCALATION_2,
)
