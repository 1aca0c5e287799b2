"""The web chat in headless Chromium against the real stack (Prosody WebSocket, bot, web).

A citizen opens ``/``, picks the nearest centre, reports with a sticker and sees the case
reference; goes offline (the page drops its socket and is reloaded from the service worker),
writes a follow-up, comes back and the follow-up is stored exactly once — also when the
outbox resends it after a lost acknowledgement; sends a photo (XEP-0363); an anonymous tip
leaves nothing in the browser. Screenshots of each state go to tests/artifacts/.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import ARTIFACTS, chromium, screenshot

from casestore import CaseStore

pytestmark = pytest.mark.xmpp

MAE_SAI = {"latitude": 20.43, "longitude": 99.88}  # Chiang Rai province, far north
TIMEOUT = 45_000  # ms (generous: CI machines are shared and slow at times)


def _store(stack) -> CaseStore:
    return CaseStore(stack.db_url)


def _citizen_bodies(stack, ref: str, body: str) -> int:
    store = _store(stack)
    try:
        return sum(1 for m in store.transcript(ref) if m.direction == "citizen" and m.body == body)
    finally:
        store.close()


def _png(path: Path) -> Path:
    """A small real PNG (a red square) for the photo upload."""
    width = height = 32
    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _shot(page, name: str) -> None:
    """The whole page (``screenshot``) and, easier to look at, the chat panel alone."""
    screenshot(page, name)
    page.locator("#chat").screenshot(path=str(ARTIFACTS / f"{name}-chat.png"))


def _online(page) -> None:
    page.wait_for_selector('#chat-status[data-state="online"]', timeout=TIMEOUT)


def test_citizen_reports_goes_offline_and_follows_up_exactly_once(stack, browser, tmp_path) -> None:
    url = stack.info["web_url"]
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="th-TH", geolocation=MAE_SAI, permissions=["geolocation"],
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # first visit: an account is made silently, the page connects over the WebSocket
        page.goto(url)
        _online(page)
        account = page.evaluate("JSON.parse(localStorage.getItem('dd.account'))")
        assert account["jid"].endswith(f"@{stack.info['citizen_domain']}")
        assert len(account["password"]) >= 20
        _shot(page, "chat-01-first-visit")

        # nearest centre from the phone's position
        page.click("#nearest")
        page.wait_for_selector("#conv:not([hidden])", timeout=TIMEOUT)
        assert "เชียงราย" in page.inner_text("#conv-name")
        assert page.get_attribute("#call-hotline", "href") == "tel:1567"

        # one tap on the road sticker starts the report; the citizen adds where
        page.click('.sticker[data-key="road"]')
        text = page.input_value("#compose-text")
        assert text.startswith("ถนนในหมู่บ้านชำรุด")
        page.fill("#compose-text", text + "บ้านป่าซาง อำเภอแม่สาย")
        _shot(page, "chat-02-sticker")
        page.click("#send")
        opened = page.wait_for_selector("li.msg.in[data-ref]", timeout=TIMEOUT)
        ref = opened.get_attribute("data-ref")
        assert ref and ref.startswith("TH57-")
        assert "PIN" in opened.inner_text()
        page.wait_for_selector('li.msg.out[data-state="received"]', timeout=TIMEOUT)
        assert ref in page.inner_text("#conv-case")
        assert ref in page.text_content("#my-cases")  # kept with its PIN under "my account"
        _shot(page, "chat-03-case-opened")

        store = _store(stack)
        case = store.get(ref)
        store.close()
        assert case is not None
        assert case.citizen_jid == account["jid"]
        assert case.centre == "chiangrai" and case.topic == "infrastructure"

        # the service worker controls the page before the network goes
        page.wait_for_function("() => navigator.serviceWorker.controller !== null",
                               timeout=TIMEOUT)

        # offline: the page drops its socket; a fresh load comes from the service worker
        context.set_offline(True)
        page.wait_for_selector('#chat-status[data-state="offline"]', timeout=TIMEOUT)
        assert page.evaluate("() => fetch('/healthz').then(() => 'reached', () => 'offline')") \
            == "offline"
        reloaded = page.reload()
        assert reloaded is not None and reloaded.from_service_worker
        page.wait_for_selector("#chat-app:not([hidden])", timeout=TIMEOUT)
        assert page.evaluate("navigator.onLine") is False
        assert ref in page.inner_text("#messages")  # history from IndexedDB
        follow_up = "หลุมลึกประมาณครึ่งเมตร มีคนล้มแล้วสองราย"
        page.fill("#compose-text", follow_up)
        page.click("#send")
        waiting = page.wait_for_selector('li.msg.out[data-state="waiting"]', timeout=TIMEOUT)
        oid = waiting.get_attribute("data-oid")
        assert oid
        _shot(page, "chat-04-offline-waiting")
        assert _citizen_bodies(stack, ref, follow_up) == 0

        # back online: sent once, to the case address, acknowledged by the server
        context.set_offline(False)
        page.wait_for_selector(f'li.msg.out[data-oid="{oid}"][data-state="received"]',
                               timeout=TIMEOUT)
        _shot(page, "chat-05-back-online-received")
        assert _citizen_bodies(stack, ref, follow_up) == 1
        store = _store(stack)
        (stored,) = [m for m in store.transcript(ref) if m.body == follow_up]
        store.close()
        assert stored.origin_id == oid

        # a lost acknowledgement: the outbox resends the same origin-id after a reload, and
        # the bot still stores it once
        page.evaluate(
            """async (oid) => {
                const app = window.damrongdhamChat;
                const m = await app.store.get('o:' + oid);
                m.state = 'sent';
                await app.store.put(m);
            }""",
            oid,
        )
        frames: list[str] = []
        page.on("websocket", lambda ws: ws.on(
            "framesent", lambda payload: frames.append(payload if isinstance(payload, str)
                                                       else payload.decode("utf-8", "replace"))))
        page.reload()
        _online(page)
        page.wait_for_selector(f'li.msg.out[data-oid="{oid}"][data-state="received"]',
                               timeout=TIMEOUT)
        resent = [f for f in frames if f'id="{oid}"' in f and "<message" in f]
        assert len(resent) == 1 and "urn:xmpp:sid:0" in resent[0]  # the same origin-id again
        # another message after it proves the resend went through before we count
        marker = "ขอบคุณครับ"
        page.fill("#compose-text", marker)
        page.click("#send")
        page.wait_for_selector('li.msg.out[data-state="received"] >> text=ขอบคุณครับ',
                               timeout=TIMEOUT)
        assert _citizen_bodies(stack, ref, marker) == 1
        assert _citizen_bodies(stack, ref, follow_up) == 1

        # a photo: XEP-0363 slot, relayed upload, bare link with XEP-0066
        page.set_input_files("#photo", str(_png(tmp_path / "pothole.png")))
        photo = page.wait_for_selector('li.msg.out:has(img.thumb)[data-state="received"]',
                                       timeout=TIMEOUT)
        link = photo.query_selector("a").get_attribute("href")  # type: ignore[union-attr]
        assert link.startswith(f"http://{stack.info['c2s_host']}:{stack.info['http_port']}/")
        assert _citizen_bodies(stack, ref, link) == 1
        _shot(page, "chat-06-photo")

        # contact details go to the account's vCard on the server, not into messages
        page.evaluate("document.getElementById('account').open = true")
        page.fill("#profile-name", "สมชาย ใจดี")
        page.fill("#profile-phone", "0812345678")
        page.click("#profile-form button[type=submit]")
        page.wait_for_selector("#profile-result >> text=บันทึกแล้ว", timeout=TIMEOUT)

        # the same account on another device: history comes back from the server archive
        other = browser.new_context(locale="th-TH")  # type: ignore[attr-defined]
        try:
            second = other.new_page()
            # (console errors are not collected: the browser logs one when a socket that
            # is still opening is closed, as on signing in while the first visit connects)
            second.on("pageerror", lambda e: errors.append(f"second: {e}"))
            second.goto(url)
            second.wait_for_selector("#chat-app:not([hidden])", timeout=TIMEOUT)
            second.evaluate("document.getElementById('account').open = true")
            second.fill("#signin-jid", account["jid"])
            second.fill("#signin-password", account["password"])
            second.click("#signin-form button[type=submit]")
            second.wait_for_function(
                "(jid) => JSON.parse(localStorage.getItem('dd.account') || 'null')?.jid === jid",
                arg=account["jid"], timeout=TIMEOUT)
            _online(second)
            second.wait_for_selector(f'li.msg.out[data-oid="{oid}"][data-state="received"]',
                                     state="attached", timeout=TIMEOUT)
            # the answer with the PIN was sent with no-permanent-store (SECURITY.md §11): it
            # reached the first device live and is in no server archive, so not here
            assert "PIN" not in second.inner_text("#messages")
            _shot(second, "chat-07-second-device-history")
        finally:
            other.close()
        assert errors == []
    finally:
        context.close()


def test_anonymous_tip_leaves_nothing_in_the_browser(stack, browser) -> None:
    context = browser.new_context(locale="th-TH")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"{stack.info['web_url']}?anon=1")
        _online(page)
        note = page.inner_text("#anon-note")
        assert "เฉพาะขณะที่หน้านี้ยังเปิดอยู่" in note
        _shot(page, "chat-08-anonymous")
        page.fill("#province-search", "ภูเก็ต")
        page.click('#province-list button[data-slug="phuket"]')
        tip = "มีการซื้อขายยาบ้าในหมู่บ้าน ขอแจ้งเบาะแส ตำบลกะทู้ ทุกคืนวันศุกร์"
        page.fill("#compose-text", tip)
        page.click("#send")
        opened = page.wait_for_selector("li.msg.in[data-ref]", timeout=TIMEOUT)
        ref = opened.get_attribute("data-ref")
        assert ref and ref.startswith("TH83-")
        _shot(page, "chat-09-anonymous-case")
        store = _store(stack)
        case = store.get(ref)
        store.close()
        assert case is not None and case.citizen_jid.endswith(f"@{stack.info['anon_domain']}")
        assert case.topic == "drugs"
        kept = page.evaluate(
            """async () => ({
                local: Object.keys(localStorage),
                session: Object.keys(sessionStorage),
                dbs: indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [],
            })"""
        )
        assert kept == {"local": [], "session": [], "dbs": []}
        assert case.citizen_jid not in page.content().replace(ref, "")
    finally:
        context.close()
