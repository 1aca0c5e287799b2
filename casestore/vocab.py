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

#: Who a message comes from: the citizen, an agent (relayed to the citizen), the system
#: (status notices, bot answers) or an internal agent note (never shown to the citizen).
DIRECTIONS: frozenset[str] = frozenset({"citizen", "agent", "system", "note"})
