"""``/reply [name]`` (``/ตอบ``): send the centre's canned reply like an agent's reply; alone:
list the centre's canned replies."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.common import clip
from bots.catalogue import render
from casestore import EventKind
from casestore.centres import centre_by_slug
from casestore.labels import STATUS_TH
from kernel.addresses import Outgoing


class Reply(AgentCommand):
    name, thai = "reply", "ตอบ"
    arg = "optional"
    usage_en, usage_th = "[name]", "[ชื่อข้อความ]"
    help_en = "send a canned reply to the citizen (alone: list them)"
    help_th = "ส่งข้อความสำเร็จรูปถึงผู้ร้อง (ไม่ระบุชื่อ: แสดงรายการ)"
    order = 60

    def form(self, ctx: Context) -> list[Field]:
        replies = ctx.actions.canned.of(ctx.current().centre) if ctx.actions.canned else {}
        options = tuple((r.name, f"{r.th_name} · {r.name}") for r in replies.values())
        return [Field("name", "list-single", "ข้อความสำเร็จรูป · canned reply", True, options)]

    def run(self, ctx: Context) -> list[Outgoing]:
        arg, actor, canned = ctx.arg, ctx.actor, ctx.actions.canned
        current = ctx.current()
        replies = canned.of(current.centre)
        listing = "\n".join(
            render("agent.canned_line", th_name=r.th_name, name=r.name, text=clip(r.th, 70))
            for r in replies.values()
        )
        if not arg:
            ctx.store.record(ctx.case.ref, actor, EventKind.REPLY_LIST)
            return [ctx.tell(render("agent.canned_list", listing=listing or "—"))]
        reply = canned.find(current.centre, arg)
        if reply is None:
            return [ctx.tell(render("agent.no_canned", arg=arg, listing=listing or "—"))]
        if not current.is_open:
            told = render(
                "agent.reply_not_open",
                status_th=STATUS_TH[current.status],
                status=current.status.value,
            )
            return [ctx.tell(told)]
        centre = centre_by_slug(current.centre)
        text = reply.text(
            current.ref,
            centre.name_th if centre else current.centre,
            centre.name_en if centre else current.centre,
        )
        assert ctx.actions.send_reply is not None, "the relay sets send_reply"
        outs = ctx.actions.send_reply(current, actor, text, ctx.origin_id)
        if outs:
            sent = render("agent.canned_sent", th_name=reply.th_name, name=reply.name)
            outs.append(ctx.tell(sent))
        return outs
