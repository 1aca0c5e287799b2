"""Tracking in a real browser: a citizen reports through the real bot, then looks the case up
on /track in headless Chromium, with JavaScript switched off (a cheap phone's browser)."""

from __future__ import annotations

import asyncio
import re

import pytest
from browser_helpers import chromium, screenshot
from xmpp_helpers import citizen, ref_in

from bots import catalogue
from casestore import buddhist_year

pytestmark = pytest.mark.xmpp



def _report(info: dict) -> tuple[str, str]:
    """A new citizen reports to chiangrai@bot.D; the bot's reply gives (reference, PIN)."""
    centre_bot = f"chiangrai@{info['bot_domain']}"

    async def scenario() -> str:
        person = await citizen(info)
        person.say(centre_bot, "ไฟถนนในซอยดับมาสามคืนแล้ว มืดมาก ที่ อ.เมือง จ.เชียงราย")
        reply = await person.expect(
            lambda m: (
                str(m["from"].bare) == centre_bot
                and catalogue.matches(m["body"], "citizen.case_opened")
            ),
            timeout=10,
        )
        person.close()
        return reply["body"]

    body = asyncio.run(scenario())
    told = catalogue.values(body, "citizen.case_opened")
    assert told["ref"] == ref_in(body) and re.fullmatch(r"\d{6}", told["pin"]), body
    return told["ref"], told["pin"]


def test_citizen_tracks_a_case_in_chromium(stack) -> None:
    ref, pin = _report(stack.info)
    url = stack.info["web_url"].rstrip("/") + "/track"
    wrong = "000000" if pin != "000000" else "111111"
    with chromium() as browser:
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="th-TH"
        )
        page = context.new_page()
        page.goto(url)
        assert page.inner_text("h1") == "ติดตามเรื่อง"

        page.fill("#ref", ref.lower().replace("-", " "))  # typed loosely on a phone
        page.fill("#pin", pin)
        page.click("button[type=submit]")
        page.wait_for_selector(".case-status")
        assert page.url == url  # a POST: neither the PIN nor the reference in the URL
        assert ref in page.inner_text("#case-title")
        status = page.inner_text(".case-status")
        assert "รอรับเรื่อง" in status and "new" in status
        assert f"{buddhist_year()} เวลา" in page.inner_text(".timeline")  # Buddhist era
        assert page.input_value("#pin") == ""  # the PIN is not put back in the form
        shot = screenshot(page, "track-case")
        assert shot.stat().st_size > 10_000

        page.fill("#ref", ref)
        page.fill("#pin", wrong)
        page.click("button[type=submit]")
        page.wait_for_selector(".track-message")
        assert "ไม่พบเรื่องที่ตรงกับเลขที่เรื่องและรหัส PIN" in page.inner_text(".track-message")
        assert page.query_selector(".case-status") is None
        screenshot(page, "track-no-match")
        context.close()
