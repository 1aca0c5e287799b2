"""``/transfer <centre> [reason]`` (``/โอนเรื่อง``, ``/โอน``): move the case to another centre
of this server; reference, transcript and audit log are kept.

A centre address of another server (``nonthaburi@central.example``) is refused, never
taken for this server's centre of the same name: cases do not cross servers from here yet
(`bridge.federation` has the mechanism, with no caller)."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.common import clip, find_centre, foreign_domain
from bots.catalogue import render
from casestore.centres import Centre, centre_by_slug
from casestore.labels import STATUS_TH
from kernel.addresses import Outgoing


class Transfer(AgentCommand):
    name, thai, aliases = "transfer", "โอนเรื่อง", ("โอน",)
    arg = "required"
    usage_en, usage_th = "<centre> [reason]", "<ศูนย์> [เหตุผล]"
    help_en = "move the case to another centre (province, district or ministry); history is kept"
    help_th = "โอนเรื่องไปศูนย์อื่น (จังหวัด อำเภอ หรือส่วนกลาง) ประวัติยังอยู่ครบ"
    order = 30

    def form(self, ctx: Context) -> list[Field]:
        return [
            Field("centre", "text-single", "ศูนย์ · centre (slug, name or province)", required=True),
            Field("reason", "text-single", "เหตุผล · reason"),
        ]

    def problem(self, ctx: Context, word: str) -> tuple[str | None, Centre | None]:
        """(the refusal or None, the target centre)."""
        if foreign_domain(word, ctx.addr):
            return render("agent.transfer_other_server", word=word, domain=ctx.addr.domain), None
        target = find_centre(word)
        if target is None:
            return render("agent.transfer_no_centre", word=word), None
        current = ctx.current()
        served = ctx.actions.served()
        if target.slug == current.centre:
            told = render("agent.transfer_already_at", name_th=target.name_th, slug=target.slug)
            return told, target
        if served is not None and target.slug not in served:
            told = render(
                "agent.transfer_not_served",
                name_th=target.name_th,
                name_en=target.name_en,
                slug=target.slug,
            )
            return told, target
        if not current.is_open:
            told = render(
                "agent.transfer_not_open",
                status_th=STATUS_TH[current.status],
                status=current.status.value,
            )
            return told, target
        return None, target

    def run(self, ctx: Context) -> list[Outgoing]:
        word, _, reason = ctx.arg.strip().partition(" ")
        reason = reason.strip()
        problem, target = self.problem(ctx, word)
        if problem or target is None:
            return [ctx.tell(problem or render("agent.transfer_no_centre", word=word))]
        actor, addr = ctx.actor, ctx.addr
        before, after = ctx.store.transfer(ctx.case.ref, target.slug, actor, reason or None)
        old = centre_by_slug(before.centre)
        notice = render(
            "citizen.transferred",
            ref=after.ref,
            old_th=old.name_th if old else before.centre,
            old_en=old.name_en if old else before.centre,
            new_th=target.name_th,
            new_en=target.name_en,
            reason=f"\n{reason}" if reason else "",
            case_jid=addr.case_jid(after.ref),
        )
        centre_jid = f"{after.centre}@{addr.bot_domain}"
        ctx.store.add_message(after.ref, "system", sender=centre_jid, body=notice)
        why = f" — {clip(reason, 120)}" if reason else ""
        arrival = render(
            "room.transferred_in",
            urgent=render("agent.urgent_mark") if after.urgent else "",
            ref=after.ref,
            old=before.centre,
            agent=actor,
            why=why,
            kind=f"{after.type}/{after.topic}",
            status=after.status.value,
            summary=clip(after.summary, 200),
            case_jid=addr.case_jid(after.ref),
        )
        return [
            ctx.tell(render("agent.transferred", name_th=target.name_th, slug=target.slug)),
            Outgoing(to=after.citizen_jid, body=notice, sender=after.centre),
            ctx.announce(
                before,
                render(
                    "room.transferred_out",
                    ref=after.ref,
                    slug=target.slug,
                    name_th=target.name_th,
                    agent=actor,
                    why=why,
                ),
            ),
            ctx.announce(after, arrival),
        ]
