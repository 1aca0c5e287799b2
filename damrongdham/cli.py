"""The `damrongdham` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from damrongdham.settings import DEFAULT_DOMAIN, StackSettings

DEFAULT_DATA_DIR = "data"  # a string, so argparse passes it through _data_dir (absolute)


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
    from damrongdham import apikeys_cli, bench, chaos, pdpa_cli, qr_cli
    from provisioning import cli as provision_cli

    provision_cli.add_parser(sub)
    apikeys_cli.add_parser(sub)
    pdpa_cli.add_parser(sub)
    chaos.add_parser(sub)
    bench.add_parser(sub)
    qr_cli.add_parser(sub)

    tri = sub.add_parser("triage", help="one message per stdin line -> one JSON object per line")
    triage_cli.add_arguments(tri)
    return parser


def _up_settings(args: argparse.Namespace) -> StackSettings:
    """Settings for `up`: command-line flags over the data dir's saved ones over defaults."""
    from damrongdham.config_file import load_settings

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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("slixmpp").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    from damrongdham import logmask

    if args.command == "up":
        from damrongdham.stack import up

        settings = _up_settings(args)
        logmask.install(settings.domain)  # personal data masked in every log line
        return up(settings, bot=not args.no_bot, web=not args.no_web)
    if args.command in ("bot", "web"):
        from damrongdham.config_file import load_settings

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
        from provisioning import cli as provision_cli

        return provision_cli.run(args)
    if args.command == "apikey":
        from damrongdham import apikeys_cli

        return apikeys_cli.run(args)
    if args.command in ("retention", "subject-export"):
        from damrongdham import pdpa_cli

        return pdpa_cli.run(args)
    if args.command == "bench":
        from damrongdham import bench

        return bench.run(args)
    if args.command == "qr":
        from damrongdham import qr_cli

        return qr_cli.run(args)
    if args.command == "chaos":
        from damrongdham import chaos

        return chaos.run(args)
    if args.command == "triage":
        from bots import triage_cli

        return triage_cli.run(args)
    return 2
