"""One masking rule whatever address a citizen writes to (real Prosody, real clients).

An ID number and a phone number are planted in messages to every kind of address — a centre
address (new case and follow-up), the general address, a case address, a merged case's
address, and the same from an anonymous session — and none survives in the case store nor
in what the agents receive: all go through `bots.inbound.Inbound.store_message`."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from test_anon_tips_xmpp import anonymous
from xmpp_helpers import citizen, login, ref_in

from casestore import CaseStore

pytestmark = pytest.mark.xmpp

ID = "1101700203451"
PHONE = "0812345678"
# The same numbers as people write them: spaced, dashed, Thai digits.
PLANTS = (
    f"บัตรประชาชน {ID} โทร {PHONE}",
    "เลขบัตร 1-1017-00203-45-1 เบอร์ 081-234-5678",
    "บัตร ๑๑๐๑๗๐๐๒๐๓๔๕๑ โทร ๐๘๑ ๒๓๔ ๕๖๗๘",
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))


def _leaks(text: str) -> bool:
    digits = _digits(text)
    return ID in digits or PHONE in digits


def test_planted_numbers_are_masked_at_every_address(stack) -> None:
    info = stack.info
    bot = info["bot_domain"]
    agent_creds = stack.credentials()["lampang"]
    tip_creds = stack.credentials()["sukhothai"]
    tag = uuid.uuid4().hex[:6]

    async def scenario() -> dict[str, list[str]]:
        relayed: dict[str, list[str]] = {}
        agent = await login(info, agent_creds["jid"], agent_creds["password"])
        tip_agent = await login(info, tip_creds["jid"], tip_creds["password"])

        # 1. centre address, new case; 2. the same, a follow-up; 3. the case address.
        person = await citizen(info)
        centre = f"lampang@{bot}"
        person.say(centre, f"ไฟถนนดับทั้งซอยมาหนึ่งสัปดาห์ มืดมาก {tag} {PLANTS[0]}")
        opened = await person.expect(lambda m: ref_in(m["body"]) is not None, timeout=10)
        ref = ref_in(opened["body"])
        assert ref is not None
        person.say(centre, f"เพิ่มเติมค่ะ {PLANTS[1]}")
        person.say(f"{ref.lower()}@{bot}", f"ติดต่อกลับได้ {PLANTS[2]}")
        agent.say(f"{ref.lower()}@{bot}", "รับเรื่องแล้วค่ะ")  # the agent takes the case
        await person.expect(lambda m: "รับเรื่องแล้วค่ะ" in m["body"], timeout=10)
        person.say(f"{ref.lower()}@{bot}", f"ขอบคุณค่ะ {PLANTS[0]}")
        got = await agent.expect(lambda m: "ขอบคุณค่ะ" in m["body"], timeout=10)
        relayed["case address → agent"] = [got["body"]]

        # 4. a merged case's address: the words land in the case kept, masked.
        with CaseStore(stack.db_url) as store:
            dup = store.open_case(
                centre="lampang", province="TH-52", district=None, citizen_jid=person.jid,
                body="เรื่องซ้ำ", type="complaint", topic="infrastructure", urgent=False,
                urgent_reason=None, origin_id=None, channel="xmpp",
            ).case  # fmt: skip
            store.merge(dup.ref, ref, agent_creds["jid"])
        person.say(f"{dup.ref.lower()}@{bot}", f"เรื่องเดิมค่ะ {PLANTS[1]}")
        got = await agent.expect(lambda m: "เรื่องเดิมค่ะ" in m["body"], timeout=10)
        relayed["merged case address → agent"] = [got["body"]]

        # 5. the general address, a second citizen naming the province.
        other = await citizen(info)
        other.say(bot, f"ถนนในหมู่บ้านเป็นหลุมลึก รถล้มบ่อย ที่ อ.เมือง จ.ลำพูน {tag} {PLANTS[1]}")
        general = await other.expect(lambda m: ref_in(m["body"]) is not None, timeout=10)
        relayed["general ref"] = [ref_in(general["body"]) or ""]

        # 6. an anonymous session: new tip, follow-up at the centre, the case address.
        tipster = await anonymous(info)
        tip_centre = f"sukhothai@{bot}"
        tipster.say(tip_centre, f"แจ้งเบาะแสบ่อนการพนันหลังตลาด เปิดทุกคืน {tag} {PLANTS[2]}")
        tip = await tipster.expect(lambda m: ref_in(m["body"]) is not None, timeout=10)
        tip_ref = ref_in(tip["body"])
        assert tip_ref is not None
        tipster.say(tip_centre, f"คนคุมบ่อน {PLANTS[0]}")
        tip_agent.say(f"{tip_ref.lower()}@{bot}", "ขอบคุณสำหรับเบาะแส")
        await tipster.expect(lambda m: "ขอบคุณสำหรับเบาะแส" in m["body"], timeout=10)
        tipster.say(f"{tip_ref.lower()}@{bot}", f"รถคันนี้ {PLANTS[1]}")
        got = await tip_agent.expect(lambda m: "รถคันนี้" in m["body"], timeout=10)
        relayed["anonymous case address → agent"] = [got["body"]]
        relayed["refs"] = [ref, dup.ref, tip_ref]
        for p in (agent, tip_agent, person, other, tipster):
            p.close()
        return relayed

    relayed = asyncio.run(scenario())
    ref, dup_ref, tip_ref = relayed.pop("refs")
    general_ref = relayed.pop("general ref")[0]
    for where, bodies in relayed.items():
        for body in bodies:
            assert not _leaks(body), f"{where}: {body!r}"
            assert "[เลขบัตร]" in body and "[เบอร์โทร]" in body, f"{where}: {body!r}"

    with CaseStore(stack.db_url) as store:
        kept = [m for m in store.transcript(ref) if m.direction == "citizen"]
        general = [m for m in store.transcript(general_ref) if m.direction == "citizen"]
        tips = [m for m in store.transcript(tip_ref) if m.direction == "citizen"]
        dup_citizen = [m for m in store.transcript(dup_ref) if m.direction == "citizen"]
        assert store.get(general_ref).centre == "lamphun"
    # centre (new), centre (follow-up), case address twice, merged case's address
    assert len(kept) == 5, [m.body for m in kept]
    assert [m.body for m in dup_citizen] == ["เรื่องซ้ำ"]  # the merged case got nothing more
    assert len(general) == 1 and len(tips) == 3, (general, tips)
    for message in kept + general + tips:
        assert not _leaks(message.body), message.body
        assert "[เลขบัตร]" in message.body and "[เบอร์โทร]" in message.body, message.body
    assert {m.sender for m in tips} == {f"anonymous@{info['anon_domain']}"}
