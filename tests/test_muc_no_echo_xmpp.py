"""The rooms do not reflect the bot's own messages back to it
(`mod_damrongdham_muc_no_echo`), while agents still see them and the bot still hears the
agents: a real stack, a citizen, the centre's agent in its room."""

from __future__ import annotations

import asyncio
import re

import pytest
from test_agent_commands_xmpp import passwords
from xmpp_helpers import citizen, login, ref_in, start_stack

pytestmark = pytest.mark.xmpp


def test_the_bot_gets_no_echo_of_its_own_room_messages(tmp_path) -> None:
    running = start_stack(tmp_path / "data")
    info = running.info
    try:
        room = f"chiangrai@{info['muc_domain']}"
        agent_jid = f"chiangrai@{info['domain']}"

        async def scenario() -> None:
            agent = await login(info, agent_jid, passwords(running)[agent_jid])
            await agent.join(room, "เจ้าหน้าที่")
            person = await citizen(info)
            person.say(f"chiangrai@{info['bot_domain']}", "ถนนพังหน้าบ้าน ที่ อ.เมือง จ.เชียงราย")
            announced = await agent.expect(
                lambda m: m["type"] == "groupchat" and ref_in(m["body"]) is not None, timeout=10
            )
            assert str(announced["from"]).endswith("/ระบบรับเรื่อง")  # others still see it
            # The bot still hears the agents in the room: /queue is answered.
            start = len(agent.inbox)
            agent.say(room, "/queue", mtype="groupchat")
            await agent.expect(
                lambda m: m["type"] != "groupchat" and ref_in(m["body"]) is not None,
                timeout=10,
                start=start,
            )
            person.close()
            agent.close()

        asyncio.run(scenario())
    finally:
        running.stop()
    log = (running.data_dir / "prosody" / "prosody.log").read_text(encoding="utf-8")
    dropped = re.search(r"dropped (\d+) reflections of the bot's own room messages", log)
    assert dropped is not None, log[-3000:]
    assert int(dropped.group(1)) >= 1
