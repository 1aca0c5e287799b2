#!/usr/bin/env python3
"""Screenshots for the manuals, taken from the real running system.

    .venv/bin/python scripts/screenshots.py [--out docs/img] [--only web|gajim]

1. starts a whole local stack (``damrongdham up`` on free loopback ports, a throwaway data
   directory) and opens a few sample cases with real XMPP clients (a citizen registers on
   ``citizens.D`` like any app; the Chiang Rai centre account answers one case);
2. the web pages in headless Chromium (Playwright, ``/usr/bin/chromium``): the citizen chat
   ``/`` (first visit, a sticker, the reference card, the anonymous tip), ``/track``, and the
   staff dashboard (sign-in, case list, one case, statistics) signed in as the centre account;
3. the agent's view in **Gajim** under **Xvfb**: a throwaway HOME whose Gajim settings are
   written with Gajim's own settings code (the centre account, server 127.0.0.1 and the
   stack's port), the stack's server certificate in Gajim's trusted-certificate store (what
   Gajim itself stores when one clicks "trust"), the room opened with
   ``gajim xmpp:<room>?join`` (what clicking the link does), a new case routed to the
   available agent, its chat opened with ``gajim xmpp:<case>?message`` and a reply typed
   with xdotool. Gajim refuses to run as root: then it runs as ``nobody``.

Needs (Debian): chromium, xvfb, gajim, xdotool, imagemagick (``import``); Python: playwright,
pillow. Offline. Each PNG is shrunk below ~300 KB. Re-run when the UI changes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from devtools.local_stack import RunningStack, start_stack  # noqa: E402
from kernel.xmpp import close_client, new_client, register_account, start_client  # noqa: E402

CENTRE = "chiangrai"
CHROMIUM = os.environ.get("DAMRONGDHAM_CHROMIUM", "/usr/bin/chromium")
MAX_BYTES = 300_000
REF_RE = re.compile(r"TH\d\d-\d{4}-\d{6}")
PIN_RE = re.compile(r"PIN\)?:?\s*(\d{6})")
MAE_SAI = {"latitude": 20.43, "longitude": 99.88}

SAMPLES = [
    "ถนนในหมู่บ้านเป็นหลุมใหญ่ รถจักรยานยนต์ล้มทุกวัน ที่บ้านป่าซาง อ.แม่สาย จ.เชียงราย",
    "น้ำประปาไม่ไหลมาสามวันแล้ว หมู่ 5 ต.เวียง อ.เมือง จ.เชียงราย",
    "ร้านคาราโอเกะเปิดเพลงเสียงดังถึงตีสามทุกคืน ใกล้โรงเรียน อ.เมือง เชียงราย",
]


def log(text: str) -> None:
    print(f"[screenshots] {text}", flush=True)


def shrink(path: Path, max_bytes: int = MAX_BYTES) -> None:
    """Keep a PNG under max_bytes: quantise to 256 colours, then scale down if needed."""
    from PIL import Image

    if path.stat().st_size <= max_bytes:
        return
    img = Image.open(path).convert("RGB")
    while True:
        buf = io.BytesIO()
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(buf, "PNG", optimize=True)
        if buf.tell() <= max_bytes or img.width < 400:
            path.write_bytes(buf.getvalue())
            return
        img = img.resize((int(img.width * 0.85), int(img.height * 0.85)), Image.LANCZOS)


# ---------------------------------------------------------------- sample cases (XMPP)


class Chat:
    """A connected slixmpp client that keeps what it receives."""

    def __init__(self, client) -> None:
        self.client = client
        self.inbox: list = []
        client.add_event_handler("message", self.inbox.append)

    def say(self, to: str, body: str) -> None:
        self.client.make_message(mto=to, mbody=body, mtype="chat").send()

    async def wait(self, match, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for msg in self.inbox:
                if msg["body"] and match(msg):
                    self.inbox.remove(msg)
                    return msg
            await asyncio.sleep(0.1)
        raise RuntimeError("expected message not received: "
                           + "; ".join(m["body"][:80] for m in self.inbox))


async def citizen(info: dict) -> Chat:
    client = await register_account(
        f"c{uuid.uuid4().hex[:10]}@{info['citizen_domain']}", uuid.uuid4().hex,
        info["c2s_host"], info["c2s_port"], Path(info["ca_file"]))
    return Chat(client)


async def report(person: Chat, to: str, text: str) -> tuple[str, str]:
    """Send a report; the case reference and PIN from the bot's answer."""
    person.say(to, text)
    msg = await person.wait(lambda m: REF_RE.search(m["body"]) and "PIN" in m["body"])
    pin = PIN_RE.search(msg["body"])
    return REF_RE.search(msg["body"]).group(0), pin.group(1) if pin else ""


