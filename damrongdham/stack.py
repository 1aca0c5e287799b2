"""`damrongdham up`: Prosody, provisioning, bot+bridge and web, supervised in the foreground."""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from casestore import CaseStore
from casestore.centres import load_centres
from damrongdham.bot_service import ready_file
from damrongdham.processes import ProcessError, terminate, wait_for_port
from damrongdham.prosody import ProsodyError, ProsodyProcess, register
from kernel.config_file import save_settings
from kernel.files import PRIVATE_UMASK, make_private
from kernel.settings import StackSettings
from provisioning.apply import Outcome, Provisioner, ProvisionError
from provisioning.cli import progress_printer
from provisioning.target import from_data_dir

log = logging.getLogger(__name__)

RESTART_BACKOFF = (1, 2, 5, 10, 30)


class StackError(RuntimeError):
    """The stack could not start."""


@dataclass
class Child:
    """A supervised child process of the stack (bot or web)."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10) -> None:
        terminate(self.proc, timeout)


class Stack:
    """The whole stack on one machine."""

    def __init__(
        self, settings: StackSettings, say=print, bot: bool = True, web: bool = True
    ) -> None:
        self.settings = settings
        self.say = say
        self.run_bot, self.run_web = bot, web  # False: another container runs that part
        self.secrets = settings.load_secrets()
        self.prosody: ProsodyProcess | None = None
        self.children: list[Child] = []
        self._stop = False
        self._starting = True
        self._lock_fd = -1

    # -- start ------------------------------------------------------------------------

    def start(self) -> None:
        s = self.settings
        os.umask(PRIVATE_UMASK)  # this process and its children: files 0600, dirs 0700
        s.data_dir.mkdir(parents=True, exist_ok=True)
        self._make_private()  # keys, secrets, personal data: owner only
        self._hold_data_dir()
        s.stack_file.unlink(missing_ok=True)
        (s.data_dir / "logs").mkdir(exist_ok=True)
        save_settings(s)
        self.say(f"data directory: {s.data_dir}")

        store = CaseStore(s.db_url)
        store.migrate()
        self.say(f"case store ready: {store.count()} cases")

        self.prosody = ProsodyProcess(s, self.secrets.component_secret)
        register(self.prosody.config, "admin", s.domain, self.secrets.admin_password)
        self.prosody.start()
        self.say(f"prosody listening on {s.listen}:{s.c2s_port} (TLS, CA {s.ca_file})")

        self._provision()
        env = self._child_env()
        exe = [sys.executable, "-m", "damrongdham"]
        logs = s.data_dir / "logs"
        self.children = []
        if self.run_bot:
            ready_file(s).unlink(missing_ok=True)
            self.children.append(
                Child("bot", [*exe, "bot", "--data-dir", str(s.data_dir)], logs / "bot.log", env)
            )
        if self.run_web:
            self.children.append(
                Child("web", [*exe, "web", "--data-dir", str(s.data_dir)], logs / "web.log", env)
            )
        for child in self.children:
            child.start()
        self._wait_ready()
        self._write_stack_file()
        self._starting = False

    def _make_private(self) -> None:
        """Owner-only modes for what older versions left readable (0644 database and logs,
        0755 directories), with one warning line saying so."""
        root = self.settings.data_dir
        fixed, failed = make_private(root)
        if fixed:
            self.say(f"warning: {len(fixed)} files or directories under {root} were readable "
                     "by group or others (left by an older version); now owner-only")
        if failed:
            names = ", ".join(str(p) for p in failed[:5]) + (" …" if len(failed) > 5 else "")
            self.say(f"warning: cannot make these owner-only (not ours?), fix by hand: {names}")

    def _hold_data_dir(self) -> None:
        """One `up` per data directory: a second one would fight over ports and files."""
        path = self.settings.data_dir / "up.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._lock_fd = fd
        except BlockingIOError:
            os.close(fd)
            raise StackError(
                f"another `damrongdham up` is running on {self.settings.data_dir}"
            ) from None

    def _provision(self) -> None:
        """First run: the 76 provincial centres. Later runs: only what changed (usually nothing)."""
        prov = Provisioner(from_data_dir(self.settings.data_dir))
        plan = prov.plan(load_centres())
        if not plan.changes:
            self.say(f"centres: {len(plan.items)} up to date, nothing to provision")
            return

        async def go() -> Outcome:
            async with prov:
                return await prov.apply(plan, progress_printer("provisioning", True))

        try:
            outcome = asyncio.run(go())
        except ProvisionError as exc:
            raise StackError(f"provisioning failed: {exc}") from exc
        self.say(f"provisioned {len(outcome.done)} centres in {outcome.seconds:.1f} s")
        if outcome.problems:
            for line in outcome.problems:
                self.say(f"warning: {line}")
            self.say("run `damrongdham provision` to retry the centres above")

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("PYTHAINLP_OFFLINE", "1")
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _wait_ready(self, timeout: float = 30) -> None:
        s = self.settings
        deadline = time.monotonic() + timeout
        while self.run_bot and not ready_file(s).exists():
            for child in self.children:
                if not child.alive():
                    raise StackError(f"{child.name} exited at start; see {child.log_path}")
            if time.monotonic() > deadline:
                raise StackError(f"the bot did not connect in {timeout:.0f} s; see logs/bot.log")
            time.sleep(0.05)
        web = next((c for c in self.children if c.name == "web"), None)
        if web is None:
            return
        try:
            wait_for_port(s.listen, s.web_port, max(1.0, deadline - time.monotonic()), web.proc)
        except ProcessError as exc:
            raise StackError(f"the web app did not start: {exc}; see {web.log_path}") from exc

    def _write_stack_file(self) -> None:
        s = self.settings
        info = s.stack_info()
        tmp = s.stack_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, s.stack_file)
        self.say("")
        self.say("Damrongdham Chat is running. Press Ctrl-C to stop.")
        self.say(f"  stack file        {s.stack_file}")
        self.say(f"  credentials (0600) {s.credentials_file}")
        self.say(f"  web               {s.web_url}")
        self.say(f"  XMPP server       {s.listen}:{s.c2s_port}, STARTTLS, CA {s.ca_file}")
        self.say(f"  citizens sign up  <name>@{s.citizen_domain} (in-band registration)")
        self.say(f"  report to         <centre>@{s.bot_domain}, e.g. chiangrai@{s.bot_domain}")
        self.say(f"  centre rooms      <centre>@{s.muc_domain}")
        self.say(f"  agent accounts    <centre>@{s.domain}")

    # -- run --------------------------------------------------------------------------

    def supervise(self) -> None:
        """Keep children alive (restart with back-off) until asked to stop."""
        while not self._stop:
            if self.prosody and not self.prosody.running():
                self.say("prosody exited; restarting it")
                self.prosody.start()
            for child in self.children:
                if not child.alive() and not self._stop:
                    delay = RESTART_BACKOFF[min(child.restarts, len(RESTART_BACKOFF) - 1)]
                    if time.monotonic() - child.started_at > 60:
                        child.restarts = 0
                    self.say(f"{child.name} exited; restarting in {delay} s (see {child.log_path})")
                    time.sleep(delay)
                    child.restarts += 1
                    child.start()
            time.sleep(0.2)

    def request_stop(self, *_: object) -> None:
        """Signal handler: abort a start in progress, or end supervision."""
        self._stop = True
        if self._starting:
            raise KeyboardInterrupt

    def stop(self) -> None:
        self._stop = True
        if self._lock_fd < 0:
            return  # never started: the data dir belongs to another `up`
        self.settings.stack_file.unlink(missing_ok=True)
        for child in reversed(self.children):
            child.stop()
        if self.prosody:
            self.prosody.stop()
        self.say("stopped.")


def up(settings: StackSettings, bot: bool = True, web: bool = True) -> int:
    """Run the whole stack in the foreground (without the bot or the web when another
    container runs them); returns the exit code."""
    stack = Stack(settings, bot=bot, web=web)
    signal.signal(signal.SIGTERM, stack.request_stop)
    signal.signal(signal.SIGINT, stack.request_stop)
    try:
        stack.start()
        stack.supervise()
    except (StackError, ProsodyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted while starting", file=sys.stderr)
        return 130
    finally:
        stack.stop()
    return 0
