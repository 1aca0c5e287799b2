"""Urgent cases stand out until someone takes them: re-announced in the centre room every
N minutes (``DAMRONGDHAM_URGENT_EVERY_MINUTES``, default 10) while nobody has claimed,
assigned, transferred, changed or closed them. Pure: the bridge runs the loop.

The time of the last announcement is kept in memory, starting from the case's opening (its
first announcement); after a restart an overdue case is announced again at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timedelta

from bots.catalogue import render
from casestore import CaseView
from kernel.addresses import Addresses, Outgoing

ENV = "DAMRONGDHAM_URGENT_EVERY_MINUTES"
DEFAULT_MINUTES = 10.0


def interval() -> timedelta:
    """The re-announcement interval from the environment (minutes, fractions allowed)."""
    try:
        minutes = float(os.environ.get(ENV, DEFAULT_MINUTES))
    except ValueError:
        minutes = DEFAULT_MINUTES
    return timedelta(minutes=minutes if minutes > 0 else DEFAULT_MINUTES)


class Reannouncer:
    """Which urgent, unclaimed cases are due for another announcement, and its text."""

    def __init__(self, addresses: Addresses, every: timedelta) -> None:
        self.addr = addresses
        self.every = every
        self._last: dict[str, datetime] = {}

    def due(self, cases: Iterable[CaseView], now: datetime) -> list[Outgoing]:
        """Announcements for the cases not announced for `every`; remembers them as sent.
        Cases no longer listed (claimed, transferred, closed…) are forgotten."""
        cases = list(cases)
        self._last = {ref: at for ref, at in self._last.items() if ref in {c.ref for c in cases}}
        outs = []
        for case in cases:
            last = self._last.get(case.ref, case.created_at)
            if now - last >= self.every:
                self._last[case.ref] = now
                outs.append(self.announcement(case, now))
        return outs

    def announcement(self, case: CaseView, now: datetime) -> Outgoing:
        waited = max(0, int((now - case.created_at).total_seconds() // 60))
        why = f" ({case.urgent_reason})" if case.urgent_reason else ""
        summary = " ".join(case.summary.split())[:160]
        return Outgoing(
            to=self.addr.room_jid(case.centre),
            body=render(
                "room.urgent_unclaimed",
                ref=case.ref,
                why=why,
                waited=waited,
                summary=summary,
                case_jid=self.addr.case_jid(case.ref),
            ),
            groupchat=True,
        )
