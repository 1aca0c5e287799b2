"""`damrongdham bench`: its pieces (percentiles, tags, the profile summary, the memory
reader, wrk's output, the Python load generator against a real Flask app, bulk-inserted
cases) and its command line. The whole bench runs stacks for minutes: not here."""

from __future__ import annotations

import argparse
import json
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bots import catalogue
from casestore import CaseStore
from devtools import bench
from devtools.bench_e2e import TAG, Arrivals, cpu_seconds, tag, top_costs, untag
from devtools.bench_memory import BULK_PIN, bulk_insert, rss_from_status, vm_rss_mb
from devtools.bench_web import parse_wrk, run_python

PINNED = {
    "e2e": {"throughput_msgs_per_s", "p50_ms", "p95_ms", "p99_ms", "sent", "lost"},
    "relay": {"throughput_msgs_per_s"},
    "triage": {"msgs_per_s", "p99_ms", "tokenize_msgs_per_s"},
    "provisioning": {"centres_s", "districts_s", "noop_s"},
    "web": {"req_per_s"},
    "memory": {"bot_rss_mb"},
    "bystander": {"p50_ms_without_flood", "p99_ms_without_flood", "p50_ms_with_flood",
                  "p99_ms_with_flood", "p99_extra_ms", "prosody_db_growth_mb_per_10k_refused"},
}  # fmt: skip


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert bench.percentile(values, 50) == 50.5
    assert bench.percentile(values, 99) == 99.01
    assert bench.percentile(values, 0) == 1.0
    assert bench.percentile(values, 100) == 100.0
    assert bench.percentile([7.0], 99) == 7.0
    assert bench.percentile([], 50) is None
    with pytest.raises(ValueError):
        bench.percentile(values, 101)


def test_tags_have_no_digits_and_round_trip() -> None:
    for k in (0, 1, 25, 26, 675, 676, 19_999):
        t = tag("e", k)
        assert not any(ch.isdigit() for ch in t)
        m = TAG.search(f"«{t} ถนนพัง (ข้อความที่ 3)»")
        assert m is not None and m.group(1) == "e" and untag(m.group(2)) == k
    assert len({tag("r", k) for k in range(2000)}) == 2000


def test_tags_survive_the_triage_as_stored() -> None:
    """What reaches the room is the triage's masked, normalised text: every tag of a full
    run must come through unchanged (`[qeeee]` once came back as `[qeee]`)."""
    from bots.triage import triage

    old_eeee = 4 * (26**3 + 26**2 + 26 + 1)  # "[qeeee]" in the old base-26 tags
    for k in [*range(3000), old_eeee, 4 * (25**3 + 25**2 + 25 + 1), 10**6]:
        t = tag("e", k)
        m = TAG.search(triage(f"{t} น้ำประปาไม่ไหลสามวันแล้ว").masked)
        assert m is not None and untag(m.group(2)) == k, t


class _Msg(dict):
    """Just enough of a slixmpp message for `Arrivals`."""

    def __init__(self, body: str, delayed: bool = False) -> None:
        super().__init__(body=body)
        import xml.etree.ElementTree as ET

        self.xml = ET.Element("message")
        if delayed:
            ET.SubElement(self.xml, "{urn:xmpp:delay}delay")


def test_arrivals_count_first_copies_and_skip_history() -> None:
    arrivals = Arrivals()
    reply = catalogue.render("room.reply_link", case_jid="th57-2569-000001@bot.d.example")
    wrote = catalogue.render(
        "room.citizen_wrote", ref="TH57-2569-000001", body=f"{tag('e', 3)} ไฟดับ", reply=reply
    )
    arrivals.on_message(_Msg(wrote))
    arrivals.on_message(_Msg(f"{tag('e', 3)} again"))
    arrivals.on_message(_Msg(f"{tag('e', 4)} replayed history", delayed=True))
    arrivals.on_message(_Msg("no tag"))
    arrivals.on_message(_Msg(tag("r", 3)))
    assert arrivals.count("e") == 1 and arrivals.count("r") == 1
    assert arrivals.duplicates == 1


