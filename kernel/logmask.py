"""Personal data out of every log line: a `logging.Filter` for the root logger's handlers.

What is masked, in a record's message *and* its arguments (and a traceback's text):

- citizens' and anonymous tipsters' JIDs (``<local>@citizens.D``, ``<local>@anon.D``, with
  any resource): the domain is kept, the local part becomes ``~`` and 8 hex digits of a keyed
  hash (the key is random per process, so the same citizen reads the same within one log
  but the hash cannot be looked up);
- Thai national ID numbers, Thai phone numbers (``08x-xxx-xxxx``, ``+66 …``), bank accounts
  and e-mail addresses, with the patterns of `kernel.mask` (the ones that mask case summaries).

Staff JIDs (``agent.centre@D``), case and centre addresses (``…@bot.D``) and rooms are kept:
they are what an operator needs to read a log. Call :func:`install` once, after logging is
configured (``damrongdham.cli.main``); handlers added later are not covered.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import Any

from kernel.mask import mask

_KEY = secrets.token_bytes(16)
# Kept whole, never read as digits: ISO dates and times, UUIDs (stanza and origin ids), and
# addresses at ``.invalid`` hosts (agencies' Open311 cases, purged cases: not people).
_KEEP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    r"|[\w.+-]+@(?:[\w-]+\.)*invalid\b",
    re.IGNORECASE,
)


def _local_part(local: str) -> str:
    return "~" + hmac.new(_KEY, local.encode(), hashlib.sha256).hexdigest()[:8]


class PiiFilter(logging.Filter):
    """Masks personal data in each record it sees; never drops a record."""

    def __init__(self, domain: str) -> None:
        super().__init__()
        d = re.escape(domain.lower())
        # A JID at one of our hosts: citizens'/anonymous ones get their local part hashed,
        # every other (staff, bot, rooms) is kept whole and shielded from e-mail masking.
        self._ours = re.compile(
            r"(?P<local>[^\s@/\"'<>()\[\],;:]+)@(?P<host>(?:[a-z0-9-]+\.)*" + d + r")\b",
            re.IGNORECASE,
        )
        self._citizen_hosts = {f"citizens.{domain.lower()}", f"anon.{domain.lower()}"}

    def scrub(self, text: str) -> str:
        """`text` with personal data masked."""
        kept: list[str] = []

        def shield(m: re.Match[str]) -> str:
            host = m.group("host").lower()
            local = m.group("local")
            if host in self._citizen_hosts and not local.startswith("~") and local != "anonymous":
                local = _local_part(local)  # the anonymous placeholder is nobody: kept
            kept.append(f"{local}@{m.group('host')}")
            return f"\x00{len(kept) - 1}\x00"

        def keep(m: re.Match[str]) -> str:
            kept.append(m.group(0))
            return f"\x00{len(kept) - 1}\x00"

        text = self._ours.sub(shield, text)
        text = _KEEP.sub(keep, text)
        text = mask(text)
        return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)

    def _arg(self, value: Any) -> Any:
        if isinstance(value, (int, float, bool)) or value is None:
            return value  # numbers keep their type (%d, %.2f); a bare int is never masked
        text = str(value)
        masked = self.scrub(text)
        return value if masked == text else masked

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.scrub(record.msg)
        elif record.msg is not None:
            record.msg = self.scrub(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {k: self._arg(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(self._arg(a) for a in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def install(domain: str, logger: logging.Logger | None = None) -> PiiFilter:
    """Add one :class:`PiiFilter` for `domain` to every handler of the root logger (or of
    `logger`); idempotent. Returns the filter."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        for f in handler.filters:
            if isinstance(f, PiiFilter):
                return f
    pii = PiiFilter(domain)
    for handler in target.handlers:
        handler.addFilter(pii)
    return pii
