"""Several stores (separate engines) writing at once: numbering and idempotency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

from casestore import CaseStore

T = TypeVar("T")
THREADS = 6
PER_THREAD = 5
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


def run_parallel(db_url: str, work: Callable[[CaseStore, int], T]) -> list[T]:
    """Run ``work(store, i)`` in THREADS threads, each with its own CaseStore, started together."""
    CaseStore(db_url).migrate()
    stores = [CaseStore(db_url) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def job(i: int) -> T:
        barrier.wait()
        return work(stores[i], i)

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(job, range(THREADS)))
    finally:
        for s in stores:
            s.close()


def test_parallel_numbering_has_no_duplicates_and_no_gaps(db_url: str) -> None:
    def work(store: CaseStore, i: int) -> list[str]:
        refs = []
        for n in range(PER_THREAD):
            province = "TH-57" if n % 2 == 0 else None
            res = store.open_case(
                centre="chiangrai",
                province=province,
                citizen_jid=f"c{i}@x",
                body=f"เรื่องที่ {n}",
                now=NOW,
            )
            refs.append(res.case.ref)
        return refs

    refs = [r for batch in run_parallel(db_url, work) for r in batch]
    assert len(refs) == len(set(refs)) == THREADS * PER_THREAD
    for prefix in ("TH57", "TH00"):
        seqs = sorted(int(r.rsplit("-", 1)[1]) for r in refs if r.startswith(prefix))
        assert seqs == list(range(1, len(seqs) + 1))
    with CaseStore(db_url) as store:
        assert store.count() == THREADS * PER_THREAD


def test_parallel_duplicate_delivery_opens_one_case(db_url: str) -> None:
    def work(store: CaseStore, _i: int) -> tuple[str, bool]:
        res = store.open_case(
            centre="chiangrai",
            province="TH-57",
            citizen_jid="same@x",
            body="ส่งซ้ำ",
            origin_id="retry-1",
            now=NOW,
        )
        return res.case.ref, res.created

    results = run_parallel(db_url, work)
    assert len({ref for ref, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with CaseStore(db_url) as store:
        assert store.count() == 1
        assert len(store.transcript(results[0][0])) == 1
        # the sequence number taken by the losers was rolled back: the next case is 000002
        nxt = store.open_case(
            centre="chiangrai", province="TH-57", citizen_jid="b@x", body="x", now=NOW
        )
        assert nxt.case.ref == "TH57-2569-000002"


def test_parallel_messages_on_one_case(db_url: str) -> None:
    with CaseStore(db_url) as s:
        s.migrate()
        ref = s.open_case(centre="c", province=None, citizen_jid="a@x", body="x", now=NOW).case.ref

    def work(store: CaseStore, i: int) -> int:
        added = 0
        for n in range(PER_THREAD):
            # every thread delivers the same PER_THREAD messages; only one copy each survives
            added += store.add_message(ref, "citizen", "a@x", f"m{n}", origin_id=f"o{n}")[1]
        store.add_message(ref, "agent", f"agent{i}@x", "hi")
        return added

    assert sum(run_parallel(db_url, work)) == PER_THREAD
    with CaseStore(db_url) as store:
        assert len(store.transcript(ref)) == 1 + PER_THREAD + THREADS