def test_top_costs_reads_collapsed_stacks() -> None:
    raw = (
        "main (run.py:1);handle (bots/intake.py:10);_scrypt (casestore/pins.py:20) 70\n"
        "main (run.py:1);handle (bots/intake.py:10);commit (sqlalchemy/orm/session.py:5) 20\n"
        "main (run.py:1);select (selectors.py:3) 10\n"
        "garbage line\n"
    )
    costs = top_costs(raw)
    assert costs["samples"] == 100
    assert costs["self"][0] == ["casestore/pins.py:_scrypt", 70.0]
    inclusive = dict(costs["inclusive"])
    assert inclusive["bots/intake.py:handle"] == 90.0
    assert "selectors.py:select" not in inclusive  # waiting, not working
    assert costs["idle_percent"] == 10.0
    assert top_costs("") == {}


def test_memory_reader() -> None:
    status = "Name:\tpython\nVmPeak:\t  300000 kB\nVmRSS:\t  153600 kB\nThreads:\t1\n"
    assert rss_from_status(status) == 150.0
    with pytest.raises(ValueError):
        rss_from_status("Name:\tkthreadd\n")
    assert 1 < vm_rss_mb() < 10_000  # this very process
    assert vm_rss_mb(os.getpid()) > 1
    assert cpu_seconds(os.getpid()) > 0


def test_parse_wrk_output() -> None:
    out = """Running 2s test @ http://127.0.0.1:8080/healthz
  2 threads and 16 connections
  4321 requests in 2.00s, 1.2MB read
  Non-2xx or 3xx responses: 17
Requests/sec:   2160.50
Transfer/sec:    600.00KB
STATUS_ERRORS 17
P99_US 12500
P50_US 3000
"""
    got = parse_wrk(out)
    assert got == {"req_per_s": 2160.5, "requests": 4321, "non_2xx": 17, "socket_errors": 0,
                   "p50_ms": 3.0, "p99_ms": 12.5}  # fmt: skip


def test_python_load_generator_against_flask() -> None:
    from flask import Flask, request

    app = Flask("tiny")
    hits: list[str] = []

    @app.get("/ok")
    def ok() -> str:
        hits.append("get")
        return "ok"

    @app.post("/echo")
    def echo() -> tuple[str, int]:
        hits.append(request.get_data(as_text=True))
        return "no", 429

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        got = run_python(base + "/ok", 0.5, 2)
        assert got["requests"] > 0 and got["non_2xx"] == 0 and got["statuses"] == {200: got[
            "requests"]}  # fmt: skip
        assert got["req_per_s"] > 0 and got["p50_ms"] is not None
        posted = run_python(base + "/echo", 0.3, 1, "POST", ['{"a": 1}', '{"b": 2}'])
        assert posted["non_2xx"] == posted["requests"] > 0
        assert {'{"a": 1}', '{"b": 2}'} <= set(hits)
    finally:
        server.shutdown()


