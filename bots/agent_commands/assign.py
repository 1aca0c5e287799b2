"""``/assign <who>`` (``/มอบหมาย``): give the case to an agent of the same centre."""

from __future__ import annotations

from bots.agent_commands import texts
from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.common import clip
from kernel.addresses import Outgoing


class Assign(AgentCommand):
    name, thai = "assign", "มอบหมาย"
    arg = "required"
    usage_en, usage_th = "<agent JID or name>", "<JID หรือชื่อเจ้าหน้าที่>"
    help_en = "give the case to a colleague of this centre"
    help_th = "มอบเรื่องให้เจ้าหน้าที่ในศูนย์เดียวกัน"
    order = 20

    def form(self, ctx: Context) -> list[Field]:
        return [Field("agent", "text-single", "เจ้าหน้าที่ · agent (JID or name)", required=True)]

    def run(self, ctx: Context) -> list[Outgoing]:
        case, actor, arg = ctx.case, ctx.actor, ctx.arg
        target = ctx.actions.find_agent(arg, case.centre, ctx.staff)
        if target is None:
            return [ctx.tell(texts.no_agent(arg, case.centre, ctx.addr.domain))]
        current = ctx.current()
        if current.assigned_to == target:
            return [ctx.tell(texts.already_holds(target))]
        after = ctx.store.assign(case.ref, target, actor=actor)
        outs = [ctx.tell(texts.assigned(target))]
        if target != actor:
            body = texts.assigned_to_you(
                case.ref, actor, clip(case.summary), ctx.addr.case_jid(case.ref)
            )
            outs.append(Outgoing(to=target, sender=case.ref.lower(), body=body))
        outs.append(ctx.announce(case, texts.room_assigned(case.ref, target, actor)))
        return outs + ctx.actions.status_notices(current, after, actor, confirm=False)
