"""`python -m devtools [-v] bench|chaos …`: what `damrongdham bench` and `damrongdham chaos`
run (the command line starts this program and passes its arguments on as given)."""

from __future__ import annotations

import argparse
import os
import sys

from damrongdham.cli import setup_logging
from devtools import bench, chaos


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="damrongdham", description="The bench and chaos runs.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    chaos.add_parser(sub)
    bench.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    return bench.run(args) if args.command == "bench" else chaos.run(args)


if __name__ == "__main__":
    sys.exit(main())
