"""Relay rules between a case's citizen and its centre's agents. No XMPP, no NLP."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from bots.agencies import Agency
from bots.anon import (
    PIN_LIMITS,
    AnonSessions,
    citizen_address,
    parse_pin,
    placeholder,
    sessions,
)
from bots.canned import CannedReplies
from bots.inbound import Inbound
from bots.presence import RoomPresence
from bridge.actions import AgentActions
from bridge.commands import Command, parse, reply_text
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


def anon_merge_refused(ref: str) -> str:
    return (
        f"เรื่อง {ref} เป็นเรื่องแจ้งแบบไม่ระบุตัวตน ไม่สามารถรวมกับเรื่องอื่นได้ ไม่มีการเปลี่ยนแปลง\n"
        f"Case {ref} is an anonymous tip: anonymous tips are never merged (two tips may come "
        "from two different people). Nothing changed."
    )


def not_allowed(ref: str) -> str:
    return (
        f"ท่านไม่มีสิทธิ์ในเรื่อง {ref} ข้อความนี้ไม่ถูกส่ง\n"
        f"You are not a party to case {ref}; your message was not delivered."
    )


def other_centre(ref: str, centre: str) -> str:
    return (
        f"เรื่อง {ref} เป็นของศูนย์ดำรงธรรม {centre} ท่านไม่ใช่เจ้าหน้าที่ของศูนย์นี้ "
        "ข้อความหรือคำสั่งนี้ไม่ถูกดำเนินการ\n"
        f"Case {ref} belongs to centre {centre} and you are not one of its agents; "
        "nothing was done or sent."
    )


REATTACHED = EventKind.REATTACHED  # audit event: an anonymous tipster came back with the PIN


def anon_hint(ref: str) -> str:
    return (
        f"หากท่านเป็นผู้แจ้งเรื่อง {ref} แบบไม่ระบุตัวตน ส่ง «PIN 123456» (รหัส PIN ของเรื่อง) "
        "มาที่อยู่นี้เพื่อกลับมาคุยต่อ\n"
        f"If you sent tip {ref} anonymously, write «PIN 123456» (the case's PIN) to this "
        "address to continue the conversation."
    )


def reattached(ref: str) -> str:
    return (
        f"[{ref}] ยืนยัน PIN แล้ว ท่านคุยต่อในเรื่องนี้ได้ที่อยู่นี้ ตัวตนของท่านไม่ถูกบันทึก\n"
        f"PIN accepted: continue case {ref} at this address. Your identity is not recorded."
    )


def wrong_pin(ref: str) -> str:
    return f"[{ref}] PIN ไม่ถูกต้อง · Wrong PIN."


def pin_wait(ref: str, seconds: int) -> str:
    minutes = -(-seconds // 60)
    return (
        f"[{ref}] ลอง PIN หลายครั้งเกินไป กรุณารอ {minutes} นาทีแล้วลองใหม่ · "
        f"Too many PIN attempts: try again in {minutes} min."
    )


def unknown_case(local: str) -> str:
    return f"ไม่พบเรื่องเลขที่ {local.upper()} · No case {local.upper()} exists."


def queued_notice(ref: str, signature: str) -> str:
    return (
        f"[{ref}] {signature}\n"
        f"ขณะนี้ไม่มีเจ้าหน้าที่ออนไลน์ เรื่องเลขที่ {ref} ของท่านอยู่ในคิวแล้ว ไม่สูญหาย "
        "เจ้าหน้าที่จะตอบเมื่อศูนย์ฯ เปิดทำการ (วันราชการ 08:30–16:30 น.) "
        "กรณีเร่งด่วนโทร 1567 หรือ 191\n"
        f"No agent is on duty right now. Your case {ref} is queued and will not be lost; "
        "the centre will answer when it opens (working days 08:30–16:30). "
        "Urgent: call 1567 or 191."
    )


def empty_or_long(limit: int) -> str:
    return (
        f"ข้อความว่างหรือยาวเกิน {limit:,} ตัวอักษร จึงไม่ถูกส่ง\n"
        f"Empty messages and messages over {limit:,} characters are not relayed."
    )


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
            return [Outgoing(to=sender, body=not_allowed(case.ref), sender=local)]
        pin = parse_pin(body)
        if pin is None:
            text = f"{not_allowed(case.ref)}\n{anon_hint(case.ref)}"
            return [Outgoing(to=sender, body=text, sender=local)]
        # The source is the session's JID: the bot never sees a tipster's address.
        guard, source = PinGuard(self.store, PIN_LIMITS), f"anon:{sender.partition('/')[0]}"
        wait = guard.wait(case.ref, source)
        if wait:
            log.warning("case %s: PIN attempts from an anonymous session slowed", case.ref)
            return [Outgoing(to=sender, body=pin_wait(case.ref, wait), sender=local)]
        if not self.store.check_pin(case.ref, pin):
            log.info("case %s: wrong PIN from an anonymous session", case.ref)
            guard.failed(case.ref, source)
            return [Outgoing(to=sender, body=wrong_pin(case.ref), sender=local)]
        guard.succeeded(case.ref, source)
        self.anon.attach(case.ref, sender)
        self.store.record(case.ref, self.placeholder, REATTACHED)
        log.info("case %s: anonymous tipster re-attached with the PIN", case.ref)
        return [Outgoing(to=sender, body=reattached(case.ref), sender=local)]

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
        a command (see `bridge.commands`) or a reply to the citizen.
        """
        ref = parse_ref(local)
        case = self.store.get(str(ref)) if ref else None
        if case is None:
            return [Outgoing(to=sender, body=unknown_case(local), sender=local)]
        if not body.strip() or len(body) > MAX_CHARS:
            return [Outgoing(to=sender, body=empty_or_long(MAX_CHARS), sender=local)]
        if self.inbound.owns(case, sender):  # the citizen (or their anonymous session)
            stored = self.inbound.store_message(sender, body, origin_id, case=case)
            if stored is None:  # nothing but invisible characters
                return [Outgoing(to=sender, body=empty_or_long(MAX_CHARS), sender=local)]
            return self.to_agents(stored.case, stored.message) if stored.added else []
        if self.inbound.is_anon(sender):
            return self._anon_party(sender, case, local, body)
        if not sender_is_agent:
            log.warning("refused a message to case %s from a non-party", case.ref)
            if sender.partition("@")[2] == self.addr.domain:  # staff of another centre
                return [Outgoing(to=sender, body=other_centre(case.ref, case.centre), sender=local)]
            return [Outgoing(to=sender, body=not_allowed(case.ref), sender=local)]
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
        to the citizen readdressed by `to_citizen`; anonymous tips are never merged."""
        if command.spec and command.spec.name == "merge" and case.citizen_jid == self.placeholder:
            # Two anonymous tips may come from two people: never join them.
            return [self.actions.tell(case, actor, anon_merge_refused(case.ref))]
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
            verb = f"รับเรื่องโดยการตอบ · claimed by replying: {agent}"
            if after.status != case.status:
                verb += f" ({case.status.value} → {after.status.value})"
            outs.append(self.actions.announce(case, f"✋ {case.ref} {verb}"))
        return outs

    def to_agents(self, case: CaseView, msg: MessageView) -> list[Outgoing]:
        """A citizen's message on an open case: to the assigned agent, else to the room."""
        case_local = case.ref.lower()
        current = case  # read by the intake just before, in this same process
        url = media_url(msg.body)
        if current.assigned_to:
            to = current.assigned_to
            if url:  # a shared file: who sent it, then the bare link
                return [
                    Outgoing(to=to, body=f"[{case.ref}] ผู้ร้องส่งไฟล์:", sender=case_local),
                    Outgoing(to=to, body=url, sender=case_local, oob=url),
                ]
            return [Outgoing(to=to, body=f"[{case.ref}] ผู้ร้อง: {msg.body}", sender=case_local)]
        room = self.addr.room_jid(current.centre)
        reply = f"ตอบผู้ร้อง / reply: xmpp:{self.addr.case_jid(case.ref)}?message"
        if url:
            outs = [
                Outgoing(
                    to=room,
                    body=f"💬 {case.ref} ผู้ร้องส่งไฟล์ · the citizen sent a file:\n{reply}",
                    groupchat=True,
                ),
                Outgoing(to=room, body=url, groupchat=True, oob=url),
            ]
        else:
            outs = [
                Outgoing(
                    to=room,
                    body=f"💬 {case.ref} ผู้ร้องเขียนเพิ่ม: «{msg.body}»\n{reply}",
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
        notice = queued_notice(case.ref, self.centre_signature(case))
        centre_jid = f"{case.centre}@{self.addr.bot_domain}"
        self.store.add_message(case.ref, "system", sender=centre_jid, body=notice)
        return self.to_citizen(
            case, [Outgoing(to=case.citizen_jid, body=notice, sender=case.centre)]
        )
