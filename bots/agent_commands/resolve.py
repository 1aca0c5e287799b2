"""``/resolve [text]`` (``/แก้ไขแล้ว``): status ``resolved``; the text goes in the notice."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from casestore import Status
from kernel.addresses import Outgoing


class Resolve(AgentCommand):
    name, thai = "resolve", "แก้ไขแล้ว"
    arg = "optional"
    usage_en, usage_th = "[text to the citizen]", "[ข้อความถึงผู้ร้อง]"
    help_en, help_th = "mark resolved", "แจ้งว่าแก้ไขเรื่องแล้ว"
    order = 90

    def form(self, ctx: Context) -> list[Field]:
        return [Field("text", "text-multi", "ข้อความถึงผู้ร้อง · text to the citizen")]

    def run(self, ctx: Context) -> list[Outgoing]:
        return ctx.actions.change(ctx.current(), ctx.actor, Status.RESOLVED, ctx.arg or None)
