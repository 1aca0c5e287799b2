"""Intake: what to do with one message a citizen sends to a centre address.

No XMPP here: `Intake.handle` returns the messages to send, so it is testable alone and the
component only carries them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bots import citizen, faq, replies
from bots.anon import AnonSessions, sessions
from bots.catalogue import render
from bots.inbound import Inbound
from bots.triage import Triage, triage
from casestore import CaseStore, CaseView, InvalidTransition, MessageView, Status
from casestore.centres import Centre, centre_by_iso, centre_by_slug
from casestore.policy import reopen_days
from casestore.refs import utcnow
from kernel.addresses import Addresses, Outgoing

log = logging.getLogger(__name__)

MAX_CHARS = 8000  # longer messages are refused with a notice, nothing stored


@dataclass
class IntakeResult:
    out: list[Outgoing] = field(default_factory=list)
    # Citizen messages stored on an existing case, for the bridge to route to agents.
    follow_ups: list[tuple[CaseView, MessageView]] = field(default_factory=list)
    opened: CaseView | None = None


class Intake:
    """Turns citizens' messages into cases.

    Anonymous tipsters (``anon.D``) are stored as the placeholder ``anonymous@anon.D``; which
    cases a live session owns is known only to `bots.anon` (memory), never from the store."""

    def __init__(
        self,
        store: CaseStore,
        addresses: Addresses,
        reopen_period_days: int | None = None,
        anon: AnonSessions | None = None,
    ) -> None:
        self.store = store
        self.addr = addresses
        self.reopen_days = reopen_days() if reopen_period_days is None else reopen_period_days
        self.anon = anon if anon is not None else sessions()
        self.inbound = Inbound(store, addresses.domain, self.anon)

    def stored_as(self, sender: str, origin_id: str | None) -> tuple[str, str | None]:
        """(sender, origin id) as the store has them (see `Inbound.stored_as`)."""
        return self.inbound.stored_as(sender, origin_id)

    def handle(self, sender: str, to_local: str, body: str, origin_id: str | None) -> IntakeResult:
        """`sender` is the citizen's bare JID, `to_local` the local part they wrote to."""
        result = IntakeResult()
        reply_from = to_local

        def say(text: str) -> IntakeResult:
            result.out.append(Outgoing(to=sender, body=text, sender=reply_from))
            return result

        centre = centre_by_slug(to_local) if to_local else None
        if to_local and centre is None:
            return say(replies.unknown_centre(to_local, self.addr.bot_domain))
        if sender.partition("@")[2] not in self.addr.citizen_domains:
            return say(replies.staff_not_citizen())
        if not body.strip():
            return say(replies.empty_message())
        if len(body) > MAX_CHARS:
            return say(replies.too_long(MAX_CHARS, len(body)))

        if self.inbound.is_anon(sender):
            self.anon.touch(sender)
        command = citizen.parse(body)
        if command is not None and self._citizen_command(
            sender, command, centre, reply_from, result
        ):
            return result

        found = triage(body)
        if not found.masked:  # only zero-width or other invisible characters
            return say(replies.empty_message())
        stored = self.inbound.store_message(
            sender, body, origin_id, centre=centre.slug if centre else None
        )
        if stored is not None:
            if stored.added:
                result.follow_ups.append((stored.case, stored.message))
                if found.urgent:  # danger now: the emergency numbers at once, not after triage
                    say(replies.urgent_follow_up(stored.case.ref, found.urgent_reason))
            return result

        # A question the FAQ answers gets the answer and no case; the FAQ declines anything
        # that may be a complaint, so a complaint with a question word still opens one.
        answer = faq.answer(body, found)
        if answer is not None:
            log.info("FAQ answer for a new message to %s", to_local or "bot")
            return say(answer)
        if found.small_talk:  # "สวัสดีครับ": a friendly prompt, no case
            return say(replies.greeting())
        if found.needs_detail:
            return say(replies.need_detail())

        if centre is None:
            iso = found.province
            if iso is None:
                return say(replies.need_province(self.addr.bot_domain))
            centre = centre_by_iso(iso)
            if centre is None:
                return say(replies.no_centre_for(iso, self.addr.bot_domain))
        return self._open(sender, centre, found, origin_id, result, reply_from)

    def _open(
        self,
        sender: str,
        centre: Centre,
        found: Triage,
        origin_id: str | None,
        result: IntakeResult,
        reply_from: str,
    ) -> IntakeResult:
        opened = self.inbound.open(sender, centre.slug, found, origin_id, province=centre.iso)
        if not opened.created:  # a redelivered message: its case reference was already sent
            return result
        case = opened.case
        result.opened = case
        log.info(
            "case %s opened for centre %s (%s/%s%s)",
            case.ref,
            centre.slug,
            case.type,
            case.topic,
            "" if case.urgency == "normal" else f", {case.urgency}",
        )
        result.out.append(
            Outgoing(
                to=sender,
                body=replies.case_opened(case.ref, opened.pin or "", centre, case.urgent),
                sender=reply_from,
                secret=True,  # the PIN: never archived by the server
            )
        )
        province = centre_by_iso(case.province) if case.province else None
        result.out.append(
            Outgoing(
                to=self.addr.room_jid(centre.slug),
                body=replies.room_announcement(
                    case.ref,
                    self.addr.case_jid(case.ref),
                    case.type,
                    case.topic,
                    province.province_th if province else None,
                    case.urgency,
                    case.urgent_reason,
                    case.summary,
                    found.evidence,
                ),
                sender="",
                groupchat=True,
            )
        )
        return result

    # -- citizens' commands (bots.citizen) -------------------------------------------------

    def _citizen_command(
        self,
        sender: str,
        cmd: citizen.CitizenCommand,
        centre: Centre | None,
        reply_from: str,
        result: IntakeResult,
    ) -> bool:
        """Answer a citizen's command; False when it is not one here (a bare digit that
        answers no rating invitation), so the message goes on as an ordinary one."""

        def say(text: str) -> bool:
            result.out.append(Outgoing(to=sender, body=text, sender=reply_from))
            return True

        own = None
        if cmd.ref is not None:
            own = self.store.get(cmd.ref)
            if own is None or not self.inbound.owns(own, sender):  # another's case reads as unknown
                return say(replies.case_not_found(cmd.ref))
        if cmd.kind == citizen.STATUS:
            if own is None:
                mine = [c for c in self.inbound.cases_of(sender) if c.is_open]
                return say(replies.open_cases(mine))
            into = self.store.merged_into(own.ref) if own.status == Status.MERGED else None
            return say(replies.case_status(own, into))
        if cmd.kind == citizen.RATE:
            if cmd.bare:
                own = self._invited(sender, centre)
                if own is None:
                    return False
            if not cmd.score:
                return say(replies.rating_range())
            if own is None:
                done = [
                    c
                    for c in self.inbound.cases_of(sender)
                    if c.status in (Status.RESOLVED, Status.CLOSED)
                ]
                if not done:
                    return say(replies.nothing_to_rate())
                own = max(done, key=lambda c: c.updated_at)
            if own.status not in (Status.RESOLVED, Status.CLOSED):
                return say(replies.not_ratable(own.ref, own.status))
            self.store.rate(own.ref, cmd.score, self.inbound.stored_as(sender, None)[0])
            log.info("case %s rated %d by its citizen", own.ref, cmd.score)
            result.out.append(
                Outgoing(
                    to=self.addr.room_jid(own.centre),
                    body=render("room.rated", ref=own.ref, score=cmd.score),
                    groupchat=True,
                )
            )
            return say(replies.rating_thanks(own.ref, cmd.score))
        return self._reopen(sender, own, centre, say, result)

    def _done_at(self, case: CaseView) -> datetime | None:
        """When the case was last resolved (else closed)."""
        events = self.store.events(case.ref)
        for status in (Status.RESOLVED, Status.CLOSED):
            times = [e.at for e in events if e.to_status == status]
            if times:
                return times[-1]
        return None

    def _within_period(self, case: CaseView) -> bool:
        done = self._done_at(case) or case.updated_at
        return utcnow() - done <= timedelta(days=self.reopen_days)

    def _invited(self, sender: str, centre: Centre | None) -> CaseView | None:
        """The case whose rating invitation a bare digit answers: the citizen's newest
        resolved, unrated case (of this centre, when written to one) whose last message is
        the resolved notice, with no open case of theirs more recent."""
        cases = self.inbound.cases_of(sender)
        resolved = [
            c
            for c in cases
            if c.status == Status.RESOLVED and (centre is None or c.centre == centre.slug)
        ]
        if not resolved:
            return None
        case = max(resolved, key=lambda c: c.updated_at)
        if any(c.is_open and c.updated_at > case.updated_at for c in cases):
            return None
        if self.store.rating(case.ref) is not None or not self._within_period(case):
            return None
        transcript = self.store.transcript(case.ref)
        if not transcript or transcript[-1].direction != "system":
            return None
        return case

    def _reopen(self, sender, own, centre, say, result: IntakeResult) -> bool:
        if own is None:
            done = [
                c
                for c in self.inbound.cases_of(sender)
                if c.status in (Status.RESOLVED, Status.CLOSED)
                and (centre is None or c.centre == centre.slug)
            ]
            if not done:
                return say(replies.nothing_to_reopen())
            own = max(done, key=lambda c: c.updated_at)
        if own.status not in (Status.RESOLVED, Status.CLOSED):
            if own.is_open:
                return say(replies.case_status(own))
            return say(replies.not_reopenable(own.ref, own.status))
        if not self._within_period(own):
            return say(replies.reopen_too_late(own.ref, self.reopen_days))
        try:
            after = self.store.set_status(
                own.ref,
                Status.REOPENED,
                self.inbound.stored_as(sender, None)[0],
                note=render("agent.note_reopened_by_citizen"),
            )
        except InvalidTransition:
            return say(replies.case_status(self.store.get(own.ref) or own))
        signature = centre_by_slug(after.centre)
        notice = replies.reopened(after.ref, signature.name_th if signature else after.centre)
        centre_jid = f"{after.centre}@{self.addr.bot_domain}"
        self.store.add_message(after.ref, "system", sender=centre_jid, body=notice)
        log.info("case %s reopened by its citizen", after.ref)
        result.out.append(Outgoing(to=sender, body=notice, sender=after.centre))
        result.out.append(
            Outgoing(
                to=self.addr.room_jid(after.centre),
                body=render(
                    "room.reopened",
                    ref=after.ref,
                    old=own.status.value,
                    case_jid=self.addr.case_jid(after.ref),
                ),
                groupchat=True,
            )
        )
        return True
