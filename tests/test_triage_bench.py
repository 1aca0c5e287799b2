"""The benchmark function runs and reports what `damrongdham bench` needs (no timing
assertions here: speed is measured, not tested)."""

from __future__ import annotations

from devtools.bench_triage import bench_triage


def test_bench_reports_the_three_figures() -> None:
    messages = ["ถนนพังที่เชียงราย", "ไฟไหม้บ้าน ช่วยด้วย", "My employer did not pay me"] * 20
    result = bench_triage(messages, rounds=1)
    assert set(result) >= {"msgs_per_s", "p99_ms", "tokenize_msgs_per_s"}
    assert result["messages"] == 60
    assert isinstance(result["msgs_per_s"], float) and result["msgs_per_s"] > 0
    assert isinstance(result["p99_ms"], float) and result["p99_ms"] > 0
    assert result["tokenize_msgs_per_s"] is None or result["tokenize_msgs_per_s"] > 0
