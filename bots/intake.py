"""Intake: what to do with one message a citizen sends to a centre address.

No XMPP here: `Intake.handle` returns the messages to send, so it is testable alone and the
component only carries them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bots import faq, replies
from bots.triage import Triage, triage
from casestore import CaseStore, CaseView, MessageView
from casestore.centres import Centre, centre_by_iso, centre_by_slug
from damrongdham.addresses import Addresses, Outgoing

log = logging.getLogger(__name__)

MAX_CHARS = 8000  # longer messages are refused with a notice, nothing stored


@dataclass
class IntakeResult:
    out: list[Outgoing] = field(default_factory=list)
    # Citizen messages stored on an existing case, for the bridge to route to agents.
    follow_ups: list[tuple[CaseView, MessageView]] = field(default_factory=list)
    opened: CaseView | None = None


class Intake:
    """Turns citizens' messages into cases."""

    def __init__(self, store: CaseStore, addresses: Addresses) -> None:
        self.store = store
        self.addr = addresses

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

        found = triage(body)
        if not found.masked:  # only zero-width or other invisible characters
            return say(replies.empty_message())
        open_case = self.store.latest_open_case(sender, centre.slug if centre else None)
        if open_case is not None:
            msg, added = self.store.add_message(
                open_case.ref,
                direction="citizen",
                sender=sender,
                body=found.masked,
                origin_id=origin_id,
            )
            if added:
                result.follow_ups.append((open_case, msg))
                if found.urgent:  # danger now: the emergency numbers at once, not after triage
                    say(replies.urgent_follow_up(open_case.ref, found.urgent_reason))
            return result

        # A question the FAQ answers gets the answer and no case; the FAQ declines anything
        # that may be a complaint, so a complaint with a question word still opens one.
        answer = faq.answer(body, found)
        if answer is not None:
            log.info("FAQ answer for a new message to %s", to_local or "bot")
            return say(answer)
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
        opened = self.store.open_case(
            centre=centre.slug,
            province=found.province or centre.iso,
            district=found.district,
            citizen_jid=sender,
            body=found.masked,
            type=found.type,
            topic=found.topic,
            urgent=found.urgent,
            urgent_reason=found.urgent_reason,
            origin_id=origin_id,
            channel="xmpp",
        )
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
            ", urgent" if case.urgent else "",
        )
        result.out.append(
            Outgoing(
                to=sender,
                body=replies.case_opened(case.ref, opened.pin or "", centre, case.urgent),
                sender=reply_from,
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
                    case.urgent,
                    case.urgent_reason,
                    case.summary,
                    found.evidence,
                ),
                sender="",
                groupchat=True,
            )
        )
        return result
