"""``/history`` (``/ประวัติ``): transcript, audit log and the citizen's other cases."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context
from bots.agent_commands.common import history
from casestore import EventKind
from kernel.addresses import Outgoing


class History(AgentCommand):
    name, thai = "history", "ประวัติ"
    help_en = "transcript, audit log and the citizen's earlier cases"
    help_th = "บทสนทนา บันทึกการดำเนินการ และเรื่องก่อนหน้าของผู้ร้อง"
    order = 120

    def run(self, ctx: Context) -> list[Outgoing]:
        ctx.store.record(ctx.case.ref, ctx.actor, EventKind.HISTORY)
        return [ctx.tell(history(ctx.store, ctx.case.ref))]
