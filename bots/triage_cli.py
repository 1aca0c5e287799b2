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


def _per_class(pairs: list[tuple[str, str]]) -> dict[str, dict[str, float | int]]:
    """Precision, recall and F1 of each class among (wanted, got) pairs."""
    out: dict[str, dict[str, float | int]] = {}
    for cls in sorted({w for w, _ in pairs} | {g for _, g in pairs}):
        tp = sum(1 for w, g in pairs if w == cls and g == cls)
        fp = sum(1 for w, g in pairs if w != cls and g == cls)
        fn = sum(1 for w, g in pairs if w == cls and g != cls)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[cls] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                    "support": tp + fn}  # fmt: skip
    return out


def _rate(n: int, of: int) -> float | None:
    return round(n / of, 4) if of else None


def score(rows: list[dict[str, object]]) -> dict[str, object]:
    """Accuracy per labelled field, per-class figures of type and topic, the urgency
    levels (emergency recall, false emergencies, hazards), wrong-province and no-province
    rates apart, small talk, and unmasked numbers."""
    from bots.triage import triage

    right = dict.fromkeys(FIELDS, 0)
    total = dict.fromkeys(FIELDS, 0)
    pairs: dict[str, list[tuple[str, str]]] = {"type": [], "topic": [], "urgency": []}
    tp = fp = fn = 0
    located = wrong_province = no_province = 0
    small_talk = small_talk_right = chatter_opened = 0
    unmasked = 0
    for row in rows:
        result = triage(str(row.get("text", "")))
        got = result.as_json()
        if row.get("small_talk"):
            small_talk += 1
            small_talk_right += result.small_talk
        elif "type" in row:
            chatter_opened += result.small_talk  # a real message taken for small talk
        for field in FIELDS:
            if field in row:
                total[field] += 1
                province = row.get("province") if isinstance(row.get("province"), str) else None
                right[field] += _same(field, row[field], got[field], province)  # type: ignore[arg-type]
        for field in ("type", "topic"):
            if field in row:
                pairs[field].append((str(row[field]), str(got[field])))
        want_level = row.get("urgency") or (
            ("emergency" if row["urgent"] else "normal") if "urgent" in row else None)
        if want_level:
            pairs["urgency"].append((str(want_level), result.urgency))
        if "urgent" in row or want_level:
            want = want_level == "emergency"
            tp += want and result.urgent
            fp += (not want) and result.urgent
            fn += want and not result.urgent
        if isinstance(row.get("province"), str):
            located += 1
            wrong_province += result.province is not None and result.province != row["province"]
            no_province += result.province is None
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
    if pairs["urgency"]:
        levels = pairs["urgency"]
        out["urgent_recall"] = _rate(tp, tp + fn)
        out["urgent_precision"] = _rate(tp, tp + fp)
        not_emergency = sum(1 for w, _ in levels if w != "emergency")
        out["false_emergency_rate"] = _rate(fp, not_emergency)
        hazards = [g for w, g in levels if w == "hazard"]
        if hazards:
            out["hazard_recall"] = _rate(sum(1 for g in hazards if g == "hazard"), len(hazards))
        out["urgency"] = {"accuracy": _rate(sum(w == g for w, g in levels), len(levels)),
                          "per_class": _per_class(levels)}  # fmt: skip
    for field in ("type", "topic"):
        if pairs[field]:
            out[f"{field}_per_class"] = _per_class(pairs[field])
    if located:
        out["located"] = located
        out["wrong_province_rate"] = _rate(wrong_province, located)
        out["no_province_rate"] = _rate(no_province, located)
    if small_talk:
        out["small_talk_recognised"] = _rate(small_talk_right, small_talk)
    out["reports_taken_for_small_talk"] = chatter_opened
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
    for key in ("urgent_recall", "urgent_precision", "false_emergency_rate", "hazard_recall",
                "wrong_province_rate", "no_province_rate", "small_talk_recognised"):  # fmt: skip
        if key in result:
            value = result[key]
            shown = f"{value:7.1%}" if isinstance(value, float) else "      -"
            stdout.write(f"{key.replace('_', ' '):<21} {shown}\n")
    for field in ("type", "topic", "urgency"):
        table = result.get(f"{field}_per_class") or (
            result["urgency"]["per_class"] if field == "urgency" and "urgency" in result else None)
        if not table:
            continue
        stdout.write(f"{field} per class (precision / recall / support):\n")
        for cls, r in table.items():
            stdout.write(f"  {cls:<15} {r['precision']:6.1%} {r['recall']:6.1%} {r['support']:5}\n")
    left = result["unmasked_numbers"]
    stdout.write(f"{'unmasked numbers':<17} {left:>7}  (messages with a 9+ digit number left)\n")
    return 0
