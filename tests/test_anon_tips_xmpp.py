"""Whistle-blower mode on the real stack: SASL ANONYMOUS on anon.D, nothing identifying kept."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from xmpp_helpers import Person, _person, login, ref_in

from bots import catalogue
from casestore import CaseStore
from kernel.xmpp import new_client, start_client

pytestmark = pytest.mark.xmpp

CENTRE = "sukhothai"
TIP = "แจ้งเบาะแสบ่อนการพนันหลังตลาดสดเทศบาลเมืองสุโขทัย เปิดทุกคืนตั้งแต่สามทุ่ม"


async def anonymous(info: dict) -> Person:
    """A tipster from the web page: SASL ANONYMOUS, a random JID for this session only."""
    client = new_client(info["anon_domain"], "", Path(info["ca_file"]))
    person = _person(client)
    await start_client(client, info["c2s_host"], info["c2s_port"])
    assert person.jid.endswith("@" + info["anon_domain"]) and person.jid != info["anon_domain"]
    return person


def _from(msg, jid: str) -> bool:
    return str(msg["from"].bare) == jid


def test_anonymous_tip_round_trip_and_reattach_with_pin(stack) -> None:
    info = stack.info
    bot = info["bot_domain"]
    centre_bot = f"{CENTRE}@{bot}"
    creds = stack.credentials()[CENTRE]
    placeholder = f"anonymous@{info['anon_domain']}"

    async def scenario() -> tuple[str, list[str]]:
        tipster = await anonymous(info)
        tipster.say(centre_bot, TIP)
        opened = await tipster.expect(lambda m: _from(m, centre_bot) and ref_in(m["body"]))
        ref = ref_in(opened["body"])
        # the PIN reply still reaches the tipster
        assert catalogue.matches(opened["body"], "citizen.case_opened"), opened["body"]
        pin = catalogue.values(opened["body"], "citizen.case_opened")["pin"]
        assert re.fullmatch(r"\d{6}", pin)
        case_jid = f"{ref.lower()}@{bot}"

        agent = await login(info, creds["jid"], creds["password"])
        agent.say(case_jid, "ขอบคุณสำหรับเบาะแส จะส่งเจ้าหน้าที่ไปตรวจสอบ")
        answer = await tipster.expect(lambda m: "ขอบคุณสำหรับเบาะแส" in m["body"], timeout=10)
        assert ref in answer["body"]

        # The tipster writes to the case address: relayed to the agent, stored anonymously.
        tipster.say(case_jid, "มีรถตู้มาส่งคนทุกคืน")
        await agent.expect(lambda m: "มีรถตู้มาส่งคน" in m["body"], timeout=10)
        first_jid = tipster.jid
        tipster.close()
        await asyncio.sleep(0.3)

        # A new session (page reopened): not attached until it gives the PIN.
        again = await anonymous(info)
        again.say(case_jid, "สวัสดีครับ")
        refused = await again.expect(lambda m: _from(m, case_jid))
        assert catalogue.contains(refused["body"], "citizen.not_allowed")
        assert catalogue.contains(refused["body"], "citizen.anon_hint")  # how to come back
        start = len(agent.inbox)
        again.say(case_jid, f"PIN {pin}")
        await again.expect(lambda m: catalogue.matches(m["body"], "citizen.reattached"), timeout=10)
        agent.say(case_jid, "ได้รับข้อมูลเพิ่มแล้วครับ")
        await again.expect(lambda m: "ได้รับข้อมูลเพิ่มแล้ว" in m["body"], timeout=10)
        assert not [m for m in agent.inbox[start:] if "สวัสดีครับ" in m["body"]]
        jids = [first_jid, again.jid]
        again.close()
        agent.close()
        return ref, jids

    ref, jids = asyncio.run(scenario())
    store = CaseStore(stack.db_url)
    try:
        case = store.get(ref)
        assert case is not None and case.citizen_jid == placeholder
        senders = {m.sender for m in store.transcript(ref) if m.direction == "citizen"}
        assert senders == {placeholder}
        assert all(e.actor not in jids for e in store.events(ref))
    finally:
        store.close()
    # No anonymous session's JID in any line of the bot's log.
    log = (stack.data_dir / "logs" / "bot.log").read_text(encoding="utf-8")
    assert log  # the bot did log (case opened …)
    for jid in jids:
        assert jid.partition("@")[0] not in log


def test_prosody_keeps_nothing_of_anonymous_sessions_on_disk(stack) -> None:
    """Prosody's own SQL store: no archive (MAM keeps the tip and the PIN in clear), PEP or
    offline row under anon.D. mod_auth_anonymous only blocks the file store, so the anon
    VirtualHost has `storage = "memory"` (prosody/prosody.cfg.lua.in)."""
    import sqlite3

    info = stack.info
    config = (stack.data_dir / "prosody" / "prosody.cfg.lua").read_text(encoding="utf-8")
    anon_host = config.split(f'VirtualHost "{info["anon_domain"]}"', 1)[1]
    anon_host = re.split(r"\n(?:VirtualHost|Component) ", anon_host, maxsplit=1)[0]
    in_memory = re.search(r'^\s*storage\s*=\s*"memory"', anon_host, re.MULTILINE)

    async def scenario() -> str:
        tipster = await anonymous(info)
        tipster.say(f"{CENTRE}@{info['bot_domain']}", TIP + " ครั้งที่สอง")
        await tipster.expect(lambda m: ref_in(m["body"]) is not None)
        jid = tipster.jid
        tipster.close()
        return jid

    jid = asyncio.run(scenario())
    db = stack.data_dir / "prosody" / "data" / "prosody.sqlite"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = []
        for table in tables:
            cols = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            if "host" in cols:
                rows += conn.execute(
                    f'SELECT * FROM "{table}" WHERE host = ?', (info["anon_domain"],)
                ).fetchall()
    finally:
        conn.close()
    assert in_memory
    assert rows == [], jid