async def sample_cases(info: dict, creds: dict) -> dict:
    """Three cases at the centre; the first one answered, noted and resolved by the centre."""
    bot = info["bot_domain"]
    centre_bot = f"{CENTRE}@{bot}"
    people = [await citizen(info) for _ in SAMPLES]
    cases = [await report(p, centre_bot, text) for p, text in zip(people, SAMPLES, strict=True)]
    agent = Chat(new_client(creds["jid"], creds["password"], Path(info["ca_file"]), ()))
    await start_client(agent.client, info["c2s_host"], info["c2s_port"])
    ref = cases[0][0]
    case_jid = f"{ref.lower()}@{bot}"
    for body in ("/claim", "สวัสดีค่ะ ศูนย์ดำรงธรรมจังหวัดเชียงรายรับเรื่องแล้ว ขอทราบจุดที่แน่ชัดด้วยค่ะ"):
        agent.say(case_jid, body)
        await asyncio.sleep(0.5)
    people[0].say(centre_bot, "หน้าวัดป่าซาง ตรงทางโค้งค่ะ")
    await people[0].wait(lambda m: "ขอทราบจุด" in m["body"])
    for body in ("/note โทรประสานแขวงทางหลวงชนบทแล้ว", "/status in_progress",
                 "/resolve แขวงทางหลวงชนบทซ่อมผิวถนนเรียบร้อยแล้ว"):
        agent.say(case_jid, body)
        await asyncio.sleep(0.5)
    await people[0].wait(lambda m: "ซ่อมผิวถนน" in m["body"])
    people[0].say(centre_bot, "5")
    await asyncio.sleep(1)
    for c in [agent, *people]:
        await close_client(c.client)
    return {"cases": cases}


# ---------------------------------------------------------------- web pages (Chromium)


def web_shots(stack: RunningStack, creds: dict, samples: dict, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    url = stack.info["web_url"].rstrip("/")
    shots: list[Path] = []

    def shot(page, name: str, full: bool = False, clip: dict | None = None) -> None:
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full, clip=clip)
        shrink(path)
        shots.append(path)
        log(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        phone = browser.new_context(
            locale="th-TH", geolocation=MAE_SAI, permissions=["geolocation"],
            viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
            has_touch=True)
        page = phone.new_page()
        page.goto(url + "/")
        page.wait_for_selector('#chat-status[data-state="online"]', timeout=60_000)
        shot(page, "web-chat-start")
        page.click("#nearest")
        page.wait_for_selector("#conv:not([hidden])", timeout=30_000)
        page.click('.sticker[data-key="road"]')
        text = page.input_value("#compose-text")
        page.fill("#compose-text", text + " หน้าโรงเรียนบ้านป่าซาง อำเภอแม่สาย")
        shot(page, "web-chat-sticker")
        page.click("#send")
        card = page.wait_for_selector("li.msg.in[data-ref]", timeout=30_000)
        page.wait_for_timeout(800)
        card.scroll_into_view_if_needed()
        shot(page, "web-chat-reference")
        anon = phone.new_page()
        anon.goto(url + "/?anon=1")
        anon.wait_for_selector('#chat-status[data-state="online"]', timeout=60_000)
        shot(anon, "web-chat-anonymous")
        phone.close()

        desk = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 860},
                                   device_scale_factor=1)
        page = desk.new_page()
        ref, pin = samples["cases"][0]
        page.goto(url + "/track")
        page.fill("#ref", ref)
        page.fill("#pin", pin)
        shot(page, "web-track-form")
        page.click("button[type=submit]")
        page.wait_for_selector(".case-status", timeout=30_000)
        shot(page, "web-track-result", clip={"x": 160, "y": 60, "width": 680, "height": 820})

        page.goto(url + "/dashboard")
        page.wait_for_selector("#username")
        page.fill("#username", creds["jid"])
        shot(page, "dashboard-login")
        page.fill("#password", creds["password"])
        page.click("#login-submit")
        page.wait_for_url(url + "/dashboard", timeout=30_000)
        shot(page, "dashboard-cases")
        page.goto(f"{url}/dashboard/cases/{ref}")
        page.wait_for_load_state()
        shot(page, "dashboard-case", full=True)
        page.goto(url + "/dashboard/stats")
        page.wait_for_load_state()
        shot(page, "dashboard-stats", full=True)
        desk.close()
        browser.close()
    return shots


