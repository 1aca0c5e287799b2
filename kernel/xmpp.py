"""Connecting slixmpp clients to our Prosody: TLS with the deployment's CA, in-band sign-up."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import ssl
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.util.sasl.mechanisms import SCRAM


def _pbkdf2_hi(self: SCRAM, text: bytes | str, salt: bytes, iterations: int) -> bytes:
    """SCRAM's Hi() is PBKDF2-HMAC (RFC 5802): hashlib's C version instead of slixmpp's
    pure-Python loop, which spends ~40 ms of CPU per login at Prosody's 10,000 iterations."""
    key = text.encode() if isinstance(text, str) else bytes(text)
    return hashlib.pbkdf2_hmac(self.hash().name, key, bytes(salt), iterations)


_slow_hi = SCRAM.Hi
SCRAM.Hi = _pbkdf2_hi  # type: ignore[method-assign]


class XmppConnectError(RuntimeError):
    """A client could not connect, register or authenticate."""


def origin_id(msg: slixmpp.Message) -> str | None:
    """The sender's own id for a message (XEP-0359 origin-id, else the stanza id)."""
    oid = msg["origin_id"]["id"] if msg.get_plugin("origin_id", check=True) else ""
    return oid or msg["id"] or None


@functools.cache
def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """One verifying TLS context per CA file, shared by every client (building one loads the
    CA bundle and costs ~40 ms — too much for hundreds of provisioning logins)."""
    ctx = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def new_client(
    jid: str, password: str, ca_file: Path | None, plugins: tuple[str, ...] = ()
) -> slixmpp.ClientXMPP:
    """A client that trusts `ca_file` (our local CA) and never authenticates in plain text."""
    ctx = tls_context(str(ca_file) if ca_file is not None else None)
    client = slixmpp.ClientXMPP(jid, password, ssl_context=ctx)
    client.enable_plaintext = False
    client.enable_direct_tls = False  # our c2s port speaks STARTTLS
    for name in ("xep_0030", "xep_0199", "xep_0359", *plugins):
        client.register_plugin(name)
    return client


async def start_client(
    client: slixmpp.ClientXMPP, host: str, port: int, timeout: float = 15, presence: bool = True
) -> None:
    """Connect, authenticate and (unless told not to) send initial presence.

    Raises XmppConnectError on failure."""
    failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def _fail(reason: object) -> None:
        if not failed.done():
            failed.set_result(str(reason))

    client.add_event_handler("failed_auth", lambda _e: _fail("authentication failed"))
    client.add_event_handler("connection_failed", _fail)
    started = asyncio.ensure_future(client.wait_until("session_start", timeout))
    client.connect(host, port)
    done, _ = await asyncio.wait({started, failed}, return_when=asyncio.FIRST_COMPLETED)
    if failed in done:
        started.cancel()
        client.abort()
        raise XmppConnectError(f"{client.boundjid.bare}: {failed.result()}")
    try:
        started.result()
    except TimeoutError as exc:
        client.abort()
        raise XmppConnectError(f"{client.boundjid.bare}: no session after {timeout} s") from exc
    if presence:
        client.send_presence()


async def close_client(client: slixmpp.ClientXMPP, timeout: float = 5) -> None:
    """Disconnect and wait until the stream is closed (no tasks left pending)."""
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(client.disconnect(wait=timeout), timeout + 1)


async def register_account(
    jid: str,
    password: str,
    host: str,
    port: int,
    ca_file: Path | None,
    timeout: float = 15,
    plugins: tuple[str, ...] = (),
) -> slixmpp.ClientXMPP:
    """Create an account by in-band registration (XEP-0077) and return a connected client
    (with `plugins` besides those registration needs)."""
    client = new_client(
        jid, password, ca_file, plugins=("xep_0004", "xep_0066", "xep_0077", *plugins)
    )
    client.plugin["xep_0077"].force_registration = True
    outcome: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    async def _register(_form: object) -> None:
        iq = client.Iq()
        iq["type"] = "set"
        iq["register"]["username"] = client.boundjid.user
        iq["register"]["password"] = password
        try:
            await iq.send()
            if not outcome.done():
                outcome.set_result(None)
        except (IqError, IqTimeout) as exc:
            reason = exc.iq["error"]["condition"] if isinstance(exc, IqError) else "timeout"
            if not outcome.done():
                outcome.set_result(f"registration refused: {reason}")
            client.disconnect()

    client.add_event_handler("register", _register)
    try:
        await start_client(client, host, port, timeout)
    except XmppConnectError as exc:
        why = outcome.result() if outcome.done() and outcome.result() else str(exc)
        raise XmppConnectError(why) from exc
    return client
