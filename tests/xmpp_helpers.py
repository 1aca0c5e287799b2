"""Real XMPP clients for tests: a running `damrongdham up` and chat participants."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import slixmpp

from damrongdham.xmpp import new_client, register_account, start_client

REPO = Path(__file__).resolve().parent.parent


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@dataclass
class RunningStack:
    """`damrongdham up` in a subprocess, with what it wrote."""

    data_dir: Path
    proc: subprocess.Popen[str]
    info: dict
    output_file: Path

    @property
    def output(self) -> str:
        return self.output_file.read_text(encoding="utf-8")

    def credentials(self) -> dict[str, dict[str, str]]:
        with (self.data_dir / "credentials.csv").open(encoding="utf-8") as fh:
            return {row["slug"]: row for row in csv.DictReader(fh)}

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_stack(
    data_dir: Path, ports: list[int] | None = None, timeout: float = 90,
    extra: list[str] | None = None,
) -> RunningStack:
    """Run `python -m damrongdham up` on free loopback ports and wait for stack.json."""
    c2s, comp, http, web = ports or free_ports(4)
    data_dir.mkdir(parents=True, exist_ok=True)
    out = data_dir.parent / f"{data_dir.name}-up-{uuid.uuid4().hex[:6]}.log"
    env = dict(os.environ, PYTHAINLP_OFFLINE="1", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "damrongdham", "up", "--data-dir", str(data_dir),
           "--c2s-port", str(c2s), "--component-port", str(comp), "--http-port", str(http),
           "--web-port", str(web), "--registration-throttle-max", "10000", *(extra or [])]
    with out.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, text=True, env=env,
                                cwd=REPO)
    stack_file = data_dir / "stack.json"
    deadline = time.monotonic() + timeout
    while not stack_file.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"up exited with {proc.returncode}:\n{out.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"up not ready after {timeout} s:\n{out.read_text()}")
        time.sleep(0.1)
    info = json.loads(stack_file.read_text(encoding="utf-8"))
    return RunningStack(data_dir, proc, info, out)


@dataclass
class Person:
    """One connected XMPP account that records every message it receives."""

    client: slixmpp.ClientXMPP
    inbox: list[slixmpp.Message] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def jid(self) -> str:
        return self.client.boundjid.bare

    def _on_message(self, msg: slixmpp.Message) -> None:
        if msg["body"] or msg["type"] == "error":
            self.inbox.append(msg)
            self._arrived.set()

    def say(self, to: str, body: str, mtype: str = "chat", origin: str | None = None) -> None:
        msg = self.client.make_message(mto=to, mbody=body, mtype=mtype)
        if origin is not None:
            msg["id"] = origin
            msg["origin_id"]["id"] = origin
        msg.send()

    async def expect(
        self, match: Callable[[slixmpp.Message], bool], timeout: float = 5.0, start: int = 0
    ) -> slixmpp.Message:
        """The first message (from index `start`) satisfying `match`, waiting if needed."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for msg in self.inbox[start:]:
                if match(msg):
                    return msg
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                got = "\n".join(f"  {m['from']}: {m['body'][:120]!r}" for m in self.inbox)
                raise AssertionError(f"{self.jid}: expected message not received; got:\n{got}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), left)

    async def quiet(self, seconds: float = 0.5) -> list[slixmpp.Message]:
        """Messages that arrive within `seconds` from now."""
        before = len(self.inbox)
        await asyncio.sleep(seconds)
        return self.inbox[before:]

    async def join(self, room: str, nick: str) -> None:
        await self.client.plugin["xep_0045"].join_muc_wait(slixmpp.JID(room), nick, maxstanzas=0,
                                                    timeout=10)

    def close(self) -> None:
        self.client.disconnect()


def _person(client: slixmpp.ClientXMPP) -> Person:
    person = Person(client)
    client.add_event_handler("message", person._on_message)
    client.add_event_handler("groupchat_message", lambda m: None)
    return person


async def citizen(info: dict, name: str | None = None) -> Person:
    """A new citizen account, created by in-band registration like any app would."""
    user = name or f"c{uuid.uuid4().hex[:10]}"
    client = await register_account(
        f"{user}@{info['citizen_domain']}", uuid.uuid4().hex, info["c2s_host"],
        info["c2s_port"], Path(info["ca_file"]),
    )
    person = _person(client)
    return person


async def login(info: dict, jid: str, password: str) -> Person:
    client = new_client(jid, password, Path(info["ca_file"]), ("xep_0045",))
    person = _person(client)
    await start_client(client, info["c2s_host"], info["c2s_port"])
    return person


REF_RE = re.compile(r"TH\d\d-\d{4}-\d{6}")


def ref_in(text: str) -> str | None:
    m = REF_RE.search(text)
    return m.group(0) if m else None
