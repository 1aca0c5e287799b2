"""`AgentActions`, kept for the modules that import it from here (`bots.relay`); it is
`bots.agent_commands.runner.Actions`, each command in its own module of that package."""

from __future__ import annotations

from bots.agent_commands.common import clip as _clip
from bots.agent_commands.common import find_centre
from bots.agent_commands.runner import AgentActions

__all__ = ["AgentActions", "_clip", "find_centre"]
