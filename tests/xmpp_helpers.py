"""Real XMPP clients for tests: a running `damrongdham up` and chat participants."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import slixmpp

from devtools.local_stack import RunningStack, free_ports, start_stack  # noqa: F401
from kernel.xmpp import new_client, register_account, start_client

REPO = Path(__file__).resolve().parent.parent


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
