"""``/transfer <centre> [reason]`` (``/โอนเรื่อง``, ``/โอน``): move the case to another centre
of this server; reference, transcript and audit log are kept.

A centre address of a federated peer server (``nonthaburi@central.example``, a domain in
`Addresses.peers`) asks the edge to send the case there: the command returns a
`RemoteTransfer` (no XMPP here) that `bridge.component` carries out with
`bridge.federation.Federation.send_case`, then tells the agent, the rooms and the citizen the
peer's answer. Any other server's address is refused, never taken for this server's centre of
the same name."""

from __future__ import annotations

from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.common import clip, find_centre, foreign_domain
from bots.catalogue import render
from bots.replies import urgency_mark
from casestore import CaseView
from casestore.centres import Centre, centre_by_slug
from casestore.labels import STATUS_TH
from kernel.addresses import Outgoing, RemoteTransfer


def peer_of(domain: str | None, peers: frozenset[str]) -> str | None:
    """The federated peer a foreign address names: its domain, or its ``bot.``/``rooms.``
    host (``nonthaburi@bot.central.example`` is the centre on ``central.example``)."""
    if not domain:
        return None
    if domain in peers:
        return domain
    host, _, rest = domain.partition(".")
    return rest if host in ("bot", "rooms") and rest in peers else None


def _not_open(case: CaseView) -> str:
    return render(
        "agent.transfer_not_open", status_th=STATUS_TH[case.status], status=case.status.value
    )


class Transfer(AgentCommand):
    name, thai, aliases = "transfer", "โอนเรื่อง", ("โอน",)
    arg = "required"
    usage_en, usage_th = "<centre> [internal reason]", "<ศูนย์> [เหตุผลภายใน]"
    help_en = "move the case to another centre (province, district or ministry); history is kept"
    help_th = "โอนเรื่องไปศูนย์อื่น (จังหวัด อำเภอ หรือส่วนกลาง) ประวัติยังอยู่ครบ"
    order = 30

    def form(self, ctx: Context) -> list[Field]:
        return [
            Field("centre", "text-single", "ศูนย์ · centre (slug, name or province)", required=True),
            Field("reason", "text-single", "เหตุผล (ภายใน) · reason (staff only)"),
        ]

    def problem(self, ctx: Context, word: str) -> tuple[str | None, Centre | None]:
        """(the refusal or None, the target centre)."""
        domain = foreign_domain(word, ctx.addr)
        peer = peer_of(domain, ctx.addr.peers)
        if domain and peer is None:
            return self._not_a_peer(ctx, word, domain), None
        target = find_centre(word)
        if target is None:
            return render("agent.transfer_no_centre", word=word), None
        current = ctx.current()
        served = ctx.actions.served()
        if peer:
            return (None if current.is_open else _not_open(current)), target
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
            return _not_open(current), target
        return None, target

    def run(self, ctx: Context) -> list[Outgoing]:
        word, _, reason = ctx.arg.strip().partition(" ")
        reason = reason.strip()
        problem, target = self.problem(ctx, word)
        if problem or target is None:
            return [ctx.tell(problem or render("agent.transfer_no_centre", word=word))]
        actor, addr = ctx.actor, ctx.addr
        peer = peer_of(foreign_domain(word, addr), addr.peers)
        if peer:  # a federated peer (checked by `problem`): the edge sends it and reports
            where = f"{target.slug}@{peer}"
            return [
                ctx.tell(render("agent.remote_transfer_sending", target=where)),
                RemoteTransfer(
                    to=actor, body="", ref=ctx.case.ref, peer=peer, centre=target.slug,
                    reason=reason or None,
                ),
            ]
        before, after = ctx.store.transfer(ctx.case.ref, target.slug, actor, reason or None)
        old = centre_by_slug(before.centre)
        # the reason is for colleagues: the rooms, the audit note, never the citizen (nor /track,
        # which shows this notice from the transcript)
        notice = render(
            "citizen.transferred",
            ref=after.ref,
            old_th=old.name_th if old else before.centre,
            old_en=old.name_en if old else before.centre,
            new_th=target.name_th,
            new_en=target.name_en,
            case_jid=addr.case_jid(after.ref),
        )
        centre_jid = f"{after.centre}@{addr.bot_domain}"
        ctx.store.add_message(after.ref, "system", sender=centre_jid, body=notice)
        why = f" — {clip(reason, 120)}" if reason else ""
        arrival = render(
            "room.transferred_in",
            urgent=urgency_mark(after.urgency),
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

    @staticmethod
    def _not_a_peer(ctx: Context, word: str, domain: str) -> str:
        peers = ", ".join(sorted(ctx.addr.peers)) or "—"
        return render(
            "agent.transfer_not_a_peer", word=word, domain=domain, ours=ctx.addr.domain,
            peers=peers,
        )
