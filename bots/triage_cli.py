"""`damrongdham triage`: stdin lines in, JSON lines out (pinned in DESIGN.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--explain", action="store_true", help="add the deciding words")


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    from bots.triage import triage

    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
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
