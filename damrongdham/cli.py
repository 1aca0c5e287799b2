"""The `damrongdham` command line."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from kernel.settings import DEFAULT_DOMAIN, StackSettings

DEFAULT_DATA_DIR = "data"  # a string, so argparse passes it through _data_dir (absolute)

#: The bench and chaos harness (`devtools/`) sits above this package: it starts stacks with
#: `damrongdham up`. `damrongdham bench …` runs it as a program of its own, `python -m
#: devtools bench …`, which parses the arguments; the runtime never imports it.
HARNESS = {
    "chaos": "inject faults while citizens report; count what is lost",
    "bench": "measure the pipeline and its physical limit in one run",
}


def _data_dir(value: str) -> Path:
    return Path(value).expanduser().resolve()


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"not a TCP port: {value}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="damrongdham", description="Damrongdham Chat: complaints over XMPP, offline-first."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the whole stack in the foreground (SQLite by default)")
    up.add_argument("--data-dir", type=_data_dir, default=DEFAULT_DATA_DIR)
    up.add_argument("--domain", default=None, help=f"XMPP domain (default {DEFAULT_DOMAIN})")
    up.add_argument(
        "--database-url", default=None, help="SQLAlchemy URL, e.g. postgresql+psycopg://…"
    )
    up.add_argument("--listen", default=None, help="address to listen on (default 127.0.0.1)")
    for name, default in (("c2s", 5222), ("component", 5347), ("http", 5280), ("web", 8080)):
        up.add_argument(f"--{name}-port", type=_port, default=None, help=f"default {default}")
    up.add_argument("--no-bot", action="store_true", help="do not start the bot (another "
                    "container runs `damrongdham bot`)")  # fmt: skip
    up.add_argument("--no-web", action="store_true", help="do not start the web app")
    up.add_argument(
        "--registration-throttle-max",
        type=int,
        default=None,
        help="citizen sign-ups allowed per address per period (default 10)",
    )

    for name, text in (
        ("bot", "run the bot+bridge component (started by `up`)"),
        ("web", "run the web app under gunicorn (started by `up`)"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--data-dir", type=_data_dir, default=DEFAULT_DATA_DIR)

    from bots import triage_cli
    from damrongdham import apikeys_cli, federation_cli, pdpa_cli, qr_cli
    from provisioning import cli as provision_cli

    provision_cli.add_parser(sub)
    apikeys_cli.add_parser(sub)
    pdpa_cli.add_parser(sub)
    for name, text in HARNESS.items():
        # every argument, `-h` too, goes to the harness as given (see `main`)
        sub.add_parser(name, help=text, add_help=False)
    qr_cli.add_parser(sub)
    federation_cli.add_parser(sub)

    tri = sub.add_parser("triage", help="one message per stdin line -> one JSON object per line")
    triage_cli.add_arguments(tri)
    return parser


def _up_settings(args: argparse.Namespace) -> StackSettings:
    """Settings for `up`: command-line flags over the data dir's saved ones over defaults."""
    from kernel.config_file import load_settings

    try:
        saved = load_settings(args.data_dir)
        existing = True
    except FileNotFoundError:
        saved = StackSettings(data_dir=args.data_dir)
        existing = False
    changes = {
        "domain": args.domain,
        "database_url": args.database_url or os.environ.get("DAMRONGDHAM_DATABASE_URL"),
        "listen": args.listen,
        "c2s_port": args.c2s_port,
        "component_port": args.component_port,
        "http_port": args.http_port,
        "web_port": args.web_port,
        "registration_throttle_max": args.registration_throttle_max,
    }
    if existing and args.domain and args.domain != saved.domain:
        raise SystemExit(
            f"error: {args.data_dir} belongs to domain {saved.domain}; "
            "a data directory cannot change its domain"
        )
    from dataclasses import replace

    return replace(saved, data_dir=args.data_dir, **{k: v for k, v in changes.items() if v})


def setup_logging(verbose: bool) -> None:
    """Log lines as every `damrongdham` command writes them (`-v`: debug)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("slixmpp").setLevel(logging.DEBUG if verbose else logging.WARNING)


def run_harness(command: str, argv: list[str], verbose: bool = False) -> int:
    """`damrongdham bench|chaos ARGS`: `python -m devtools bench|chaos ARGS` in a child
    process, with this one's streams and environment; its exit status is ours."""
    cmd = [sys.executable, "-m", "devtools", *(["--verbose"] if verbose else []), command,
           *argv]  # fmt: skip
    proc = subprocess.Popen(cmd)
    # Ctrl-C reaches the harness too (same process group): it stops its stacks, we wait.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        code = proc.wait()
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell says


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in HARNESS:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    setup_logging(args.verbose)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    if args.command in HARNESS:
        return run_harness(args.command, rest, verbose=args.verbose)
    from kernel import logmask
    from kernel.files import PRIVATE_UMASK

    if args.command in ("up", "bot", "web"):
        os.umask(PRIVATE_UMASK)  # the data directory's files 0600, its directories 0700
    if args.command == "up":
        from damrongdham.stack import up

        settings = _up_settings(args)
        logmask.install(settings.domain)  # personal data masked in every log line
        return up(settings, bot=not args.no_bot, web=not args.no_web)
    if args.command in ("bot", "web"):
        from kernel.config_file import load_settings

        try:
            settings = load_settings(args.data_dir)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        logmask.install(settings.domain)
        if args.command == "bot":
            from damrongdham.bot_service import run_bot

            run_bot(settings)
        else:
            from damrongdham.web_service import run_web

            run_web(settings)
        return 0
    if args.command == "provision":
        from damrongdham.staff_access import after_provision
        from provisioning import cli as provision_cli

        return provision_cli.run(args, after_provision)
    if args.command == "apikey":
        from damrongdham import apikeys_cli

        return apikeys_cli.run(args)
    if args.command in ("retention", "subject-export"):
        from damrongdham import pdpa_cli

        return pdpa_cli.run(args)
    if args.command == "qr":
        from damrongdham import qr_cli

        return qr_cli.run(args)
    if args.command == "federation":
        from damrongdham import federation_cli

        return federation_cli.run(args)
    if args.command == "triage":
        from bots import triage_cli

        return triage_cli.run(args)
    return 2
