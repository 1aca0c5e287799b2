"""The one way a citizen's words enter the case store, whatever address they came to.

A citizen writes to a centre address (``chiangrai@bot.D``), the general address (``bot.D``),
a case address (``<ref>@bot.D``), from their own account, the web chat or an anonymous
session. Every such message is stored by `Inbound.store_message` (onto a case) or `Inbound.open`
(the first message of a new case), and these decide, once for every entry:

- **masking**: the stored text is `bots.triage.clean` (normalised, ID/phone/e-mail/account
  numbers masked) — the text agents and archives get;
- **anonymity**: an anonymous session (``anon.D``) is stored as the placeholder
  ``anonymous@anon.D`` with a hashed origin id (`bots.anon`); its live JID stays in memory;
- **dedup**: a message redelivered with the same origin id is stored once (``added`` False);
- **which case**: the latest open case of the citizen (at a centre), or the given one; a
  merged case's conversation goes on in the case it was merged into.

No XMPP here: callers pass bare JIDs and get typed results back."""

from __future__ import annotations

from dataclasses import dataclass

from bots.anon import AnonSessions, is_anon, placeholder, sessions
from bots.triage import Triage, clean
from casestore import CaseStore, CaseView, MessageView, OpenResult, Status


@dataclass(frozen=True)
class Stored:
    """A citizen message on a case: ``added`` is False for a redelivery stored before."""

    case: CaseView
    message: MessageView
    added: bool


class Inbound:
    """Who a citizen is, as the store knows them, and the storing of what they write."""

    def __init__(self, store: CaseStore, domain: str, anon: AnonSessions | None = None) -> None:
        self.store = store
        self.domain = domain
        self.anon = anon if anon is not None else sessions()
        self.placeholder = placeholder(domain)

    # -- identity --------------------------------------------------------------------------

    def is_anon(self, jid: str) -> bool:
        return is_anon(jid, self.domain)

    def stored_as(self, jid: str, origin_id: str | None) -> tuple[str, str | None]:
        """(sender, origin id) as the store has them for a message of `jid`: for an
        anonymous session the placeholder and a hashed id (see `bots.anon`)."""
        if not self.is_anon(jid):
            return jid, origin_id
        return self.placeholder, self.anon.origin(jid, origin_id)

    def cases_of(self, jid: str) -> list[CaseView]:
        """The sender's cases: from the store, or (anonymous) those its session holds."""
        if not self.is_anon(jid):
            return self.store.cases_for_citizen(jid)
        found = (self.store.get(ref) for ref in self.anon.refs_for(jid))
        return [c for c in found if c is not None and c.citizen_jid == self.placeholder]

    def owns(self, case: CaseView, jid: str) -> bool:
        """Whether `jid` is the citizen of `case` (an anonymous session: attached to it)."""
        if self.is_anon(jid):
            return case.citizen_jid == self.placeholder and self.anon.owns(jid, case.ref)
        return case.citizen_jid == jid

    def latest_open(self, jid: str, centre: str | None) -> CaseView | None:
        if not self.is_anon(jid):
            return self.store.latest_open_case(jid, centre)
        mine = [c for c in self.cases_of(jid) if c.is_open and centre in (None, c.centre)]
        return max(mine, key=lambda c: c.updated_at) if mine else None

    # -- storing -----------------------------------------------------------------------------

    def store_message(
        self,
        jid: str,
        body: str,
        origin_id: str | None,
        case: CaseView | None = None,
        centre: str | None = None,
    ) -> Stored | None:
        """THE function that stores a citizen's message onto a case: `case` when the citizen
        wrote to its address, else their latest open case (at `centre`, when they wrote to a
        centre). None when no case takes it (no open case, or nothing left after masking)."""
        text = clean(body)
        if not text:
            return None
        who, origin = self.stored_as(jid, origin_id)
        if self.is_anon(jid):
            self.anon.touch(jid)
        if case is None:
            if not self.is_anon(jid):  # the commonest write: one transaction, no lookup first
                appended = self.store.add_to_open_case(who, centre, text, origin)
                return Stored(*appended) if appended is not None else None
            case = self.latest_open(jid, centre)
            if case is None:
                return None
        if case.status == Status.MERGED and (into := self.store.merged_into(case.ref)):
            case = self.store.get(into) or case  # the conversation goes on in the case kept
            if self.is_anon(jid):
                self.anon.attach(case.ref, jid)
        message, added = self.store.add_message(
            case.ref, direction="citizen", sender=who, body=text, origin_id=origin
        )
        return Stored(case, message, added)

    def open(
        self,
        jid: str,
        centre: str,
        found: Triage,
        origin_id: str | None,
        channel: str = "xmpp",
        province: str | None = None,
    ) -> OpenResult:
        """The first message of a new case at `centre`, stored as `store_message` would store it
        (`found.masked` is `clean` of the message); an anonymous session is attached to the
        case in memory only."""
        who, origin = self.stored_as(jid, origin_id)
        opened = self.store.open_case(
            centre=centre,
            province=found.province or province,
            district=found.district,
            citizen_jid=who,
            body=found.masked,
            type=found.type,
            topic=found.topic,
            urgent=found.urgent,
            urgent_reason=found.urgency_reason,
            urgency=found.urgency,
            origin_id=origin,
            channel=channel,
        )
        if opened.created and self.is_anon(jid):
            self.anon.attach(opened.case.ref, jid)
        return opened
