"""`provision rotate` / `disable` in the case store: dashboard sessions end, a disabled
agent's open cases go back to the queue (damrongdham.staff_access, CaseStore.release_all)."""

from __future__ import annotations

import pytest

from casestore import CaseStore, EventKind
from casestore.lifecycle import Status
from casestore.web_sessions import WebSessions
from damrongdham.staff_access import lock_out

pytestmark = pytest.mark.every_backend

AGENT = "somchai.chiangrai@damrongdham.localhost"
OTHER = "nan@damrongdham.localhost"
ADMIN = "admin@damrongdham.localhost"


def _case(store: CaseStore, body: str, n: int) -> str:
    return store.open_case(centre="chiangrai", province="TH-57",
                           citizen_jid=f"c{n}@citizens.damrongdham.localhost", body=body).case.ref


def test_release_all_unassigns_open_cases_as_the_lifecycle_allows(store: CaseStore) -> None:
    assigned = _case(store, "ถนนเป็นหลุม", 1)
    working = _case(store, "น้ำไม่ไหล", 2)
    done = _case(store, "ไฟดับ", 3)
    others = _case(store, "ขยะ", 4)
    for ref in (assigned, working, done):
        store.claim(ref, AGENT)
    store.claim(others, OTHER)
    store.set_status(working, Status.IN_PROGRESS, AGENT)
    store.set_status(done, Status.RESOLVED, AGENT)
    released = store.release_all(AGENT, ADMIN, "returned: account disabled")
    assert sorted(c.ref for c in released) == sorted([assigned, working])
    a, w = store.get(assigned), store.get(working)
    assert (a.status, a.assigned_to) == (Status.NEW, None)
    assert (w.status, w.assigned_to) == (Status.IN_PROGRESS, None)  # no way back to new
    assert store.get(done).assigned_to == AGENT and store.get(others).assigned_to == OTHER
    last_a, last_w = store.events(assigned)[-1], store.events(working)[-1]
    assert (last_a.kind, last_a.actor) == (EventKind.STATUS, ADMIN)
    assert (last_w.kind, last_w.note) == (EventKind.RELEASED, "returned: account disabled")
    assert store.release_all(AGENT, ADMIN, "again") == []


def test_rotate_ends_sessions_and_disable_also_releases_cases(store: CaseStore) -> None:
    sessions = WebSessions(store)
    mine, theirs = sessions.create(AGENT), sessions.create(OTHER)
    ref = _case(store, "ถนนเป็นหลุม", 1)
    store.claim(ref, AGENT)
    url = store.engine.url.render_as_string(hide_password=False)
    lines = lock_out(url, [AGENT], disabled=False, actor=ADMIN)
    assert sessions.get(mine.token) is None and sessions.get(theirs.token) is not None
    assert lines == [f"{AGENT}: 1 dashboard session(s) ended"]
    assert store.get(ref).assigned_to == AGENT  # a new password leaves the cases
    sessions.create(AGENT)
    lines = lock_out(url, [AGENT], disabled=True, actor=ADMIN)
    assert lines == [f"{AGENT}: 1 dashboard session(s) ended; back in the queue: {ref}"]
    assert store.get(ref).assigned_to is None and store.get(ref).status == Status.NEW
