"""Agent text commands: the parser and help, generated from `bots.agent_commands`.

Kept for the modules that import it (`bridge.relay`, `bridge.component`); the syntax lives
in `bots.agent_commands.syntax`, each command in its own module of that package.
"""

from __future__ import annotations

from bots.agent_commands import registry
from bots.agent_commands.base import AgentCommand as Spec
from bots.agent_commands.room import room_only_ok
from bots.agent_commands.syntax import (
    PREFIXES,
    Command,
    argument_problem,
    help_text,
    parse,
    parse_status,
    reply_text,
    unknown_command,
)
from casestore.labels import STATUS_EN, STATUS_TH, status_label

#: Every command, in help order.
SPECS: tuple[Spec, ...] = registry.commands()
#: Every command word (casefolded) → its command.
BY_WORD: dict[str, Spec] = registry.by_word()
#: Commands that make sense in the centre room without a case reference.
ROOM_ONLY_OK: frozenset[str] = room_only_ok()

__all__ = [
    "BY_WORD",
    "PREFIXES",
    "ROOM_ONLY_OK",
    "SPECS",
    "STATUS_EN",
    "STATUS_TH",
    "Command",
    "Spec",
    "argument_problem",
    "help_text",
    "parse",
    "parse_status",
    "reply_text",
    "status_label",
    "unknown_command",
]
