"""The dashboard in headless Chromium against the stack's own gunicorn web: a centre account
signs in, filters, opens a case, exports CSV (a real download), signs out. A screenshot of
each page is kept in tests/artifacts/ (dashboard-*.png)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from browser_helpers import chromium, screenshot

from casestore import CaseStore
from casestore.refs import utcnow

pytestmark = pytest.mark.xmpp


def _seed(stack) -> dict[str, str]:
    """Cases of lamphun (which no other test of the shared stack uses) and uttaradit,
    written to the stack's database directly, none urgent (nothing for the bridge to
    announce); the road one a hazard."""
    store = CaseStore(stack.db_url)
    now = utcnow()
    domain = stack.info["domain"]
    try:
        land = store.open_case(
            centre="lamphun", province="TH-51", citizen_jid=f"b1@citizens.{domain}",
            body="เพื่อนบ้านรุกล้ำที่ดิน สร้างรั้วทับแนวเขต", topic="land",
            channel="web", now=now - timedelta(hours=3),
        ).case
        road = store.open_case(
            centre="lamphun", province="TH-51", citizen_jid=f"b2@citizens.{domain}",
            body="ไฟถนนดับทั้งซอยมาหนึ่งสัปดาห์ มืดมาก เสี่ยงรถชนคนเดิน", topic="infrastructure",
            urgency="hazard", urgent_reason="อาจเกิด: เจ็บป่วยฉุกเฉิน / medical emergency",
            now=now - timedelta(hours=1),
        ).case
        elsewhere = store.open_case(
            centre="uttaradit", province="TH-53", citizen_jid=f"b3@citizens.{domain}",
            body="ที่ดินของอุตรดิตถ์", topic="land", now=now,
        ).case
        store.add_message(land.ref, "agent", f"lamphun@{domain}", "รับเรื่องแล้วครับ",
                          now=now - timedelta(hours=2))
    finally:
        store.close()
    return {"land": land.ref, "road": road.ref, "elsewhere": elsewhere.ref}


def test_centre_agent_in_a_real_browser(stack) -> None:
    refs = _seed(stack)
    creds = stack.credentials()["lamphun"]
    base = stack.info["web_url"].rstrip("/")
    with chromium() as browser:
        context = browser.new_context(  # type: ignore[attr-defined]
            accept_downloads=True, locale="th-TH", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

        page.goto(f"{base}/dashboard")
        assert page.url.startswith(f"{base}/dashboard/login")
        screenshot(page, "dashboard-1-login")
        page.fill("#username", creds["jid"])
        page.fill("#password", creds["password"])
        page.click("#login-submit")
        page.wait_for_url(f"{base}/dashboard", timeout=15_000)
        assert page.inner_text("#signed-in-as") == creds["jid"]
        listed = page.eval_on_selector_all("tr[data-ref]", "rows => rows.map(r => r.dataset.ref)")
        assert refs["land"] in listed and refs["road"] in listed
        assert refs["elsewhere"] not in listed
        # a hazard (issue 16) is marked in the list, an ordinary case is not
        assert page.inner_text(f"tr[data-ref='{refs['road']}'] .tag-hazard") == "อันตราย"
        assert page.locator(f"tr[data-ref='{refs['land']}'] .tag").count() == 0
        screenshot(page, "dashboard-2-cases")

        page.select_option("#f-topic", "land")
        page.click("#filter-submit")
        page.wait_for_url("**topic=land**")
        listed = page.eval_on_selector_all("tr[data-ref]", "rows => rows.map(r => r.dataset.ref)")
        assert refs["land"] in listed and refs["road"] not in listed
        screenshot(page, "dashboard-3-filtered")

        page.click(f"tr[data-ref='{refs['land']}'] a.ref")
        page.wait_for_url(f"**/dashboard/cases/{refs['land']}")
        assert page.inner_text("#case-ref").startswith(refs["land"])
        assert "รุกล้ำที่ดิน" in page.inner_text("#transcript")
        assert "รับเรื่องแล้วครับ" in page.inner_text("#transcript")
        assert "เปิดเรื่อง" in page.inner_text("#events")
        screenshot(page, "dashboard-4-case")

        page.go_back()
        with page.expect_download() as info:
            page.click("#export-csv")
        download = info.value
        raw = Path(download.path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert refs["land"] in [r["ref"] for r in rows]
        assert {r["topic"] for r in rows} == {"land"}
        assert refs["elsewhere"] not in raw.decode("utf-8-sig")
        assert download.suggested_filename.endswith(".csv")

        page.click("a[href^='/dashboard/stats']")
        page.wait_for_url("**/dashboard/stats**")
        assert page.locator("svg#chart-topics g[data-key='land']").count() == 1
        screenshot(page, "dashboard-5-stats")

        page.click("#logout")
        page.wait_for_url(f"{base}/dashboard/login")
        screenshot(page, "dashboard-6-signed-out")
        page.goto(f"{base}/dashboard")
        assert page.url.startswith(f"{base}/dashboard/login")  # the session is gone
        assert not [c for c in context.cookies() if c["name"] == "dd_session"]
        assert not problems, problems  # e.g. CSP violations
        context.close()
