"""``/note <text>`` (``/บันทึก``): an internal note, never relayed to the citizen."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.catalogue import render
from kernel.addresses import Outgoing


class Note(AgentCommand):
    name, thai = "note", "บันทึก"
    arg = "required"
    usage_en, usage_th = "<text>", "<ข้อความ>"
    help_en, help_th = "internal note, never sent to the citizen", "บันทึกภายใน ไม่ส่งถึงผู้ร้อง"
    order = 70

    def form(self, ctx: Context) -> list[Field]:
        return [Field("text", "text-multi", "บันทึกภายใน · internal note", required=True)]

    def run(self, ctx: Context) -> list[Outgoing]:
        _msg, added = ctx.store.add_note(ctx.case.ref, ctx.actor, ctx.arg, ctx.origin_id)
        return [ctx.tell(render("agent.note_saved"))] if added else []
