"""A case an agency opens through Open311 is announced in its centre's room, once."""

from __future__ import annotations

import asyncio

import pytest
from slixmpp.plugins.xep_0045.muc import PresenceArgs
from xmpp_helpers import login

from bots import catalogue
from casestore import CaseStore

pytestmark = pytest.mark.xmpp


def test_a_case_opened_outside_the_chat_reaches_the_room(stack) -> None:
    info = stack.info
    creds = stack.credentials()["sukhothai"]
    room = f"sukhothai@{info['muc_domain']}"
    store = CaseStore(stack.db_url)

    async def scenario() -> str:
        agent = await login(info, creds["jid"], creds["password"])
        await agent.client.plugin["xep_0045"].join_muc_wait(
            room, "เวร", maxstanzas=0, timeout=10,
            presence_options=PresenceArgs(pshow="dnd"),  # present, not taking cases
        )  # fmt: skip
        opened = store.open_case(
            centre="sukhothai", province="TH-64", citizen_jid="dol@open311.invalid",
            body="ป้ายบอกทางล้มขวางถนน (แจ้งผ่านระบบของกรมทางหลวง)", channel="open311",
        )  # fmt: skip
        ref = opened.case.ref
        seen = await agent.expect(
            lambda m: m["type"] == "groupchat" and ref in m["body"], timeout=15
        )
        announced = catalogue.values(seen["body"], "room.new_case_via")
        assert (announced["channel"], announced["source"]) == ("open311", "dol")
        assert catalogue.values(announced["announcement"], "room.new_case")["ref"] == ref
        assert "ป้ายบอกทาง" in announced["announcement"]
        await asyncio.sleep(6)  # another round of the announcer: no second announcement
        again = {m["id"] for m in agent.inbox if m["type"] == "groupchat" and ref in m["body"]}
        assert len(again) == 1
        agent.close()
        return ref

    ref = asyncio.run(scenario())
    assert [e.note for e in store.events(ref) if e.kind == "announced"] == ["open311"]
    store.close()
