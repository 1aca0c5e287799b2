"""`AgentActions`: the agent commands (`bots.agent_commands`) with the bridge's agencies and
Open311 outbox. What each command does is in its own module of `bots.agent_commands`."""

from __future__ import annotations

from bots.agent_commands.common import clip as _clip
from bots.agent_commands.common import find_centre
from bots.agent_commands.runner import Actions
from bridge.agencies import Agency, find_agency
from bridge.canned import CannedReplies
from bridge.outbox import open311_request, payload_of
from casestore import CaseView


class AgentActions(Actions):
    """`AgentActions(store, addresses, centre_signature, served, agencies, canned)`."""

    def __init__(self, store, addresses, signature, served=lambda: None, agencies=None,
                 canned: CannedReplies | None = None) -> None:  # fmt: skip
        super().__init__(
            store, addresses, signature, served, agencies, canned or CannedReplies({}, {})
        )

    def find_agency(self, word: str) -> Agency | None:
        return find_agency(word, self.agencies)

    def forward_payload(self, case: CaseView, agency: Agency, note: str | None) -> str:
        return payload_of(open311_request(case, agency, note))


__all__ = ["AgentActions", "_clip", "find_centre"]
