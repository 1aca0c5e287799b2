"""`damrongdham chaos`: faults while citizens report, with the counts that prove nothing is lost.

Each scenario starts its own stack (`damrongdham up` in a temporary directory), connects
`clients` citizens who send `messages` complaints in all (each with its own message id, as
apps do), injects a fault mid-stream, waits until the stack has caught up, and counts:
every message must be stored exactly once in its citizen's case, and every citizen must
get exactly one case reference (the reply with the PIN) for their one case.

Scenarios: ``bot-kill`` (SIGKILL the bot twice), ``prosody-restart`` (citizens reconnect
and resend what they sent, as a client without stream management would), ``db-lock``
(the SQLite case store locked for 10 s), ``disk-full`` (the case store on a small
filesystem that fills up, then has room again; needs root for a tmpfs mount), and
``flood`` (one citizen sends 1,000 messages/s while another reports: the other's reply
time with and without the flood, Prosody's growth per 10,000 refused;
`devtools.chaos_flood`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import slixmpp

from casestore import CaseStore
from devtools.local_stack import RunningStack, start_stack
from kernel.xmpp import close_client, new_client, register_account, start_client

log = logging.getLogger(__name__)

#: What citizens' apps (Conversations, Dino, Gajim) use: delivery receipts (XEP-0184) and,
#: after a reconnect, what they missed from their server archive (XEP-0313).
APP_PLUGINS = ("xep_0313", "xep_0184")
RECEIPTS = "urn:xmpp:receipts"
SCENARIOS = ("bot-kill", "prosody-restart", "db-lock", "disk-full")
"""The faults injected while citizens report (counted by `Result`)."""
ALL = (*SCENARIOS, "flood")
CENTRE = "chiangrai"
COMPLAINTS = (
    "ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มทุกวัน ที่ อ.เมือง จ.เชียงราย",
    "ไฟฟ้าดับบ่อยมากในหมู่บ้าน ที่ อ.แม่สาย จ.เชียงราย",
    "น้ำประปาไม่ไหลสามวันแล้ว ที่ อ.เชียงของ จ.เชียงราย",
)


@dataclass
class Result:
    """What a scenario measured; `ok` when nothing was lost or doubled."""

    scenario: str
    clients: int
    sent: int
    stored_once: int = 0
    missing: int = 0
    duplicated: int = 0
    cases: int = 0
    citizens_with_one_reference: int = 0
    citizens_without_reference: int = 0
    references_received: int = 0
    faults: list[str] = field(default_factory=list)
    resent_by_apps: int = 0  # messages apps sent again (same id) for want of a receipt
    unconfirmed: int = 0  # messages without a receipt at the end
    seconds: float = 0.0
    replayed_by_spool: int = 0

    @property
    def ok(self) -> bool:
        return (
            self.stored_once == self.sent
            and self.missing == 0
            and self.duplicated == 0
            and self.cases == self.clients
            and self.citizens_with_one_reference == self.clients
            and self.unconfirmed == 0
        )

    @property
    def caught_up(self) -> bool:
        """Everything stored and confirmed, every citizen has a reference (maybe twice)."""
        return (
            self.stored_once == self.sent
            and self.unconfirmed == 0
            and self.citizens_without_reference == 0
        )

    def line(self) -> str:
        verdict = "OK" if self.ok else "LOST OR DOUBLED"
        return (
            f"{self.scenario}: {verdict} — sent {self.sent} from {self.clients} citizens; "
            f"stored exactly once {self.stored_once}, missing {self.missing}, duplicated "
            f"{self.duplicated}; cases {self.cases}; citizens with exactly one reference "
            f"{self.citizens_with_one_reference} (none: {self.citizens_without_reference}); "
            f"resent by apps {self.resent_by_apps}, "
            f"unconfirmed {self.unconfirmed}; faults: {', '.join(self.faults) or 'none'}; "
            f"{self.seconds:.1f} s"
        )


@dataclass
class Citizen:
    jid: str
    password: str
    client: slixmpp.ClientXMPP | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)  # (message id, body)
    inbox: dict[str, str] = field(default_factory=dict)  # archive (stanza) id → body
    receipts: set[str] = field(default_factory=set)  # ids the bot confirmed (XEP-0184)
    resent: int = 0

    @property
    def received(self) -> list[str]:
        return list(self.inbox.values())

    def attach(self, client: slixmpp.ClientXMPP) -> None:
        self.client = client
        client.add_event_handler("message", self._on_message)
        client.add_event_handler("receipt_received", self._on_receipt)

    def _on_receipt(self, msg: slixmpp.Message) -> None:
        if msg["receipt"]:
            self.receipts.add(msg["receipt"])

    def _on_message(self, msg: slixmpp.Message) -> None:
        if msg["body"]:
            key = msg["stanza_id"]["id"] if msg.get_plugin("stanza_id", check=True) else ""
            self.inbox[key or f"live-{len(self.inbox)}"] = msg["body"]

    async def catch_up(self, peer: str) -> None:
        """What the archive holds from `peer` that did not arrive live."""
        assert self.client is not None
        result = await self.client.plugin["xep_0313"].retrieve(
            with_jid=slixmpp.JID(peer), rsm={"max": 200}, timeout=30
        )
        for item in result["mam"]["results"]:
            stanza = item["mam_result"]["forwarded"]["stanza"]
            if stanza["body"] and stanza["from"].bare == peer:  # not the citizen's own
                self.inbox.setdefault(item["mam_result"]["id"], stanza["body"])

    def send(self, to: str, oid: str, body: str, remember: bool = True) -> None:
        assert self.client is not None
        msg = self.client.make_message(mto=to, mbody=body, mtype="chat")
        msg["id"] = oid
        msg["origin_id"]["id"] = oid
        ET.SubElement(msg.xml, f"{{{RECEIPTS}}}request")
        msg.send()
        if remember:
            self.sent.append((oid, body))
        else:
            self.resent += 1

    def unconfirmed(self) -> list[tuple[str, str]]:
        return [(oid, body) for oid, body in self.sent if oid not in self.receipts]


class Load:
    """Citizens of one stack and what they sent and got."""

    def __init__(self, stack: RunningStack, clients: int) -> None:
        self.info = stack.info
        self.n = clients
        self.citizens: list[Citizen] = []

    @property
    def centre_jid(self) -> str:
        return f"{CENTRE}@{self.info['bot_domain']}"

    async def connect(self) -> None:
        async def one(i: int) -> Citizen:
            c = Citizen(f"chaos{i}-{uuid.uuid4().hex[:8]}@{self.info['citizen_domain']}",
                        uuid.uuid4().hex)  # fmt: skip
            c.attach(await register_account(
                c.jid, c.password, self.info["c2s_host"], self.info["c2s_port"],
                Path(self.info["ca_file"]), plugins=APP_PLUGINS,
            ))  # fmt: skip
            return c

        self.citizens = []
        for start in range(0, self.n, 10):  # a few at a time: registration is throttled per IP
            batch = range(start, min(start + 10, self.n))
            self.citizens += await asyncio.gather(*(one(i) for i in batch))

    async def reconnect(self, timeout: float = 60) -> None:
        """Log every citizen in again (after the server restarted)."""
        deadline = time.monotonic() + timeout

        async def one(c: Citizen) -> None:
            while True:
                client = new_client(c.jid, c.password, Path(self.info["ca_file"]), APP_PLUGINS)
                c.attach(client)  # before presence: offline messages come at once
                try:
                    await start_client(client, self.info["c2s_host"], self.info["c2s_port"])
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.5)

        await asyncio.gather(*(one(c) for c in self.citizens))

    async def catch_up(self) -> None:
        await asyncio.gather(*(c.catch_up(self.centre_jid) for c in self.citizens))

    async def send(
        self, total: int, rate: float, at: dict[int, Callable[[], Awaitable[None]]]
    ) -> None:
        """`total` messages round-robin over the citizens at about `rate` per second,
        running the fault `at[k]` just before message number k."""
        for k in range(total):
            if k in at:
                await at[k]()
            c = self.citizens[k % self.n]
            n = len(c.sent)
            body = f"{COMPLAINTS[n % len(COMPLAINTS)]} (ข้อความที่ {n + 1} #{uuid.uuid4().hex[:6]})"
            c.send(self.centre_jid, f"chaos-{uuid.uuid4().hex}", body)
            await asyncio.sleep(1 / rate)

    def resend_unconfirmed(self) -> None:
        """What apps do after reconnecting: send again, with the same id, every message
        the bot has not confirmed with a receipt."""
        for c in self.citizens:
            for oid, body in c.unconfirmed():
                c.send(self.centre_jid, oid, body, remember=False)

    async def close(self) -> None:
        await asyncio.gather(*(close_client(c.client) for c in self.citizens if c.client))


def count(result: Result, store: CaseStore, load: Load) -> None:
    """Each sent message found once by its id in its citizen's one case; nothing extra."""
    stored_once = missing = duplicated = cases = one_ref = no_ref = refs = 0
    for c in load.citizens:
        mine = store.cases_for_citizen(c.jid)
        cases += len(mine)
        refs_of_mine = {case.ref for case in mine}
        found = 0
        for oid, _body in c.sent:
            hit = store.message_by_origin(c.jid, oid)
            if hit is not None and hit[1].ref in refs_of_mine:
                found += 1
        stored = sum(
            1 for case in mine for m in store.transcript(case.ref) if m.direction == "citizen"
        )
        stored_once += found
        missing += len(c.sent) - found
        duplicated += max(0, stored - found)  # stored citizen messages beyond those sent
        # One message seen live and again in the archive is one (same text, same PIN);
        # an answer sent twice would carry two different PINs.
        pins = sorted({b for b in c.received if "PIN" in b})
        refs += len(pins)
        no_ref += not pins
        one_ref += len(pins) == 1 and len(mine) == 1 and mine[0].ref in pins[0]
    result.stored_once, result.missing, result.duplicated = stored_once, missing, duplicated
    result.cases, result.citizens_with_one_reference = cases, one_ref
    result.citizens_without_reference = no_ref
    result.references_received = refs
    result.resent_by_apps = sum(c.resent for c in load.citizens)
    result.unconfirmed = sum(len(c.unconfirmed()) for c in load.citizens)


