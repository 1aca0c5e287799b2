"""The bot+bridge process: one XMPP component connection, run until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from pathlib import Path

from bridge.connection import BotComponent
from casestore import CaseStore
from casestore.centres import load_centres
from kernel.addresses import Addresses
from kernel.settings import StackSettings

log = logging.getLogger(__name__)


def ready_file(settings: StackSettings) -> Path:
    return settings.data_dir / "run" / "bot.ready"


def served_rooms(settings: StackSettings, addresses: Addresses) -> list[str]:
    """Rooms of the centres provisioning has set up (the 76 until it has run)."""
    state = settings.data_dir / "provisioning.json"
    slugs = {c.slug for c in load_centres()}
    if state.exists():
        try:
            centres = json.loads(state.read_text(encoding="utf-8")).get("centres", {})
            slugs |= {slug for slug, entry in centres.items() if "room" in entry.get("done", ())}
        except (ValueError, AttributeError) as exc:
            log.warning("cannot read %s: %s; serving the 76 provincial centres", state, exc)
    return [addresses.room_jid(s) for s in sorted(slugs)]


async def _watch_provisioning(
    settings: StackSettings, addresses: Addresses, xmpp: BotComponent, every: float = 10.0
) -> None:
    """Serve centres that `damrongdham provision` adds while the stack runs."""
    state = settings.data_dir / "provisioning.json"
    seen = state.stat().st_mtime if state.exists() else 0.0
    while True:
        await asyncio.sleep(every)
        mtime = state.stat().st_mtime if state.exists() else 0.0
        if mtime != seen:
            seen = mtime
            await xmpp.serve_rooms(served_rooms(settings, addresses))


def federation_config(settings: StackSettings):
    """This server's federation (`damrongdham federation`), or None: none configured, or
    unusable (logged; the bot then runs without it and refuses transfers to peers)."""
    from bridge.federation import load_config

    try:
        config = load_config(settings.data_dir)
    except ValueError as exc:
        log.error("federation off: %s", exc)
        return None
    if config is not None and config.domain != settings.domain:
        log.error("federation off: federation.json is for %s, this server is %s",
                  config.domain, settings.domain)
        return None
    return config


def start_federation(settings: StackSettings, config, store: CaseStore, xmpp: BotComponent,
                     loop: asyncio.AbstractEventLoop, on_ready, slugs: list[str]) -> object:
    """Connect the gateway component ``federation.<domain>`` (Prosody's federation file
    declares it) and attach a `bridge.federation.Federation` to it: `/transfer
    <centre>@<peer>` sends through it, and cases peers send are imported, announced in their
    centre's room and routed (`CaseBridge.case_imported`) if `slugs` (the centres served
    here) has their centre. `on_ready` once connected."""
    import slixmpp

    from bridge.federation import Federation, gateway_jid

    gateway = slixmpp.ComponentXMPP(
        gateway_jid(settings.domain), config.gateway_secret, settings.listen,
        settings.component_port,
    )  # fmt: skip
    gateway.loop = loop
    gateway.add_event_handler("session_start", lambda _e: on_ready())
    stopping = getattr(xmpp, "_stopping", False)

    def disconnected(_event: object) -> None:
        if not getattr(xmpp, "_stopping", stopping):  # stopping with the bot
            log.warning("federation gateway disconnected; reconnecting")
            loop.call_later(1.0, gateway.connect)

    gateway.add_event_handler("disconnected", disconnected)
    federation = Federation(gateway, store, settings.domain, config.peers, slugs,
                            on_imported=xmpp.cases.case_imported)
    xmpp.cases.federation = federation
    gateway.connect()
    log.info("federation: %s with peers %s", gateway_jid(settings.domain),
             ", ".join(sorted(config.peers)) or "none")
    return gateway


def run_bot(settings: StackSettings) -> None:
    """Connect the component to Prosody and serve until told to stop."""
    secrets = settings.load_secrets()
    federation = federation_config(settings)
    addresses = Addresses.for_domain(
        settings.domain, federation.peers if federation is not None else ()
    )
    store = CaseStore(settings.db_url, pin_key=secrets.pin_key)
    store.migrate()
    ready = ready_file(settings)
    ready.parent.mkdir(parents=True, exist_ok=True)
    ready.unlink(missing_ok=True)

    waiting = {"bot", "federation"} if federation is not None else {"bot"}

    def connected(part: str) -> None:  # ready once the bot (and the gateway) are connected
        waiting.discard(part)
        if not waiting and not ready.exists():
            ready.write_text("ready\n")
            log.info("bot ready: %s", addresses.bot_domain)

    def on_ready() -> None:
        connected("bot")

    rooms = served_rooms(settings, addresses)
    # Compile the triage's patterns now, not on the first citizen's message (≈ 0.5 s).
    from bots.triage import triage

    triage("ถนนพังหน้าบ้าน ที่ อ.เมือง จ.เชียงราย")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    xmpp = BotComponent(
        addresses,
        secrets.component_secret,
        settings.listen,
        settings.component_port,
        store,
        rooms,
        on_ready=on_ready,
    )
    xmpp.loop = loop
    bridge = xmpp.cases
    background = [  # cancelled with every other task when the process stops
        loop.create_task(bridge.deliver_forever()),
        loop.create_task(bridge.reannounce_forever()),
        loop.create_task(bridge.sla_forever()),
        loop.create_task(bridge.announce_others_forever()),
    ]
    stopped = loop.create_future()

    def stop() -> None:
        if not stopped.done():
            stopped.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    xmpp.connect()
    gateway = None
    if federation is not None:
        gateway = start_federation(
            settings, federation, store, xmpp, loop, lambda: connected("federation"),
            [room.partition("@")[0] for room in rooms],  # the centres it can take cases for
        )
    background.append(loop.create_task(_watch_provisioning(settings, addresses, xmpp)))
    try:
        loop.run_until_complete(stopped)
        loop.run_until_complete(asyncio.wait_for(xmpp.stop(), 5))
        if gateway is not None:
            gateway.disconnect()
    except TimeoutError:
        pass
    finally:
        ready.unlink(missing_ok=True)
        # Cancel every task (ours, the handlers', slixmpp's) and let them finish before the
        # loop closes: a task destroyed while pending is logged as an error at exit.
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
