"""The bot's delivery receipts (XEP-0184) reach the app at once but stay out of the
citizen's archive (XEP-0334 hint): one database write less per message, same ticks."""

from __future__ import annotations

import asyncio
import uuid
import xml.etree.ElementTree as ET

import pytest
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath
from xmpp_helpers import citizen, ref_in

pytestmark = pytest.mark.xmpp

RECEIPTS = "urn:xmpp:receipts"
MAM = "urn:xmpp:mam:2"
FORWARD = "urn:xmpp:forward:0"


def test_receipts_arrive_and_are_not_archived(stack) -> None:
    info = stack.info

    async def scenario() -> tuple[list[ET.Element], ET.Element]:
        person = await citizen(info)
        client = person.client
        receipts: list[ET.Element] = []
        client.register_handler(
            Callback("receipts", MatchXPath(f"{{jabber:client}}message/{{{RECEIPTS}}}received"),
                     lambda m: receipts.append(m.xml))
        )  # fmt: skip
        archived: list[ET.Element] = []
        client.register_handler(
            Callback("mam", MatchXPath(f"{{jabber:client}}message/{{{MAM}}}result"),
                     lambda m: archived.append(m.xml))
        )  # fmt: skip
        msg_id = uuid.uuid4().hex
        msg = client.make_message(
            mto=f"lampang@{info['bot_domain']}",
            mbody="ไฟถนนดับทั้งซอย มืดมาก อันตราย ที่ อ.เมือง จ.ลำปาง",
            mtype="chat",
        )
        msg["id"] = msg_id
        ET.SubElement(msg.xml, f"{{{RECEIPTS}}}request")
        msg.send()
        await person.expect(lambda m: ref_in(m["body"]) is not None, timeout=10)
        for _ in range(100):
            if receipts:
                break
            await asyncio.sleep(0.05)
        iq = client.make_iq_set()
        ET.SubElement(iq.xml, f"{{{MAM}}}query", queryid="q1")
        await iq.send(timeout=10)  # the results arrive before the iq's answer
        await asyncio.sleep(0.2)
        person.close()
        assert len(receipts) == 1
        return archived, receipts[0]

    archived, receipt = asyncio.run(scenario())
    assert receipt.find(f"{{{RECEIPTS}}}received").get("id")  # type: ignore[union-attr]
    assert receipt.find("{urn:xmpp:hints}no-permanent-store") is not None
    inner = [a.find(f"{{{MAM}}}result/{{{FORWARD}}}forwarded/{{jabber:client}}message")
             for a in archived]  # fmt: skip
    bodies = [m.findtext("{jabber:client}body") or "" for m in inner if m is not None]
    assert any("ไฟถนนดับ" in b for b in bodies)  # the citizen's message is archived
    assert any(ref_in(b) for b in bodies)  # and the bot's answer with the reference
    kept = [m for m in inner if m is not None and m.find(f"{{{RECEIPTS}}}received") is not None]
    assert kept == []
