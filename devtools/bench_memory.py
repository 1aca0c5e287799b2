"""Memory bench: the bot's resident memory with many stored cases.

Cases are bulk-inserted with SQLAlchemy core (a case, its first message and its ``opened``
event each; one PIN hash shared by all, since scrypt costs tens of ms per case) into a
fresh case store before its stack starts; then the bot connects, joins the rooms and runs
its periodic tasks — the SLA check walks every open case opened more than a day ago — and
its VmRSS is sampled until its CPU has been idle for a while."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, update

from casestore import CaseStore, EventKind
from casestore.centres import load_centres
from casestore.models import Case, CaseCounter, CaseEvent, CaseMessage
from casestore.pins import hash_pin
from casestore.refs import buddhist_year, format_ref, ref_prefix, utcnow

OPEN_SHARE = 0.02  # 2 % still open: ~26 per centre for 100,000 cases
OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting_citizen")
TOPICS = ("infrastructure", "land", "debt", "nuisance", "environment", "labour", "welfare")
BODY = "ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มทุกวัน ขอให้ช่วยซ่อมด่วน"
BULK_PIN = "123456"  # every bulk-inserted case's tracking PIN (one hash shared by all)


def bulk_insert(
    url: str, n: int, pin_key: str | None = None, batch: int = 5000, seed: int = 8
) -> dict:
    """`n` cases over the 76 centres, opened over the past year (2 days to 365 days ago),
    `OPEN_SHARE` of them open, the rest closed; case counters set to match. `pin_key`: the
    stack's PIN key (`secrets.json`), so that its web checks the PINs as in production."""
    rng = random.Random(seed)
    store = CaseStore(url)
    store.migrate()
    centres = [c for c in load_centres() if c.iso]
    pin_hash = hash_pin(BULK_PIN, pin_key.encode() if pin_key else None)
    now = utcnow()
    seqs: dict[tuple[str, int], int] = {}
    t0 = time.perf_counter()
    open_count = 0
    samples: list[str] = []  # a few references, for /track.json
    with store.engine.begin() as conn:
        first_id = conn.execute(Case.__table__.select().with_only_columns(Case.id)).first()
        assert first_id is None, "bulk_insert wants an empty case store"
    next_id = 1
    for start in range(0, n, batch):
        cases, msgs, events = [], [], []
        for i in range(start, min(start + batch, n)):
            centre = centres[i % len(centres)]
            at = now - timedelta(days=2 + rng.random() * 363)
            year = buddhist_year(at)
            key = (ref_prefix(centre.iso), year)
            seqs[key] = seqs.get(key, 0) + 1
            is_open = rng.random() < OPEN_SHARE
            open_count += is_open
            if len(samples) < 5 and i % 997 == 0:
                samples.append(format_ref(centre.iso, year, seqs[key]))
            status = rng.choice(OPEN_STATUSES) if is_open else "closed"
            citizen = f"c{i}@citizens.damrongdham.localhost"
            cases.append({
                "id": next_id, "ref": format_ref(centre.iso, year, seqs[key]),
                "centre": centre.slug, "province": centre.iso, "district": None,
                "citizen_jid": citizen, "status": status, "type": "complaint",
                "topic": TOPICS[i % len(TOPICS)], "urgent": False, "urgent_reason": None,
                "summary": BODY, "assigned_to": None, "channel": "xmpp",
                "pin_hash": pin_hash, "created_at": at, "updated_at": at,
            })  # fmt: skip
            msgs.append({"case_id": next_id, "direction": "citizen", "sender": citizen,
                         "body": BODY, "origin_id": f"bulk-{i}", "created_at": at})  # fmt: skip
            events.append({"case_id": next_id, "at": at, "actor": citizen,
                           "kind": EventKind.OPENED.value, "from_status": None,
                           "to_status": "new", "note": "xmpp"})  # fmt: skip
            next_id += 1
        with store.engine.begin() as conn:
            conn.execute(insert(Case.__table__), cases)
            conn.execute(insert(CaseMessage.__table__), msgs)
            conn.execute(insert(CaseEvent.__table__), events)
    with store.engine.begin() as conn:
        for (prefix, year), last in seqs.items():
            conn.execute(insert(CaseCounter.__table__), [{"prefix": prefix, "year": year,
                                                          "last_seq": 0}])  # fmt: skip
            conn.execute(
                update(CaseCounter.__table__)
                .where(CaseCounter.prefix == prefix, CaseCounter.year == year)
                .values(last_seq=last)
            )
    seconds = time.perf_counter() - t0
    total = store.count()
    store.close()
    return {"cases": total, "open": open_count, "insert_s": round(seconds, 2),
            "cases_per_s": round(n / seconds, 0) if seconds else None,
            "sample_refs": samples}  # fmt: skip


def vm_rss_mb(pid: int | str = "self") -> float:
    """Resident memory (VmRSS) of a process, in MB (MiB), from /proc/<pid>/status."""
    return rss_from_status(Path(f"/proc/{pid}/status").read_text())


def rss_from_status(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            parts = line.split()
            kb = int(parts[1])
            return round(kb / 1024, 1)
    raise ValueError("no VmRSS line (a kernel thread, or not Linux)")


def watch_bot(pid: int, settle: float, limit: float) -> dict:
    """Sample the bot's RSS every 0.25 s until its CPU was idle (< 5 %) for `settle`
    seconds, or `limit` seconds passed; RSS at the end, the peak, and how long it was busy."""
    from devtools.bench_e2e import cpu_seconds

    t0 = time.perf_counter()
    peak = rss = vm_rss_mb(pid)
    busy_until = t0
    cpu_before, t_before = cpu_seconds(pid), t0
    cpu_start = cpu_before
    while time.perf_counter() - t0 < limit:
        time.sleep(0.25)
        now = time.perf_counter()
        rss = vm_rss_mb(pid)
        peak = max(peak, rss)
        cpu = cpu_seconds(pid)
        if (cpu - cpu_before) / (now - t_before) > 0.05:
            busy_until = now
        cpu_before, t_before = cpu, now
        if now - busy_until > settle:
            break
    return {
        "bot_rss_mb": rss,
        "bot_rss_peak_mb": peak,
        "busy_after_ready_s": round(busy_until - t0, 2),
        "bot_cpu_after_ready_s": round(cpu_seconds(pid) - cpu_start, 2),
        "settled": time.perf_counter() - t0 < limit,
    }
