"""PDPA retention and subject export on SQLite and PostgreSQL, and their command line."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from casestore import CaseStore, Status
from casestore.pdpa import PURGED, PURGED_JID, PdpaError, purge, retention_days, subject_export
from damrongdham import pdpa_cli

D = "d.example"
NOK = f"nok@citizens.{D}"
DANG = f"dang@citizens.{D}"
AGENT = f"somchai.phrae@{D}"
NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=400)
RECENT = NOW - timedelta(days=30)


def _case(store: CaseStore, citizen: str, body: str, at: datetime, done: Status | None) -> str:
    ref = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=citizen, body=body, now=at
    ).case.ref
    store.add_message(ref, "agent", AGENT, f"รับเรื่อง {ref} ครับ", now=at)
    store.add_note(ref, AGENT, "ผู้ร้องคนนี้โทรมาบ่อย เบอร์ 0812345678", now=at)
    if done is not None:
        store.set_status(ref, done, AGENT, note=f"แก้ไขแล้ว ผู้ร้องแจ้งว่า {body}", now=at)
        if done == Status.RESOLVED:
            store.rate(ref, 4, citizen, now=at)
    return ref


@pytest.fixture
def cases(db_store: CaseStore) -> dict[str, str]:
    return {
        "old_resolved": _case(db_store, NOK, "ถนนหน้าบ้านเลขที่ 12 เป็นหลุม", OLD, Status.RESOLVED),
        "old_closed": _case(db_store, DANG, "ไฟถนนดับ", OLD, Status.CLOSED),
        "old_open": _case(db_store, NOK, "น้ำท่วมขัง", OLD, None),
        "recent_closed": _case(db_store, NOK, "ขยะไม่เก็บ", RECENT, Status.CLOSED),
    }


def _dump(store: CaseStore) -> str:
    cells: list[str] = []
    with store.engine.connect() as conn:
        for table in ("cases", "case_messages", "case_events", "case_ratings", "outbox"):
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")):
                cells += [str(v) for v in row if v is not None]
    return "\n".join(cells)


def test_purge_erases_old_done_cases_and_keeps_statistics(db_store, cases) -> None:
    report = purge(db_store, 365, now=NOW)
    assert sorted(report.refs) == sorted([cases["old_resolved"], cases["old_closed"]])
    assert report.messages == 6  # per case: the citizen's, the agent's, the internal note
    for key in ("old_resolved", "old_closed"):
        ref = cases[key]
        case = db_store.get(ref)
        assert case is not None
        assert (case.centre, case.province) == ("phrae", "TH-54")
        assert case.citizen_jid == PURGED_JID and case.summary == ""
        assert case.status in (Status.RESOLVED, Status.CLOSED)
        assert db_store.transcript(ref) == []
        assert not db_store.check_pin(ref, "000000")
        events = db_store.events(ref)
        assert [e.kind for e in events][-1] == PURGED
        assert all(e.note is None for e in events)
        assert any(e.to_status == case.status for e in events)  # status history kept
        assert all(e.actor not in (NOK, DANG) for e in events)
    assert db_store.rating(cases["old_resolved"]) == 4  # the score stays for statistics
    # Untouched: an old case still open, a case closed recently.
    assert len(db_store.transcript(cases["old_open"])) == 3
    assert len(db_store.transcript(cases["recent_closed"])) == 3
    dump = _dump(db_store)
    assert "dang@" not in dump and "เลขที่ 12" not in dump and "ไฟถนนดับ" not in dump
    assert "ขยะไม่เก็บ" in dump and NOK in dump  # the recent case keeps everything


def test_purge_twice_and_dry_run_change_nothing_more(db_store, cases) -> None:
    dry = purge(db_store, 365, dry_run=True, now=NOW)
    assert len(dry.refs) == 2 and dry.messages == 6
    assert len(db_store.transcript(cases["old_closed"])) == 3  # dry run: nothing changed
    purge(db_store, 365, now=NOW)
    again = purge(db_store, 365, now=NOW)
    assert again.refs == [] and again.messages == 0
    assert [e.kind for e in db_store.events(cases["old_closed"])].count(PURGED) == 1


def test_zero_days_purges_every_done_case_and_negative_is_refused(db_store, cases) -> None:
    with pytest.raises(PdpaError):
        purge(db_store, -1, now=NOW)
    assert len(purge(db_store, 0, now=NOW).refs) == 3


def test_subject_export_holds_own_data_only(db_store, cases) -> None:
    data = subject_export(db_store, NOK, now=NOW)
    json.dumps(data)  # serialisable
    refs = [c["ref"] for c in data["cases"]]
    assert sorted(refs) == sorted(
        [cases["old_resolved"], cases["old_open"], cases["recent_closed"]]
    )
    text = json.dumps(data, ensure_ascii=False)
    assert AGENT not in text  # officers' accounts are not the citizen's data
    assert "โทรมาบ่อย" not in text and "ผู้ร้องแจ้งว่า" not in text  # internal notes
    assert "ไฟถนนดับ" not in text  # someone else's case
    resolved = next(c for c in data["cases"] if c["ref"] == cases["old_resolved"])
    assert [m["from"] for m in resolved["messages"]][:2] == ["you", "centre"]
    assert resolved["messages"][0]["text"].startswith("ถนนหน้าบ้าน")
    assert [h["to"] for h in resolved["status_history"]] == ["new", "resolved"]
    assert resolved["rating"]["score"] == 4
    assert "PDPA" in data["about"]


@pytest.mark.parametrize(
    "jid", [f"nobody@citizens.{D}", "not a jid", f"anonymous@anon.{D}", PURGED_JID, NOK + "/r"]
)
def test_subject_export_refuses_unknown_and_placeholders(db_store, cases, jid) -> None:
    with pytest.raises(PdpaError):
        subject_export(db_store, jid)


def test_retention_default_from_setting(monkeypatch) -> None:
    monkeypatch.delenv("DAMRONGDHAM_RETENTION_DAYS", raising=False)
    assert retention_days() == 365
    monkeypatch.setenv("DAMRONGDHAM_RETENTION_DAYS", "730")
    assert retention_days() == 730
    monkeypatch.setenv("DAMRONGDHAM_RETENTION_DAYS", "a year")
    with pytest.raises(PdpaError):
        retention_days()


# -- the command line ------------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="damrongdham")
    sub = parser.add_subparsers(dest="command", required=True)
    pdpa_cli.add_parser(sub)
    return parser.parse_args(argv)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = pdpa_cli.run(_parse(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sqlite_cases(store: CaseStore, tmp_path: Path) -> tuple[str, dict[str, str]]:
    url = str(store.engine.url)
    refs = {
        "old": _case(
            store, NOK, "ถนนเป็นหลุม", datetime.now(UTC) - timedelta(days=400), Status.CLOSED
        ),
        "new": _case(store, NOK, "ไฟดับ", datetime.now(UTC), Status.CLOSED),
    }
    return url, refs


def test_cli_retention_dry_run_then_real(sqlite_cases, store: CaseStore) -> None:
    url, refs = sqlite_cases
    code, out, _ = _run(["retention", "--dry-run", "--database-url", url])
    assert code == 0 and "would purge 1 case" in out and refs["old"] in out
    assert len(store.transcript(refs["old"])) == 3
    code, out, _ = _run(["retention", "--older-than-days", "365", "--database-url", url])
    assert code == 0 and "purged 1 case" in out
    assert store.transcript(refs["old"]) == []
    code, out, _ = _run(["retention", "--older-than-days", "0", "--database-url", url])
    assert code == 0 and refs["new"] in out


def test_cli_retention_refuses_negative_days(sqlite_cases, store: CaseStore) -> None:
    url, refs = sqlite_cases
    code, out, err = _run(["retention", "--older-than-days", "-5", "--database-url", url])
    assert code == 2 and err.startswith("error:") and err.count("\n") == 1 and out == ""
    assert len(store.transcript(refs["old"])) == 3


def test_cli_subject_export_to_file(sqlite_cases, tmp_path: Path) -> None:
    url, refs = sqlite_cases
    target = tmp_path / "nok.json"
    code, out, err = _run(["subject-export", NOK, "--out", str(target), "--database-url", url])
    assert code == 0 and out == "" and "2 case(s)" in err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert {c["ref"] for c in data["cases"]} == set(refs.values())
    assert target.stat().st_mode & 0o777 == 0o600
    # An earlier export is never overwritten.
    code, _, err = _run(["subject-export", NOK, "--out", str(target), "--database-url", url])
    assert code == 2 and err.startswith("error:")


def test_cli_subject_export_errors(sqlite_cases, tmp_path: Path) -> None:
    url, _ = sqlite_cases
    code, out, err = _run(["subject-export", f"ghost@citizens.{D}", "--database-url", url])
    assert code == 1 and out == "" and err.startswith("error:") and err.count("\n") == 1
    missing = tmp_path / "no" / "such" / "dir" / "x.json"
    code, out, err = _run(["subject-export", NOK, "--out", str(missing), "--database-url", url])
    assert code == 2 and err.startswith("error:") and not missing.exists()
    code, out, err = _run(["subject-export", NOK, "--out", str(tmp_path), "--database-url", url])
    assert code == 2 and err.startswith("error:")


def test_cli_stdout_export_is_json(sqlite_cases) -> None:
    url, _ = sqlite_cases
    code, out, _ = _run(["subject-export", NOK, "--database-url", url])
    assert code == 0 and json.loads(out)["subject"] == NOK


def test_cli_without_a_stack_is_one_error_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DAMRONGDHAM_DATABASE_URL", raising=False)
    code, _, err = _run(["retention", "--data-dir", str(tmp_path / "none")])
    assert code == 2 and err.startswith("error:") and err.count("\n") == 1
