"""`damrongdham triage --eval FILE`: accuracy per field on a labelled JSONL file."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from damrongdham.cli import main

ROWS = [
    {
        "text": "ถนนพังที่ อ.แม่สาย จ.เชียงราย",
        "topic": "infrastructure",
        "province": "TH-57",
        "district": "แม่สาย",
        "urgent": False,
        "type": "complaint",
    },
    {"text": "ไฟไหม้บ้าน ที่โคราช ช่วยด้วย", "province": "TH-30", "urgent": True},
    {"text": "เจ้าหนี้ทวงโหด โทร 081-234-5678", "topic": "debt", "district": None},
    {"text": "สวัสดีครับ", "topic": "land", "province": None},  # topic label deliberately wrong
]


def _eval(tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n\n", "utf-8")
    code = main(["triage", "--eval", str(path), *flags])
    return code, capsys.readouterr().out


def test_eval_prints_accuracy_per_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _eval(tmp_path, capsys)
    assert code == 0
    lines = {line[:17].strip(): line for line in out.splitlines()[1:]}
    assert "4 messages" in out.splitlines()[0]
    assert "66.7%" in lines["topic"] and "(2/3)" in lines["topic"]
    assert "100.0%" in lines["province"] and "(3/3)" in lines["province"]
    assert "(2/2)" in lines["district"]
    assert "(2/2)" in lines["urgent"]
    assert "(1/1)" in lines["type"]
    assert "100.0%" in lines["urgent recall"]
    assert "unmasked" in out


def test_eval_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _eval(tmp_path, capsys, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["messages"] == 4
    assert result["topic"] == {"accuracy": 0.6667, "right": 2, "of": 3}
    assert result["urgent_recall"] == 1.0 and result["unmasked_numbers"] == 0


def test_eval_district_accepts_a_name_or_a_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.jsonl"
    rows = [
        {"text": "อ.แม่สาย จ.เชียงราย", "province": "TH-57", "district": "5709"},
        {"text": "อ.แม่สาย จ.เชียงราย", "province": "TH-57", "district": "อ.แม่สาย"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    assert main(["triage", "--eval", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["district"]["right"] == 2


def test_eval_rejects_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\nnot json\n', "utf-8")
    assert main(["triage", "--eval", str(path)]) == 2
    assert "bad.jsonl:2" in capsys.readouterr().err


def test_eval_on_the_shipped_test_split(capsys: pytest.CaptureFixture[str]) -> None:
    test = Path(__file__).resolve().parent.parent / "bots" / "data" / "test.jsonl"
    assert main(["triage", "--eval", str(test), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["province"]["accuracy"] >= 0.95 and result["topic"]["accuracy"] >= 0.85


def test_explain_still_works(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("เจ้าหนี้ทวงหนี้โหดมาก\n"))
    assert main(["triage", "--explain"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["topic"] == "debt" and row["evidence"]