async def settle(store: CaseStore, load: Load, timeout: float, reconnected: bool = False) -> None:
    """Wait until every sent message is stored and every citizen has a reference. After a
    reconnect (`reconnected`), citizens' apps also read their archive and resend, every few
    seconds, what the bot has not confirmed — as Conversations or Dino do."""
    deadline = time.monotonic() + timeout
    last_resend = time.monotonic()
    while time.monotonic() < deadline:
        if reconnected:
            await load.catch_up()
            if time.monotonic() - last_resend > 5:
                load.resend_unconfirmed()
                last_resend = time.monotonic()
        probe = Result("probe", load.n, sum(len(c.sent) for c in load.citizens))
        count(probe, store, load)
        if probe.caught_up:
            await asyncio.sleep(1.0)  # and nothing more arrives (no late duplicates)
            return
        await asyncio.sleep(0.5)


# -- faults ------------------------------------------------------------------------------


def pids_of(*words: str) -> list[int]:
    """Processes whose command line contains every word."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if all(w in cmd for w in words):
            found.append(int(entry.name))
    return found


def kill_bot(stack: RunningStack) -> int:
    pids = pids_of("damrongdham", " bot ", str(stack.data_dir))
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return len(pids)


def bot_runs(stack: RunningStack) -> int:
    """How many times the stack's bot has connected (lines in its log)."""
    log_file = stack.data_dir / "logs" / "bot.log"
    if not log_file.exists():
        return 0
    text = log_file.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    return sum(1 for line in lines if "component " in line and line.endswith(" connected"))


