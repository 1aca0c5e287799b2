"""`damrongdham bench`: our pipeline and its physical limit, side by side, in one run.

- end to end: citizens send Thai complaints through Prosody → bot → case store → the centre
  room, where an agent notes when each arrives; the same messages relayed by Prosody from
  client to client are the baseline (`devtools.bench_e2e`);
- triage against PyThaiNLP's `word_tokenize` alone (`devtools.bench_triage`);
- provisioning: the 76 centres inside a fresh `up`, then every district; a no-op rerun;
- web: Open311 reads, /healthz and /track.json under wrk (`devtools.bench_web`);
- memory: the bot's RSS with 100,000 stored cases (`devtools.bench_memory`);
- bystander: a calm citizen's reply time while another floods the bot, and Prosody's
  database growth per 10,000 refused messages (`devtools.bench_flood`), on a stack of its
  own with the real flood limits.

A readable table by default, one JSON object with ``--json``. ``--quick``: a short run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from devtools.local_stack import REPO, RunningStack, start_stack
from kernel.settings import StackSettings


def percentile(sorted_values: list[float], q: float) -> float | None:
    """The `q`-th percentile (0–100) of ascending values, linearly interpolated between
    the closest ranks (numpy's default); None for no values."""
    if not sorted_values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile out of range: {q}")
    pos = (len(sorted_values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    value = sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
    return round(value, 2)


def machine() -> dict:
    """What the figures were measured on."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem_gb = round(kb / 1024**2, 1)
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gib": mem_gb,
            "python": platform.python_version(), "kernel": platform.release(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip


def _provision(data_dir: Path, sets: str) -> float:
    """Seconds for one whole `damrongdham provision --sets SETS` command."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "damrongdham", "provision", "--data-dir", str(data_dir),
         "--sets", sets, "--no-progress"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
        env=dict(os.environ, PYTHAINLP_OFFLINE="1"),
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"provision --sets {sets} failed: {done.stderr.strip()[-300:]}")
    return round(time.perf_counter() - t0, 2)


def centres_seconds(stack: RunningStack) -> float | None:
    """How long `up` took to provision the 76 centres (its own report)."""
    m = re.search(r"provisioned (\d+) centres in ([\d.]+) s", stack.output)
    return float(m.group(2)) if m else None


def _e2e(stack: RunningStack, env: dict[str, str], base: Path, args: argparse.Namespace,
         out: dict) -> None:  # fmt: skip
    """Relay baseline, then end to end, on a running stack started in `bench_env`."""
    from casestore import CaseStore
    from devtools.bench_e2e import run_e2e

    store = CaseStore(f"sqlite:///{stack.data_dir / 'damrongdham.sqlite3'}")
    try:
        profile = base / "bot.pyspy.txt" if args.profile else None
        got = asyncio.run(run_e2e(stack, store, args.citizens, args.messages, args.rate,
                                  profile))  # fmt: skip
    finally:
        store.close()
    out["e2e"], out["relay"] = got["e2e"], got["relay"]
    out["e2e"]["stack_env"] = {k: v for k, v in env.items() if k != "DAMRONGDHAM_ROUTING"}
    out["e2e"]["routing_mode"] = "room"
    out["e2e"]["per_citizen_msgs_per_s"] = round(args.rate / args.citizens, 2)
    r, e = got["relay"]["throughput_msgs_per_s"], got["e2e"]["throughput_msgs_per_s"]
    out["e2e"]["share_of_relay"] = round(e / r, 3) if r else None


def _big_store_stack(base: Path, args: argparse.Namespace, out: dict) -> None:
    """A fresh stack on a case store holding `args.cases` bulk-inserted cases: the 76
    centres inside its `up`, the bot's memory, the web (Open311 reads over a realistic
    store; /track.json with bulk cases' references and their PIN), then (full run) every
    district and a no-op rerun of all sets, (quick run) end to end on this same stack."""
    from devtools.bench_e2e import bench_env, stack_pids
    from devtools.bench_memory import BULK_PIN, bulk_insert, watch_bot
    from devtools.bench_web import bench_web

    data = base / "stack" / "data"
    data.mkdir(parents=True)
    pin_key = StackSettings(data_dir=data).load_secrets().pin_key  # the stack's own key
    inserted = bulk_insert(f"sqlite:///{data / 'damrongdham.sqlite3'}", args.cases, pin_key)
    samples = inserted.pop("sample_refs")
    t0 = time.perf_counter()
    with bench_env() as env:
        stack = start_stack(data, timeout=300)
    try:
        ready_s = time.perf_counter() - t0
        prov = out["provisioning"]
        prov["centres_s"] = centres_seconds(stack)
        pid = stack_pids(stack).get("bot")
        if pid is None:
            raise RuntimeError("no bot process found")
        mem = watch_bot(pid, settle=3.0, limit=20.0 if args.quick else 120.0)
        out["memory"] = {**inserted, **mem, "stack_ready_s": round(ready_s, 2)}
        out["web"] = bench_web(stack.info["web_url"], args.web_seconds,
                               [(ref, BULK_PIN) for ref in samples],
                               force_python=args.python_http)  # fmt: skip
        out["web"]["cases_in_store"] = inserted["cases"]
        if args.quick:
            _e2e(stack, env, base, args, out)
            prov["noop_s"] = _provision(stack.data_dir, "provinces")
            prov["noop_sets"] = "provinces"
        else:
            prov["districts_s"] = _provision(stack.data_dir, "all")
            if prov["centres_s"] is not None:
                prov["centres_and_districts_s"] = round(prov["centres_s"] + prov["districts_s"], 2)
            prov["noop_s"] = _provision(stack.data_dir, "all")
            prov["noop_sets"] = "all"
    finally:
        stack.stop()


def _bystander(base: Path, args: argparse.Namespace, out: dict) -> None:
    """A stack with the bot's real flood limits: one citizen floods, another writes."""
    from devtools.bench_flood import run_bystander

    stack = start_stack(base / "flood" / "data", timeout=180)
    try:
        calm_s = 2.0 if args.quick else 5.0
        out["bystander"] = asyncio.run(
            run_bystander(stack, args.flood_rate, args.flood_seconds, calm_seconds=calm_s)
        )
    finally:
        stack.stop()


def run_bench(args: argparse.Namespace) -> dict:
    """Every part; the figures as one dict. The full run gives end to end a stack of its
    own (an empty case store); `--quick` runs everything on the one stack with the
    bulk-inserted cases."""
    from devtools.bench_e2e import bench_env
    from devtools.bench_triage import bench_triage, load_seconds

    started = time.perf_counter()
    out: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": args.quick,
        "n_citizens": args.citizens,
        "messages": args.messages,
        "provisioning": {"centres_s": None, "districts_s": None, "noop_s": None},
    }
    base = Path(tempfile.mkdtemp(prefix="damrongdham-bench-"))
    try:
        if not args.quick:
            with bench_env() as env:
                stack = start_stack(base / "e2e" / "data", timeout=180)
            try:
                _e2e(stack, env, base, args, out)
            finally:
                stack.stop()
        out["triage"] = bench_triage(quick=args.quick)
        out["triage"]["startup_s"] = round(load_seconds(), 3)
        _big_store_stack(base, args, out)
        _bystander(base, args, out)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            out["work_dir"] = str(base)
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


# -- output -------------------------------------------------------------------------------


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.1f}" if value >= 100 else f"{value:,.3g}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text}{unit}"


