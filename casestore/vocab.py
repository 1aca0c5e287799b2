"""Pinned vocabularies (see DESIGN.md, ``damrongdham triage``)."""

from __future__ import annotations

TYPES: frozenset[str] = frozenset({"complaint", "help", "tip", "inquiry", "suggestion"})

TOPICS: frozenset[str] = frozenset(
    {
        "land",
        "debt",
        "drugs",
        "gambling",
        "nuisance",
        "infrastructure",
        "corruption",
        "consumer",
        "environment",
        "labour",
        "family",
        "welfare",
        "other",
    }
)

#: How urgent a case is: danger to life or a crime now (emergency numbers first, announced
#: until taken), a danger that could hurt someone soon (flagged for agents), or neither.
URGENCIES: tuple[str, ...] = ("emergency", "hazard", "normal")

#: Who a message comes from: the citizen, an agent (relayed to the citizen), the system
#: (status notices, bot answers) or an internal agent note (never shown to the citizen).
DIRECTIONS: frozenset[str] = frozenset({"citizen", "agent", "system", "note"})
