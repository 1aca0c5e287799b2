"""One citizen flooding the bot is slowed (and told so) without slowing anyone else."""

from __future__ import annotations

import asyncio
import time

import pytest
from xmpp_helpers import citizen, ref_in, start_stack

from bots import catalogue
from casestore import CaseStore

pytestmark = pytest.mark.xmpp

FLOOD = 100


@pytest.fixture(scope="module")
def flood_stack(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAMRONGDHAM_FLOOD_RATE", "20")  # faster than the default 5/s: a short test
        mp.setenv("DAMRONGDHAM_FLOOD_BURST", "10")
        mp.setenv("DAMRONGDHAM_FLOOD_MAX_DELAY", "30")
        running = start_stack(tmp_path_factory.mktemp("flood") / "data")
    try:
        yield running
    finally:
        running.stop()


def test_a_flooder_is_slowed_and_told_while_others_are_served(flood_stack) -> None:
    info = flood_stack.info
    centre_bot = f"phitsanulok@{info['bot_domain']}"
    store = CaseStore(flood_stack.db_url)

    async def scenario() -> tuple[str, str]:
        flooder, calm = await citizen(info), await citizen(info)
        for i in range(FLOOD):
            flooder.say(centre_bot, f"ถนนพังหน้าบ้าน ที่ อ.เมือง จ.พิษณุโลก ข้อความ {i + 1}",
                        origin=f"flood-{i}")  # fmt: skip
            await asyncio.sleep(0.01)  # 100 messages a second
            if i == 40:
                calm.say(centre_bot, "ไฟฟ้าดับทั้งหมู่บ้าน ที่ อ.วังทอง จ.พิษณุโลก")
        calm_reply = await calm.expect(lambda m: ref_in(m["body"]) is not None, timeout=10)
        calm_ref = ref_in(calm_reply["body"])
        deadline = time.monotonic() + 30
        while True:
            cases = store.cases_for_citizen(flooder.jid)
            stored = [m for c in cases for m in store.transcript(c.ref) if m.direction == "citizen"]
            if len(stored) >= FLOOD or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)
        told = [m for m in flooder.inbox if catalogue.matches(m["body"], "citizen.slowed")]
        assert len(told) == 1
        assert not any(catalogue.matches(m["body"], "citizen.refused") for m in flooder.inbox)
        assert not any("not recorded" in m["body"] for m in flooder.inbox)
        flooder.close()
        calm.close()
        return flooder.jid, calm_ref

    flooder_jid, calm_ref = asyncio.run(scenario())
    (case,) = store.cases_for_citizen(flooder_jid)
    bodies = [m.body for m in store.transcript(case.ref) if m.direction == "citizen"]
    assert len(bodies) == FLOOD and len(set(bodies)) == FLOOD  # every one, once, in order
    assert [int(b.rsplit(" ", 1)[1]) for b in bodies] == list(range(1, FLOOD + 1))
    last_flood = max(m.created_at for m in store.transcript(case.ref) if m.direction == "citizen")
    calm_case = store.get(calm_ref)
    assert calm_case is not None and calm_case.created_at < last_flood  # not queued behind
    store.close()


REFUSED_BURST = 300


@pytest.fixture(scope="module")
def tight_stack(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAMRONGDHAM_FLOOD_RATE", "5")
        mp.setenv("DAMRONGDHAM_FLOOD_BURST", "5")
        mp.setenv("DAMRONGDHAM_FLOOD_MAX_DELAY", "1")  # ~10 messages pass, the rest refused
        running = start_stack(tmp_path_factory.mktemp("refused") / "data")
    try:
        yield running
    finally:
        running.stop()


def test_a_burst_of_refused_messages_gives_one_notice_and_stores_nothing(tight_stack) -> None:
    info = tight_stack.info
    centre_bot = f"phitsanulok@{info['bot_domain']}"
    store = CaseStore(tight_stack.db_url)

    async def scenario() -> tuple[str, list[str]]:
        flooder, calm = await citizen(info), await citizen(info)
        errors: list = []  # body-less error messages: slixmpp's "message_error" only
        flooder.client.add_event_handler("message_error", errors.append)
        for i in range(REFUSED_BURST):
            flooder.say(centre_bot, f"ถนนพังหน้าบ้าน ที่ อ.เมือง จ.พิษณุโลก ข้อความ {i + 1}",
                        origin=f"refused-{i}")  # fmt: skip
            if i % 50 == 0:
                await asyncio.sleep(0.01)
        calm.say(centre_bot, "ไฟฟ้าดับทั้งหมู่บ้าน ที่ อ.วังทอง จ.พิษณุโลก")
        await calm.expect(lambda m: ref_in(m["body"]) is not None, timeout=10)
        await asyncio.sleep(3)  # the delayed ones are handled, any late notice arrives
        bodies = [m["body"] for m in flooder.inbox if m["body"] and m["type"] != "error"]
        flooder.close()
        calm.close()
        return flooder.jid, bodies, errors

    flooder_jid, bodies, errors = asyncio.run(scenario())
    # Prosody's flood guard (burst 200 at 20/s) dropped the last ~100 before any write,
    # with one error for all of them
    assert len(errors) == 1 and "Too many messages" in errors[0]["error"]["text"]
    refused = [b for b in bodies if catalogue.matches(b, "citizen.refused")]
    slowed = [b for b in bodies if catalogue.matches(b, "citizen.slowed")]
    assert len(refused) == 1 and len(slowed) <= 1  # one or two notices, not ~290
    stored = [m for c in store.cases_for_citizen(flooder_jid)
              for m in store.transcript(c.ref) if m.direction == "citizen"]  # fmt: skip
    assert 5 <= len(stored) <= 20  # the burst and a second of delay; the refused not stored
    store.close()
