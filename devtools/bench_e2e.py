"""End-to-end bench: citizens → Prosody → bot → case store → an agent in the centre room,
against Prosody's own client → client relay of the same messages, in one stack.

Every message carries a tag (``[q<phase><letters>]``, no digits so masking leaves it alone)
at its start; the agent's and the sink's clients note when each tag arrives. The first
message of a citizen opens their case (the room announcement quotes its summary); the
others are follow-ups relayed to the room as ``💬 … ผู้ร้องเขียนเพิ่ม: «…»`` (routing mode
``room``, so no case is handed to the agent and every follow-up goes to the room)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import slixmpp
from sqlalchemy import text

from casestore import CaseStore
from devtools.chaos import CENTRE, COMPLAINTS, Load, Result, count, pids_of
from devtools.local_stack import RunningStack
from kernel.xmpp import close_client, new_client, register_account, start_client

TAG = re.compile(r"\[q([rew])([a-z]+)\]")
AGENT_NICK = "bench-agent"


def tag(phase: str, k: int) -> str:
    """`k` in letters (base 25, a–y), so no digit of it can be masked as a phone number,
    each followed by a `z`: the triage's normalising cuts runs of four equal characters
    (`[qeeee]` arrived as `[qeee]`, another message's tag)."""
    letters = ""
    while True:
        k, r = divmod(k, 25)
        letters = chr(97 + r) + "z" + letters
        if k == 0:
            return f"[q{phase}{letters}]"


def untag(letters: str) -> int:
    k = 0
    for ch in letters.replace("z", ""):
        k = k * 25 + ord(ch) - 97
    return k


@dataclass
class Arrivals:
    """When each tagged message first arrived at an observer (perf_counter seconds)."""

    first: dict[tuple[str, int], float] = field(default_factory=dict)
    duplicates: int = 0
    duplicate_samples: list[str] = field(default_factory=list)  # bodies seen twice (≤ 5)

    def on_message(self, msg: slixmpp.Message) -> None:
        now = time.perf_counter()
        body = msg["body"]
        if not body or msg.xml.find("{urn:xmpp:delay}delay") is not None:
            return
        m = TAG.search(body)
        if m is None:
            return
        key = (m.group(1), untag(m.group(2)))
        if key in self.first:
            self.duplicates += 1
            if len(self.duplicate_samples) < 5:
                self.duplicate_samples.append(body[:300])
        else:
            self.first[key] = now

    def count(self, phase: str) -> int:
        return sum(1 for p, _k in self.first if p == phase)


#: What the bench's stack runs with: routing mode ``room`` (every follow-up goes to the room,
#: nobody is handed a case) and the per-citizen flood control (`bots.throttle`, 5 messages/s
#: each) lifted, because a few hundred bench citizens send what thousands of people would.
BENCH_ENV = {"DAMRONGDHAM_FLOOD_RATE": "100000", "DAMRONGDHAM_FLOOD_BURST": "100000"}


@contextlib.contextmanager
def bench_env() -> Iterator[dict[str, str]]:
    """`BENCH_ENV` and DAMRONGDHAM_ROUTING (a file with mode ``room``) set in this process's
    environment while a stack starts (its bot reads them at start), restored afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="damrongdham-bench-routing-"))
    path = folder / "routing.json"
    path.write_text('{"defaults": {"mode": "room"}}\n', encoding="utf-8")
    values = {**BENCH_ENV, "DAMRONGDHAM_ROUTING": str(path)}
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield values
    finally:
        for name, old in before.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
        shutil.rmtree(folder, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stack_pids(stack: RunningStack) -> dict[str, int]:
    """Prosody's and the bot's process ids."""
    pids = {"bench": os.getpid()}
    pid_file = stack.data_dir / "prosody" / "prosody.pid"
    if pid_file.exists():
        pids["prosody"] = int(pid_file.read_text().strip())
    bots = pids_of("damrongdham", " bot ", str(stack.data_dir))
    if bots:
        pids["bot"] = bots[0]
    return pids


class CpuMeter:
    """CPU seconds each process spent between `start` and `stop`."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.before: dict[str, float] = {}
        self.t0 = 0.0

    def _now(self) -> dict[str, float]:
        out = {}
        for name, pid in self.pids.items():
            with contextlib.suppress(OSError, IndexError, ValueError):
                out[name] = cpu_seconds(pid)
        return out

    def start(self) -> None:
        self.before, self.t0 = self._now(), time.perf_counter()

    def stop(self) -> dict[str, float]:
        """Each process's share of one core over the interval, in percent."""
        after, wall = self._now(), max(time.perf_counter() - self.t0, 1e-9)
        return {
            name: round(100 * (after[name] - self.before[name]) / wall, 1)
            for name in after
            if name in self.before
        }


def body_of(k: int, phase: str, n_citizens: int) -> str:
    nth = k // n_citizens
    return f"{tag(phase, k)} {COMPLAINTS[nth % len(COMPLAINTS)]} (ข้อความที่ {nth + 1})"


async def pace(
    load: Load, to: str, total: int, rate: float, phase: str, remember: bool
) -> dict[tuple[str, int], float]:
    """Send `total` messages round-robin over the citizens at `rate` per second (on an
    absolute schedule, so a late tick sends its backlog at once); when each was sent."""
    sent: dict[tuple[str, int], float] = {}
    n = len(load.citizens)
    t0 = time.perf_counter()
    for k in range(total):
        delay = t0 + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        c = load.citizens[k % n]
        oid = f"bench-{phase}-{uuid.uuid4().hex}"
        sent[(phase, k)] = time.perf_counter()
        if remember:
            c.send(to, oid, body_of(k, phase, n))
        else:  # the relay baseline: same body, nothing to count in the case store
            assert c.client is not None
            msg = c.client.make_message(mto=to, mbody=body_of(k, phase, n), mtype="chat")
            msg["id"] = oid
            msg["origin_id"]["id"] = oid
            msg.send()
    return sent


async def drain(arrivals: Arrivals, phase: str, total: int, idle: float, limit: float) -> None:
    """Wait until every message of `phase` arrived, or nothing new came for `idle` seconds."""
    deadline = time.monotonic() + limit
    last, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        got = arrivals.count(phase)
        if got >= total:
            return
        if got != last:
            last, last_change = got, time.monotonic()
        elif time.monotonic() - last_change > idle:
            return
        await asyncio.sleep(0.05)


async def warm_up(stack: RunningStack, observers: Arrivals, n: int = 20) -> None:
    """A citizen of its own opens a case and writes `n` follow-ups, so the bot's lazy
    loads (the classifier's patterns are compiled on the first message) are done before
    anything is measured."""
    warm = Load(stack, 1)
    await warm.connect()
    to = f"{CENTRE}@{stack.info['bot_domain']}"
    for k in range(n):
        c = warm.citizens[0]
        c.send(to, f"bench-w-{uuid.uuid4().hex}", body_of(k, "w", 1))
        if k == 0:
            await drain(observers, "w", 1, idle=30.0, limit=60.0)
    await drain(observers, "w", n, idle=IDLE_S, limit=120.0)
    await warm.close()


IDLE_S = 20.0


async def stored(store: CaseStore, total: int, idle: float, limit: float) -> int:
    """Wait until the case store holds `total` bench messages, or none came for `idle` s."""
    query = text("SELECT count(*) FROM case_messages WHERE origin_id LIKE 'bench-e-%'")

    def n() -> int:
        with store.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    deadline = time.monotonic() + limit
    last, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        got = await asyncio.to_thread(n)
        if got >= total:
            return got
        if got != last:
            last, last_change = got, time.monotonic()
        elif time.monotonic() - last_change > idle:
            return got
        await asyncio.sleep(0.5)
    return last


def figures(sent: dict[tuple[str, int], float], arrivals: Arrivals, phase: str) -> dict:
    """Throughput (arrived / first send → last arrival), latency percentiles, losses."""
    from devtools.bench import percentile

    lat = sorted(
        (arrivals.first[key] - at) * 1000 for key, at in sent.items() if key in arrivals.first
    )
    ends = [arrivals.first[key] for key in sent if key in arrivals.first]
    span = (max(ends) - min(sent.values())) if ends else 0.0
    return {
        "sent": len(sent),
        "arrived": len(lat),
        "not_arrived": len(sent) - len(lat),
        "seconds": round(span, 3),
        "throughput_msgs_per_s": round(len(lat) / span, 1) if span > 0 else 0.0,
        "p50_ms": percentile(lat, 50),
        "p95_ms": percentile(lat, 95),
        "p99_ms": percentile(lat, 99),
        "max_ms": round(lat[-1], 2) if lat else None,
        # Which ones never arrived (≤ 5), for a look in the store and the logs.
        "not_arrived_tags": sorted(tag(p, k) for p, k in sent if (p, k) not in arrivals.first)[:5],
    }


class Profiler:
    """py-spy sampling the bot (idle time included, so waiting shows as ``select``) and
    ``strace -c`` timing Prosody's system calls while the end-to-end phase runs, each when
    installed (py-spy from PyPI, strace from Debian)."""

    def __init__(self, pids: dict[str, int], out: Path) -> None:
        self.out = out
        self.errors: list[str] = []
        self.spy: subprocess.Popen[bytes] | None = None
        self.trace: subprocess.Popen[bytes] | None = None
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if "bot" in pids and Path(spy).exists():
            self.spy = subprocess.Popen(
                [spy, "record", "--pid", str(pids["bot"]), "--rate", "100", "--idle",
                 "--format", "raw", "--output", str(out), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
        else:
            self.errors.append("py-spy not installed (pip install py-spy into .venv)")
        strace = shutil.which("strace")
        if "prosody" in pids and strace:
            self.trace_out = out.with_suffix(".strace.txt")
            self.trace = subprocess.Popen(
                [strace, "-c", "-f", "-w", "-p", str(pids["prosody"]), "-o", str(self.trace_out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        elif "prosody" in pids:
            self.errors.append("strace not installed (apt-get install strace)")

    def finish(self, top: int = 15) -> dict:
        result: dict = {"errors": self.errors} if self.errors else {}
        for proc in (self.spy, self.trace):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        if self.spy is not None:
            try:
                _out, err = self.spy.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                self.spy.kill()
                err = b"py-spy did not finish"
            if self.out.exists():
                result["bot"] = top_costs(self.out.read_text(encoding="utf-8", errors="replace"),
                                          top)  # fmt: skip
            else:
                result.setdefault("errors", []).append(err.decode(errors="replace")[-300:])
        if self.trace is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.trace.wait(timeout=30)
            if self.trace_out.exists():
                result["prosody_syscalls"] = syscall_times(self.trace_out.read_text())
        return result


def syscall_times(summary: str, top: int = 6) -> list[list]:
    """The system calls Prosody spent most wall time in (``strace -c -w``): name, share of
    the time in system calls (%), calls, microseconds per call."""
    rows = []
    for line in summary.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0].replace(".", "", 1).isdigit() and parts[-1] != "total":
            try:
                rows.append([parts[-1], float(parts[0]), int(parts[3]), int(parts[2])])
            except ValueError:
                continue
    return rows[:top]


#: Frames on top of the stack of a thread that waits: the event loop in `select`, an idle
#: worker of `asyncio.to_thread`'s pool.
IDLE_TOPS = ("selectors.py:", "futures/thread.py:_worker", "threading.py:", "queue.py:")
#: Frames under everything a thread runs: they say nothing about where the time goes.
GENERIC = ("asyncio/", "<frozen", "threading.py:", "futures/thread.py:", "damrongdham/cli.py:",
           "damrongdham/__main__.py:", "damrongdham/bot_service.py:run_bot")  # fmt: skip


def top_costs(collapsed: str, top: int = 15) -> dict:
    """From py-spy's collapsed stacks (``a;b;c N``, idle included): the share of samples
    waiting (`IDLE_TOPS`), and the functions with the most samples on top of the stack
    (self) and anywhere in a busy stack (inclusive), in percent of all samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = idle = 0
    for line in collapsed.splitlines():
        stack, _, n_text = line.rpartition(" ")
        if not stack or not n_text.isdigit():
            continue
        n = int(n_text)
        frames = [_short(f.strip()) for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        if frames[-1].startswith(IDLE_TOPS):
            idle += n
            continue
        for name in set(frames):
            if not name.startswith(GENERIC):
                inclusive[name] += n
    if not total:
        return {}

    def pct(c: Counter[str]) -> list[list]:
        return [[name, round(100 * v / total, 1)] for name, v in c.most_common(top)]

    return {"samples": total, "idle_percent": round(100 * idle / total, 1),
            "self": pct(own), "inclusive": pct(inclusive)}  # fmt: skip


def _short(frame: str) -> str:
    """``func (path/to/file.py:12)`` → ``file.py:func`` (the function, not the line)."""
    m = re.match(r"(.*?) \((.*?)(?::\d+)?\)$", frame)
    if not m:
        return frame
    func, path = m.groups()
    parts = Path(path).parts
    where = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{where}:{func}"


async def run_e2e(
    stack: RunningStack, store: CaseStore, n_citizens: int, messages: int, rate: float,
    profile: Path | None = None,
) -> dict:  # fmt: skip
    """The relay baseline, then the end-to-end run, with the same citizens and messages."""
    info = stack.info
    ca = Path(info["ca_file"])
    t_connect = time.perf_counter()
    load = Load(stack, n_citizens)
    await load.connect()
    observers = Arrivals()

    sink_jid = f"sink-{uuid.uuid4().hex[:8]}@{info['citizen_domain']}"
    sink = await register_account(sink_jid, uuid.uuid4().hex, info["c2s_host"],
                                  info["c2s_port"], ca)  # fmt: skip
    sink.add_event_handler("message", observers.on_message)

    cred = stack.credentials()[CENTRE]
    agent = new_client(cred["jid"], cred["password"], ca, ("xep_0045",))
    agent.add_event_handler("message", observers.on_message)
    await start_client(agent, info["c2s_host"], info["c2s_port"])
    await agent.plugin["xep_0045"].join_muc_wait(
        slixmpp.JID(cred["room"]), AGENT_NICK, maxstanzas=0, timeout=20
    )
    connect_s = time.perf_counter() - t_connect
    await asyncio.sleep(0.5)  # the bot sees the agent's presence
    await warm_up(stack, observers)

    pids = stack_pids(stack)
    meter = CpuMeter(pids)
    # Prosody can stall for seconds (SQLite syncs under load): wait long before giving up.
    idle, limit = IDLE_S, max(120.0, 20 * messages / rate)

    meter.start()
    sent_r = await pace(load, sink_jid, messages, rate, "r", remember=False)
    await drain(observers, "r", messages, idle, limit)
    relay = figures(sent_r, observers, "r")
    relay["cpu_percent"] = meter.stop()

    profiler = Profiler(pids, profile) if profile is not None else None
    if profiler is not None:
        await asyncio.sleep(0.5)
    meter.start()
    sent_e = await pace(load, f"{CENTRE}@{info['bot_domain']}", messages, rate, "e", True)
    await drain(observers, "e", messages, idle, limit)
    # Under a burst Prosody reads the bot's answers behind every citizen's backlog: the
    # room may stay silent for longer than `idle` while the store still grows. Once all
    # is stored, wait for the room again.
    await stored(store, messages, idle, limit)
    await drain(observers, "e", messages, idle, limit)
    e2e = figures(sent_e, observers, "e")
    e2e["cpu_percent"] = meter.stop()
    if profiler is not None:
        e2e["profile"] = await asyncio.to_thread(profiler.finish)
    await asyncio.sleep(1.0)  # last receipts and PIN replies
    await stored(store, messages, idle, limit)

    result = Result("bench", n_citizens, messages)
    await asyncio.to_thread(count, result, store, load)
    e2e.update(
        lost=result.missing,
        stored_once=result.stored_once,
        duplicated=result.duplicated,
        cases=result.cases,
        citizens_with_one_reference=result.citizens_with_one_reference,
        unconfirmed=result.unconfirmed,
        zero_loss=result.stored_once == messages and result.duplicated == 0,
        duplicates_in_room=observers.duplicates,
        duplicated_in_room=observers.duplicate_samples,
        offered_rate=rate,
        connect_s=round(connect_s, 2),
    )
    await asyncio.gather(load.close(), close_client(sink), close_client(agent))
    return {"e2e": e2e, "relay": relay}