async def bot_connected(stack: RunningStack, runs: int, timeout: float = 60) -> None:
    """Wait until the bot has connected more than `runs` times."""
    deadline = time.monotonic() + timeout
    while bot_runs(stack) <= runs:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not come back")
        await asyncio.sleep(0.1)


def restart_prosody(stack: RunningStack) -> None:
    pid = int((stack.data_dir / "prosody" / "prosody.pid").read_text().strip())
    os.kill(pid, signal.SIGTERM)


def lock_sqlite(path: Path, seconds: float) -> threading.Thread:
    """Hold an exclusive lock on the SQLite file for `seconds` (in a thread)."""
    started = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        started.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    started.wait(30)
    return thread


@contextlib.contextmanager
def small_filesystem(size_mb: int):
    """A tmpfs of `size_mb` MB (root only); unmounted afterwards."""
    mount = Path(tempfile.mkdtemp(prefix="damrongdham-full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount)],
                   check=True, capture_output=True)  # fmt: skip
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
        mount.rmdir()


def fill(directory: Path) -> Path:
    """Take all free space of `directory`'s filesystem with one file."""
    filler = directory / "filler"
    with filler.open("wb") as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    return filler


# -- scenarios ---------------------------------------------------------------------------


async def _run(name: str, stack: RunningStack, store: CaseStore, clients: int,
               messages: int, rate: float, db_path: Path | None) -> Result:  # fmt: skip
    load = Load(stack, clients)
    await load.connect()
    result = Result(name, clients, messages)
    faults: dict[int, Callable[[], Awaitable[None]]] = {}
    t0 = time.monotonic()

    if name == "bot-kill":
        async def kill() -> None:
            await bot_connected(stack, len(result.faults))  # back and handling messages
            killed = kill_bot(stack)
            result.faults.append(f"SIGKILL bot ({killed} process) at {time.monotonic() - t0:.1f} s")

        faults = {messages // 3: kill, 2 * messages // 3: kill}
    elif name == "prosody-restart":
        async def restart() -> None:
            restart_prosody(stack)
            result.faults.append(f"Prosody stopped at {time.monotonic() - t0:.1f} s")
            await asyncio.sleep(1.0)
            await load.reconnect()
            load.resend_unconfirmed()

        faults = {messages // 2: restart}
    elif name == "db-lock":
        assert db_path is not None

        async def lock() -> None:
            lock_sqlite(db_path, 10)
            result.faults.append(f"case store locked 10 s at {time.monotonic() - t0:.1f} s")

        faults = {messages // 3: lock}
    elif name == "disk-full":
        assert db_path is not None

        async def full() -> None:
            filler = fill(db_path.parent)
            result.faults.append(f"disk full at {time.monotonic() - t0:.1f} s")
            await asyncio.sleep(5)
            filler.unlink()
            result.faults.append(f"space again at {time.monotonic() - t0:.1f} s")

        faults = {messages // 3: full}

    await load.send(messages, rate, faults)
    await settle(store, load, timeout=120, reconnected=name == "prosody-restart")
    result.seconds = time.monotonic() - t0
    count(result, store, load)
    await load.close()
    return result


def run_scenario(name: str, clients: int = 50, messages: int = 1000, rate: float = 150.0,
                 workdir: Path | None = None) -> Result:  # fmt: skip
    """Start a stack, run one scenario, stop the stack; the counts."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}: one of {', '.join(SCENARIOS)}")
    base = Path(workdir or tempfile.mkdtemp(prefix=f"damrongdham-chaos-{name}-"))
    with contextlib.ExitStack() as cleanup:
        # The faults are SQLite's (a lock, a full disk): always the SQLite case store.
        db_path: Path | None = base / "data" / "damrongdham.sqlite3"
        if name == "disk-full":
            db_path = cleanup.enter_context(small_filesystem(24)) / "cases.sqlite3"
        stack = start_stack(base / "data", extra=["--database-url", f"sqlite:///{db_path}"])
        cleanup.callback(stack.stop)
        store = CaseStore(f"sqlite:///{db_path}")
        cleanup.callback(store.close)
        result = asyncio.run(_run(name, stack, store, clients, messages, rate, db_path))
        bot_log = base / "data" / "logs" / "bot.log"
        if bot_log.exists():
            result.replayed_by_spool = sum(
                int(line.split(" messages kept")[0].rsplit(" ", 1)[-1])
                for line in bot_log.read_text(encoding="utf-8", errors="replace").splitlines()
                if " messages kept while the bot was away" in line
            )
        return result


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chaos", help="inject faults while citizens report; count what is lost")
    p.add_argument("scenarios", nargs="*", default=list(ALL),
                   help=f"which ({', '.join(ALL)}); default all")  # fmt: skip
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--rate", type=float, default=150.0, help="messages per second sent")
    p.add_argument("--flood-rate", type=float, default=1000.0,
                   help="flood: the flooder's messages per second (default 1000)")  # fmt: skip
    p.add_argument("--flood-seconds", type=float, default=5.0,
                   help="flood: seconds of flood (and of the calm baseline)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object per scenario")


def run(args: argparse.Namespace) -> int:
    unknown = [s for s in args.scenarios if s not in ALL]
    if (unknown or args.clients < 1 or args.messages < args.clients or args.rate <= 0
            or args.flood_rate <= 0 or args.flood_seconds <= 0):
        print(f"error: scenarios are {', '.join(ALL)}; need clients ≥ 1, "
              "messages ≥ clients, rate, flood rate and flood seconds > 0")  # fmt: skip
        return 2
    failed = 0
    for name in args.scenarios:
        if name == "flood":
            from devtools.chaos_flood import run_flood

            flooded = run_flood(args.flood_rate, args.flood_seconds, args.flood_seconds)
            failed += not flooded.ok
            print(json.dumps(flooded.as_json(), ensure_ascii=False) if args.json
                  else flooded.line())  # fmt: skip
            continue
        result = run_scenario(name, args.clients, args.messages, args.rate)
        failed += not result.ok
        if args.json:
            print(json.dumps({**asdict(result), "ok": result.ok}, ensure_ascii=False))
        else:
            print(result.line())
    return 1 if failed else 0
