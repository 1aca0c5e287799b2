"""Issue 16's targets on the project's held-out split, the "hard" file and the hold-out.

`bots/data/test.jsonl`: every fifth corpus message, never trained on. `bots/data/hard.jsonl`:
messages written the way people write (roads named after provinces, hazards against
emergencies, segmentation traps, staff summaries, small talk), used while tuning the rules.
`tests/data/triage_holdout.jsonl`: written before the place rules were tuned and not looked
at message by message while tuning; only its totals were read. Targets: wrong province
≤ 1 %, emergency recall 100 %, false emergencies ≤ 1 %, type and topic ≥ 90 % (those two
are not reached yet: marked expected to fail, so the day they pass is seen)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from bots.triage_cli import score

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "test split": ROOT / "bots" / "data" / "test.jsonl",
    "hard": ROOT / "bots" / "data" / "hard.jsonl",
    "hold-out": ROOT / "tests" / "data" / "triage_holdout.jsonl",
}


@cache
def figures(name: str) -> dict:
    rows = [json.loads(line) for line in FILES[name].read_text("utf-8").splitlines() if line]
    return score(rows)


@pytest.mark.parametrize("name", FILES)
def test_wrong_province_at_most_one_percent(name: str) -> None:
    f = figures(name)
    assert f["wrong_province_rate"] <= 0.01, (f["wrong_province_rate"], f["no_province_rate"])


@pytest.mark.parametrize("name", FILES)
def test_every_emergency_is_recognised(name: str) -> None:
    assert figures(name)["urgent_recall"] == 1.0


@pytest.mark.parametrize("name", FILES)
def test_false_emergencies_at_most_one_percent(name: str) -> None:
    assert figures(name)["false_emergency_rate"] <= 0.01


@pytest.mark.parametrize("name", ["hard", "hold-out"])
def test_small_talk_opens_no_case_and_reports_are_not_taken_for_it(name: str) -> None:
    f = figures(name)
    assert f["reports_taken_for_small_talk"] == 0
    assert f["small_talk_recognised"] >= 0.75


@pytest.mark.xfail(reason="issue 16: type 82–85 %, topic 84–86 % today", strict=False)
@pytest.mark.parametrize("name", FILES)
def test_type_and_topic_at_least_ninety_percent(name: str) -> None:
    f = figures(name)
    assert f["type"]["accuracy"] >= 0.9 and f["topic"]["accuracy"] >= 0.9
