"""Faults while citizens report (`damrongdham chaos`): nothing lost, nothing doubled.

Each scenario runs its own stack and prints its counts (run pytest with -s to see them).
"""

from __future__ import annotations

import asyncio
import os
import xml.etree.ElementTree as ET

import pytest
from slixmpp.exceptions import IqError
from xmpp_helpers import citizen, login, ref_in

from bots import catalogue
from devtools.chaos import SCENARIOS, run_scenario

pytestmark = pytest.mark.xmpp

NS = "urn:xmpp:damrongdham:spool:0"
SIZES = {  # (clients, messages): the full size for the bot kill, smaller elsewhere
    "bot-kill": (50, 1000),
    "prosody-restart": (30, 300),
    "db-lock": (30, 300),
    "disk-full": (30, 300),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_message_lost_or_doubled(scenario: str, tmp_path) -> None:
    if scenario == "disk-full" and os.geteuid() != 0:
        pytest.skip("disk-full mounts a small tmpfs: needs root")
    clients, messages = SIZES[scenario]
    result = run_scenario(scenario, clients, messages, rate=150.0, workdir=tmp_path)
    print(result.line())
    assert result.sent == messages
    assert (result.stored_once, result.missing, result.duplicated) == (messages, 0, 0)
    assert result.cases == clients
    assert result.citizens_without_reference == 0
    if scenario in ("prosody-restart", "bot-kill"):
        # A crash between the answer leaving and the acknowledgement written right behind it
        # makes the bot answer again after the replay (a new PIN): rarely, a citizen gets the
        # reference twice. Never none.
        repeated = result.references_received - clients
        assert repeated <= (clients if scenario == "prosody-restart" else 3)
    else:
        assert result.citizens_with_one_reference == clients
        assert result.references_received == clients
    assert result.faults, "the fault was not injected"
    assert result.unconfirmed == 0  # every app got its receipt (XEP-0184)
    if scenario != "prosody-restart":  # the bot's side alone kept everything
        assert result.resent_by_apps == 0
    if scenario == "bot-kill":
        assert len(result.faults) == 2 and all("(1 process)" in f for f in result.faults)
        assert result.replayed_by_spool > 0  # kept while the bot was down, then replayed


def test_clients_cannot_forge_or_drive_the_spool(stack) -> None:
    """A spool element from a client is stripped; only the component may ack or replay."""
    info = stack.info
    bot, centre_bot = info["bot_domain"], f"nan@{info['bot_domain']}"

    async def scenario() -> None:
        person = await citizen(info)
        msg = person.client.make_message(
            mto=centre_bot, mbody="ไฟฟ้าดับทั้งซอย ที่ อ.เมือง จ.น่าน", mtype="chat"
        )
        ET.SubElement(msg.xml, f"{{{NS}}}spool", id="forged-1", delivered="1")
        msg.send()
        reply = await person.expect(lambda m: ref_in(m["body"]) is not None)
        # handled as new: the forged id meant nothing
        assert catalogue.matches(reply["body"], "citizen.case_opened")
        for name in ("ack", "replay"):
            iq = person.client.make_iq_set(ito=bot)
            ET.SubElement(ET.SubElement(iq.xml, f"{{{NS}}}{name}"), f"{{{NS}}}item", id="x")
            with pytest.raises(IqError) as refused:
                await iq.send(timeout=10)
            assert refused.value.iq["error"]["condition"] == "forbidden"
        person.close()

    asyncio.run(scenario())


def test_an_offline_agent_gets_the_citizens_messages_on_return(stack) -> None:
    """The holder of a case is offline while the citizen writes: it waits for them."""
    info = stack.info
    creds = stack.credentials()["nakhonphanom"]
    room = f"nakhonphanom@{info['muc_domain']}"
    centre_bot = f"nakhonphanom@{info['bot_domain']}"

    async def scenario() -> None:
        agent = await login(info, creds["jid"], creds["password"])
        await agent.join(room, "เวร")
        person = await citizen(info)
        person.say(centre_bot, "น้ำท่วมถนนเข้าหมู่บ้าน ที่ อ.เมือง จ.นครพนม")
        ref = ref_in((await person.expect(lambda m: ref_in(m["body"]) is not None))["body"])
        case_jid = f"{ref.lower()}@{info['bot_domain']}"
        await agent.expect(lambda m: str(m["from"].bare) == case_jid)  # routed to them
        agent.say(case_jid, "รับเรื่องแล้วครับ")
        await person.expect(lambda m: "รับเรื่องแล้วครับ" in m["body"])
        agent.close()
        await asyncio.sleep(0.5)
        person.say(centre_bot, "ตอนนี้น้ำสูงขึ้นอีกแล้ว")
        await asyncio.sleep(0.5)
        back = await login(info, creds["jid"], creds["password"])  # offline delivery
        got = await back.expect(lambda m: "น้ำสูงขึ้น" in m["body"], timeout=10)
        assert str(got["from"].bare) == case_jid
        back.close()
        person.close()

    asyncio.run(scenario())


def test_chaos_command_refuses_bad_arguments(capfd) -> None:
    """`damrongdham chaos` runs the harness as its own program (`python -m devtools`)."""
    from damrongdham.cli import main

    assert main(["chaos", "meteor"]) == 2
    assert main(["chaos", "bot-kill", "--clients", "10", "--messages", "5"]) == 2
    assert "error:" in capfd.readouterr().out


def test_unknown_scenario_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        run_scenario("meteor")




def test_a_flood_slows_nobody_and_is_reported(tmp_path) -> None:
    """`damrongdham chaos flood` in a short run: the flood is refused, every one of the
    bystander's messages is confirmed and stored exactly once, and the report carries the
    figures the issue asks for (the targets are judged in `damrongdham chaos`, not here)."""
    from devtools.chaos_flood import run_flood

    result = run_flood(flood_rate=500.0, flood_seconds=2.0, calm_seconds=2.0, workdir=tmp_path)
    print(result.line())
    f = result.figures
    assert f["flood_sent"] == 1000 and f["flood_refused_estimated"] > 0
    assert result.all_confirmed and result.stored_exactly_once, result.as_json()
    assert result.bystander_stored == f["bystander_sent"] > 10
    for key in ("p50_ms_without_flood", "p99_ms_without_flood", "p50_ms_with_flood",
                "p99_ms_with_flood", "p99_extra_ms", "prosody_db_growth_mb_per_10k_refused"):
        assert isinstance(f[key], float | int), key
    report = result.as_json()
    assert {"ok", "fast_enough", "small_enough"} <= report.keys()
    assert "p99 extra" in result.line() and "per 10,000 refused" in result.line()


def test_chaos_flood_refuses_a_bad_rate(capfd) -> None:
    from damrongdham.cli import main

    assert main(["chaos", "flood", "--flood-rate", "0"]) == 2
    assert "flood rate" in capfd.readouterr().out