def table(r: dict) -> str:
    """The figures as a table with the targets of the benchmark issue."""
    e, rel, t, p, w, m = (r.get(k, {}) for k in ("e2e", "relay", "triage", "provisioning",
                                                  "web", "memory"))  # fmt: skip
    b = r.get("bystander") or {}
    load = (r.get("machine") or {}).get("loadavg_at_start")
    rows = [
        ("end to end: messages/s (offered)",
         f"{_fmt(e.get('throughput_msgs_per_s'))} ({_fmt(e.get('offered_rate'))})", "≥ 1,000"),
        ("end to end: p50 / p95 / p99 citizen → room",
         f"{_fmt(e.get('p50_ms'))} / {_fmt(e.get('p95_ms'))} / {_fmt(e.get('p99_ms'))} ms",
         "p99 ≤ 100 ms"),
        ("end to end: sent / lost / duplicated",
         f"{_fmt(e.get('sent'))} / {_fmt(e.get('lost'))} / {_fmt(e.get('duplicated'))}", "0 lost"),
        ("Prosody relay client → client: messages/s",
         f"{_fmt(rel.get('throughput_msgs_per_s'))} (p99 {_fmt(rel.get('p99_ms'))} ms)", "—"),
        ("end to end / relay", _fmt(e.get("share_of_relay")), "≥ 0.5"),
        ("CPU % of a core during end to end",
         ", ".join(f"{k} {v}" for k, v in (e.get("cpu_percent") or {}).items()), "—"),
        ("triage: messages/s (word_tokenize alone)",
         f"{_fmt(t.get('msgs_per_s'))} ({_fmt(t.get('tokenize_msgs_per_s'))})", "—"),
        ("triage: p99 per message, with the nlpo3 tokenizer", _fmt(t.get("p99_ms"), " ms"),
         "≤ 1 ms"),
        ("triage: startup (import, models, dictionary, first message)",
         _fmt(t.get("startup_s"), " s"), "≤ 2 s"),
        ("provisioning: 76 centres", _fmt(p.get("centres_s"), " s"), "≤ 3 s"),
        ("provisioning: all districts after the 76", _fmt(p.get("districts_s"), " s"),
         "76 + all ≤ 30 s"),
        (f"provisioning: no-op rerun (--sets {p.get('noop_sets', '?')})",
         _fmt(p.get("noop_s"), " s"), "≤ 2 s"),
        (f"web: {w.get('req_per_s_is', '')} req/s ({w.get('tool', '')})",
         _fmt(w.get("req_per_s")), "≥ 1,000"),
    ]
    for name, ep in (w.get("endpoints") or {}).items():
        extra = f", non-2xx {ep.get('non_2xx')}" if ep.get("non_2xx") else ""
        rows.append((f"  web {name}", f"{_fmt(ep.get('req_per_s'))} req/s, p99 "
                     f"{_fmt(ep.get('p99_ms'))} ms{extra}", ""))  # fmt: skip
    rows.append((f"memory: bot RSS, {_fmt(m.get('cases'))} cases ({_fmt(m.get('open'))} open)",
                 f"{_fmt(m.get('bot_rss_mb'))} MB (peak {_fmt(m.get('bot_rss_peak_mb'))})",
                 "≤ 150 MB"))  # fmt: skip
    alone = f"{_fmt(b.get('p50_ms_without_flood'))} / {_fmt(b.get('p99_ms_without_flood'))} ms"
    flooded = (f"{_fmt(b.get('p50_ms_with_flood'))} / {_fmt(b.get('p99_ms_with_flood'))} ms"
               f" (+{_fmt(b.get('p99_extra_ms'))} ms at p99)")  # fmt: skip
    per_10k = (f"{_fmt(b.get('prosody_db_growth_mb_per_10k_refused'), ' MB')}, "
               f"{_fmt(b.get('prosody_archive_rows_per_10k_refused'))} archive rows")  # fmt: skip
    rows.append(("bystander: p50 / p99 reply, alone", alone, "—"))
    rows.append((f"bystander: p50 / p99 reply, one citizen at {_fmt(b.get('flood_offered_rate'))}"
                 "/s", flooded, "+≤ 100 ms at p99"))  # fmt: skip
    rows.append(("Prosody database per 10,000 refused", per_10k, "—"))
    width = max(len(a) for a, _b, _c in rows)
    vwidth = max(len(b) for _a, b, _c in rows)
    mach = r.get("machine", {})
    lines = [f"damrongdham bench — {r.get('date')} — {mach.get('cpus')} × {mach.get('cpu_model')}"
             f", {r.get('n_citizens')} citizens, {r.get('messages')} messages"
             f"{' (quick)' if r.get('quick') else ''}; load average at start {load}"]  # fmt: skip
    lines += [f"{a:<{width}}  {b:<{vwidth}}  {c}" for a, b, c in rows]
    prof = e.get("profile") or {}
    for error in prof.get("errors", []):
        lines.append(f"profile: {error}")
    if prof.get("bot"):
        bot = prof["bot"]
        lines.append(f"bot profile ({bot.get('samples')} samples of every thread): waiting "
                     f"{bot.get('idle_percent')} %; busy in:")
        lines += [f"  {pct:5.1f} %  {name}" for name, pct in bot.get("inclusive", [])[:12]]
        lines.append("  on top of the stack:")
        lines += [f"  {pct:5.1f} %  {name}" for name, pct in bot.get("self", [])[:8]]
    if prof.get("prosody_syscalls"):
        lines.append("Prosody, system calls by wall time (share, calls, µs/call):")
        lines += [f"  {name:<12} {pct:5.1f} %  {calls:>8,}  {us:>6,}"
                  for name, pct, calls, us in prof["prosody_syscalls"]]  # fmt: skip
    if t.get("tokenize_msgs_per_s") is None:
        lines.append("triage: pythainlp not installed, no word_tokenize figure "
                     "(pip install -e '.[bench]')")  # fmt: skip
    return "\n".join(lines)


