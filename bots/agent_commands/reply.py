"""``/reply [name]`` (``/ตอบ``): send the centre's canned reply like an agent's reply; alone:
list the centre's canned replies."""

from __future__ import annotations

from bots.agent_commands import texts
from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.common import clip
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
            texts.canned_line(r.th_name, r.name, clip(r.th, 70)) for r in replies.values()
        )
        if not arg:
            ctx.store.record(ctx.case.ref, actor, EventKind.REPLY_LIST)
            return [ctx.tell(texts.CANNED_TITLE + (listing or "—"))]
        reply = canned.find(current.centre, arg)
        if reply is None:
            return [ctx.tell(texts.no_canned(arg, listing or "—"))]
        if not current.is_open:
            return [ctx.tell(texts.not_open_reply(STATUS_TH[current.status], current.status.value))]
        centre = centre_by_slug(current.centre)
        text = reply.text(
            current.ref,
            centre.name_th if centre else current.centre,
            centre.name_en if centre else current.centre,
        )
        assert ctx.actions.send_reply is not None, "the relay sets send_reply"
        outs = ctx.actions.send_reply(current, actor, text, ctx.origin_id)
        if outs:
            outs.append(ctx.tell(texts.canned_sent(reply.th_name, reply.name)))
        return outs
