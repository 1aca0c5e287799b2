"""`damrongdham provision`: centres, staff accounts, rotation and retirement."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from casestore.centres import CENTRE_SETS, Centre, CentreDataError, load_centre_sets, parse_centres
from provisioning.apply import Outcome, Provisioner, ProvisionError
from provisioning.target import Target, TargetError, from_data_dir, from_server


def _target_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("server (default: the stack of --data-dir)")
    group.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS if suppress else
                       Path("data"), help="data directory of `damrongdham up` (default ./data)")
    group.add_argument("--server", default=default, help="any XMPP server: HOST:PORT")
    group.add_argument("--admin", default=default, help="admin JID on that server")
    group.add_argument("--admin-password-file", type=Path, default=default)
    group.add_argument("--credentials", type=Path, default=default,
                       help="credentials CSV to write (with --server; default ./credentials.csv)")
    group.add_argument("--ca-file", type=Path, default=default, help="CA to trust for TLS")
    group.add_argument("--domain", default=default, help="XMPP domain (default: the admin's)")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "provision", help="set up centres, accounts and rooms (idempotent)",
        description="Without a subcommand: bring the selected centre sets up to date.",
    )
    _target_options(p, suppress=False)
    p.add_argument("--sets", default="provinces",
                   help=f"comma-separated centre sets: {', '.join(CENTRE_SETS)} (or 'all')")
    p.add_argument("--centres-file", type=Path, help="a reviewed centres CSV instead of ours")
    p.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--concurrency", type=int, default=24, help=argparse.SUPPRESS)
    actions = p.add_subparsers(dest="action")

    agent = actions.add_parser("agent", help="named staff accounts")
    agent_actions = agent.add_subparsers(dest="agent_action", required=True)
    add = agent_actions.add_parser("add", help="add <name>.<centre>@D to a centre")
    add.add_argument("centre")
    add.add_argument("name")
    add.add_argument("--room-admin", action="store_true", help="room admin instead of member")
    _target_options(add, suppress=True)
    lst = agent_actions.add_parser("list", help="staff accounts (of one centre)")
    lst.add_argument("centre", nargs="?")
    _target_options(lst, suppress=True)

    rotate = actions.add_parser("rotate", help="new passwords for one, several or all accounts")
    rotate.add_argument("who", nargs="*", help="centre slug or JID")
    rotate.add_argument("--all", action="store_true")
    _target_options(rotate, suppress=True)
    for name, text in (("disable", "lock an account; its history stays"),
                       ("enable", "unlock a disabled account with a new password")):
        q = actions.add_parser(name, help=text)
        q.add_argument("who", help="centre slug or JID")
        _target_options(q, suppress=True)


def _target(args: argparse.Namespace) -> Target:
    if args.server:
        if not (args.admin and args.admin_password_file):
            raise TargetError("--server needs --admin and --admin-password-file")
        return from_server(
            args.server, args.admin, args.admin_password_file,
            args.credentials or Path("credentials.csv"), args.ca_file, args.domain,
        )
    try:
        return from_data_dir(args.data_dir.expanduser().resolve())
    except FileNotFoundError as exc:
        raise TargetError(str(exc)) from exc


def _centres(args: argparse.Namespace) -> tuple[Centre, ...]:
    if args.centres_file:
        try:
            text = args.centres_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise TargetError(f"cannot read {args.centres_file}: {exc.strerror}") from exc
        return check_provinces(parse_centres(text, str(args.centres_file)), args.centres_file)
    sets = CENTRE_SETS if args.sets.strip() == "all" else args.sets.split(",")
    return load_centre_sets(s.strip() for s in sets if s.strip())


def check_provinces(centres: tuple[Centre, ...], source: Path) -> tuple[Centre, ...]:
    """Every ISO code in an admin's own centres file must be a real province (geothai)."""
    from casestore import places

    for centre in centres:
        if centre.iso and places.province(centre.iso) is None:  # iso is ^TH-\d\d$ here
            raise TargetError(f"{source}: centre {centre.slug}: unknown province {centre.iso}")
    return centres


def progress_printer(label: str, enabled: bool) -> Callable[[int, int], None] | None:
    if not enabled:
        return None
    tty = sys.stderr.isatty()
    step = 0

    def show(done: int, total: int) -> None:
        nonlocal step
        if tty:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
        elif done == total or done * 10 // max(total, 1) > step:
            step = done * 10 // max(total, 1)
            sys.stderr.write(f"{label}: {done}/{total}\n")
        sys.stderr.flush()

    return show


def report(outcome: Outcome, say: Callable[[str], None] = print) -> int:
    for line in outcome.problems:
        say(f"error: {line}")
    say(outcome.summary())
    return 1 if outcome.problems else 0


AfterHook = Callable[[argparse.Namespace, str, list[str]], None]


async def _run(args: argparse.Namespace, after: AfterHook | None = None) -> int:
    target = _target(args)
    action = getattr(args, "action", None)
    if action is None:
        centres = _centres(args)
        prov = Provisioner(target, concurrency=max(1, args.concurrency))
        plan = prov.plan(centres)
        if args.dry_run:
            for item in plan.changes:
                print(item.describe())
            for slug in plan.retired:
                print(f"retired {slug:28} (no longer in the data; `provision disable {slug}`)")
            print(f"plan: {plan.summary()}")
            return 0
        if not plan.changes:
            print(f"{len(plan.items)} up to date, nothing to change")
            return 0
        async with prov:
            show = progress_printer("provisioning", not args.no_progress)
            return report(await prov.apply(plan, show))
    prov = Provisioner(target)
    if action == "agent" and args.agent_action == "list":
        for jid, acc in sorted(prov.state.accounts.items()):
            if acc.kind == "staff" and (args.centre in (None, acc.centre)):
                flag = " (disabled)" if acc.disabled else ""
                print(f"{acc.centre:24} {jid:48} {acc.role}{flag}")
        return 0
    async with prov:
        if action == "agent":
            cred = await prov.add_agent(args.centre, args.name,
                                        "admin" if args.room_admin else "member")
            print(f"added {cred.jid} to {cred.room}; password in {target.credentials_file}")
        elif action == "rotate":
            if args.all == bool(args.who):
                raise ProvisionError("name the accounts to rotate, or give --all (not both)")
            jids = ([j for j, a in prov.state.accounts.items() if not a.disabled]
                    if args.all else [prov.resolve(w) for w in args.who])
            done = await prov.rotate(sorted(jids))
            print(f"rotated {len(done)} passwords; new ones in {target.credentials_file}")
            if after:
                after(args, "rotate", done)
        elif action == "disable":
            jid = prov.resolve(args.who)
            await prov.disable(jid)
            print(f"disabled {jid}: cannot log in, out of its room; history kept")
            if after:
                after(args, "disable", [jid])
        elif action == "enable":
            cred = await prov.enable(prov.resolve(args.who))
            print(f"enabled {cred.jid}; new password in {target.credentials_file}")
    return 0


def run(args: argparse.Namespace, after: AfterHook | None = None) -> int:
    """Entry point from `damrongdham provision`; errors are one line and exit non-zero.

    ``after(args, action, jids)`` runs after a ``rotate`` or ``disable`` (the command above
    us ends the accounts' dashboard sessions there: provisioning never touches the case
    store)."""
    try:
        return asyncio.run(_run(args, after))
    except (ProvisionError, TargetError, CentreDataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
