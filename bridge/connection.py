"""The one XMPP connection of the bot: the component `bot.D`, stanzas in and out.

It turns stanzas into typed calls — a citizen's message to a centre or the general address
to `bots.intake.Intake.handle`; anything about a case (a message to a case address, a case
opened, a follow-up, a room command, a room presence) to `bridge.component.CaseBridge` — and
their results (`Outgoing`) back into stanzas. It also acknowledges Prosody's spool
(`bridge.spool`), sends delivery receipts and paces flooding citizens (`bots.throttle`)."""

from __future__ import annotations

import asyncio
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

import slixmpp
from slixmpp.plugins.xep_0045.muc import PresenceArgs
from slixmpp.xmlstream.tostring import tostring

from bots import replies
from bots.anon import is_anon, placeholder
from bots.anon import sessions as anon_sessions
from bots.catalogue import render
from bots.intake import Intake
from bots.throttle import ANON, Limits, Throttle, refused_notice, slowed_notice
from bridge.component import CaseBridge
from bridge.spool import Spool, spool_id
from casestore import CaseStore, parse_ref
from casestore.centres import centre_by_slug
from kernel.addresses import BOT_NICK, Addresses, Outgoing
from kernel.xmpp import origin_id

log = logging.getLogger(__name__)

OOB_NS = "jabber:x:oob"  # XEP-0066: a shared file's URL, shown inline by apps
RECEIPTS_NS = "urn:xmpp:receipts"  # XEP-0184: sent once a message is stored
HINTS_NS = "urn:xmpp:hints"  # XEP-0334


