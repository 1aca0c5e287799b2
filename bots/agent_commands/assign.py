"""``/assign <who>`` (``/มอบหมาย``): give the case to an agent of the same centre."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.common import clip
from bots.catalogue import render
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
            return [
                ctx.tell(
                    render("agent.no_agent", arg=arg, centre=case.centre, domain=ctx.addr.domain)
                )
            ]
        current = ctx.current()
        if current.assigned_to == target:
            return [ctx.tell(render("agent.already_holds", target=target))]
        after = ctx.store.assign(case.ref, target, actor=actor)
        outs = [ctx.tell(render("agent.assigned", target=target))]
        if target != actor:
            body = render(
                "agent.assigned_to_you",
                ref=case.ref,
                agent=actor,
                summary=clip(case.summary),
                case_jid=ctx.addr.case_jid(case.ref),
            )
            outs.append(Outgoing(to=target, sender=case.ref.lower(), body=body))
        outs.append(
            ctx.announce(case, render("room.assigned", ref=case.ref, target=target, agent=actor))
        )
        return outs + ctx.actions.status_notices(current, after, actor, confirm=False)
