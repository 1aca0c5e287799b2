"""``/reopen`` (``/เปิดใหม่``): status ``reopened`` (from resolved or closed)."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context
from casestore import Status
from kernel.addresses import Outgoing


class Reopen(AgentCommand):
    name, thai = "reopen", "เปิดใหม่"
    help_en, help_th = "reopen a resolved or closed case", "เปิดเรื่องใหม่"
    order = 110

    def run(self, ctx: Context) -> list[Outgoing]:
        return ctx.actions.change(ctx.current(), ctx.actor, Status.REOPENED)
