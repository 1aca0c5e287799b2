"""`Actions`: runs parsed agent commands against the case store for one deployment.

Every command that is carried out leaves one audit event on the case (who, what, when):
``claimed``, ``assigned``, ``note``, ``status``, or the command's name for those that change
nothing else (``help``, ``history``). A refused command changes nothing and records nothing.
What a command does is in its own module; this class holds what they share: the
deployment (store, addresses, agencies, canned replies), telling the agent and the room,
and the status notices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bots.agencies import Agency, find_agency
from bots.agent_commands import common
from bots.agent_commands.base import Context
from bots.agent_commands.syntax import Command, argument_problem, unknown_command
from bots.anon import citizen_address
from bots.canned import CannedReplies
from bots.catalogue import render
from bots.open311 import open311_request, payload_of
from casestore import CaseStore, CaseView, InvalidTransition, Status
from casestore.labels import STATUS_EN, STATUS_TH, status_label
from casestore.policy import reopen_days
from kernel.addresses import Addresses, Outgoing

log = logging.getLogger(__name__)


class Actions:
    """The agent commands of one deployment (`AgentActions` to the rest of the code).
    The edge (XMPP or web) has checked that the actor is an agent of the case's centre
    before `run`.

    Hooks the relay sets: `send_reply` (an agent's reply to the citizen: stored, signed,
    takes an unheld case) and `anon` (the live addresses of anonymous tipsters).
    """

    def __init__(
        self,
        store: CaseStore,
        addresses: Addresses,
        signature: Callable[[CaseView], str],
        served: Callable[[], frozenset[str] | None] = lambda: None,
        agencies: dict[str, Agency] | None = None,
        canned: CannedReplies | None = None,
    ) -> None:
        self.store = store
        self.addr = addresses
        self.signature = signature
        self.served = served  # slugs of the centres with a room on this server (None: any)
        self.agencies = agencies or {}
        self.canned = canned or CannedReplies({}, {})
        #: Sends an agent's reply to the citizen (set by the relay: stored, signed, claims).
        self.send_reply: Callable[[CaseView, str, str, str | None], list[Outgoing]] | None = None
        #: The anonymous tipsters' live JIDs (`bots.anon`; set by the relay).
        self.anon: Any = None

    # -- entry point ------------------------------------------------------------------------

    def run(
        self,
        case: CaseView,
        actor: str,
        cmd: Command,
        staff: frozenset[str],
        origin_id: str | None = None,
    ) -> list[Outgoing]:
        """Carry out `cmd` by `actor` (an agent of the case's centre; `staff` = all of them)."""
        if cmd.spec is None:
            return [self.tell(case, actor, unknown_command(cmd.word))]
        if problem := argument_problem(cmd):
            return [self.tell(case, actor, problem)]
        ctx = self.context(case, actor, staff, cmd.arg, origin_id)
        if refusal := cmd.spec.refuse(ctx):
            return [self.tell(case, actor, refusal)]
        try:
            return cmd.spec.run(ctx)
        except InvalidTransition as exc:
            current = self.store.get(case.ref) or case
            return [self.tell(case, actor, common.refused_transition(current, exc.to_status))]

    def context(
        self,
        case: CaseView,
        actor: str,
        staff: frozenset[str] = frozenset(),
        arg: str = "",
        origin_id: str | None = None,
    ) -> Context:
        return Context(self, case, actor, staff, arg, origin_id)

    # -- agencies ---------------------------------------------------------------------------

    def find_agency(self, word: str) -> Agency | None:
        """An agency by id or by its Thai or English name."""
        return find_agency(word, self.agencies)

    def forward_payload(self, case: CaseView, agency: Agency, note: str | None) -> str:
        """The outbox row's body: the Open311 request (`bridge.outbox` delivers it)."""
        return payload_of(open311_request(case, agency, note))

    # -- telling people ---------------------------------------------------------------------

    def tell(self, case: CaseView, actor: str, text: str) -> Outgoing:
        """A reply to the agent, from the case address."""
        return Outgoing(to=actor, body=f"[{case.ref}] {text}", sender=case.ref.lower())

    def announce(self, case: CaseView, text: str) -> Outgoing:
        return Outgoing(to=self.addr.room_jid(case.centre), body=text, groupchat=True)

    def queue_text(self, centre: str, now: datetime | None = None) -> str:
        """The centre's open cases: waiting (urgent first), then held, with their holders."""
        return common.queue_text(self.store, self.addr, centre, now)

    def history(self, ref: str) -> str:
        return common.history(self.store, ref)

    def find_agent(self, name: str, centre: str, staff: frozenset[str]) -> str | None:
        return common.find_agent(name, centre, staff, self.addr.domain)

    # -- status changes ---------------------------------------------------------------------

    def change(
        self, current: CaseView, actor: str, target: Status, text: str | None = None
    ) -> list[Outgoing]:
        """Move the case to `target` (InvalidTransition propagates) and tell everyone."""
        if current.status == target:
            raise InvalidTransition(current.ref, current.status, target)
        after = self.store.set_status(current.ref, target, actor, note=text)
        return self.status_notices(current, after, actor, text)

    def status_notices(
        self,
        before: CaseView,
        after: CaseView,
        actor: str,
        text: str | None = None,
        *,
        confirm: bool = True,
    ) -> list[Outgoing]:
        """After a status change: the citizen (kept in the transcript), the room, the agent."""
        if before.status == after.status:
            return []
        old, new = before.status, after.status
        more = [text] if text else []
        if hint := common.STATUS_HINT.get(new):
            more.append(render(hint))
        if new == Status.RESOLVED:
            more.append(render("citizen.rating_invitation", ref=after.ref, days=reopen_days()))
        notice = render(
            "citizen.status_notice",
            ref=after.ref,
            signature=self.signature(after),
            status_th=STATUS_TH[new],
            status_en=STATUS_EN[new],
            more="".join(f"\n{line}" for line in more),
        )
        centre_jid = f"{after.centre}@{self.addr.bot_domain}"
        self.store.add_message(after.ref, "system", sender=centre_jid, body=notice)
        # An anonymous tipster's live JID is only in memory (bots.anon); gone → /track only.
        to = citizen_address(after.ref, after.citizen_jid, self.addr.domain, self.anon)
        outs = [Outgoing(to=to, body=notice, sender=after.centre)] if to else []
        room = render(
            "room.status_changed",
            ref=after.ref,
            old_th=STATUS_TH[old],
            new_th=STATUS_TH[new],
            old=old.value,
            new=new.value,
            agent=actor,
            why=f" — {common.clip(text, 120)}" if text else "",
        )
        outs.append(self.announce(after, room))
        if confirm:
            told = render("agent.status_now", label=status_label(new), status=new.value)
            outs.append(self.tell(after, actor, told))
        return outs

    def refused_transition(self, current: CaseView, target: str) -> str:
        return common.refused_transition(current, target)

    @staticmethod
    def status_summary(case: CaseView) -> str:
        return common.status_summary(case)


#: The name the rest of the code knows it by.
AgentActions = Actions
