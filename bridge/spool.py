"""The bot's side of Prosody's spool (prosody/modules/mod_damrongdham_spool.lua).

Prosody keeps every citizen's message to the bot in SQL until the bot acknowledges it, and
keeps (instead of bouncing) what arrives while the bot is away. The bot acknowledges a
message once what it did is stored and its replies are queued on the stream before the
acknowledgement, asks for a replay when it is ready after (re)connecting, and retries a
message whose handling failed (database away, disk full) with backoff instead of dropping
it. Handling is idempotent (a sender's message id is stored with the message), so a
message handled before a crash but never acknowledged is recognised when it comes back.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher.base import MatcherBase
from slixmpp.xmlstream.stanzabase import StanzaBase

log = logging.getLogger(__name__)

NS = "urn:xmpp:damrongdham:spool:0"
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 15.0


def spool_id(msg: slixmpp.Message) -> tuple[str | None, bool]:
    """The spool id Prosody gave the message (None without the module), and whether the
    bot was sent it before (a replay after a crash: it may have handled it already)."""
    tag = msg.xml.find(f"{{{NS}}}spool")
    if tag is None:
        return None, False
    return tag.get("id") or None, tag.get("delivered") == "1"


ACK_ID_PREFIX = "spool-ack-"


class _AckRefused(MatcherBase):
    """An error answering one of our acknowledgements (their results are not awaited)."""

    def match(self, xml: StanzaBase) -> bool:
        return (
            xml.name == "iq"
            and xml.get_toplevel_attr("type", "") == "error"
            and xml.get_toplevel_attr("id", "").startswith(ACK_ID_PREFIX)
        )


def _ack_refused(iq: slixmpp.Iq) -> None:
    """A refused ack only means a replay later (handled idempotently)."""
    log.warning(
        "acknowledgement not taken (%s); those messages will be replayed", iq["error"]["condition"]
    )


class Spool:
    """Acknowledgements, replays and retries for one component connection."""

    def __init__(self, xmpp: slixmpp.ComponentXMPP) -> None:
        self.xmpp = xmpp
        self._pending: list[str] = []  # handled, acknowledgement not sent yet
        self._busy: set[str] = set()  # being handled or waiting for a retry
        self._done: set[str] = set()  # handled in this session (a replay may repeat them)
        self._attempts: dict[str, int] = {}
        self._flush_due = False
        self._acks = 0
        self.replayed = 0
        # Acks are sent without a waiter each: slixmpp matches every incoming stanza
        # against every waiting iq, which cost more than the handling under load.
        xmpp.register_handler(Callback("spool ack refused", _AckRefused(None), _ack_refused))

    def reset(self) -> None:
        """After a disconnect: Prosody replays whatever was not acknowledged."""
        self._pending.clear()
        self._busy.clear()
        self._done.clear()
        self._attempts.clear()

    def begin(self, sid: str | None) -> bool:
        """Whether to handle this message now (False: already handled or in hand)."""
        if sid is None:
            return True
        if sid in self._done:
            self.done(sid)  # acknowledged again: the first ack may have been lost
            return False
        if sid in self._busy:
            return False
        self._busy.add(sid)
        return True

    def done(self, sid: str | None) -> None:
        """Handled and stored: acknowledge after the replies already queued."""
        if sid is None:
            return
        self._busy.discard(sid)
        self._attempts.pop(sid, None)
        self._done.add(sid)
        self._pending.append(sid)
        # Right behind the replies queued for the messages of this read from the stream:
        # once the loop has handled what arrived together, one ack for all of them (an ack
        # flushed much later would let many answers out ahead of their acknowledgements).
        if not self._flush_due:
            self._flush_due = True
            self.xmpp.loop.call_soon(self._flush)

    def failed(self, sid: str | None, retry: Callable[[], None]) -> int:
        """Handling failed: call `retry` later (backoff); how many attempts so far."""
        if sid is None:
            return 0
        attempts = self._attempts.get(sid, 0) + 1
        self._attempts[sid] = attempts
        delay = min(RETRY_FIRST_S * 2 ** (attempts - 1), RETRY_MAX_S)
        log.warning("message %s not handled (attempt %d); retrying in %.1f s", sid, attempts, delay)

        def again() -> None:
            self._busy.discard(sid)
            retry()

        self.xmpp.loop.call_later(delay, again)
        return attempts

    def _flush(self) -> None:
        self._flush_due = False
        ids, self._pending = self._pending, []
        if not ids:
            return
        self._acks += 1
        iq = self.xmpp.make_iq_set(ito=self.xmpp.boundjid.bare, ifrom=self.xmpp.boundjid.bare)
        iq["id"] = f"{ACK_ID_PREFIX}{self._acks}"
        ack = ET.SubElement(iq.xml, f"{{{NS}}}ack")
        for sid in ids:
            ET.SubElement(ack, f"{{{NS}}}item", id=sid)
        # No waiter: the result is not needed, a refusal is logged. Written at once, behind
        # the answers (`BotComponent.send_now`), when the component can.
        getattr(self.xmpp, "send_now", self.xmpp.send)(iq)

    async def replay(self) -> int | None:
        """Ask Prosody for everything not acknowledged yet; how many (None: no spool)."""
        iq = self.xmpp.make_iq_set(ito=self.xmpp.boundjid.bare, ifrom=self.xmpp.boundjid.bare)
        ET.SubElement(iq.xml, f"{{{NS}}}replay")
        try:
            result = await iq.send(timeout=60)
        except IqError as exc:
            log.warning(
                "no spool on the server (%s): messages sent while the bot is away are "
                "bounced to their senders",
                exc.iq["error"]["condition"],
            )
            return None
        except IqTimeout:
            log.error("the server did not answer the replay request")
            return None
        tag = result.xml.find(f"{{{NS}}}replay")
        count = int(tag.get("count", "0")) if tag is not None else 0
        self.replayed += count
        if count:
            log.info("%d messages kept while the bot was away are being handled", count)
        return count
