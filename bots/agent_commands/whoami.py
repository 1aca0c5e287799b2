"""``/whoami`` (``/เรื่องของฉัน``, ``/mine``): the open cases the agent holds in this centre —
reference, status, a short summary and the case address. In a case chat, in the room
(``!whoami``, no case needed) and as an ad-hoc command."""

from __future__ import annotations

from datetime import datetime

from bots.agent_commands.base import AgentCommand, Context
from bots.agent_commands.common import THAI_TIME, case_line
from bots.agent_commands.runner import Actions
from bots.catalogue import entry, render
from kernel.addresses import Outgoing

entry("agent.whoami_title", "เรื่องที่ท่านดูแลอยู่", "open cases held by {agent}", "{th} · {en}: {count}")
entry("agent.whoami_none", "ท่านยังไม่มีเรื่องที่ดูแลอยู่", "You hold no open case.", "{th} · {en}")


class WhoAmI(AgentCommand):
    name, thai, aliases = "whoami", "เรื่องของฉัน", ("mine",)
    help_en = "the open cases you hold in this centre"
    help_th = "เรื่องที่ท่านดูแลอยู่ในศูนย์นี้"
    order = 135
    needs_case = False

    def run(self, ctx: Context) -> list[Outgoing]:
        return [ctx.tell(self.without_case(ctx.actions, ctx.actor, ctx.current().centre))]

    def without_case(self, actions: Actions, actor: str, centre: str) -> str:
        mine = [c for c in actions.store.open_cases(centre=centre) if c.assigned_to == actor]
        now = datetime.now(THAI_TIME)
        lines = [render("agent.whoami_title", agent=actor, count=len(mine))]
        lines += [case_line(c, actions.addr, now, holder=False) for c in mine]
        if not mine:
            lines.append(render("agent.whoami_none"))
        return "\n".join(lines)
