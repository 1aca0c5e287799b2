"""Bystander bench: one citizen floods the bot while another writes calmly.

A "bystander" citizen sends a follow-up every `interval` seconds, first alone (the baseline),
then while a "flooder" sends at `flood_rate` messages/s for `flood_seconds`. The bystander's
reply time is the time from sending to the bot's delivery receipt (XEP-0184, sent once the
message is stored). Prosody's database is measured before and after the flood: its growth
per 10,000 refused messages. The stack runs with the bot's real flood limits (not
`bench_e2e.BENCH_ENV`), so most of the flood is refused."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
import uuid
from pathlib import Path

import slixmpp

from bots.throttle import Limits
from devtools.chaos import CENTRE, COMPLAINTS, Citizen, Load
from devtools.local_stack import RunningStack


def prosody_db(stack: RunningStack) -> Path:
    return stack.data_dir / "prosody" / "data" / "prosody.sqlite"


def db_size(path: Path) -> dict:
    """Bytes on disk (the database and its write-ahead log) and archive rows."""
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    rows = None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = int(db.execute("SELECT count(*) FROM prosodyarchive").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        pass
    return {"bytes": size, "archive_rows": rows}


async def settled(path: Path, quiet: float = 2.0, limit: float = 60.0) -> dict:
    """`db_size` once the archive stopped growing for `quiet` s (Prosody's mod_limits reads
    a flooder slowly: the flood goes on arriving after it was sent), or after `limit` s."""
    deadline = time.monotonic() + limit
    last = db_size(path)
    since = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = db_size(path)
        if now["archive_rows"] != last["archive_rows"]:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    return db_size(path)


class Receipts:
    """When the bot confirmed each of one citizen's messages (perf_counter seconds)."""

    def __init__(self, client: slixmpp.ClientXMPP) -> None:
        self.at: dict[str, float] = {}
        client.add_event_handler("receipt_received", self._on_receipt)

    def _on_receipt(self, msg: slixmpp.Message) -> None:
        if msg["receipt"]:
            self.at.setdefault(msg["receipt"], time.perf_counter())


async def calm(c: Citizen, to: str, seconds: float, interval: float, phase: str
               ) -> dict[str, float]:  # fmt: skip
    """One message every `interval` s for `seconds`; message id → when sent."""
    sent: dict[str, float] = {}
    t0 = time.perf_counter()
    k = 0
    while True:
        delay = t0 + k * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.perf_counter() - t0 >= seconds:
            return sent
        oid = f"bench-{phase}-{uuid.uuid4().hex}"
        sent[oid] = time.perf_counter()
        c.send(to, oid, f"{COMPLAINTS[k % len(COMPLAINTS)]} (เพิ่มเติม {k + 1})", remember=False)
        k += 1


async def flood(c: Citizen, to: str, rate: float, seconds: float) -> int:
    """`rate` messages/s for `seconds` (in ticks of 10 ms); how many were sent."""
    n = 0
    t0 = time.perf_counter()
    total = int(rate * seconds)
    while n < total:
        due = min(total, int((time.perf_counter() - t0) * rate) + 1)
        while n < due:
            c.send(to, f"bench-f-{uuid.uuid4().hex}", f"{COMPLAINTS[n % len(COMPLAINTS)]} #{n}",
                   remember=False)  # fmt: skip
            n += 1
        await asyncio.sleep(0.01)
    return n


async def replies(sent: dict[str, float], receipts: Receipts, limit: float) -> dict:
    """The bystander's reply times (ms) once every receipt came, or after `limit` s."""
    from devtools.bench import percentile

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and any(o not in receipts.at for o in sent):
        await asyncio.sleep(0.05)
    times = sorted((receipts.at[o] - t) * 1000 for o, t in sent.items() if o in receipts.at)
    return {"sent": len(sent), "answered": len(times),
            "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99),
            "max_ms": round(times[-1], 2) if times else None}  # fmt: skip


async def run_bystander(stack: RunningStack, flood_rate: float = 1000.0,
                        flood_seconds: float = 3.0, calm_seconds: float = 4.0,
                        interval: float = 0.2) -> dict:  # fmt: skip
    """The baseline, then the same calm citizen during a flood; the figures."""
    to = f"{CENTRE}@{stack.info['bot_domain']}"
    load = Load(stack, 2)
    await load.connect()
    bystander, flooder = load.citizens
    assert bystander.client is not None
    receipts = Receipts(bystander.client)
    try:
        # the bystander's case is opened (and the bot warmed up) before measuring
        warm = await calm(bystander, to, 1.0, interval, "w")
        await replies(warm, receipts, 30.0)

        alone = await calm(bystander, to, calm_seconds, interval, "b")
        without = await replies(alone, receipts, 30.0)

        db = prosody_db(stack)
        before = db_size(db)
        flooding = asyncio.create_task(flood(flooder, to, flood_rate, flood_seconds))
        during = await calm(bystander, to, flood_seconds, interval, "d")
        sent_flood = await flooding
        with_flood = await replies(during, receipts, 60.0)
        after = await settled(db)
    finally:
        await load.close()

    limits = Limits.from_env()
    # taken: the burst, what fits in the longest delay, and the rate over the flood
    taken = min(sent_flood, int(limits.burst + limits.rate * (limits.max_delay + flood_seconds)))
    refused = sent_flood - taken
    grew = after["bytes"] - before["bytes"]
    rows = (after["archive_rows"] - before["archive_rows"]
            if after["archive_rows"] is not None and before["archive_rows"] is not None
            else None)  # fmt: skip
    p99_extra = (round(with_flood["p99_ms"] - without["p99_ms"], 2)
                 if with_flood["p99_ms"] is not None and without["p99_ms"] is not None
                 else None)  # fmt: skip
    per_10k = 10_000 / refused if refused else None
    mb_per_10k = round(grew * per_10k / 1e6, 2) if per_10k else None
    rows_per_10k = round(rows * per_10k) if per_10k and rows is not None else None
    return {
        "bystander_jid": bystander.jid,
        "bystander_sent": len(warm) + len(alone) + len(during),
        "without_flood": without,
        "with_flood": with_flood,
        "p50_ms_without_flood": without["p50_ms"],
        "p99_ms_without_flood": without["p99_ms"],
        "p50_ms_with_flood": with_flood["p50_ms"],
        "p99_ms_with_flood": with_flood["p99_ms"],
        "p99_extra_ms": p99_extra,
        "flood_sent": sent_flood,
        "flood_offered_rate": flood_rate,
        "flood_seconds": flood_seconds,
        "flood_refused_estimated": refused,
        "prosody_db_bytes_before": before["bytes"],
        "prosody_db_growth_bytes": grew,
        "prosody_archive_rows_added": rows,
        "prosody_db_growth_mb_per_10k_refused": mb_per_10k,
        "prosody_archive_rows_per_10k_refused": rows_per_10k,
        "limits": {"rate": limits.rate, "burst": limits.burst, "max_delay": limits.max_delay},
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
