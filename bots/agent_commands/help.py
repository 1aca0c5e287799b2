"""``/help`` (``/?``, ``/ช่วยเหลือ``, ``/คำสั่ง``): lists the commands."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context
from bots.agent_commands.runner import Actions
from bots.agent_commands.syntax import help_text
from casestore import EventKind
from kernel.addresses import Outgoing


class Help(AgentCommand):
    name, thai, aliases = "help", "ช่วยเหลือ", ("?", "คำสั่ง")
    help_en, help_th = "list the commands", "แสดงคำสั่งทั้งหมด"
    order = 0
    needs_case = False

    def run(self, ctx: Context) -> list[Outgoing]:
        ctx.store.record(ctx.case.ref, ctx.actor, EventKind.HELP)
        return [ctx.tell(help_text())]

    def without_case(self, actions: Actions, actor: str, centre: str) -> str:
        from bots.agent_commands.room import room_help  # the room's help: its own syntax

        return room_help()
