"""Dashboard sign-in: the XMPP server checks the password, provisioning says who is staff.

* **Password**: a real SASL SCRAM login over c2s with STARTTLS (``kernel.xmpp``: the
  stack's CA, hashlib's PBKDF2), by a short-lived slixmpp client in its own thread and event
  loop, with a timeout; no presence is sent and the client disconnects at once. The web app
  keeps no password of its own.
* **Who is staff** on the main domain ``D``: the rules of :mod:`casestore.staff` (the same
  the bridge applies), over the centre rooms' lists as provisioning writes them, derived
  from ``DATA_DIR/provisioning.json`` (the module says why the lists are the truth and
  what this reader misses): ``admin@D`` (every centre), a centre account ``<slug>@D`` and
  staff added with ``damrongdham provision agent add`` (their centre, and a provincial
  centre's district centres). Disabled accounts, citizens (``citizens.D``), anonymous users
  (``anon.D``) and any other account are refused. The roles are looked up again on every
  request, so disabling an account also shuts its open dashboard sessions.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from casestore import staff as staff_rules
from kernel.xmpp import XmppConnectError, close_client, new_client, start_client
from provisioning.state import AccountState, State

log = logging.getLogger(__name__)

ADMIN_USER = staff_rules.ADMIN_USER
_LOCAL_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class LoginRefused(Exception):
    """The account may not use the dashboard; ``reason`` keys the message shown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LoginUnavailable(Exception):
    """The XMPP server could not be asked (down, TLS failure, timeout)."""


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in dashboard user and the centres whose cases they see."""

    jid: str
    role: str  # "admin" | "centre" | "staff"
    centre: str | None
    centres: frozenset[str] | None  # None: every centre

    @property
    def is_admin(self) -> bool:
        return self.centres is None

    def can_see(self, centre: str) -> bool:
        return self.centres is None or centre in self.centres


# -- who is who ---------------------------------------------------------------------------


def parse_login(text: str, domain: str) -> str:
    """The bare JID a person typed (``chiangrai`` means ``chiangrai@D``), lowercased.

    Raises :class:`LoginRefused` with ``citizen``/``anon`` for those domains, ``domain``
    for any other domain and ``invalid`` for something that is not an account name.
    """
    text = text.strip().lower()
    local, at, host = text.partition("@")
    host = host.split("/", 1)[0] if at else domain
    if host == f"citizens.{domain}":
        raise LoginRefused("citizen")
    if host == f"anon.{domain}":
        raise LoginRefused("anon")
    if not _LOCAL_RE.match(local):
        raise LoginRefused("invalid")
    if host != domain:
        raise LoginRefused("domain")
    return f"{local}@{domain}"


class Directory:
    """The roles of the accounts of ``D``, read from ``provisioning.json`` (re-read when it
    changes)."""

    def __init__(self, domain: str, data_dir: str | Path | None) -> None:
        self.domain = domain
        self.path = Path(data_dir) / "provisioning.json" if data_dir else None
        self._seen: tuple[float, int] | None = None
        self._accounts: dict[str, AccountState] = {}
        self._listed: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def _load(self) -> tuple[dict[str, AccountState], dict[str, frozenset[str]]]:
        """(jid → account, jid → centres whose room lists it); empty when there is no file."""
        if self.path is None:
            return {}, {}
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}, {}
        mark = (st.st_mtime, st.st_size)
        with self._lock:
            if mark != self._seen:
                state = State.load(self.path, self.domain)  # ValueError when damaged
                self._accounts = {jid.lower(): a for jid, a in state.accounts.items()}
                self._listed = staff_rules.listed_rooms(self.domain, self._accounts)
                self._seen = mark
            return self._accounts, self._listed

    def staff(self, jid: str) -> Staff:
        """The role of a bare JID of ``D``; :class:`LoginRefused` (``not_staff``,
        ``disabled``) for anyone who may not use the dashboard."""
        local, _, host = jid.partition("@")
        if host != self.domain:
            raise LoginRefused("domain")
        if local == ADMIN_USER:
            return Staff(jid, "admin", None, None)
        try:
            accounts, listed = self._load()
        except (OSError, ValueError) as exc:  # fail closed, but say why in the log
            log.error("dashboard: cannot read %s: %s", self.path, exc)
            raise LoginRefused("not_staff") from exc
        entry = accounts.get(jid)
        if entry is not None and entry.disabled:
            raise LoginRefused("disabled")
        centres = staff_rules.visible_centres(jid, self.domain, listed.get(jid, ()))
        if not centres:
            raise LoginRefused("not_staff")
        if entry is not None and entry.centre in centres:
            return Staff(jid, entry.kind, entry.centre, centres)
        return Staff(jid, "centre", local, centres)


# -- the password check -------------------------------------------------------------------


async def _xmpp_login(
    jid: str, password: str, host: str, port: int, ca_file: Path | None, timeout: float
) -> bool:
    client = new_client(jid, password, ca_file)
    refused = asyncio.Event()
    client.add_event_handler("failed_auth", lambda _e: refused.set())
    try:
        await start_client(client, host, port, timeout=timeout, presence=False)
    except XmppConnectError as exc:
        if refused.is_set():
            return False
        raise LoginUnavailable(str(exc)) from exc
    await close_client(client, timeout=2)
    return True


def check_password(
    jid: str,
    password: str,
    host: str,
    port: int,
    ca_file: Path | None,
    timeout: float = 10.0,
) -> bool:
    """Whether the XMPP server accepts ``jid``/``password`` (SASL SCRAM over STARTTLS).

    Runs a short-lived client in its own thread and event loop (the web worker is
    synchronous). Raises :class:`LoginUnavailable` when the server cannot be reached or does
    not answer within ``timeout`` seconds.
    """
    if not password or len(password) > 1024:
        return False
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["ok"] = asyncio.run(_xmpp_login(jid, password, host, port, ca_file, timeout))
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="dashboard-login", daemon=True)
    worker.start()
    worker.join(timeout + 5)
    if worker.is_alive():
        raise LoginUnavailable(f"no answer from {host}:{port} within {timeout} s")
    error = outcome.get("error")
    if isinstance(error, LoginUnavailable):
        raise error
    if error is not None:
        raise LoginUnavailable(f"{type(error).__name__}: {error}") from error  # type: ignore[misc]
    return bool(outcome.get("ok"))
