"""The whole triage of one message: normalise, mask, locate, classify.

Pure and total: any string (empty, emoji, binary junk, 64 KB) gives a result, never an
exception."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bots.chitchat import is_small_talk
from bots.classify import classify
from bots.locate import locate
from bots.normalise import normalise
from kernel.mask import mask

log = logging.getLogger(__name__)

PINNED_KEYS = (
    "type", "topic", "province", "district", "urgent", "urgent_reason", "urgency", "masked",
)
MIN_LETTERS = 4  # fewer letters than this: ask for more detail


@dataclass(frozen=True)
class Triage:
    type: str
    topic: str
    province: str | None
    district: str | None
    urgent: bool
    urgent_reason: str | None
    masked: str
    evidence: tuple[str, ...] = ()
    district_code: str | None = None
    """Four-digit DOPA code of `district`."""
    needs_detail: bool = False
    """Too little text to understand (empty, only emoji or a sticker, a word or two)."""
    confidence: float = field(default=0.0, compare=False)
    """How sure the topic model is (0–1); low values deserve an agent's look."""
    urgency: str = "normal"
    """``emergency`` (= `urgent`), ``hazard`` (flagged for agents) or ``normal``."""
    urgency_reason: str | None = None
    """The kind of danger of an emergency or a hazard."""
    small_talk: bool = False
    """Only greetings, thanks or small talk (`bots.chitchat`): no case to open."""

    def as_json(self) -> dict[str, object]:
        """The pinned `damrongdham triage` output object."""
        return {key: getattr(self, key) for key in PINNED_KEYS}


def _too_short(text: str) -> bool:
    return len(text) < 40 and sum(1 for ch in text if ch.isalpha()) < MIN_LETTERS


def clean(text: str) -> str:
    """A citizen's text as it is stored, relayed and learned from: normalised, with ID,
    phone, e-mail and account numbers masked (`kernel.mask`). The one masking rule."""
    return mask(normalise(text))


def triage(text: str) -> Triage:
    """Understand one citizen message. Pure: no I/O."""
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes | bytearray) else ""
    masked = clean(text)
    try:
        place = locate(masked)
        found = classify(masked)
    except Exception:  # a bug must not lose a citizen's message
        log.exception("triage failed; falling back to defaults")
        return Triage("complaint", "other", None, None, False, None, masked, needs_detail=True)
    return Triage(
        type=found.type,
        topic=found.topic,
        province=place.province,
        district=place.district,
        urgent=found.urgent,
        urgent_reason=found.urgent_reason,
        masked=masked,
        evidence=tuple(dict.fromkeys(found.evidence + place.evidence)),
        district_code=place.district_code,
        needs_detail=_too_short(masked) and not found.urgent,
        confidence=found.topic_confidence,
        urgency=found.urgency,
        urgency_reason=found.urgency_reason,
        small_talk=found.urgency == "normal" and is_small_talk(masked),
    )
