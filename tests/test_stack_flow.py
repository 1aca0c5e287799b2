"""The walking skeleton end to end: real Prosody, real XMPP clients, `damrongdham up`."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import stat

import pytest
from xmpp_helpers import citizen, login, ref_in

from bots import catalogue
from casestore import CaseStore, buddhist_year

pytestmark = pytest.mark.xmpp


def _store(stack) -> CaseStore:
    return CaseStore(stack.db_url)


def _citizen_lines(stack, ref: str) -> list[str]:
    return [m.body for m in _store(stack).transcript(ref) if m.direction == "citizen"]


def _from(msg, jid: str) -> bool:
    return str(msg["from"].bare) == jid


def test_citizen_agent_round_trip(stack) -> None:
    info = stack.info
    bot, rooms = info["bot_domain"], info["muc_domain"]
    centre_bot, room = f"chiangrai@{bot}", f"chiangrai@{rooms}"
    creds = stack.credentials()["chiangrai"]

    async def scenario() -> tuple[str, str]:
        agent = await login(info, creds["jid"], creds["password"])
        await agent.join(room, "เจ้าหน้าที่สมชาย")
        person = await citizen(info)
        person.say(centre_bot, "ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มทุกวัน ที่ อ.เมือง จ.เชียงราย")
        reply = await person.expect(lambda m: _from(m, centre_bot), timeout=5)
        ref = ref_in(reply["body"])
        assert ref, reply["body"]  # (how fast: `damrongdham bench`, not a timed test)
        told = catalogue.values(reply["body"], "citizen.case_opened")
        assert told["ref"] == ref and re.fullmatch(r"\d{6}", told["pin"])
        year = buddhist_year(dt.datetime.now(dt.UTC))
        assert ref.startswith(f"TH57-{year}-")

        case_jid = f"{ref.lower()}@{bot}"
        announce = await agent.expect(
            lambda m: m["type"] == "groupchat" and ref in m["body"], timeout=5
        )
        # a big hole that makes vehicles fall every day: a hazard, flagged for the agents
        assert catalogue.matches(announce["body"], "room.new_case_hazard")
        assert f"xmpp:{case_jid}?message" in announce["body"]
        assert "หลุม" in catalogue.values(announce["body"], "room.new_case_hazard")["summary"]
        # The only available agent of the centre gets the case (the 2015 "Available" switch):
        # a chat opens from the case address, the room sees who has it, the citizen is told.
        offer = await agent.expect(
            lambda m: _from(m, case_jid) and catalogue.matches(m["body"], "agent.case_offered")
        )
        offered = catalogue.values(offer["body"], "agent.case_offered")
        assert offered["ref"] == ref and "หลุม" in offered["summary"]
        auto = await agent.expect(
            lambda m: (
                m["type"] == "groupchat" and catalogue.matches(m["body"], "room.auto_assigned")
            )
        )
        assert catalogue.values(auto["body"], "room.auto_assigned") == {
            "ref": ref,
            "agent": creds["jid"],
        }
        told = await person.expect(lambda m: "มอบหมาย" in m["body"] or "assigned" in m["body"])
        assert ref in told["body"] and creds["jid"] not in told["body"]

        agent.say(case_jid, "รับเรื่องแล้วครับ จะส่งช่างไปตรวจพรุ่งนี้")
        answer = await person.expect(lambda m: "ส่งช่าง" in m["body"], timeout=5)
        assert _from(answer, centre_bot)  # signed by the centre …
        assert creds["jid"] not in answer["body"] and creds["jid"] not in str(answer["from"])
        assert ref in answer["body"]

        person.say(centre_bot, "ขอบคุณค่ะ หลุมอยู่หน้าร้านขายของชำ")
        relayed = await agent.expect(lambda m: "ร้านขายของชำ" in m["body"], timeout=5)
        assert _from(relayed, case_jid)
        assert relayed["type"] == "chat"
        person.close()
        agent.close()
        return ref, person.jid

    ref, citizen_jid = asyncio.run(scenario())
    store = _store(stack)
    case = store.get(ref)
    assert case is not None
    assert (case.centre, case.province, case.citizen_jid) == ("chiangrai", "TH-57", citizen_jid)
    assert case.assigned_to == creds["jid"]
    transcript = [(m.direction, m.sender, m.body) for m in store.transcript(ref)]
    assert [d for d, _, _ in transcript] == ["citizen", "system", "agent", "citizen"]
    assert transcript[2][1] == creds["jid"]
    assert "ร้านขายของชำ" in transcript[3][2]
    assigned = [e for e in store.events(ref) if e.kind == "assigned"]
    assert [(e.actor, e.note) for e in assigned] == [(info["bot_domain"], f"auto:{creds['jid']}")]


@pytest.mark.parametrize(
    ("to_local", "body", "key"),
    [
        ("nowhere", "มีปัญหาเรื่องน้ำประปา", "citizen.unknown_centre"),
        ("chiangrai", "   \n\t ", "citizen.empty_message"),
        ("chiangrai", "ก" * 22000, "citizen.too_long"),  # 66 KB of UTF-8
    ],
    ids=["unknown-centre", "whitespace-only", "64kb"],
)
def test_bad_messages_get_a_clear_reply_and_store_nothing(stack, to_local, body, key):
    info = stack.info
    before = _store(stack).count()

    async def scenario() -> str:
        person = await citizen(info)
        person.say(f"{to_local}@{info['bot_domain']}", body)
        reply = await person.expect(lambda m: m["type"] != "error", timeout=5)
        person.close()
        return reply["body"]

    text = asyncio.run(scenario())
    assert catalogue.matches(text, key), text
    assert _store(stack).count() == before


def test_redelivered_message_opens_one_case_and_one_reply(stack) -> None:
    info = stack.info
    centre_bot = f"lampang@{info['bot_domain']}"

    async def scenario() -> list[str]:
        person = await citizen(info)
        for _ in range(3):
            person.say(centre_bot, "มีคนเผาขยะทุกคืน ควันเข้าบ้าน", origin="same-origin-id-1")
        await person.expect(lambda m: _from(m, centre_bot), timeout=5)
        await person.quiet(1.0)
        person.close()
        # The case-opening reply (a "queued" notice may follow: nobody is on duty here).
        return [m["body"] for m in person.inbox
                if _from(m, centre_bot) and catalogue.matches(m["body"], "citizen.case_opened")]

    replies = asyncio.run(scenario())
    assert len(replies) == 1
    ref = ref_in(replies[0])
    assert ref and len(_citizen_lines(stack, ref)) == 1


def test_outsiders_cannot_write_into_a_case(stack) -> None:
    info = stack.info
    bot = info["bot_domain"]

    async def scenario() -> tuple[str, str, str]:
        owner = await citizen(info)
        owner.say(f"nan@{bot}", "มีการตัดไม้ในป่าชุมชน")
        ref = ref_in((await owner.expect(lambda m: _from(m, f"nan@{bot}")))["body"])
        stranger = await citizen(info)
        stranger.say(f"{ref.lower()}@{bot}", "ขอดูเรื่องนี้หน่อย")
        refused = await stranger.expect(lambda m: True)
        stranger.say(f"th57-2500-999999@{bot}", "มีเรื่องนี้ไหม")
        missing = await stranger.expect(lambda m: "999999" in m["body"])
        owner.close()
        stranger.close()
        return ref, refused["body"], missing["body"]

    ref, refused, missing = asyncio.run(scenario())
    assert catalogue.values(refused, "citizen.not_allowed") == {"ref": ref}
    assert catalogue.values(missing, "citizen.unknown_case") == {"ref": "TH57-2500-999999"}
    assert len(_citizen_lines(stack, ref)) == 1


def test_stack_files_are_as_pinned(stack) -> None:
    info = stack.info
    for key in ("domain", "bot_domain", "muc_domain", "citizen_domain", "c2s_host", "c2s_port",
                "web_url"):
        assert key in info
    assert info["bot_domain"] == f"bot.{info['domain']}"
    creds_file = stack.data_dir / "credentials.csv"
    assert stat.S_IMODE(creds_file.stat().st_mode) == 0o600
    assert creds_file.read_text().splitlines()[0] == "slug,jid,password,room"
    creds = stack.credentials()
    assert len(creds) == 76
    passwords = [row["password"] for row in creds.values()]
    assert len(set(passwords)) == 76
    for slug, row in creds.items():
        assert row["jid"] == f"{slug}@{info['domain']}"
        assert row["room"] == f"{slug}@{info['muc_domain']}"
        assert slug not in row["password"].lower() and len(row["password"]) >= 24
    assert "mahasarakham" in creds and "sakonnakhon" in creds
