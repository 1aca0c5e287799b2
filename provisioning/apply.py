"""Carry out provisioning against a live server, over standard XMPP."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

from casestore.centres import Centre, centre_by_slug
from kernel.xmpp import XmppConnectError, close_client, new_client, start_client
from provisioning import xmpp_admin
from provisioning.credentials import Credential, read_credentials, write_credentials
from provisioning.passwords import generate_password
from provisioning.plan import Item, Plan, make_plan
from provisioning.profile import publish_profile
from provisioning.state import AccountState, CentreState, State
from provisioning.target import Target

log = logging.getLogger(__name__)

STATE_SAVE_INTERVAL = 1.0
LOCALPART_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")


class ProvisionError(RuntimeError):
    """A provisioning request failed; the message is one clear line."""


@dataclass
class Outcome:
    """What a run did, per centre."""

    done: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = []
        if self.done:
            parts.append(f"{len(self.done)} provisioned")
        if self.up_to_date:
            parts.append(f"{len(self.up_to_date)} up to date")
        if self.problems:
            parts.append(f"{len(self.problems)} with problems")
        return (", ".join(parts) or "nothing to do") + f" ({self.seconds:.1f} s)"


def _exclusive(state_file: Path) -> int:
    """Hold a lock next to the state file: two provisioning runs must not interleave."""
    state_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_file.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ProvisionError(
            f"another provisioning run holds {state_file.with_suffix('.lock')}; wait for it"
        ) from None
    return fd


def _connect_error(target: Target, exc: Exception) -> ProvisionError:
    text = str(exc)
    if "authentication failed" in text:
        return ProvisionError(
            f"the server refused the admin login for {target.admin_jid}: wrong password?"
        )
    if "refused" in text.lower() or "Connect call failed" in text or "no session" in text:
        return ProvisionError(
            f"cannot reach the XMPP server at {target.host}:{target.port}: is it running?"
        )
    return ProvisionError(f"cannot connect to {target.host}:{target.port}: {text}")


class Provisioner:
    """An admin session on one server, with the local credentials and state files."""

    def __init__(self, target: Target, concurrency: int = 24) -> None:
        self._lock_fd = -1
        self.target = target
        self.concurrency = concurrency
        self.creds = read_credentials(target.credentials_file)
        self.state = State.load(target.state_file, target.domain)
        self.client: slixmpp.ClientXMPP | None = None
        self._lock = asyncio.Lock()
        self._dirty = False
        self._state_saved = 0.0
        self._finished: list[slixmpp.ClientXMPP] = []
        self._lock_fd = _exclusive(target.state_file)

    # -- session ----------------------------------------------------------------------

    async def __aenter__(self) -> Provisioner:
        client = new_client(
            self.target.admin_jid, self.target.admin_password, self.target.ca_file,
            ("xep_0004", "xep_0045", "xep_0050"),
        )
        try:
            await start_client(client, self.target.host, self.target.port, timeout=10)
        except XmppConnectError as exc:
            raise _connect_error(self.target, exc) from exc
        self.client = client
        return self

    async def __aexit__(self, *_: object) -> None:
        self._flush()
        if self.client is not None:
            await close_client(self.client)
        self._release()

    def _release(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __del__(self) -> None:
        self._release()

    def _admin(self) -> slixmpp.ClientXMPP:
        assert self.client is not None, "use `async with Provisioner(...)`"
        return self.client

    async def _save(self) -> None:
        """Persist credentials (and state) before going on; concurrent callers share a write.

        Called whenever a password changes: a password must be on disk before the next step.
        """
        self._dirty = True
        async with self._lock:
            if self._dirty:
                self._dirty = False
                self._flush()

    def _note_progress(self) -> None:
        """Save credentials and state now and then during a bulk run, and at its end.

        A crash in between loses at most a second of passwords; the rerun notices those
        accounts exist without a known password and sets new ones."""
        if time.monotonic() - self._state_saved > STATE_SAVE_INTERVAL:
            self._flush()

    def _flush(self) -> None:
        write_credentials(self.target.credentials_file, self.creds)
        self.state.save(self.target.state_file)
        self._state_saved = time.monotonic()

    # -- centres ----------------------------------------------------------------------

    def plan(self, centres: Iterable[Centre]) -> Plan:
        return make_plan(centres, self.target, self.state, self.creds)

    async def apply(
        self, plan: Plan, progress: Callable[[int, int], None] | None = None
    ) -> Outcome:
        started = time.monotonic()
        outcome = Outcome(up_to_date=[i.centre.slug for i in plan.items if i.action == "ok"])
        gate = asyncio.Semaphore(self.concurrency)
        total, count = len(plan.changes), 0

        async def one(item: Item) -> None:
            nonlocal count
            async with gate:
                try:
                    await self._apply_item(item)
                    outcome.done.append(item.centre.slug)
                except (IqError, IqTimeout, ProvisionError, XmppConnectError,
                        xmpp_admin.AdminError) as exc:
                    outcome.problems.append(self._half_done(item, exc))
                count += 1
                if progress:
                    progress(count, total)

        await asyncio.gather(*(one(i) for i in plan.changes))
        outcome.seconds = time.monotonic() - started
        return outcome

    def _half_done(self, item: Item, exc: Exception) -> str:
        """One line saying what failed and what state the centre is left in."""
        done = self.state.centres.get(item.centre.slug)
        have = set(done.done) if done else set()
        missing = [s for s in ("account", "room", "profile") if s not in have]
        where = "nothing was set up" if not have else (
            f"it has {' and '.join(sorted(have))} but no {' or '.join(missing)}"
        )
        return (f"{item.centre.slug}: {_why(exc)} — {where}; run `damrongdham provision` again "
                "to finish it")

    async def _apply_item(self, item: Item) -> None:
        slug = item.centre.slug
        entry = self.state.centres.setdefault(slug, CentreState())
        if entry.spec_hash != item.spec_hash:
            entry.done = [s for s in entry.done if s == "account"]
            entry.spec_hash = item.spec_hash
        self.state.accounts.setdefault(item.account, AccountState(slug, "centre"))
        if "account" in item.todo:
            await self._ensure_account(item.account, slug, item.room.jid)
            entry.done.append("account")
            self._note_progress()
        if "room" in item.todo:
            await xmpp_admin.ensure_room(self._admin(), item.room)
            entry.done.append("room")
        if "profile" in item.todo:
            await self._publish_profile(item)
            entry.done.append("profile")
        entry.done = sorted(set(entry.done))
        self._note_progress()

    async def _ensure_account(self, jid: str, slug: str, room: str) -> None:
        user = jid.partition("@")[0]
        password = generate_password(avoid=user)
        if await xmpp_admin.add_user(self._admin(), jid, password):
            self.creds[jid] = Credential(slug, jid, password, room)
            return
        existing = self.creds.get(jid)
        if existing and existing.password:
            return  # created by an earlier, interrupted run whose password we kept
        # It exists on the server but we do not know its password: set a new one.
        await xmpp_admin.change_password(self._admin(), jid, password)
        self.creds[jid] = Credential(slug, jid, password, room)
        log.warning("%s already existed on the server; its password was reset", jid)

    async def _publish_profile(self, item: Item) -> None:
        cred = self.creds.get(item.account)
        if cred is None or not cred.password:
            raise ProvisionError(f"no password for {item.account}; run `provision rotate`")
        client = new_client(cred.jid, cred.password, self.target.ca_file)
        try:
            await start_client(
                client, self.target.host, self.target.port, timeout=15, presence=False
            )
            await publish_profile(client, item.profile)
        finally:
            await close_client(client)
            self._finished.append(client)  # slixmpp leaves a task to finish at loop end

    # -- accounts ---------------------------------------------------------------------

    def resolve(self, who: str) -> str:
        """A JID from a centre slug or a JID; unknown ones raise ProvisionError."""
        jid = who if "@" in who else f"{who}@{self.target.domain}"
        if jid not in self.state.accounts and jid not in self.creds:
            raise ProvisionError(f"unknown account {who!r}: not provisioned from here")
        return jid

    async def add_agent(self, centre_slug: str, name: str, role: str = "member") -> Credential:
        """A named staff account `<name>.<centre>@D`, member (or admin) of the centre room."""
        centre = centre_by_slug(centre_slug)
        if centre is None:
            raise ProvisionError(f"unknown centre {centre_slug!r}")
        if not LOCALPART_RE.fullmatch(name):
            raise ProvisionError(
                f"invalid agent name {name!r}: use a-z, 0-9, '.', '_' or '-' (max 64)"
            )
        if role not in ("member", "admin"):
            raise ProvisionError(f"invalid role {role!r}: member or admin")
        jid = f"{name}.{centre.slug}@{self.target.domain}"
        if jid in self.state.accounts and not self.state.accounts[jid].disabled:
            raise ProvisionError(f"{jid} already exists")
        room = f"{centre.slug}@{self.target.muc_domain}"
        password = generate_password(avoid=name)
        if not await xmpp_admin.add_user(self._admin(), jid, password):
            await xmpp_admin.change_password(self._admin(), jid, password)
        self.creds[jid] = Credential(centre.slug, jid, password, room)
        self.state.accounts[jid] = AccountState(centre.slug, "staff", role)
        await self._save()
        await xmpp_admin.set_affiliations(self._admin(), room, [(jid, role)])
        return self.creds[jid]

    async def rotate(self, jids: Iterable[str]) -> list[str]:
        """New passwords for these accounts; their open sessions are ended."""
        rotated = []
        for jid in jids:
            account = self.state.accounts.get(jid)
            if account and account.disabled:
                raise ProvisionError(f"{jid} is disabled; use `provision enable`")
            password = generate_password(avoid=jid.partition("@")[0])
            await xmpp_admin.change_password(self._admin(), jid, password)
            old = self.creds.get(jid)
            slug = old.slug if old else (account.centre if account else jid.partition("@")[0])
            room = old.room if old else f"{slug}@{self.target.muc_domain}"
            self.creds[jid] = Credential(slug, jid, password, room)
            await self._save()
            await xmpp_admin.end_sessions(self._admin(), jid)
            rotated.append(jid)
        return rotated

    async def disable(self, jid: str) -> None:
        """Lock an account: unknown password, sessions ended, out of its room. History stays."""
        account = self.state.accounts.get(jid)
        cred = self.creds.get(jid)
        slug = account.centre if account else (cred.slug if cred else jid.partition("@")[0])
        await xmpp_admin.change_password(self._admin(), jid, generate_password() + "!")
        if cred:
            self.creds[jid] = Credential(cred.slug, jid, "", cred.room)
        entry = self.state.accounts.setdefault(jid, AccountState(slug, "centre"))
        entry.disabled = True
        await self._save()
        await xmpp_admin.end_sessions(self._admin(), jid)
        await xmpp_admin.set_affiliations(
            self._admin(), f"{slug}@{self.target.muc_domain}", [(jid, "none")]
        )

    async def enable(self, jid: str) -> Credential:
        """Undo `disable`: a new password and the room affiliation back."""
        account = self.state.accounts.get(jid)
        if account is None or not account.disabled:
            raise ProvisionError(f"{jid} is not disabled")
        account.disabled = False
        password = generate_password(avoid=jid.partition("@")[0])
        await xmpp_admin.change_password(self._admin(), jid, password)
        room = f"{account.centre}@{self.target.muc_domain}"
        self.creds[jid] = Credential(account.centre, jid, password, room)
        await self._save()
        await xmpp_admin.set_affiliations(self._admin(), room, [(jid, account.role)])
        return self.creds[jid]


def _why(exc: Exception) -> str:
    if isinstance(exc, IqError):
        return f"server said {exc.condition}: {exc.text}".rstrip(": ")
    if isinstance(exc, IqTimeout):
        return "server did not answer in time"
    return str(exc)
