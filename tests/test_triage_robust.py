"""Bad input never raises: a sensible result, or a request for more detail."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bots.triage import PINNED_KEYS, Triage, triage
from casestore.vocab import TOPICS, TYPES

ROOT = Path(__file__).resolve().parent.parent

BAD = {
    "empty": "",
    "whitespace": " \t\n\u3000\u00a0 ",
    "emoji only": "😡😡😡🙏🙏",
    "sticker": "\ufffc",
    "sticker name": "[sticker]",
    "zero width": "\u200b\u200d\ufeff",
    "control characters": "\x00\x01\x02\x7f\x1b[31m",
    "lone surrogate": "ถนน\ud800พัง",
    "combining marks only": "\u0e48\u0e49\u0e4a\u0e4b\u0e31\u0e34",
    "mixed scripts": "ถนน road 道路 дорога طريق พังครับ 081-234-5678",
    "rtl and emoji": "\u202eถนนพัง\u202c 🚧",
    "only digits": "1" * 500,
    "only punctuation": "!?" * 300,
    "64 KB": "ถนนพังมากกก " * 5500,
    "one huge word": "ก" * 65536,
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_bad_input_gives_a_valid_result(text: str) -> None:
    result = triage(text)
    assert isinstance(result, Triage)
    assert result.type in TYPES and result.topic in TOPICS
    out = result.as_json()
    assert tuple(out) == PINNED_KEYS
    json.dumps(out, ensure_ascii=False).encode("utf-8")  # printable as UTF-8


@pytest.mark.parametrize("key", ["empty", "whitespace", "emoji only", "sticker", "zero width"])
def test_nothing_to_read_asks_for_detail(key: str) -> None:
    result = triage(BAD[key])
    assert result.needs_detail
    assert (result.type, result.topic, result.urgent) == ("complaint", "other", False)


def test_a_real_message_does_not_ask_for_detail() -> None:
    assert not triage("ถนนพังหน้าบ้านครับ").needs_detail


def test_random_binary_junk() -> None:
    rng = random.Random(42)
    for _ in range(200):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        for text in (raw.decode("utf-8", "replace"), raw.decode("latin-1")):
            result = triage(text)
            assert result.topic in TOPICS
            json.dumps(result.as_json(), ensure_ascii=False).encode("utf-8")


def test_bytes_are_accepted() -> None:
    assert triage("ถนนพัง จ.เลย".encode()).province == "TH-42"  # type: ignore[arg-type]


def test_sixty_four_kilobytes_are_masked_throughout() -> None:
    text = "ถนนพัง โทร 081-234-5678 " * 2730  # 64 KB of whole phone numbers
    assert len(text) >= 65_000
    result = triage(text)
    assert "081" not in result.masked and "5678" not in result.masked


def test_run_time_needs_no_training_packages() -> None:
    """Prediction is the tokenizer (nlpo3 over PyThaiNLP's word list, read as a file: the
    pythainlp package itself is not imported) and plain Python over JSON: no scikit-learn,
    numpy or scipy."""
    code = (
        "import sys; import bots.triage, bots.faq; bots.triage.triage('ถนนพัง จ.เลย'); "
        "bots.faq.answer('เปิดกี่โมง'); "
        "bad = {'sklearn', 'numpy', 'scipy', 'pythainlp'} & set(sys.modules); "
        "print(sorted(bad), 'nlpo3' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    assert out.stdout.strip() == "[] True"
