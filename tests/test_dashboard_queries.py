"""casestore.queries (the dashboard's read-only aggregates) and casestore.web_sessions,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from casestore import CaseStore, Status
from casestore.queries import SLA_EVENTS, CaseFilter, CaseQueries, day_start
from casestore.web_sessions import WebSessions, token_hash

# 2026-11-20 10:00 Bangkok = 03:00 UTC; 2026-11-20 23:30 Bangkok = 16:30 UTC (still the 20th
# in Bangkok, the same UTC day) and 2026-11-21 06:00 Bangkok = 2026-11-20 23:00 UTC.
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
DAY20, DAY21 = date(2026, 11, 20), date(2026, 11, 21)


def _open(store: CaseStore, centre: str, province: str | None, at: datetime, **kw):
    return store.open_case(
        centre=centre,
        province=province,
        citizen_jid=kw.pop("citizen", "c@citizens.example.org"),
        body=kw.pop("body", "ถนนพัง"),
        now=at,
        **kw,
    ).case


@pytest.fixture
def seeded(db_store: CaseStore) -> tuple[CaseStore, dict[str, str]]:
    s = db_store
    refs = {}
    refs["a"] = _open(s, "chiangrai", "TH-57", T0, topic="infrastructure").ref
    refs["b"] = _open(s, "chiangrai", "TH-57", T0 + timedelta(hours=13, minutes=30),
                      topic="land", urgent=True, body="ที่ดินทับซ้อน").ref
    refs["c"] = _open(s, "chiangrai-maesai", "TH-57", T0 + timedelta(hours=20),
                      topic="land").ref
    refs["d"] = _open(s, "chiangmai", "TH-50", T0 + timedelta(days=1), topic="drugs",
                      urgency="hazard").ref
    refs["e"] = _open(s, "moi", None, T0 + timedelta(days=1), topic="other",
                      body="100% แน่นอน_ไม่ใช่ wildcard").ref
    # first agent messages: a after 10 min, b after 2 h (a later one does not count), d 4 days
    s.add_message(refs["a"], "agent", "chiangrai@d", "รับเรื่อง", now=T0 + timedelta(minutes=10))
    s.add_message(refs["a"], "agent", "chiangrai@d", "อีกครั้ง", now=T0 + timedelta(hours=5))
    b_at = T0 + timedelta(hours=13, minutes=30)
    s.add_message(refs["b"], "citizen", "c@citizens.example.org", "เพิ่ม", now=b_at)
    s.add_message(refs["b"], "agent", "chiangrai@d", "รับ", now=b_at + timedelta(hours=2))
    s.add_message(refs["d"], "agent", "chiangmai@d", "รับ", now=T0 + timedelta(days=5))
    s.add_note(refs["c"], "chiangrai@d", "a note is not an answer", now=T0 + timedelta(days=1))
    s.set_status(refs["a"], Status.RESOLVED, "chiangrai@d", now=T0 + timedelta(days=2))
    s.record(refs["b"], "bot.d", "sla_first_response", now=T0 + timedelta(days=2))
    s.record(refs["b"], "bot.d", "sla_resolution", now=T0 + timedelta(days=30))
    s.record(refs["b"], "bot.d", "sla_escalation_1", "moi", now=T0 + timedelta(days=30))
    s.record(refs["d"], "bot.d", "sla_first_response", now=T0 + timedelta(days=2))
    s.record(refs["d"], "bot.d", "sla_first_response", now=T0 + timedelta(days=3))  # twice
    return s, refs


def test_sla_event_names_match_the_checker() -> None:
    from bots import sla

    assert set(SLA_EVENTS) == set(sla.EVENT.values()) | set(sla.STEP_EVENT.values())


def test_filters_scope_and_search(seeded) -> None:
    store, refs = seeded
    q = CaseQueries(store)
    every = q.page(CaseFilter())
    assert every.total == 5 and [c.ref for c in every.cases][-1] == refs["a"]  # newest first
    province = CaseFilter(centres=frozenset({"chiangrai", "chiangrai-maesai"}))
    assert {c.ref for c in q.page(province).cases} == {refs["a"], refs["b"], refs["c"]}
    assert q.count(CaseFilter(centres=frozenset())) == 0
    assert q.count(CaseFilter(centre="chiangrai")) == 2
    assert q.count(CaseFilter(status="resolved")) == 1
    assert q.count(CaseFilter(open_only=True)) == 4
    assert q.count(CaseFilter(topic="land")) == 2
    assert q.count(CaseFilter(urgent=True)) == 1
    assert q.count(CaseFilter(urgency="hazard")) == 1  # hazards apart (issue 16)
    assert q.count(CaseFilter(urgent=False)) == q.count(CaseFilter()) - 1
    assert q.count(CaseFilter(province="TH-50")) == 1
    assert q.count(CaseFilter(province="")) == 1  # unknown province
    assert [c.ref for c in q.page(CaseFilter(text="ทับซ้อน")).cases] == [refs["b"]]
    assert [c.ref for c in q.page(CaseFilter(text=refs["d"].lower())).cases] == [refs["d"]]
    assert q.count(CaseFilter(text="TH57-2569")) == 3  # part of a reference
    assert q.count(CaseFilter(text="TH๕๐")) == 1  # Thai digits
    assert q.count(CaseFilter(text="100%")) == 1 and q.count(CaseFilter(text="%")) == 1
    assert q.count(CaseFilter(text="_ไม่")) == 1 and q.count(CaseFilter(text="x_y")) == 0
    assert q.count(CaseFilter(text="WILDCARD")) == 1  # any letter case
    # Bangkok calendar days: c (06:00 on the 21st, Bangkok) is not on the 20th
    assert q.count(CaseFilter(since=DAY20, until=DAY20)) == 2
    assert q.count(CaseFilter(since=DAY21)) == 3


def test_paging(seeded) -> None:
    store, _ = seeded
    q = CaseQueries(store)
    pages = [q.page(CaseFilter(), n, 2) for n in (1, 2, 3, 4)]
    assert [len(p.cases) for p in pages] == [2, 2, 1, 0]
    assert pages[0].pages == 3 and pages[3].total == 5
    seen = [c.ref for p in pages for c in p.cases]
    assert len(set(seen)) == 5
    for bad in ((0, 50), (1, 0), (1, 501)):
        with pytest.raises(ValueError):
            q.page(CaseFilter(), *bad)


def test_bad_filter_values_are_refused() -> None:
    for kw in ({"status": "nope"}, {"topic": "x"}, {"type": "y"},
               {"since": DAY21, "until": DAY20}):
        with pytest.raises(ValueError):
            CaseFilter(**kw)


def test_counts_per_group_and_day(seeded) -> None:
    store, _ = seeded
    q = CaseQueries(store)
    assert q.per_topic(CaseFilter()) == [
        ("land", 2), ("drugs", 1), ("infrastructure", 1), ("other", 1)
    ]
    assert dict(q.per_province(CaseFilter())) == {"TH-57": 3, "TH-50": 1, None: 1}
    assert dict(q.per_centre(CaseFilter(topic="land"))) == {"chiangrai": 1, "chiangrai-maesai": 1}
    assert dict(q.per_status(CaseFilter())) == {"new": 4, "resolved": 1}
    days = q.per_day(CaseFilter(), date(2026, 11, 19), date(2026, 11, 22))
    assert days == [(date(2026, 11, 19), 0), (DAY20, 2), (DAY21, 3), (date(2026, 11, 22), 0)]
    only = q.per_day(CaseFilter(since=DAY21), DAY20, DAY21)
    assert only == [(DAY20, 0), (DAY21, 3)]
    assert q.totals(CaseFilter()) == {"cases": 5, "open": 4, "urgent": 1}
    assert q.totals(CaseFilter(centres=frozenset())) == {"cases": 0, "open": 0, "urgent": 0}


def test_sla_breaches_count_cases_once(seeded) -> None:
    store, _ = seeded
    q = CaseQueries(store)
    assert q.sla_breaches(CaseFilter()) == [
        ("sla_first_response", 2), ("sla_resolution", 1),
        ("sla_escalation_1", 1), ("sla_escalation_2", 0),
    ]
    assert dict(q.sla_breaches(CaseFilter(centre="chiangmai")))["sla_first_response"] == 1


def test_response_times(seeded) -> None:
    store, _ = seeded
    q = CaseQueries(store)
    rt = q.response_times(CaseFilter())
    assert (rt.cases, rt.answered, rt.unanswered) == (5, 3, 2)
    secs = [600, 7200, 4 * 86400]
    assert rt.mean_s == pytest.approx(sum(secs) / 3, abs=1)
    assert rt.median_s == pytest.approx(7200, abs=1)
    assert dict(rt.buckets) == {
        "lt_15m": 1, "lt_1h": 0, "lt_4h": 1, "lt_1d": 0, "lt_3d": 0, "ge_3d": 1
    }
    two = q.response_times(CaseFilter(centre="chiangrai"))
    assert two.median_s == pytest.approx((600 + 7200) / 2, abs=1)
    none = q.response_times(CaseFilter(centre="nan"))
    assert (none.cases, none.answered, none.mean_s, none.median_s) == (0, 0, None, None)


def test_export_streams_every_case_with_first_reply(seeded) -> None:
    store, refs = seeded
    rows = list(CaseQueries(store).export(CaseFilter(), batch=2))
    assert [r.case.ref for r in rows] == [refs[k] for k in "edcba"]
    by_ref = {r.case.ref: r for r in rows}
    assert by_ref[refs["a"]].response_s == 600
    assert by_ref[refs["c"]].first_agent_at is None  # a note is not an answer


def test_day_start_is_bangkok_midnight() -> None:
    assert day_start(DAY20) == datetime(2026, 11, 19, 17, 0, tzinfo=UTC)


def test_many_cases_are_counted_by_the_database(db_store: CaseStore) -> None:
    """Bulk rows straight into the tables, then every aggregate in well under a second each."""

    from sqlalchemy import insert

    from casestore.models import Case, CaseMessage

    n = 20_000
    base = datetime(2026, 10, 1, tzinfo=UTC)
    topics = ["land", "debt", "drugs", "other"]
    cases = [
        {
            "id": i, "ref": f"TH57-2569-{i:06d}", "centre": "chiangrai" if i % 2 else "nan",
            "province": "TH-57" if i % 2 else "TH-55", "district": None,
            "citizen_jid": f"c{i}@citizens.x", "status": "new", "type": "complaint",
            "topic": topics[i % 4], "urgent": i % 10 == 0, "urgent_reason": None,
            "summary": f"เรื่องที่ {i}", "assigned_to": None, "channel": "xmpp", "pin_hash": "x",
            "created_at": base + timedelta(minutes=3 * i),
            "updated_at": base + timedelta(minutes=3 * i),
        }
        for i in range(1, n + 1)
    ]
    msgs = [
        {"case_id": i, "direction": "agent", "sender": "a@d", "body": "ok", "origin_id": None,
         "created_at": base + timedelta(minutes=3 * i + 30)}
        for i in range(1, n + 1, 2)
    ]
    with db_store.writing() as s:
        s.execute(insert(Case), cases)
        s.execute(insert(CaseMessage), msgs)
    q = CaseQueries(db_store)
    f = CaseFilter()
    assert q.count(f) == n
    assert dict(q.per_topic(f))["land"] == n // 4
    days = q.per_day(f, date(2026, 10, 1), date(2026, 11, 30))
    assert sum(c for _, c in days) == n
    rt = q.response_times(f)
    assert rt.answered == n // 2 and rt.median_s == pytest.approx(1800, abs=1)
    assert q.page(f, 100, 50).cases[0].ref == f"TH57-2569-{n - 99 * 50:06d}"
    assert q.count(CaseFilter(text="เรื่องที่ 1999")) == 11  # 1999 and 19990..19999


def test_sessions_store_only_a_hash_and_expire(db_store: CaseStore) -> None:
    from sqlalchemy import select

    from casestore.models import WebSession

    sessions = WebSessions(db_store, idle=timedelta(minutes=30), lifetime=timedelta(hours=2))
    t = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    made = sessions.create("chiangrai@d", now=t)
    assert made.token and len(made.csrf) >= 40
    with db_store.reading() as s:
        rows = s.scalars(select(WebSession)).all()
    assert [r.token_hash for r in rows] == [token_hash(made.token)]
    assert made.token not in {rows[0].token_hash, rows[0].csrf}
    got = sessions.get(made.token, now=t + timedelta(minutes=20))
    assert got is not None and got.jid == "chiangrai@d" and got.token is None
    assert got.csrf_ok(made.csrf) and not got.csrf_ok("x") and not got.csrf_ok(None)
    # used at +20 min, so still alive at +45 min (idle limit counts from the last use)
    assert sessions.get(made.token, now=t + timedelta(minutes=45)) is not None
    assert sessions.get(made.token, now=t + timedelta(minutes=80)) is None  # idle
    assert sessions.count() == 0  # an expired session is deleted when found
    other = sessions.create("chiangrai@d", now=t)
    for minutes in range(25, 150, 25):  # kept busy, but the absolute limit is 2 h
        alive = sessions.get(other.token, now=t + timedelta(minutes=minutes))
        assert (alive is not None) == (minutes < 120)
    third = sessions.create("nan@d", now=t)
    assert sessions.get("not-a-token") is None and sessions.get(None) is None
    assert sessions.end(third.token) and not sessions.end(third.token)
    assert sessions.get(third.token, now=t) is None
    sessions.create("a@d", now=t)
    sessions.create("a@d", now=t)
    assert sessions.end_all("a@d") == 2
    sessions.create("b@d", now=t)
    assert sessions.purge(now=t + timedelta(hours=3)) == 1