# ---------------------------------------------------------------- Gajim under Xvfb


class Gajim:
    """Gajim 1.x in a throwaway HOME on a private Xvfb display."""

    def __init__(self, work: Path, info: dict, creds: dict, name: str = "gajim-home") -> None:
        self.work, self.info, self.creds = work, info, creds
        self.home = work / name
        self.display = f":{90 + os.getpid() % 100}"
        self.procs: list[subprocess.Popen] = []
        self.as_nobody = os.geteuid() == 0

    def env(self) -> dict[str, str]:
        h = self.home
        return {"HOME": str(h), "XDG_CONFIG_HOME": str(h / ".config"),
                "XDG_DATA_HOME": str(h / ".local/share"), "XDG_CACHE_HOME": str(h / ".cache"),
                "XDG_RUNTIME_DIR": str(h / "run"), "DISPLAY": self.display,
                "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_AT_BRIDGE": "1",
                "GTK_THEME": "Adwaita",
                "DBUS_SESSION_BUS_ADDRESS": f"unix:path={h / 'run' / 'bus'}"}

    def cmd(self, *argv: str) -> list[str]:
        if self.as_nobody:
            return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "env", "-i", *(f"{k}={v}" for k, v in self.env().items()), *argv]
        return ["env", "-i", *(f"{k}={v}" for k, v in self.env().items()), *argv]

    def run(self, *argv: str, timeout: float = 30) -> str:
        return subprocess.run(self.cmd(*argv), capture_output=True, text=True, check=True,
                              timeout=timeout).stdout

    def spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        fh = (self.work / f"{name}.log").open("w")
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def seed(self, wizard: bool = False) -> None:
        """Gajim's settings written by Gajim's own code; the server certificate trusted."""
        (self.home / "run").mkdir(parents=True, exist_ok=True)
        (self.home / "run").chmod(0o700)
        script = self.work / "seed_gajim.py"
        script.write_text(SEED, encoding="utf-8")
        if self.as_nobody:
            self.work.chmod(0o755)
            shutil.chown(script, "nobody", "nogroup")
            for p in [self.home, *self.home.rglob("*")]:
                shutil.chown(p, "nobody", "nogroup")
        info, creds = self.info, self.creds
        self.run("python3", str(script), creds["jid"], creds["password"], info["c2s_host"],
                 str(info["c2s_port"]), *(["wizard"] if wizard else []))
        if not wizard:  # what Gajim stores when one ticks "Add to Trusted Certificates"
            store = self.home / ".local/share/gajim/cert_store"
            cert = Path(info["ca_file"]).parent / "server.crt"
            shutil.copy(cert, store / "damrongdham-server.pem")
        if self.as_nobody:
            for p in [self.home, *self.home.rglob("*")]:
                shutil.chown(p, "nobody", "nogroup")

    def start(self) -> None:
        self.spawn(["Xvfb", self.display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                   f"xvfb-{self.home.name}")
        time.sleep(1.5)
        bus = self.home / "run" / "bus"
        self.spawn(self.cmd("dbus-daemon", "--session", "--nofork",
                            f"--address=unix:path={bus}"), f"dbus-{self.home.name}")
        deadline = time.monotonic() + 10
        while not bus.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.spawn(self.cmd("gajim"), f"gajim-{self.home.name}")
        self.wait_window()

    def xdotool(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], capture_output=True, text=True,
                              env={**os.environ, "DISPLAY": self.display}, timeout=20).stdout

    def wait_window(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wid = self.xdotool("search", "--onlyvisible", "--class", "gajim").split()
            if wid:
                self.window = wid[-1]
                self.xdotool("windowsize", self.window, "1280", "800")
                self.xdotool("windowmove", self.window, "0", "0")
                return self.window
            time.sleep(0.5)
        raise RuntimeError("Gajim's window did not appear; see gajim.log")

    def open_uri(self, uri: str) -> None:
        """What clicking an xmpp: link does: the running Gajim opens it."""
        subprocess.run(self.cmd("gajim", uri), timeout=30, capture_output=True)

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--clearmodifiers", *keys)

    def click(self, x: int, y: int) -> None:
        self.xdotool("mousemove", str(x), str(y), "click", "1")

    def type(self, text: str) -> None:
        """Paste `text` into the focused entry and send it (xdotool's own typing drops Thai
        vowel and tone marks, so the text goes through the clipboard)."""
        self.xdotool("windowactivate", "--sync", self.window)
        self.click(820, 776)  # the message entry at the bottom of the open chat
        clip = subprocess.Popen(["xclip", "-quiet", "-selection", "clipboard"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                env={**os.environ, "DISPLAY": self.display})
        clip.stdin.write(text.encode())
        clip.stdin.close()
        time.sleep(0.5)
        self.xdotool("key", "ctrl+v")
        time.sleep(0.5)
        clip.terminate()
        clip.wait(5)
        self.key("Return")

    def shot(self, path: Path) -> None:
        subprocess.run(["import", "-display", self.display, "-window", "root", str(path)],
                       check=True, timeout=30)
        shrink(path)
        log(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


SEED = r'''
import sys
from gajim.common import configpaths
configpaths.init()
configpaths.create_paths()
from gajim.common.settings import Settings
jid, password, host, port = sys.argv[1:5]
user, domain = jid.split("@")
s = Settings()
s.init()
for k, v in {"use_keyring": False, "check_for_update": False,
             "show_help_start_chat": False, "plugins_update_check": False}.items():
    s.set_app_setting(k, v)
if sys.argv[5:] == ["wizard"]:  # no account: Gajim opens its account wizard
    s.save()
    sys.exit(0)
s.add_account("centre")
for k, v in {"name": user, "hostname": domain, "password": password, "savepass": True,
             "active": True, "use_custom_host": True, "custom_host": host,
             "custom_port": int(port), "resource": "gajim", "account_label": jid,
             "autoconnect": True}.items():
    s.set_account_setting("centre", k, v)
s.save()  # Gajim commits on a GLib timer otherwise, which never runs here
'''


def gajim_setup_shots(stack: RunningStack, creds: dict, work: Path, out: Path) -> list[Path]:
    """Gajim's own account wizard, as an agent fills it in the first time (the centre's CA is
    not trusted yet, so Gajim shows its certificate page). Coordinates: Gajim 1.7 at 1280x800."""
    info = stack.info
    gajim = Gajim(work, info, creds, name="gajim-setup")
    gajim.display = f":{int(gajim.display[1:]) + 1}"
    shots: list[Path] = []

    def shot(name: str, box: tuple[int, int, int, int] | None = (320, 200, 960, 600)) -> None:
        """The wizard's middle (where it asks something), or the whole screen."""
        from PIL import Image

        path = out / f"{name}.png"
        gajim.shot(path)
        if box:
            Image.open(path).crop(box).save(path)
        shots.append(path)

    try:
        gajim.seed(wizard=True)
        gajim.start()
        time.sleep(3)
        gajim.xdotool("type", "--delay", "20", creds["jid"])
        gajim.key("Tab")
        gajim.xdotool("type", "--delay", "10", creds["password"])
        gajim.click(502, 420)  # Advanced Settings
        time.sleep(1)
        shot("gajim-setup-login")
        gajim.click(640, 453)  # Log In -> Advanced Settings page
        time.sleep(2)
        gajim.click(655, 392)  # Hostname
        gajim.xdotool("type", info["c2s_host"])
        gajim.click(655, 432)  # Port
        gajim.key("ctrl+a")
        gajim.xdotool("type", str(info["c2s_port"]))
        time.sleep(0.5)
        shot("gajim-setup-server", (320, 240, 1280, 800))
        gajim.click(1219, 758)  # Log In
        time.sleep(5)
        gajim.click(552, 516)  # Add to Trusted Certificates
        time.sleep(0.5)
        shot("gajim-setup-certificate")
        gajim.click(1219, 758)  # Log In
        time.sleep(5)
        shot("gajim-setup-done")
    except Exception:
        with contextlib.suppress(Exception):
            gajim.shot(work / "gajim-setup-failed.png")
            log(f"Gajim's screen when it failed: {work / 'gajim-setup-failed.png'}")
        raise
    finally:
        gajim.stop()
    return shots


def gajim_shots(stack: RunningStack, creds: dict, work: Path, out: Path) -> list[Path]:
    """The agent's day in Gajim: join the room, get a case, answer it. Coordinates are those
    of Gajim 1.7's main window at 1280x800 (the chat list on the left)."""
    info = stack.info
    gajim = Gajim(work, info, creds)
    shots: list[Path] = []

    def shot(name: str) -> None:
        path = out / f"{name}.png"
        gajim.shot(path)
        shots.append(path)

    async def scenario() -> None:
        step = asyncio.to_thread
        await step(gajim.seed)
        await step(gajim.start)
        await asyncio.sleep(8)  # connected, the centre's avatar fetched
        room = f"{CENTRE}@{info['muc_domain']}"
        await step(gajim.open_uri, f"xmpp:{room}?join")  # a click on the room's link
        await asyncio.sleep(2)
        await step(gajim.key, "Return")  # "Start New Chat" with the room's address
        await asyncio.sleep(4)
        await step(shot, "gajim-join-room")
        await step(gajim.key, "Return")  # Join
        await asyncio.sleep(6)
        await step(shot, "gajim-room")

        person = await citizen(info)  # Gajim's agent is now available: the case is theirs
        centre_bot = f"{CENTRE}@{info['bot_domain']}"
        ref = (await report(
            person, centre_bot, "ไฟฟ้าดับทั้งหมู่บ้านตั้งแต่เมื่อวาน บ้านห้วยไคร้ อ.แม่สาย จ.เชียงราย"))[0]
        await asyncio.sleep(4)
        await step(shot, "gajim-room-new-case")
        # open the 📥 chat from the case address: its link, as in the room's announcement
        await step(gajim.open_uri, f"xmpp:{ref.lower()}@{info['bot_domain']}?message")
        await asyncio.sleep(2)
        await step(gajim.key, "Return")
        await asyncio.sleep(3)
        await step(gajim.type, "สวัสดีค่ะ ศูนย์ดำรงธรรมจังหวัดเชียงรายรับเรื่องแล้ว "
                               "ขอทราบเลขที่บ้านหรือจุดสังเกตด้วยค่ะ")
        await person.wait(lambda m: "จุดสังเกต" in m["body"], timeout=20)
        person.say(centre_bot, "ใกล้ศาลาหมู่บ้านค่ะ เสาไฟต้นที่ 12")
        await asyncio.sleep(3)
        await step(gajim.type, "!forward pea เสาไฟต้นที่ 12 ใกล้ศาลาหมู่บ้าน")
        await asyncio.sleep(4)
        await step(shot, "gajim-case-chat")
        await step(gajim.type, "/forward pea")  # what Gajim does with a /word it knows not
        await asyncio.sleep(3)
        await step(shot, "gajim-slash-command")
        await close_client(person.client)

    try:
        asyncio.run(scenario())
    except Exception:
        with contextlib.suppress(Exception):
            gajim.shot(work / "gajim-failed.png")
            log(f"Gajim's screen when it failed: {work / 'gajim-failed.png'}")
        raise
    finally:
        gajim.stop()
    return shots


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    ap.add_argument("--only", choices=("web", "gajim"), default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    work = Path(tempfile.mkdtemp(prefix="dd-screens-"))
    log(f"starting a local stack in {work}")
    stack = start_stack(work / "data", timeout=180)
    try:
        with (stack.data_dir / "credentials.csv").open(encoding="utf-8") as fh:
            creds = {row["slug"]: row for row in csv.DictReader(fh)}[CENTRE]
        samples = asyncio.run(sample_cases(stack.info, creds))
        log(f"sample cases: {json.dumps(samples['cases'])}")
        if args.only in (None, "web"):
            web_shots(stack, creds, samples, args.out)
        if args.only in (None, "gajim"):
            gajim_setup_shots(stack, creds, work, args.out)
            gajim_shots(stack, creds, work, args.out)
    finally:
        stack.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
