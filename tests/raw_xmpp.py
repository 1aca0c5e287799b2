"""A raw XMPP client over a plain socket: STARTTLS, SASL PLAIN, resource binding and in-band
registration written by hand, so that tests can send bytes no XMPP library would send
(DOCTYPEs, entities, processing instructions, oversized or spoofed stanzas) and see exactly
how the server answers.

Not an XML parser: replies are read as text and searched for markers, which is all the tests
need. Every read has a timeout; a connection the server closed reads as ``closed``.
"""

from __future__ import annotations

import base64
import contextlib
import re
import socket
import ssl
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_REGISTER = "jabber:iq:register"


def stream_header(domain: str) -> str:
    return (
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        f"xmlns:stream='http://etherx.jabber.org/streams' to={quoteattr(domain)} "
        "version='1.0' xml:lang='th'>"
    )


class RawXmpp:
    """One TCP connection to a c2s port; `received` keeps everything the server sent."""

    def __init__(self, host: str, port: int, domain: str, ca_file: Path | str,
                 timeout: float = 10, source: str | None = None) -> None:
        self.domain = domain
        self.ca_file = str(ca_file)
        self.timeout = timeout
        self.sock: socket.socket = socket.socket(
            socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM
        )
        if source is not None:  # another loopback address: the server sees another client IP
            self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.received = ""
        self._raw = b""
        self.closed = False
        self.jid: str | None = None

    # -- bytes ------------------------------------------------------------------------------

    def send(self, data: str | bytes) -> bool:
        """Send everything; False when the server closed the connection meanwhile."""
        if self.closed:
            return False
        try:
            self.sock.sendall(data.encode() if isinstance(data, str) else data)
        except (OSError, ssl.SSLError):
            self.closed = True
            return False
        return True

    def _read_some(self, deadline: float) -> bool:
        """Read what is there (up to the deadline); False when nothing more will come."""
        if self.closed:
            return False
        self.sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return True
        except ssl.SSLWantReadError:
            return True
        except (OSError, ssl.SSLError):
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self._raw += chunk
        self.received = self._raw.decode("utf-8", "replace")
        return True

    def read_until(self, pattern: str, timeout: float | None = None, start: int = 0) -> str:
        """The text received once `pattern` (a regex) appears after `start`; TimeoutError or
        ConnectionError otherwise."""
        deadline = time.monotonic() + (timeout or self.timeout)
        rx = re.compile(pattern, re.S)
        while not rx.search(self.received, start):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no {pattern!r} within the timeout; got {self.tail()!r}")
            if not self._read_some(deadline):
                if rx.search(self.received, start):
                    break
                raise ConnectionError(f"closed before {pattern!r}; got {self.tail()!r}")
        return self.received[start:]

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Read until the server closes the connection; False if it is still open after
        `timeout` seconds."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            if not self._read_some(deadline):
                return True
        return self.closed

    def tail(self, n: int = 600) -> str:
        return self.received[-n:]

    def close(self) -> None:
        if not self.closed:
            self.send("</stream:stream>")
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.close()

    # -- the XMPP steps ---------------------------------------------------------------------

    def open_stream(self) -> str:
        """Send a stream header; return the stream features."""
        mark = len(self.received)
        self.send(stream_header(self.domain))
        return self.read_until(r"</stream:features>", start=mark)

    def starttls(self, reopen: bool = True) -> str:
        """STARTTLS (the c2s port requires it), verify the certificate and (unless told not
        to) open the new stream; returns its features ("" when not reopened)."""
        features = self.open_stream()
        assert "<starttls" in features, features
        mark = len(self.received)
        self.send(f"<starttls xmlns='{NS_TLS}'/>")
        self.read_until(r"<proceed", start=mark)
        ctx = ssl.create_default_context(cafile=self.ca_file)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.domain)
        self._raw, self.received = b"", ""
        return self.open_stream() if reopen else ""

    def auth_plain(self, user: str, password: str) -> bool:
        """SASL PLAIN inside TLS; True on success (then the stream is reopened)."""
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        mark = len(self.received)
        self.send(f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'>{token}</auth>")
        answer = self.read_until(r"<success|<failure.*?</failure>", start=mark)
        if "<success" not in answer:
            return False
        self._raw, self.received = b"", ""
        self.open_stream()
        return True

    def bind(self) -> str:
        """Bind a resource; return the full JID the server gave."""
        mark = len(self.received)
        self.send(f"<iq type='set' id='bind1'><bind xmlns='{NS_BIND}'>"
                  "<resource>raw</resource></bind></iq>")
        answer = self.read_until(r"</jid>", start=mark)
        jid = re.search(r"<jid>([^<]+)</jid>", answer)
        assert jid, answer
        self.jid = jid.group(1)
        return self.jid

    def register(self, user: str, password: str, host: str) -> tuple[bool, str]:
        """In-band registration (XEP-0077) before authenticating: (created, server answer)."""
        iq_id = f"reg{uuid.uuid4().hex[:8]}"
        mark = len(self.received)
        self.send(f"<iq type='set' id='{iq_id}' to={quoteattr(host)}>"
                  f"<query xmlns='{NS_REGISTER}'><username>{escape(user)}</username>"
                  f"<password>{escape(password)}</password></query></iq>")
        answer = self.read_until(rf"<iq[^>]*id=['\"]{iq_id}['\"][^>]*(/>|>.*?</iq>)", start=mark)
        head = re.search(rf"<iq[^>]*id=['\"]{iq_id}['\"][^>]*>", answer)
        return bool(head and "type='result'" in head.group(0).replace('"', "'")), answer

    def message(self, to: str, body: str, **attrs: str) -> bool:
        extra = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
        return self.send(f"<message type='chat' to={quoteattr(to)}{extra}>"
                         f"<body>{escape(body)}</body></message>")


def connect_tls(host: str, port: int, domain: str, ca_file: Path | str,
                source: str | None = None, timeout: float = 10, reopen: bool = True) -> RawXmpp:
    """A connection with TLS up and (unless `reopen` is false) a fresh stream open; not
    authenticated."""
    conn = RawXmpp(host, port, domain, ca_file, timeout=timeout, source=source)
    conn.starttls(reopen)
    return conn


def login(host: str, port: int, jid: str, password: str, ca_file: Path | str,
          timeout: float = 10) -> RawXmpp:
    """An authenticated connection with a bound resource."""
    user, _, domain = jid.partition("@")
    conn = connect_tls(host, port, domain, ca_file, timeout=timeout)
    if not conn.auth_plain(user, password):
        raise ConnectionError(f"{jid}: authentication failed: {conn.tail()!r}")
    conn.bind()
    return conn


def stream_error(text: str) -> str | None:
    """The condition of the stream error in `text` (``not-well-formed``…), if any."""
    m = re.search(r"<stream:error>\s*<([a-z-]+)", text)
    return m.group(1) if m else None
