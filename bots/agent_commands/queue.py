"""``/queue`` (``/คิว``, ``/cases``, ``/เรื่องค้าง``): the centre's open cases, waiting ones
first (urgent on top), then who holds what. Also in the room without a case."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context
from bots.agent_commands.runner import Actions
from kernel.addresses import Outgoing


class Queue(AgentCommand):
    name, thai, aliases = "queue", "คิว", ("cases", "เรื่องค้าง")
    help_en = "this centre's open cases: waiting ones first, then who holds what"
    help_th = "เรื่องที่ยังเปิดของศูนย์: เรื่องรอรับก่อน แล้วใครถือเรื่องใด"
    order = 130
    needs_case = False

    def run(self, ctx: Context) -> list[Outgoing]:
        return [ctx.tell(ctx.actions.queue_text(ctx.current().centre))]

    def without_case(self, actions: Actions, actor: str, centre: str) -> str:
        return actions.queue_text(centre)
