"""Presence-aware routing: new cases go to an available agent of their centre.

The 2015 console's *Available* switch is the agent's XMPP presence in the centre room
(`bots.presence`). In mode ``auto`` (the default, `data/routing.json`) each new case is
given to the available agent holding the fewest open cases (ties: the one who got a case
least recently), at most ``max_per_agent`` each. Nobody available: the case waits in the
room's queue (the citizen is told once) and is handed out when an agent becomes available.
An agent who stops being available gets back to the queue the cases the router gave them
that they have not answered yet, so no case waits with someone who is away. Mode ``room``
only announces cases; the first agent to claim or reply takes them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bots.agent_commands.common import clip as _clip
from bots.agent_commands.runner import AgentActions
from bots.catalogue import render
from bots.replies import urgency_mark
from casestore import AlreadyAssigned, CaseStore, CaseView, EventView, InvalidTransition, Status
from casestore.events import AUTO_PREFIX, EventKind
from kernel.addresses import Addresses, Outgoing

ENV = "DAMRONGDHAM_ROUTING"
DEFAULT = Path(__file__).parent / "data" / "routing.json"
MODES = ("auto", "room")
RETURNED = "returned"  # note of the status event when an unanswered case goes back to the queue
#: Events after which an earlier automatic assignment no longer stands.
_TAKEN = frozenset({EventKind.CLAIMED, EventKind.ASSIGNED, EventKind.TRANSFERRED, EventKind.MERGED})


@dataclass(frozen=True)
class Rule:
    mode: str = "auto"
    max_per_agent: int = 5


@dataclass(frozen=True)
class RoutingRules:
    defaults: Rule = Rule()
    centres: dict[str, Rule] = field(default_factory=dict)

    def of(self, centre: str) -> Rule:
        return self.centres.get(centre, self.defaults)


def _rule(raw: object, base: Rule, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: an object with mode and max_per_agent")
    unknown = set(raw) - {"mode", "max_per_agent"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    mode = raw.get("mode", base.mode)
    if mode not in MODES:
        raise ValueError(f"{where}.mode: one of {', '.join(MODES)}, not {mode!r}")
    cap = raw.get("max_per_agent", base.max_per_agent)
    if not isinstance(cap, int) or isinstance(cap, bool) or not 1 <= cap <= 1000:
        raise ValueError(f"{where}.max_per_agent: a whole number 1–1000, not {cap!r}")
    return Rule(mode, cap)


def parse_rules(text: str, source: str = "routing.json") -> RoutingRules:
    """Rules from JSON; ValueError naming the bad key."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{source}: not a routing file")
    defaults = _rule(data.get("defaults", {}), Rule(), f"{source}: defaults")
    centres = data.get("centres", {})
    if not isinstance(centres, dict):
        raise ValueError(f"{source}: centres must be an object")
    return RoutingRules(
        defaults,
        {slug: _rule(row, defaults, f"{source}: centres.{slug}") for slug, row in centres.items()},
    )


def load_rules(path: str | Path | None = None) -> RoutingRules:
    chosen = Path(path or os.environ.get(ENV) or DEFAULT)
    return parse_rules(chosen.read_text(encoding="utf-8"), str(chosen))


def choose(
    candidates: Iterable[str], load: Mapping[str, int], last_given: Mapping[str, float], cap: int
) -> str | None:
    """The candidate with the fewest open cases under `cap` (then least recently given)."""
    eligible = [a for a in candidates if load.get(a, 0) < cap]
    return min(eligible, key=lambda a: (load.get(a, 0), last_given.get(a, 0.0), a), default=None)


def auto_holder(events: Iterable[EventView]) -> str | None:
    """The agent the router gave the case to, if that is still the latest assignment."""
    holder = None
    for e in events:
        if e.kind in _TAKEN or (e.kind == EventKind.STATUS and e.to_status == Status.NEW):
            holder = None
            if e.kind == EventKind.ASSIGNED and (e.note or "").startswith(AUTO_PREFIX):
                holder = e.note.removeprefix(AUTO_PREFIX)  # type: ignore[union-attr]
    return holder


