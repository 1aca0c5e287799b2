"""`damrongdham triage`: stdin lines in, JSON lines out (pinned in DESIGN.md).

``--explain`` adds the deciding words; ``--eval FILE`` scores the triage on a labelled JSONL
file (one object per line: ``text`` plus any of ``type``, ``topic``, ``province``,
``district``, ``urgent``) and prints the accuracy of each field."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TextIO

FIELDS = ("type", "topic", "province", "district", "urgent")
# What must never survive masking: a run of 9+ digits (phone, ID, account), separators allowed.
_UNMASKED = re.compile(r"(?<![\dA-Za-z])\+?\d(?:[ .\-()]{0,2}\d){8,}(?![\dA-Za-z])")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--explain", action="store_true", help="add the deciding words")
    parser.add_argument(
        "--eval",
        metavar="FILE",
        help="labelled JSONL file: print the accuracy of each field instead of triaging stdin",
    )
    parser.add_argument("--json", action="store_true", help="with --eval: one JSON object")


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if getattr(args, "eval", None):
        return evaluate(args.eval, stdout, as_json=getattr(args, "json", False))
    from bots.triage import triage

    for line in stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        result = triage(text)
        out = result.as_json()
        if args.explain:
            out["evidence"] = list(result.evidence)
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def _same(field: str, want: object, got: object, province: str | None) -> bool:
    if field == "district" and want and got:
        from casestore.places import district_code

        want_code = district_code(str(want), province)
        return want_code is not None and want_code == district_code(str(got), province)
    if field == "urgent":
        return bool(want) == bool(got)
    return want == got


def score(rows: list[dict[str, object]]) -> dict[str, object]:
    """Accuracy per labelled field, urgent recall/precision and unmasked numbers."""
    from bots.triage import triage

    right = dict.fromkeys(FIELDS, 0)
    total = dict.fromkeys(FIELDS, 0)
    tp = fp = fn = 0
    unmasked = 0
    for row in rows:
        result = triage(str(row.get("text", "")))
        got = result.as_json()
        for field in FIELDS:
            if field in row:
                total[field] += 1
                province = row.get("province") if isinstance(row.get("province"), str) else None
                right[field] += _same(field, row[field], got[field], province)  # type: ignore[arg-type]
        if "urgent" in row:
            want = bool(row["urgent"])
            tp += want and result.urgent
            fp += (not want) and result.urgent
            fn += want and not result.urgent
        if _UNMASKED.search(result.masked):
            unmasked += 1
    out: dict[str, object] = {"messages": len(rows)}
    for field in FIELDS:
        if total[field]:
            out[field] = {
                "accuracy": round(right[field] / total[field], 4),
                "right": right[field],
                "of": total[field],
            }
    if total["urgent"]:
        out["urgent_recall"] = round(tp / (tp + fn), 4) if tp + fn else None
        out["urgent_precision"] = round(tp / (tp + fp), 4) if tp + fp else None
    out["unmasked_numbers"] = unmasked
    return out


def evaluate(path: str, stdout: TextIO, as_json: bool = False) -> int:
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{path}:{lineno}: not JSON: {e}", file=sys.stderr)
                return 2
            if not isinstance(row, dict) or "text" not in row:
                print(f"{path}:{lineno}: expected an object with a 'text' key", file=sys.stderr)
                return 2
            rows.append(row)
    result = score(rows)
    if as_json:
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    stdout.write(f"{result['messages']} messages from {path}\n")
    for field in FIELDS:
        if field in result:
            r = result[field]
            assert isinstance(r, dict)
            stdout.write(f"{field:<17} {r['accuracy']:7.1%}  ({r['right']}/{r['of']})\n")
    if "urgent_recall" in result:
        for key in ("urgent_recall", "urgent_precision"):
            value = result[key]
            shown = f"{value:7.1%}" if isinstance(value, float) else "      -"
            stdout.write(f"{key.replace('_', ' '):<17} {shown}\n")
    left = result["unmasked_numbers"]
    stdout.write(f"{'unmasked numbers':<17} {left:>7}  (messages with a 9+ digit number left)\n")
    return 0
