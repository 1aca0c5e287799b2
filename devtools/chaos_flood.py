"""`damrongdham chaos flood`: one citizen floods the bot while another reports calmly.

The measuring is `devtools.bench_flood.run_bystander` (the bench's own); this adds the
verdict of a chaos scenario: every one of the bystander's messages stored exactly once and
confirmed, the flood refused, the bystander's p99 reply time at most `P99_EXTRA_TARGET_MS`
above its p99 alone, and Prosody's database growing at most `GROWTH_TARGET_MB` per 10,000
refused messages."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from casestore import CaseStore
from casestore.models import Case, CaseMessage
from devtools.bench_flood import run_bystander
from devtools.local_stack import start_stack

P99_EXTRA_TARGET_MS = 100.0
GROWTH_TARGET_MB = 5.0  # per 10,000 refused; 29.8 MB before the flood guard (issue 15)


@dataclass
class FloodResult:
    """The bystander's figures (`run_bystander`) and what the case store holds."""

    scenario: str
    flood_rate: float
    flood_seconds: float
    figures: dict = field(default_factory=dict)
    bystander_stored: int = 0

    @property
    def stored_exactly_once(self) -> bool:
        return self.bystander_stored == self.figures.get("bystander_sent")

    @property
    def all_confirmed(self) -> bool:
        return all(self.figures[k]["answered"] == self.figures[k]["sent"]
                   for k in ("without_flood", "with_flood"))  # fmt: skip

    @property
    def fast_enough(self) -> bool:
        extra = self.figures.get("p99_extra_ms")
        return extra is not None and extra <= P99_EXTRA_TARGET_MS

    @property
    def small_enough(self) -> bool:
        mb = self.figures.get("prosody_db_growth_mb_per_10k_refused")
        return mb is not None and mb <= GROWTH_TARGET_MB

    @property
    def ok(self) -> bool:
        return (self.stored_exactly_once and self.all_confirmed and self.fast_enough
                and self.small_enough and self.figures.get("flood_refused_estimated", 0) > 0)

    def as_json(self) -> dict:
        return {**asdict(self), "ok": self.ok, "stored_exactly_once": self.stored_exactly_once,
                "all_confirmed": self.all_confirmed, "fast_enough": self.fast_enough,
                "small_enough": self.small_enough}  # fmt: skip

    def line(self) -> str:
        f = self.figures
        verdict = "OK" if self.ok else "TARGET MISSED"
        return (
            f"{self.scenario}: {verdict} — one citizen sent {f.get('flood_sent')} messages "
            f"at {self.flood_rate:g}/s for {self.flood_seconds:g} s "
            f"(≈{f.get('flood_refused_estimated')} refused); the bystander's reply p50/p99 "
            f"{f.get('p50_ms_without_flood')}/{f.get('p99_ms_without_flood')} ms alone, "
            f"{f.get('p50_ms_with_flood')}/{f.get('p99_ms_with_flood')} ms during the flood "
            f"(p99 extra {f.get('p99_extra_ms')} ms, target ≤ {P99_EXTRA_TARGET_MS:g}); "
            f"stored exactly once {self.bystander_stored}/{f.get('bystander_sent')}; Prosody "
            f"+{f.get('prosody_db_growth_mb_per_10k_refused')} MB and "
            f"{f.get('prosody_archive_rows_per_10k_refused')} archive rows per 10,000 refused "
            f"(target ≤ {GROWTH_TARGET_MB:g} MB)"
        )


def _stored(store: CaseStore, jid: str) -> int:
    """The citizen messages of `jid`'s cases in the case store."""
    with store.reading() as s:
        return int(s.scalar(
            select(func.count()).select_from(CaseMessage).join(Case, CaseMessage.case_id == Case.id)
            .where(Case.citizen_jid == jid, CaseMessage.direction == "citizen")
        ) or 0)  # fmt: skip


def run_flood(flood_rate: float = 1000.0, flood_seconds: float = 5.0, calm_seconds: float = 5.0,
              workdir: Path | None = None) -> FloodResult:  # fmt: skip
    """A stack of its own with the real flood limits; the bystander bench; the counts."""
    base = Path(workdir or tempfile.mkdtemp(prefix="damrongdham-chaos-flood-"))
    db_path = base / "data" / "damrongdham.sqlite3"
    result = FloodResult("flood", flood_rate, flood_seconds)
    with contextlib.ExitStack() as cleanup:
        stack = start_stack(base / "data", timeout=180,
                            extra=["--database-url", f"sqlite:///{db_path}"])  # fmt: skip
        cleanup.callback(stack.stop)
        result.figures = asyncio.run(
            run_bystander(stack, flood_rate, flood_seconds, calm_seconds=calm_seconds))
        store = CaseStore(f"sqlite:///{db_path}")
        cleanup.callback(store.close)
        result.bystander_stored = _stored(store, result.figures["bystander_jid"])
    return result