class BotComponent(slixmpp.ComponentXMPP):
    """One connection for the bot and the bridge; reconnects until told to stop."""

    def __init__(
        self,
        addresses: Addresses,
        secret: str,
        host: str,
        port: int,
        store: CaseStore,
        rooms: Iterable[str],
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(addresses.bot_domain, secret, host, port)
        self.addr = addresses
        self.store = store
        self.intake = Intake(store, addresses)
        self.rooms = sorted(set(rooms))
        self.joined: set[str] = set()
        self._on_ready = on_ready
        self._stopping = False
        self._tasks: set[asyncio.Task] = set()  # handlers running (kept until done)
        self.spool = Spool(self)
        self.throttle = Throttle(Limits.from_env())
        for name in ("xep_0030", "xep_0004", "xep_0045", "xep_0050"):
            self.register_plugin(name)
        for name in ("xep_0199", "xep_0359", "xep_0172"):
            self.register_plugin(name)
        self.plugin["xep_0030"].add_identity(category="client", itype="bot", name="Damrongdham")
        self.cases = CaseBridge(self, store, addresses, adhoc=True)
        self.add_event_handler("session_start", self._session_start)
        self.add_event_handler("disconnected", self._disconnected)
        self.add_event_handler("message", self._message)
        self.add_event_handler("presence_subscribe", self._subscribe)
        self.add_event_handler("presence_probe", self._probe)

    # -- connection -----------------------------------------------------------------

    async def _session_start(self, _event: object) -> None:
        log.info("component %s connected", self.boundjid)
        await self.join_rooms()
        await self.spool.replay()  # what arrived while the bot was away, in order
        if self._on_ready:
            self._on_ready()

    @property
    def served(self) -> frozenset[str]:
        """Slugs of the centres whose rooms this bot serves."""
        return frozenset(r.partition("@")[0] for r in self.rooms)

    async def serve_rooms(self, rooms: Iterable[str]) -> None:
        """Start serving more centres (provisioned while running): join their rooms."""
        new = sorted(set(rooms) - set(self.rooms))
        if new:
            self.rooms = sorted({*self.rooms, *new})
            await self.join_rooms(new)

    async def join_rooms(self, rooms: Iterable[str] | None = None) -> None:
        """Enter centre rooms (to post announcements); failures are logged, not fatal."""
        muc = self.plugin["xep_0045"]
        rooms = list(self.rooms if rooms is None else rooms)

        async def join(room: str) -> None:
            try:
                await muc.join_muc_wait(
                    slixmpp.JID(room),
                    BOT_NICK,
                    maxstanzas=0,
                    timeout=20,
                    presence_options=PresenceArgs(pfrom=self.boundjid.bare),
                )
                self.joined.add(room)
            except Exception as exc:
                log.error("cannot join %s: %s", room, exc)

        await asyncio.gather(*(join(r) for r in rooms))
        log.info("in %d of %d centre rooms", len(self.joined), len(self.rooms))

    def _disconnected(self, _event: object) -> None:
        self.joined.clear()
        # Forget the old connection's spool state here, not on connecting: messages may
        # arrive (and be marked in hand) before the new session's start handler runs.
        self.spool.reset()
        if not self._stopping:
            log.warning("disconnected from the server; reconnecting")
            self.loop.call_later(1.0, self.connect)

    def stop(self) -> asyncio.Future:
        self._stopping = True
        return self.disconnect()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run an async handler; kept referenced until done (asyncio keeps only weak ones)."""
        task = self.loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- presence: citizens may add a centre to their contacts -----------------------

    def _subscribe(self, pres: slixmpp.Presence) -> None:
        self.send_presence(pto=pres["from"].bare, pfrom=pres["to"].bare, ptype="subscribed")
        self.send_presence(pto=pres["from"].bare, pfrom=pres["to"].bare)

    def _probe(self, pres: slixmpp.Presence) -> None:
        self.send_presence(pto=pres["from"], pfrom=pres["to"].bare)

    # -- messages ---------------------------------------------------------------------

    def _message(self, msg: slixmpp.Message) -> None:
        if msg["type"] == "groupchat":
            if msg["from"].domain == self.addr.muc_domain and msg["body"]:
                self._spawn(self.cases.room_message(msg))  # agents' commands
            return
        if msg["type"] not in ("chat", "normal") or msg["to"].domain != self.addr.bot_domain:
            if msg["type"] == "error":
                if is_anon(msg["from"].bare, self.addr.domain):  # a tipster's session is gone
                    anon_sessions().forget_jid(msg["from"].bare)
                    log.info("an anonymous session is gone: %s", msg["error"]["condition"])
                else:
                    log.warning("error from %s: %s", msg["from"], msg["error"]["condition"])
            return
        body = msg["body"]
        if not body and not msg.xml.findall("{jabber:client}body"):
            return  # chat states, receipts and other body-less messages
        sid, replayed = spool_id(msg)
        if not self.spool.begin(sid):
            return  # handled already in this session, or being retried
        if not self._paced(msg, sid, replayed):
            return  # later (in order), or refused with a notice
        self._handle(msg, sid, replayed)

    def _paced(self, msg: slixmpp.Message, sid: str | None, replayed: bool) -> bool:
        """Flood control for citizens (`bots.throttle`): True to handle `msg` now. A refused
        message is only acknowledged (never stored, no receipt); the citizen is told once a
        window, by a notice the server does not archive."""
        sender = msg["from"].bare
        domain = sender.partition("@")[2]
        if domain not in self.addr.citizen_domains:
            return True  # staff are not throttled
        pool = ANON if domain.startswith("anon.") else None  # all anonymous sessions share one
        wait = self.throttle.delay(sender, pool)
        if wait is None:
            self.spool.done(sid)  # refused on purpose: acknowledged, nothing stored
            if self.throttle.should_tell(sender, "refused"):
                log.warning("a citizen flooding the bot: messages refused")
                self._flood_notice(msg, refused_notice())
            return False
        if wait == 0:
            return True
        if self.throttle.should_tell(sender, "slowed"):
            log.info("a citizen sending very fast is slowed down")
            self._flood_notice(msg, slowed_notice())
        self.loop.call_later(wait, self._handle, msg, sid, replayed)
        return False

    def _flood_notice(self, msg: slixmpp.Message, body: str) -> None:
        reply_from = msg["to"].user or ""
        self.send_out(Outgoing(to=msg["from"].bare, sender=reply_from, body=body, archive=False))

    def _handle(self, msg: slixmpp.Message, sid: str | None, replayed: bool) -> None:
        body = msg["body"]
        local = msg["to"].user
        if local and parse_ref(local) is not None:
            self._spawn(self.cases.from_case_address(msg))  # it settles it too
            return
        if local and local not in self.served and centre_by_slug(local) is not None:
            notice = render("citizen.not_served", slug=local)
            self.send_out(Outgoing(to=msg["from"].bare, sender=local, body=notice))
            self.spool.done(sid)  # answered, not stored: no receipt
            return
        sender = msg["from"].bare
        try:
            if replayed and self._answer_again(sender, local, origin_id(msg)):
                self.settle(msg, ok=True)
                return
            result = self.intake.handle(sender, local, body, origin_id(msg))
        except Exception:
            log.exception("intake failed for a message to %s", msg["to"])
            if self.settle(msg, ok=False) in (-1, 1):  # no spool, or the first failure
                self.send_out(Outgoing(to=sender, sender=local, body=self._fault_notice(msg)))
            return
        for out in result.out:
            self.send_out(out)
        if result.opened is not None:
            self.cases.case_opened(result.opened)
        for case, message in result.follow_ups:
            self.cases.citizen_message(case, message)
        self.settle(msg, ok=True)

    def settle(self, msg: slixmpp.Message, ok: bool) -> int:
        """After handling `msg`: acknowledge it to the spool and send the app its receipt
        (ok), or retry it later. Returns the number of failed attempts so far (0 when ok),
        or -1 when there is no spool to retry from."""
        sid, _replayed = spool_id(msg)
        if ok:
            self._receipt(msg)
            self.spool.done(sid)
            return 0
        if sid is None:
            return -1
        return self.spool.failed(sid, lambda: self._message(msg))

    def _receipt(self, msg: slixmpp.Message) -> None:
        """XEP-0184: tell an app that asked that its message is stored (its ✓✓); an app
        resends what gets no receipt, and the resend is recognised by its id."""
        if msg.xml.find(f"{{{RECEIPTS_NS}}}request") is None or not msg["id"]:
            return
        receipt = self.make_message(mto=msg["from"], mfrom=msg["to"].bare)
        ET.SubElement(receipt.xml, f"{{{RECEIPTS_NS}}}received", id=msg["id"])
        # Not into the citizen's archive (XEP-0334): Prosody's MAM keeps receipts by
        # default, one more database write per message for a tick the app shows at once.
        ET.SubElement(receipt.xml, f"{{{HINTS_NS}}}no-permanent-store")
        self.send_now(receipt)

    def send_now(self, stanza: slixmpp.xmlstream.StanzaBase) -> None:
        """Write a message or iq to the stream at once. slixmpp queues what is sent until the
        loop is free, and the loop is busy with everything one read from the server brought
        (hundreds of messages in a flood): the answers waited for the whole read, and the
        server sat idle meanwhile. Our stanzas need none of slixmpp's outgoing filters."""
        if not self.transport or self.transport.is_closing() or not self._session_started:
            stanza.send()  # queued, or held until the session starts, as slixmpp does
            return
        self.send_raw(tostring(stanza.xml, xmlns=self.default_ns, stream=self, top_level=True))

    def _fault_notice(self, msg: slixmpp.Message) -> str:
        if spool_id(msg)[0] is None:
            return render("citizen.fault_send_again")
        return render("citizen.fault_kept")

    def _answer_again(self, sender: str, local: str, origin: str | None) -> bool:
        """A message the bot was sent before it (or the server) went away, and stored, but
        whose acknowledgement the server never processed. The answer was queued before the
        acknowledgement on the same stream, so it may not have left either: if the message
        opened its case, send the answer again with a new PIN (the old one is unknown: only
        its hash is kept). Other stored messages need nothing more."""
        seen = self.store.message_by_origin(*self.intake.stored_as(sender, origin))
        if seen is None:
            return False
        message, case = seen
        if is_anon(sender, self.addr.domain):
            self.intake.anon.attach(case.ref, sender)  # the tipster's live session
        first = self.store.first_message(case.ref)
        if first is not None and first.id == message.id:
            centre = centre_by_slug(case.centre)
            pin = self.store.reissue_pin(case.ref, self.addr.bot_domain)
            if centre is not None:
                self.send_out(
                    Outgoing(
                        to=sender,
                        sender=local or None,
                        body=replies.case_opened(case.ref, pin, centre, case.urgent),
                        secret=True,
                    )
                )
            self.cases.case_opened(case)  # routed or queued-notice, if not done yet
        log.info("replayed message already stored in case %s", case.ref)
        return True

    def send_out(self, out: Outgoing) -> None:
        """Send one outgoing message from `<sender>@bot.D` (or the room nick)."""
        if out.to.endswith(".invalid") or out.to == placeholder(self.addr.domain):
            # a case an agency opened through Open311, or a tip whose session is gone
            log.info("not sent: %s has no XMPP address", out.to.partition("@")[2])
            return
        sender = f"{out.sender}@{self.addr.bot_domain}" if out.sender else self.addr.bot_domain
        if out.groupchat:
            if out.to not in self.joined:
                log.warning("not in room %s; announcement kept in the case store only", out.to)
            msg = self.make_message(
                mto=out.to, mbody=out.body, mtype="groupchat", mfrom=self.addr.bot_domain
            )
        else:
            msg = self.make_message(mto=out.to, mbody=out.body, mtype="chat", mfrom=sender)
        if out.oob:
            oob = ET.SubElement(msg.xml, f"{{{OOB_NS}}}x")
            ET.SubElement(oob, f"{{{OOB_NS}}}url").text = out.oob
        if out.secret or not out.archive:
            # The tracking PIN: not into the citizen's archive (MAM keeps a year); the app
            # shows it live, and an offline citizen still gets it from offline storage.
            ET.SubElement(msg.xml, f"{{{HINTS_NS}}}no-permanent-store")
        self.send_now(msg)
