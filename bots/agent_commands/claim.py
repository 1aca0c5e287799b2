"""``/claim`` (``/รับเรื่อง``): take the case; of two agents claiming at once one wins."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context
from bots.catalogue import render
from casestore import AlreadyAssigned
from kernel.addresses import Outgoing


class Claim(AgentCommand):
    name, thai = "claim", "รับเรื่อง"
    help_en, help_th = "take this case", "รับเรื่องนี้ไว้ดูแลเอง"
    order = 10

    def run(self, ctx: Context) -> list[Outgoing]:
        case, actor = ctx.case, ctx.actor
        try:
            after = ctx.store.claim(case.ref, actor)
        except AlreadyAssigned as exc:
            if exc.holder == actor:
                return [ctx.tell(render("agent.already_yours"))]
            return [ctx.tell(render("agent.claimed_by_other", agent=exc.holder))]
        outs = [
            ctx.tell(render("agent.claimed")),
            ctx.announce(case, render("room.claimed", ref=case.ref, agent=actor)),
        ]
        return outs + ctx.actions.status_notices(case, after, actor, confirm=False)
