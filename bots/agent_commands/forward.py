"""``/forward <agency> [note]`` (``/ส่งต่อ``): status ``forwarded`` and an outbox row in the
same transaction; the bridge's worker delivers it (Open311)."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.catalogue import render
from kernel.addresses import Outgoing


class Forward(AgentCommand):
    name, thai = "forward", "ส่งต่อ"
    arg = "required"
    usage_en, usage_th = "<agency> [note]", "<หน่วยงาน> [หมายเหตุ]"
    help_en = "forward to an agency (Open311); status forwarded"
    help_th = "ส่งต่อหน่วยงานที่รับผิดชอบ (Open311) สถานะเป็นส่งต่อแล้ว"
    order = 40

    def form(self, ctx: Context) -> list[Field]:
        options = tuple((a.id, f"{a.name_th} · {a.name_en}") for a in ctx.actions.agencies.values())
        return [
            Field("agency", "list-single", "หน่วยงาน · agency", required=True, options=options),
            Field("note", "text-single", "หมายเหตุ · note"),
        ]

    def run(self, ctx: Context) -> list[Outgoing]:
        word, _, note = ctx.arg.strip().partition(" ")
        note = note.strip()
        actions = ctx.actions
        agency = actions.find_agency(word)
        if agency is None:
            known = ", ".join(f"{a.id} ({a.name_th})" for a in actions.agencies.values()) or "—"
            return [ctx.tell(render("agent.no_agency", word=word, known=known))]
        current = ctx.current()
        payload = actions.forward_payload(current, agency, note or None)
        before, after, row = ctx.store.forward(
            ctx.case.ref, agency.id, ctx.actor, payload, note or None
        )
        text = render("citizen.forwarded_to", name_th=agency.name_th, name_en=agency.name_en)
        outs = actions.status_notices(before, after, ctx.actor, text, confirm=False)
        key = "agent.forwarded" if agency.url else "agent.forwarded_pending"
        outs.append(ctx.tell(render(key, name_th=agency.name_th, agency=agency.id, row=row.id)))
        return outs