class Router:
    """Hands cases to available agents; returns what to send (no XMPP here)."""

    def __init__(
        self,
        store: CaseStore,
        addresses: Addresses,
        on_duty: Callable[[str], frozenset[str]],
        actions: AgentActions,
        rules: RoutingRules | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.addr = addresses
        self.on_duty = on_duty  # room JID → available agents' JIDs
        self.actions = actions
        self.rules = rules or RoutingRules()
        self.clock = clock
        self.last_given: dict[str, float] = {}

    def agents(self, centre: str) -> list[str]:
        """Available staff of the centre (real JIDs on the staff domain)."""
        room = self.addr.room_jid(centre)
        return sorted(j for j in self.on_duty(room) if j.partition("@")[2] == self.addr.domain)

    def route(
        self, case: CaseView, tell_citizen: bool = True, exclude: str | None = None
    ) -> list[Outgoing]:
        """Give a waiting case to an available agent other than `exclude` (nothing when
        none can take it)."""
        rule = self.rules.of(case.centre)
        if rule.mode != "auto" or case.assigned_to or case.status not in (
            Status.NEW,
            Status.REOPENED,
        ):
            return []
        agents = [a for a in self.agents(case.centre) if a != exclude]
        agent = choose(agents, self.store.open_load(agents), self.last_given, rule.max_per_agent)
        if agent is None:
            return []
        try:
            after = self.store.claim(case.ref, agent, by=self.addr.bot_domain)
        except (AlreadyAssigned, InvalidTransition):
            return []  # someone claimed it first: fine
        self.last_given[agent] = self.clock()
        offer = render(
            "agent.case_offered",
            ref=case.ref,
            urgent=urgency_mark(case.urgency),
            summary=_clip(case.summary),
        )
        outs = [Outgoing(to=agent, body=offer, sender=case.ref.lower())]
        outs.append(
            self.actions.announce(case, render("room.auto_assigned", ref=case.ref, agent=agent))
        )
        if tell_citizen:
            notices = self.actions.status_notices(case, after, self.addr.bot_domain, confirm=False)
            outs += [o for o in notices if not o.groupchat]
        return outs

    def became_available(self, centre: str) -> list[Outgoing]:
        """Someone of the centre is available: hand out the cases waiting there."""
        if self.rules.of(centre).mode != "auto":
            return []
        outs: list[Outgoing] = []
        for case in self.store.waiting(centre):
            given = self.route(case)
            if not given:
                break  # everybody available is at the cap
            outs += given
        return outs

    def became_unavailable(self, agent: str, centre: str) -> tuple[list[Outgoing], list[CaseView]]:
        """`agent` is away: their unanswered automatic cases of `centre` go back to the
        queue (to another available agent if there is one). Returns what to send and the
        cases left waiting with nobody (the caller tells their citizens they are queued)."""
        if agent in self.agents(centre):
            return [], []  # still available on another device
        outs: list[Outgoing] = []
        left: list[CaseView] = []
        for case in self.store.held_by(agent):
            if case.centre != centre or auto_holder(self.store.events(case.ref)) != agent:
                continue
            if any(m.direction == "agent" for m in self.store.transcript(case.ref)):
                continue  # they answered: the case is theirs
            try:
                back = self.store.set_status(
                    case.ref, Status.NEW, self.addr.bot_domain, f"{RETURNED}: {agent}"
                )
            except InvalidTransition:
                continue
            outs.append(
                Outgoing(
                    to=agent,
                    sender=case.ref.lower(),
                    body=render("agent.went_away", ref=case.ref),
                )
            )
            given = self.route(back, tell_citizen=False, exclude=agent)
            if given:
                outs += given
            else:
                outs.append(
                    self.actions.announce(
                        back, render("room.back_in_queue", ref=case.ref, agent=agent)
                    )
                )
                left.append(back)
        return outs, left
