"""``/status [s]`` (``/สถานะ``): alone, the status, holder and allowed next statuses; with a
status word, the change (validated by the lifecycle; ``merged`` only through /merge)."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.common import next_statuses, status_summary
from bots.agent_commands.syntax import parse_status
from bots.catalogue import render
from casestore import Status
from casestore.labels import STATUS_TH
from kernel.addresses import Outgoing


class StatusCommand(AgentCommand):
    name, thai = "status", "สถานะ"
    arg = "optional"
    usage_en, usage_th = "[new status]", "[สถานะใหม่]"
    help_en, help_th = "show or change the status; the citizen is told", "ดูหรือเปลี่ยนสถานะ และแจ้งผู้ร้อง"
    order = 80

    def form(self, ctx: Context) -> list[Field]:
        current = ctx.current()
        options = tuple((s.value, f"{STATUS_TH[s]} · {s.value}") for s in next_statuses(current))
        label = f"สถานะใหม่ · new status (now {current.status.value})"
        return [Field("status", "list-single", label, required=True, options=options)]

    def run(self, ctx: Context) -> list[Outgoing]:
        current = ctx.current()
        if not ctx.arg:
            return [ctx.tell(status_summary(current))]
        target = parse_status(ctx.arg)
        if target is None:
            return [
                ctx.tell(
                    render("agent.unknown_status", arg=ctx.arg, summary=status_summary(current))
                )
            ]
        if target == Status.MERGED:
            return [ctx.tell(render("agent.merge_needs_ref"))]
        return ctx.actions.change(current, ctx.actor, target)
