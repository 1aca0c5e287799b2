"""The whole triage of one message: normalise, mask, locate, classify."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from bots.classify import classify
from bots.locate import locate_province
from bots.mask import mask
from bots.normalise import normalise


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

    def as_json(self) -> dict[str, object]:
        """The pinned `damrongdham triage` output object."""
        out = asdict(self)
        out.pop("evidence")
        return out


def triage(text: str) -> Triage:
    """Understand one citizen message. Pure: no I/O."""
    clean = mask(normalise(text))
    found = classify(clean)
    return Triage(
        type=found.type,
        topic=found.topic,
        province=locate_province(clean),
        district=None,
        urgent=found.urgent,
        urgent_reason=found.urgent_reason,
        masked=clean,
        evidence=found.evidence,
    )
