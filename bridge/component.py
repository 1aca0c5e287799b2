"""Everything about cases at the XMPP edge: the calls `bridge.connection.BotComponent`
makes for a case address, a case opened, a citizen's follow-up, a room command or a room
presence, and the bot process's background work (outbox, SLA, urgent re-announcements)."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

from bots import sla
from bots.agencies import DEFAULT, Agency, load_agencies
from bots.agent_commands.room import parse_room, without_case
from bots.canned import DEFAULT as CANNED_DEFAULT
from bots.canned import CannedReplies, load_canned
from bots.catalogue import render
from bots.presence import RoomPresence
from bots.relay import Relay
from bots.replies import room_announcement
from bots.routing import DEFAULT as ROUTING_DEFAULT
from bots.routing import Router, RoutingRules, load_rules
from bots.urgent import Reannouncer, interval
from bridge.adhoc import AdhocCommands
from bridge.outbox import deliver_forever
from casestore import CaseStore, CaseView, DeliveryView, EventKind, MessageView, parse_ref
from casestore.centres import centre_by_iso, centre_by_slug
from casestore.refs import utcnow
from kernel.addresses import Addresses, Outgoing, RemoteTransfer
from kernel.xmpp import origin_id

log = logging.getLogger(__name__)

AFFILIATIONS_TTL = 60.0


def _canned() -> CannedReplies:
    try:
        return load_canned()
    except (OSError, ValueError) as exc:
        log.error("cannot read the canned replies file: %s; using %s", exc, CANNED_DEFAULT)
        return load_canned(CANNED_DEFAULT)


def _sla() -> tuple[frozenset[date], sla.SlaTargets]:
    try:
        targets = sla.load_targets()
    except (OSError, ValueError) as exc:
        log.error("cannot read the SLA file: %s; using %s", exc, sla.TARGETS)
        targets = sla.load_targets(sla.TARGETS)
    return sla.load_holidays(), targets


def _agencies() -> dict[str, Agency]:
    try:
        return load_agencies()
    except (OSError, ValueError) as exc:
        log.error("cannot read the agencies file: %s; using %s", exc, DEFAULT)
        return load_agencies(DEFAULT)


ANNOUNCED = EventKind.ANNOUNCED  # audit event: a case opened outside the chat was announced


def _routing() -> RoutingRules:
    try:
        return load_rules()
    except (OSError, ValueError) as exc:
        log.error("cannot read the routing file: %s; using %s", exc, ROUTING_DEFAULT)
        return load_rules(ROUTING_DEFAULT)


class Edge(Protocol):
    """What the bridge needs from the component that owns the connection
    (`bridge.connection.BotComponent`; tests give a small stand-in)."""

    served: frozenset[str]  # slugs of the centres whose rooms it serves
    joined: set[str]  # the rooms it is in now (empty while reconnecting)
    plugin: Any

    def send_out(self, out: Outgoing) -> None: ...

    def settle(self, msg: slixmpp.Message, ok: bool) -> int: ...

    def add_event_handler(self, name: str, handler: Any) -> None: ...


class CaseBridge:
    """The case side of the edge: turns the component's stanzas about cases into calls to
    the relay and router, and their `Outgoing` results back to the component."""

    def __init__(
        self, xmpp: Edge, store: CaseStore, addresses: Addresses, adhoc: bool = False
    ) -> None:
        self.xmpp = xmpp
        self.addr = addresses
        self.presence = RoomPresence()
        self.agencies = _agencies()
        self.relay = Relay(store, addresses, self.presence, self._served, self.agencies, _canned())
        self.store = store
        self.router = Router(
            store, addresses, self.presence.on_duty, self.relay.actions, _routing()
        )
        self._sla = _sla()
        self._staff: dict[str, tuple[float, frozenset[str]]] = {}
        #: `bridge.federation.Federation` when this server has federated peers (the bot
        #: process attaches it); `/transfer <centre>@<peer>` is carried out with it
        self.federation: Any = None
        self._remote: set[asyncio.Task] = set()
        xmpp.add_event_handler("groupchat_presence", self._room_presence)
        xmpp.add_event_handler("disconnected", lambda _e: self.presence.forget())
        # The same commands as XEP-0050 ad-hoc commands (the component has the plugin).
        self.adhoc = AdhocCommands(self) if adhoc else None

    async def deliver_forever(self) -> None:
        """The outbox worker (run it as a task of the bot process until it stops)."""
        await deliver_forever(
            self.store, self.agencies, self.addr.domain, on_delivered=self._delivered
        )

    async def reannounce_forever(self, every: timedelta | None = None) -> None:
        """Re-announce urgent cases nobody has taken, every `every` (default: from
        `bots.urgent.interval()`), until cancelled."""
        reannouncer = Reannouncer(self.addr, every or interval())
        tick = min(reannouncer.every.total_seconds() / 4, 30.0)
        while True:
            await asyncio.sleep(tick)
            try:
                cases = await asyncio.to_thread(self.store.unclaimed_urgent)
                self._send(reannouncer.due(cases, utcnow()))
            except Exception:
                log.exception("re-announcing urgent cases failed; trying again")

    def announce_others(self) -> list[Outgoing]:
        """Cases opened outside the chat (an agency's Open311 POST): announced in their
        centre's room once (audit event `announced`) and routed like any new case."""
        outs: list[Outgoing] = []
        for case in self.store.unannounced(ANNOUNCED):
            via = case.citizen_jid.partition("@")[0]
            outs += self._announce(
                case, "room.new_case_via", channel=case.channel, source=via
            )
        return outs

    def _announce(self, case: CaseView, key: str, **values: object) -> list[Outgoing]:
        """Announce `case` in its centre's room once (audit event `announced`; `key` is the
        catalogue entry around the announcement) and route it like any new case."""
        province = centre_by_iso(case.province) if case.province else None
        text = room_announcement(
            case.ref, self.addr.case_jid(case.ref), case.type, case.topic,
            province.province_th if province else None, case.urgency, case.urgent_reason,
            case.summary, (),
        )  # fmt: skip
        outs = [
            Outgoing(
                to=self.addr.room_jid(case.centre),
                body=render(key, announcement=text, **values),
                groupchat=True,
            )
        ]
        self.store.record(case.ref, self.addr.bot_domain, ANNOUNCED, case.channel)
        return outs + self.router.route(case)

    async def announce_others_forever(self, every: float = 5.0) -> None:
        """Look for cases opened outside the chat every `every` seconds until cancelled."""
        while True:
            try:
                if self.xmpp.joined:  # in the rooms (not just reconnecting)
                    self._send(await asyncio.to_thread(self.announce_others))
            except Exception:
                log.exception("announcing cases opened outside the chat failed; trying again")
            await asyncio.sleep(every)

    def sla_due(self, now: datetime | None = None) -> list[Outgoing]:
        """Flag (once per case and target: an audit event) the open cases that missed a
        target at `now`, and escalate missed resolutions in two steps (province, then the
        ministry; each step once: an audit event, see `bots.sla`); the notices to send.
        Everything is derived from the stored events, so runs and restarts never repeat."""
        now = now or utcnow()
        holidays, targets = self._sla
        served = self._served()
        outs: list[Outgoing] = []
        # Nothing opened in the last day can be overdue (targets start the next day).
        for case in self.store.open_cases(opened_before=now - timedelta(days=1)):
            target = targets.of(case.centre)
            events = self.store.events(case.ref)
            missed = sla.breaches(
                case, events, self.store.transcript(case.ref), now, target, holidays
            )
            steps = sla.escalations(case, events, now, target, holidays)
            for kind in missed:
                self.store.record(case.ref, self.addr.bot_domain, sla.EVENT[kind], now=now)
            for step in steps:
                note = sla.step_note(case.centre, step, served)
                self.store.record(
                    case.ref, self.addr.bot_domain, sla.STEP_EVENT[step], note, now=now
                )
            outs += sla.notices(case, missed, target, holidays, self.addr, served, steps, events)
        return outs

    async def sla_forever(self, every: float = 300.0) -> None:
        """Check the service targets every `every` seconds until cancelled."""
        while True:
            try:
                self._send(await asyncio.to_thread(self.sla_due))
            except Exception:
                log.exception("SLA check failed; trying again")
            await asyncio.sleep(every)

    def _delivered(self, row: DeliveryView) -> None:
        case = self.store.get(row.ref)
        if case is None:
            return
        agency = self.agencies.get(row.agency)
        name = agency.name_th if agency else row.agency
        values = {"ref": row.ref, "agency_th": name, "agency": row.agency}
        if row.agency_ref:
            text = render("room.delivered_with_ref", agency_ref=row.agency_ref, **values)
        else:
            text = render("room.delivered", **values)
        self._send([Outgoing(to=self.addr.room_jid(case.centre), body=text, groupchat=True)])

    def _served(self) -> frozenset[str] | None:
        """Slugs of the centres whose rooms the component serves (None if it cannot say)."""
        return self.xmpp.served

    def _room_presence(self, pres: slixmpp.Presence) -> None:
        """An occupant of a centre room came, went or changed show (the bot's own ignored)."""
        room, nick = pres["from"].bare, pres["from"].resource
        if pres["from"].domain != self.addr.muc_domain or not nick:
            return
        real_jid = pres["muc"]["jid"]
        real = real_jid.bare if real_jid else None
        if 110 in pres["muc"]["status_codes"] or (
            real_jid and real_jid.domain == self.addr.bot_domain
        ):
            return
        available = pres["type"] not in ("unavailable", "error")
        centre = pres["from"].user
        before = real in self.presence.on_duty(room) if real else False
        self.presence.update(room, nick, real, available, pres["show"] or "")
        after = real in self.presence.on_duty(room) if real else False
        if not real or before == after:
            return
        try:
            if after:
                self._send(self.router.became_available(centre))
            else:
                outs, left = self.router.became_unavailable(real, centre)
                for case in left:
                    outs += self.relay.queued(case)
                self._send(outs)
        except Exception:
            log.exception("routing after a presence change in %s failed", room)

    def _send(self, outs: list[Outgoing]) -> None:
        for out in outs:
            if isinstance(out, RemoteTransfer):
                task = asyncio.get_running_loop().create_task(self.remote_transfer(out))
                self._remote.add(task)
                task.add_done_callback(self._remote.discard)
            else:
                self.xmpp.send_out(out)

    async def remote_transfer(self, request: RemoteTransfer, timeout: float = 20) -> None:
        """Carry out `/transfer <centre>@<peer>`: send the case to the peer's gateway and tell
        the agent the outcome; on success also the citizen (the case's address there) and the
        room. A refusal or silence changes nothing here."""
        from bridge.federation import FederationError, gateway_jid

        target = f"{request.centre}@{request.peer}"
        before = self.store.get(request.ref)
        if before is None:
            return
        tell = self.relay.actions.tell
        try:
            if self.federation is None:
                raise FederationError("federation is not running on this server")
            after = await self.federation.send_case(
                request.ref, gateway_jid(request.peer), request.centre, request.to,
                request.reason, timeout=timeout,
            )  # fmt: skip
        except Exception as exc:  # FederationError: refused or silent; else our fault
            if not isinstance(exc, FederationError):
                log.exception("transfer of %s to %s failed", request.ref, target)
            log.warning("transfer of %s to %s failed: %s", request.ref, target, exc)
            error = str(exc) if isinstance(exc, FederationError) else "internal error"
            text = render("agent.remote_transfer_refused", target=target, error=error)
            self._send([tell(before, request.to, text)])
            return
        centre = centre_by_slug(request.centre)
        case_jid = self.addr.peer_case_jid(after.ref, request.peer)
        notice = render(
            "citizen.moved_to_peer", ref=after.ref, peer=request.peer, case_jid=case_jid,
            centre_th=centre.name_th if centre else request.centre,
            centre_en=centre.name_en if centre else request.centre,
        )  # fmt: skip
        self.store.add_message(
            after.ref, "system", sender=f"{before.centre}@{self.addr.bot_domain}", body=notice
        )
        why = f" — {request.reason[:120]}" if request.reason else ""
        outs = [
            tell(before, request.to, render("agent.remote_transfer_done", target=target)),
            self.relay.actions.announce(before, render(
                "room.transferred_to_peer", ref=after.ref, peer=request.peer, target=target,
                actor=request.to, why=why,
            )),
        ]  # fmt: skip
        outs += self.relay.to_citizen(
            after, [Outgoing(to=after.citizen_jid, body=notice, sender=before.centre)]
        )
        self._send(outs)

    def case_imported(self, case: CaseView) -> None:
        """A case a federated peer sent here (`bridge.federation`): announced in its centre's
        room (saying from which server and why) and routed, like a case opened here."""
        try:
            last = self.store.events(case.ref)[-1]  # the import's `transferred` event
            peer = last.actor.removeprefix("federation.")
            why = f" — {last.note}" if last.note else ""
            self._send(self._announce(case, "room.new_case_from_peer", peer=peer, why=why))
        except Exception:
            log.exception("announcing imported case %s failed", case.ref)

    async def is_agent(self, jid: str, centre: str) -> bool:
        """The centre account, ``admin@D``, or an account on the centre room's list
        (:func:`casestore.staff.is_staff`; that module says why the list is the truth)."""
        from casestore import staff as staff_rules

        domain = self.addr.domain
        known = staff_rules.is_staff(jid, centre, domain, ())
        if known or jid.partition("@")[2] != domain:
            return known  # decided without asking the server for the list
        return staff_rules.is_staff(jid, centre, domain, await self.staff_of(centre))

    async def staff_of(self, centre: str) -> frozenset[str]:
        """The centre account and the room's owners, admins and members, read from the
        server (:func:`casestore.staff.staff_of`; cached a minute)."""
        from casestore import staff as staff_rules

        cached = self._staff.get(centre)
        if cached is None or time.monotonic() - cached[0] > AFFILIATIONS_TTL:
            listed = await self._room_staff(centre)
            cached = (time.monotonic(), staff_rules.staff_of(centre, self.addr.domain, listed))
            self._staff[centre] = cached
        return cached[1]

    async def _room_staff(self, centre: str) -> frozenset[str]:
        room = self.addr.room_jid(centre)
        staff: set[str] = set()
        for affiliation in ("owner", "admin", "member"):
            try:
                jids = await self.xmpp.plugin["xep_0045"].get_affiliation_list(
                    room, affiliation, ifrom=self.addr.bot_domain, timeout=10
                )
            except (IqError, IqTimeout) as exc:
                log.warning("cannot read %s list of %s: %s", affiliation, room, exc)
                continue
            staff.update(str(j) for j in jids)
        return frozenset(staff)

    async def from_case_address(self, msg: slixmpp.Message) -> None:
        """A message to a case address `<ref>@bot.D` (the relay decides; settled here)."""
        sender, local = msg["from"].bare, msg["to"].user
        try:
            ref = parse_ref(local)
            case = self.store.get(str(ref)) if ref else None
            agent = case is not None and await self.is_agent(sender, case.centre)
            staff = await self.staff_of(case.centre) if agent and case else frozenset()
            outs = self.relay.from_case_address(
                sender, local, msg["body"], origin_id(msg), agent, staff
            )
            if agent:  # a command may have moved the case on
                outs += self._after_command(case, sender)
        except Exception:
            log.exception("relay failed for a message to %s", msg["to"])
            attempts = self.xmpp.settle(msg, ok=False)
            if attempts == -1:  # nothing will retry it
                notice = render("citizen.case_fault_send_again")
            else:  # the spool keeps it and it is retried; say so once
                notice = render("citizen.case_fault_kept") if attempts == 1 else None
            outs = [Outgoing(to=sender, sender=local, body=notice)] if notice else []
            self._send(outs)
            return
        self._send(outs)
        self.xmpp.settle(msg, ok=True)

    def case_opened(self, case: CaseView) -> None:
        """A new case: to an available agent of its centre, else a queued notice to the
        citizen when nobody there is on duty."""
        try:
            routed = self.router.route(case)
        except Exception:
            log.exception("routing case %s failed; it waits in the room", case.ref)
            routed = []
        self._send(routed or self.relay.queued(case))

    async def room_message(self, msg: slixmpp.Message) -> None:
        """A message in a centre room: a command naming its case (`bots.agent_commands.room`)."""
        room, nick = msg["from"].bare, msg["from"].resource
        if msg["from"].domain != self.addr.muc_domain or not nick:
            return
        if msg.xml.find("{urn:xmpp:delay}delay") is not None:
            return  # history replayed on joining: done already
        command = parse_room(msg["body"])
        sender = self.presence.real_jid(room, nick)
        if command is None or sender is None or sender.partition("@")[2] != self.addr.domain:
            return  # talk between colleagues, or the bot's own announcements
        centre = msg["from"].user
        try:
            outs = await self._run_room_command(command, sender, centre, origin_id(msg))
        except Exception:
            log.exception("room command in %s failed", room)
            outs = [Outgoing(to=sender, body=render("agent.room_command_fault"))]
        self._send(outs)

    async def _run_room_command(
        self, command, sender: str, centre: str, origin: str | None
    ) -> list[Outgoing]:
        if command.ref is None:
            if not await self.is_agent(sender, centre):
                return []
            return [without_case(self.relay.actions, command, sender, centre)]
        case = self.store.get(command.ref)
        agent = case is not None and await self.is_agent(sender, case.centre)
        staff = await self.staff_of(case.centre) if agent and case else frozenset()
        before = case
        outs = self.relay.from_case_address(
            sender, command.ref.lower(), command.text, origin, agent, staff
        )
        return outs + self._after_command(before, sender)

    def _after_command(self, before: CaseView | None, actor: str) -> list[Outgoing]:
        """A case a command moved to another centre, or put back to new, is routed there
        (not back to the agent who let it go)."""
        if before is None:
            return []
        after = self.store.get(before.ref)
        if after is None or after.assigned_to or after == before:
            return []
        if after.centre != before.centre or after.status != before.status:
            return self.router.route(after, exclude=actor)
        return []

    def citizen_message(self, case: CaseView, message: MessageView) -> None:
        """A citizen's message stored on an open case (by the intake): to its agents."""
        self._send(self.relay.to_agents(case, message))
