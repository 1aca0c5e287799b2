"""``/merge <ref>`` (``/รวมเรื่อง``): close this case as a duplicate of another open case of
the same citizen and centre; later messages to it land in the one kept."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.anon import placeholder
from bots.catalogue import render
from casestore import parse_ref
from casestore.labels import STATUS_TH
from kernel.addresses import Outgoing


class Merge(AgentCommand):
    name, thai = "merge", "รวมเรื่อง"
    arg = "required"
    usage_en, usage_th = "<case ref>", "<เลขที่เรื่อง>"
    help_en = "close this case as a duplicate of another case of the same citizen"
    help_th = "ปิดเรื่องนี้เพราะซ้ำกับอีกเรื่องของผู้ร้องคนเดียวกัน"
    order = 50

    def form(self, ctx: Context) -> list[Field]:
        return [Field("ref", "text-single", "เลขที่เรื่องที่เก็บไว้ · case to keep", required=True)]

    def refuse(self, ctx: Context) -> str | None:
        # Two anonymous tips may come from two people: never join them.
        if ctx.case.citizen_jid == placeholder(ctx.addr.domain):
            return render("agent.anon_merge_refused", ref=ctx.case.ref)
        return None

    def run(self, ctx: Context) -> list[Outgoing]:
        arg, actor, addr = ctx.arg, ctx.actor, ctx.addr
        parsed = parse_ref(arg.strip().removeprefix("xmpp:").partition("@")[0])
        target = ctx.store.get(str(parsed)) if parsed else None
        current = ctx.current()
        problem = None
        if target is None:
            problem = render("agent.merge_no_case", arg=arg)
        elif target.ref == current.ref:
            problem = render("agent.merge_itself")
        elif target.citizen_jid != current.citizen_jid:
            problem = render("agent.merge_other_citizen", ref=target.ref)
        elif target.centre != current.centre:
            problem = render("agent.merge_other_centre", ref=target.ref, centre=target.centre)
        elif not target.is_open:
            problem = render(
                "agent.merge_keep_not_open",
                ref=target.ref,
                status_th=STATUS_TH[target.status],
                status=target.status.value,
            )
        if problem:
            return [ctx.tell(render("agent.nothing_changed", problem=problem))]
        dup, keep = ctx.store.merge(current.ref, target.ref, actor)
        keep_jid = addr.case_jid(keep.ref)
        notice = render(
            "citizen.merged",
            ref=dup.ref,
            signature=ctx.actions.signature(dup),
            into=keep.ref,
            case_jid=keep_jid,
        )
        centre_jid = f"{dup.centre}@{addr.bot_domain}"
        ctx.store.add_message(dup.ref, "system", sender=centre_jid, body=notice)
        return [
            ctx.tell(render("agent.merged", into=keep.ref, case_jid=keep_jid)),
            Outgoing(to=dup.citizen_jid, body=notice, sender=dup.centre),
            ctx.announce(
                dup,
                render(
                    "room.merged",
                    ref=dup.ref,
                    into=keep.ref,
                    old=current.status.value,
                    agent=actor,
                ),
            ),
        ]
