"""Relay rules between a case's citizen and its centre's agents. No XMPP, no NLP."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from bots.agencies import Agency
from bots.agent_commands.runner import AgentActions
from bots.agent_commands.syntax import Command, parse, reply_text
from bots.anon import (
    PIN_LIMITS,
    AnonSessions,
    citizen_address,
    parse_pin,
    placeholder,
    sessions,
)
from bots.canned import CannedReplies
from bots.catalogue import render
from bots.inbound import Inbound
from bots.presence import RoomPresence
from casestore import (
    AlreadyAssigned,
    CaseStore,
    CaseView,
    EventKind,
    InvalidTransition,
    MessageView,
    parse_ref,
)
from casestore.centres import centre_by_slug
from casestore.pin_guard import PinGuard
from kernel.addresses import Addresses, Outgoing

log = logging.getLogger(__name__)

QUEUED = EventKind.QUEUED  # audit event: the citizen was told that nobody is on duty
MAX_CHARS = 8000
RECENT_COMMANDS = 4096  # (agent, origin id) of commands already carried out, newest last
# A message that is only a link: what apps send after uploading a picture or file (XEP-0363,
# with the same URL as XEP-0066 out-of-band data). Relayed as its own message, unprefixed,
# with the OOB element, so the receiving app shows the picture inline.
_MEDIA_URL = re.compile(r"(?:https?|aesgcm)://\S+", re.IGNORECASE)


def media_url(body: str) -> str | None:
    """The URL when `body` is nothing but one link, else None."""
    text = body.strip()
    return text if _MEDIA_URL.fullmatch(text) else None


REATTACHED = EventKind.REATTACHED  # audit event: an anonymous tipster came back with the PIN


class Relay:
    """Decides who receives what; the component carries the result."""

    def __init__(
        self,
        store: CaseStore,
        addresses: Addresses,
        presence: RoomPresence | None = None,
        served: Callable[[], frozenset[str] | None] = lambda: None,
        agencies: dict[str, Agency] | None = None,
        canned: CannedReplies | None = None,
        anon: AnonSessions | None = None,
    ) -> None:
        self.store = store
        self.addr = addresses
        self.anon = anon if anon is not None else sessions()
        self.placeholder = placeholder(addresses.domain)
        self.presence = presence  # None: on-duty agents unknown, no queue notices
        self.actions = AgentActions(
            store, addresses, self.centre_signature, served, agencies, canned
        )
        self.actions.send_reply = self.from_agent
        self.actions.anon = self.anon  # status notices find anonymous tipsters here too
        self.inbound = Inbound(store, addresses.domain, self.anon)
        self._recent: OrderedDict[tuple[str, str], None] = OrderedDict()

    # -- the citizen's address: the one way out to a citizen ------------------------------

    def citizen_to(self, case: CaseView) -> str | None:
        """The address of the case's citizen; for an anonymous tip, the live session's JID
        (memory only, `bots.anon`), None when the tipster is not connected."""
        return citizen_address(case.ref, case.citizen_jid, self.addr.domain, self.anon)

    def to_citizen(self, case: CaseView, outs: list[Outgoing]) -> list[Outgoing]:
        """`outs` addressed to the case's stored citizen JID, readdressed by `citizen_to`;
        dropped (the transcript keeps them for /track) when an anonymous tipster is gone."""
        if not any(o.to == case.citizen_jid and not o.groupchat for o in outs):
            return outs
        to = self.citizen_to(case)
        if to is None:
            log.info(
                "case %s: the anonymous tipster is not connected; reply kept for /track",
                case.ref,
            )
        kept = []
        for out in outs:
            if out.to != case.citizen_jid or out.groupchat:
                kept.append(out)
            elif to is not None:
                kept.append(replace(out, to=to))
        return kept

    def _anon_party(self, sender: str, case: CaseView, local: str, body: str) -> list[Outgoing]:
        """An anonymous session writing to a case address it is not attached to: `PIN n`
        re-attaches it (wrong PINs limited per session, slowed per case: ``PIN_LIMITS``),
        anything else is refused."""
        if case.citizen_jid != self.placeholder:
            return [
                Outgoing(to=sender, body=render("citizen.not_allowed", ref=case.ref), sender=local)
            ]
        pin = parse_pin(body)
        if pin is None:
            text = (
                render("citizen.not_allowed", ref=case.ref)
                + "\n"
                + render("citizen.anon_hint", ref=case.ref)
            )
            return [Outgoing(to=sender, body=text, sender=local)]
        # The source is the session (the bot never sees a tipster's address), counted under a
        # hash of its JID: the random session JID itself is never written anywhere.
        guard = PinGuard(self.store, PIN_LIMITS)
        source = self.anon.origin(sender.partition("/")[0], "pin-guard") or "anon"
        wait = guard.wait(case.ref, source)
        if wait:
            log.warning("case %s: PIN attempts from an anonymous session slowed", case.ref)
            text = render("citizen.pin_wait", ref=case.ref, minutes=-(-wait // 60))
            return [Outgoing(to=sender, body=text, sender=local)]
        if not self.store.check_pin(case.ref, pin):
            log.info("case %s: wrong PIN from an anonymous session", case.ref)
            guard.failed(case.ref, source)
            text = render("citizen.wrong_pin", ref=case.ref)
            return [Outgoing(to=sender, body=text, sender=local)]
        guard.succeeded(case.ref, source)
        self.anon.attach(case.ref, sender)
        self.store.record(case.ref, self.placeholder, REATTACHED)
        log.info("case %s: anonymous tipster re-attached with the PIN", case.ref)
        return [Outgoing(to=sender, body=render("citizen.reattached", ref=case.ref), sender=local)]

    def centre_signature(self, case: CaseView) -> str:
        centre = centre_by_slug(case.centre)
        return centre.name_th if centre else case.centre

    def from_case_address(
        self,
        sender: str,
        local: str,
        body: str,
        origin_id: str | None,
        sender_is_agent: bool,
        staff: frozenset[str] = frozenset(),
    ) -> list[Outgoing]:
        """A message someone wrote to `<local>@bot.D`, the address of one case.

        From the citizen: stored and relayed to the agents, whatever it says (a citizen's
        `/close` is just text). From an agent of the case's centre (`staff` lists them all):
        a command (see `bots.agent_commands`) or a reply to the citizen.
        """
        ref = parse_ref(local)
        case = self.store.get(str(ref)) if ref else None
        if case is None:
            return [
                Outgoing(
                    to=sender, body=render("citizen.unknown_case", ref=local.upper()), sender=local
                )
            ]
        if not body.strip() or len(body) > MAX_CHARS:
            return [
                Outgoing(
                    to=sender, body=render("citizen.empty_or_long", limit=MAX_CHARS), sender=local
                )
            ]
        if self.inbound.owns(case, sender):  # the citizen (or their anonymous session)
            stored = self.inbound.store_message(sender, body, origin_id, case=case)
            if stored is None:  # nothing but invisible characters
                return [
                    Outgoing(
                        to=sender,
                        body=render("citizen.empty_or_long", limit=MAX_CHARS),
                        sender=local,
                    )
                ]
            return self.to_agents(stored.case, stored.message) if stored.added else []
        if self.inbound.is_anon(sender):
            return self._anon_party(sender, case, local, body)
        if not sender_is_agent:
            log.warning("refused a message to case %s from a non-party", case.ref)
            if sender.partition("@")[2] == self.addr.domain:  # staff of another centre
                return [
                    Outgoing(
                        to=sender,
                        body=render("agent.other_centre", ref=case.ref, centre=case.centre),
                        sender=local,
                    )
                ]
            return [
                Outgoing(to=sender, body=render("citizen.not_allowed", ref=case.ref), sender=local)
            ]
        command = parse(body)
        if command is not None:
            if self._repeated(sender, origin_id):
                log.info("ignored a redelivered command to case %s", case.ref)
                return []
            return self.run_command(case, sender, command, staff | {sender}, origin_id)
        return self.from_agent(case, sender, reply_text(body), origin_id)

    def run_command(
        self,
        case: CaseView,
        actor: str,
        command: Command,
        staff: frozenset[str],
        origin_id: str | None = None,
    ) -> list[Outgoing]:
        """An agent's command on `case` (typed or ad-hoc): `AgentActions.run`, with what goes
        to the citizen readdressed by `to_citizen` (`/merge` refuses anonymous tips itself)."""
        return self.to_citizen(case, self.actions.run(case, actor, command, staff, origin_id))

    def _repeated(self, sender: str, origin_id: str | None) -> bool:
        """Whether this command was seen already (a client resending after a reconnect).

        Kept in memory: a resend after a bridge restart is answered again, and a second
        status change is then refused by the lifecycle, so nothing happens twice.
        """
        if origin_id is None:
            return False
        key = (sender, origin_id)
        if key in self._recent:
            return True
        self._recent[key] = None
        if len(self._recent) > RECENT_COMMANDS:
            self._recent.popitem(last=False)
        return False

    def from_agent(
        self, case: CaseView, agent: str, body: str, origin_id: str | None
    ) -> list[Outgoing]:
        """An agent's reply: stored, then sent to the citizen signed by the centre."""
        _msg, added = self.store.add_message(
            case.ref, direction="agent", sender=agent, body=body, origin_id=origin_id
        )
        if not added:
            return []
        heading = f"[{case.ref}] {self.centre_signature(case)}:"
        if url := media_url(body):  # a shared file: signed line, then the bare link
            outs = [
                Outgoing(to=case.citizen_jid, body=heading, sender=case.centre),
                Outgoing(to=case.citizen_jid, body=url, sender=case.centre, oob=url),
            ]
        else:
            outs = [Outgoing(to=case.citizen_jid, body=f"{heading}\n{body}", sender=case.centre)]
        outs = self.to_citizen(case, outs)
        if case.assigned_to is None:  # the first agent to answer takes the case
            try:
                after = self.store.claim(case.ref, agent)
            except (AlreadyAssigned, InvalidTransition):
                return outs
            # The reply itself tells the citizen someone has the case: only the room is told.
            change = (
                f" ({case.status.value} → {after.status.value})"
                if after.status != case.status
                else ""
            )
            text = render("room.claimed_by_replying", ref=case.ref, agent=agent, change=change)
            outs.append(self.actions.announce(case, text))
        return outs

    def to_agents(self, case: CaseView, msg: MessageView) -> list[Outgoing]:
        """A citizen's message on an open case: to the assigned agent, else to the room."""
        case_local = case.ref.lower()
        current = case  # read by the intake just before, in this same process
        url = media_url(msg.body)
        if current.assigned_to:
            to = current.assigned_to
            if url:  # a shared file: who sent it, then the bare link
                sent = render("agent.citizen_sent_file", ref=case.ref)
                return [
                    Outgoing(to=to, body=sent, sender=case_local),
                    Outgoing(to=to, body=url, sender=case_local, oob=url),
                ]
            said = render("agent.citizen_wrote", ref=case.ref, body=msg.body)
            return [Outgoing(to=to, body=said, sender=case_local)]
        room = self.addr.room_jid(current.centre)
        reply = render("room.reply_link", case_jid=self.addr.case_jid(case.ref))
        if url:
            outs = [
                Outgoing(
                    to=room,
                    body=render("room.citizen_sent_file", ref=case.ref, reply=reply),
                    groupchat=True,
                ),
                Outgoing(to=room, body=url, groupchat=True, oob=url),
            ]
        else:
            outs = [
                Outgoing(
                    to=room,
                    body=render("room.citizen_wrote", ref=case.ref, body=msg.body, reply=reply),
                    groupchat=True,
                )
            ]
        return outs + self.queued(current)

    def queued(self, case: CaseView) -> list[Outgoing]:
        """When nobody of the case's centre is on duty, tell the citizen once (per case and
        centre) that the case waits in the queue; the message is in the room and the store
        anyway, so nothing is dropped."""
        if self.presence is None or self.presence.on_duty(self.addr.room_jid(case.centre)):
            return []
        if any(e.kind == QUEUED and e.note == case.centre for e in self.store.events(case.ref)):
            return []
        self.store.record(case.ref, self.addr.bot_domain, QUEUED, case.centre)
        notice = render("citizen.queued", ref=case.ref, signature=self.centre_signature(case))
        centre_jid = f"{case.centre}@{self.addr.bot_domain}"
        self.store.add_message(case.ref, "system", sender=centre_jid, body=notice)
        return self.to_citizen(
            case, [Outgoing(to=case.citizen_jid, body=notice, sender=case.centre)]
        )
