"""``/close`` (``/ปิดเรื่อง``): status ``closed``."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context
from casestore import Status
from kernel.addresses import Outgoing


class Close(AgentCommand):
    name, thai = "close", "ปิดเรื่อง"
    help_en, help_th = "close the case", "ปิดเรื่อง"
    order = 100

    def run(self, ctx: Context) -> list[Outgoing]:
        return ctx.actions.change(ctx.current(), ctx.actor, Status.CLOSED)