def test_bulk_insert_makes_real_cases(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    got = bulk_insert(url, 500, batch=200)
    assert got["cases"] == 500 and 0 < got["open"] < 100
    assert got["sample_refs"]  # for /track.json, with the shared PIN
    with CaseStore(url) as store:
        assert store.count() == 500
        open_cases = store.open_cases()
        assert len(open_cases) == got["open"]
        case = open_cases[0]
        assert store.check_pin(case.ref, BULK_PIN)
        assert all(store.check_pin(ref, BULK_PIN) for ref in got["sample_refs"])
        assert [m.direction for m in store.transcript(case.ref)] == ["citizen"]
        # numbering goes on after the bulk-inserted references
        jid = "x@citizens.damrongdham.localhost"
        opened = store.open_case(centre=case.centre, province=case.province, citizen_jid=jid,
                                 body="ถนนพัง")  # fmt: skip
        assert opened.case.ref not in {c.ref for c in open_cases}


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    bench.add_parser(sub)
    return parser.parse_args(["bench", *argv])


@pytest.mark.parametrize("argv", [
    ["--citizens", "0"], ["--citizens", "2001"], ["--citizens", "50", "--messages", "10"],
    ["--rate", "0"], ["--cases", "0"], ["--web-seconds", "-1"],
])  # fmt: skip
def test_bad_arguments_one_error_line_exit_2(argv, capsys) -> None:
    assert bench.run(_args(*argv)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_the_command_line_runs_the_harness_as_its_own_program(capfd) -> None:
    """`damrongdham bench ARGS` is `python -m devtools bench ARGS` in a child process: the
    same arguments, help, output and exit status as when the CLI parsed them itself."""
    from damrongdham.cli import main

    assert main(["bench", "--citizens", "0", "--quick"]) == 2
    out, err = capfd.readouterr()
    assert out == "" and err == "error: --citizens must be 1–2,000\n"
    assert main(["bench", "--help"]) == 0
    out = capfd.readouterr().out
    assert out.startswith("usage: damrongdham bench [-h] [--quick] [--json]"), out
    assert main(["-v", "chaos", "-h"]) == 0
    assert capfd.readouterr().out.startswith("usage: damrongdham chaos [-h]")
    with pytest.raises(SystemExit) as exc:  # other commands still refuse unknown arguments
        main(["up", "--meteor"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --meteor" in capfd.readouterr().err


def test_defaults_quick_and_full() -> None:
    quick, full = _args("--quick"), _args()
    assert bench.check_args(quick) is None and bench.check_args(full) is None
    assert (quick.citizens, quick.cases) == (50, 10_000)
    assert (full.citizens, full.cases, full.rate) == (200, 100_000, 1000.0)


def test_json_object_has_every_pinned_key(monkeypatch, capsys) -> None:
    """The output shape, with the measuring parts replaced by what they return."""

    def fake(args: argparse.Namespace) -> dict:
        out = {"date": "2026-11-21T09:00:00+00:00", "machine": bench.machine(), "quick": True,
               "n_citizens": args.citizens, "messages": args.messages}  # fmt: skip
        for part, keys in PINNED.items():
            out[part] = {k: 1.0 for k in keys}
        return out

    monkeypatch.setattr(bench, "run_bench", fake)
    assert bench.run(_args("--quick", "--json")) == 0
    got = json.loads(capsys.readouterr().out)
    for part, keys in PINNED.items():
        assert keys <= set(got[part]), part
    assert got["machine"]["cpus"] >= 1
    assert bench.run(_args("--quick")) == 0
    table = capsys.readouterr().out
    assert "end to end" in table and "memory: bot RSS" in table and "bystander" in table


def test_syscall_summary_of_strace() -> None:
    from devtools.bench_e2e import syscall_times

    summary = """% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 65.74   17.566767        4987      3522           fdatasync
 17.79    4.753308         170     27952           fcntl
  0.83    0.221201          62      3559         4 read
------ ----------- ----------- --------- --------- ----------------
100.00   26.722795         248    107422         4 total
"""
    assert syscall_times(summary) == [
        ["fdatasync", 65.74, 3522, 4987], ["fcntl", 17.79, 27952, 170], ["read", 0.83, 3559, 62]
    ]


@pytest.mark.xmpp
def test_a_tiny_bystander_run_gives_its_keys(tmp_path: Path) -> None:
    """The bystander scenario on a real stack, tiny: its keys, not its speed."""
    import asyncio

    from devtools.bench_flood import run_bystander
    from devtools.local_stack import start_stack

    stack = start_stack(tmp_path / "data", timeout=180)
    try:
        got = asyncio.run(run_bystander(stack, flood_rate=200, flood_seconds=1.0,
                                        calm_seconds=1.0))  # fmt: skip
    finally:
        stack.stop()
    assert PINNED["bystander"] <= set(got)
    assert got["without_flood"]["answered"] >= 1 and got["with_flood"]["sent"] >= 1
    assert got["flood_sent"] == 200
    assert got["prosody_db_growth_bytes"] is not None
