"""Speed of the triage, for ``damrongdham bench``.

    from devtools.bench_triage import bench_triage
    bench_triage()  # {"msgs_per_s": …, "p99_ms": …, "tokenize_msgs_per_s": …, …}

One run, one core, the same messages for both: the whole pipeline (normalise, mask, locate,
the nlpo3 tokenizer, classify, urgency; target p99 ≤ 1 ms) against PyThaiNLP's default
``word_tokenize`` alone (newmm, pure Python), both warmed up first; and the startup of a
fresh interpreter up to its first triage (target ≤ 2 s). Messages are the corpus
(``bots/data/corpus``) unless given."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

FALLBACK = (  # when the corpus is not installed (it ships with the source tree)
    "ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มทุกวัน อ.แม่สาย จ.เชียงราย",
    "สามีเมาแล้วทำร้ายร่างกายทุกคืน ตอนนี้ทุบประตูอยู่ ช่วยด้วยค่ะ",
    "เจ้าหนี้นอกระบบทวงหนี้โหด โทรมาด่าทุกวัน โคราช",
    "My employer in Phuket has not paid my salary for 3 months",
)


def _messages() -> list[str]:
    from bots import corpus

    try:
        return [ex.text for ex in corpus.load()] or list(FALLBACK)
    except OSError:
        return list(FALLBACK)


def load_seconds() -> float:
    """Import and model load in a fresh interpreter (what a restarted bot pays)."""
    code = (
        "import time; t = time.perf_counter(); import bots.triage, bots.classify; "
        "bots.classify.load(); bots.triage.triage('ถนนพัง จ.เลย'); "
        "print(time.perf_counter() - t)"
    )
    env = dict(os.environ, PYTHAINLP_OFFLINE="1")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def bench_triage(
    messages: Sequence[str] | None = None, rounds: int = 3, quick: bool = False
) -> dict[str, float | int | None]:
    """Throughput and tail latency of `triage` and of `word_tokenize` on the same messages."""
    from bots.classify import load
    from bots.triage import triage

    msgs = list(messages) if messages is not None else _messages()
    if quick:
        msgs, rounds = msgs[:200], 1
    load()
    for m in msgs[:50]:  # warm up: first-use caches
        triage(m)
    latencies: list[float] = []
    clock = time.perf_counter
    start = clock()
    for _ in range(rounds):
        for m in msgs:
            t = clock()
            triage(m)
            latencies.append(clock() - t)
    elapsed = clock() - start
    latencies.sort()
    out: dict[str, float | int | None] = {
        "messages": len(msgs) * rounds,
        "msgs_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 4),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 4),
        "max_ms": round(latencies[-1] * 1000, 4),
        "tokenize_msgs_per_s": None,
    }
    try:
        os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
        from pythainlp.tokenize import word_tokenize
    except ImportError:
        return out
    for m in msgs[:50]:
        word_tokenize(m)
    start = clock()
    for _ in range(rounds):
        for m in msgs:
            word_tokenize(m)
    out["tokenize_msgs_per_s"] = round(len(msgs) * rounds / (clock() - start), 1)
    out["speed_ratio"] = round(out["msgs_per_s"] / out["tokenize_msgs_per_s"], 3)  # type: ignore[operator]
    return out


def main() -> None:
    import json

    result = bench_triage(quick="--quick" in sys.argv)
    if "--load" in sys.argv:
        result["load_s"] = round(statistics.median(load_seconds() for _ in range(3)), 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