# -- command line -------------------------------------------------------------------------


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="measure the pipeline and its physical limit in one run")
    p.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--citizens", type=int, default=None, help="connected citizens (default 200)")
    p.add_argument("--messages", type=int, default=None, help="messages in each phase")
    p.add_argument("--rate", type=float, default=None, help="messages/s offered (default 1000)")
    p.add_argument("--cases", type=int, default=None, help="cases stored for the memory bench")
    p.add_argument("--web-seconds", type=float, default=None, help="per web endpoint")
    p.add_argument("--profile", action="store_true", help="sample the bot with py-spy")
    p.add_argument("--python-http", action="store_true", help="the Python load generator, not wrk")
    p.add_argument("--flood-rate", type=float, default=1000.0,
                   help="the bystander bench's flooder, messages/s (default 1000)")  # fmt: skip
    p.add_argument("--flood-seconds", type=float, default=None,
                   help="how long the flooder floods (default 5, quick 2)")  # fmt: skip
    p.add_argument("--keep", action="store_true", help="keep the stacks' data directories")


def check_args(args: argparse.Namespace) -> str | None:
    """Fill in defaults; the error message for bad arguments, else None."""
    quick = args.quick
    defaults = {"citizens": 50 if quick else 200, "messages": 200 if quick else 5000,
                "rate": 1000.0, "cases": 10_000 if quick else 100_000,
                "web_seconds": 2.0 if quick else 5.0,
                "flood_seconds": 2.0 if quick else 5.0}  # fmt: skip
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if not 1 <= args.citizens <= 2000:
        return "--citizens must be 1–2,000"
    if args.messages < args.citizens:
        return "--messages must be at least --citizens (each citizen opens a case)"
    if args.rate <= 0 or args.web_seconds <= 0:
        return "--rate and --web-seconds must be positive"
    if args.flood_rate <= 0 or args.flood_seconds <= 0:
        return "--flood-rate and --flood-seconds must be positive"
    if args.cases < 1:
        return "--cases must be at least 1"
    return None


def run(args: argparse.Namespace) -> int:
    error = check_args(args)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = run_bench(args)
    print(json.dumps(result, ensure_ascii=False) if args.json else table(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m devtools.bench ARGS`, the same as `python -m devtools bench ARGS`."""
    parser = argparse.ArgumentParser(prog="damrongdham")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    try:
        args = parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)])
    except SystemExit as exc:
        return int(exc.code or 0)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
