"""``/whoami`` (``/เรื่องของฉัน``, ``/mine``): the open cases the agent holds, as a chat text
command, a room command and an ad-hoc command — all from its one module."""

from __future__ import annotations

import asyncio

import pytest
from catalogue_helpers import told
from test_adhoc_commands import app, citizen_app, execute, notes, open_case, password_of
from xmpp_helpers import start_stack

from bots import catalogue
from bots.agent_commands.room import parse_room, without_case
from bots.agent_commands.syntax import help_text, parse
from bots.relay import Relay
from casestore import CaseStore, Status
from kernel.addresses import Outgoing

D = "damrongdham.localhost"
SOMCHAI = f"somchai.phrae@{D}"
MALI = f"mali.phrae@{D}"
STAFF = frozenset({f"phrae@{D}", SOMCHAI, MALI})
CITIZEN = f"nok@citizens.{D}"


def open_phrae(store: CaseStore, body: str) -> str:
    return store.open_case(
        centre="phrae", province="TH-54", citizen_jid=CITIZEN, body=body
    ).case.ref


def says(relay: Relay, ref: str, agent: str, body: str) -> list[Outgoing]:
    return relay.from_case_address(agent, ref.lower(), body, None, True, STAFF)


def test_whoami_is_a_command_in_both_languages_and_in_help() -> None:
    for body in ("/whoami", "!whoami", "/เรื่องของฉัน", "!mine"):
        cmd = parse(body)
        assert cmd is not None and cmd.name == "whoami" and cmd.arg == ""
    assert "/whoami" in help_text() and "/เรื่องของฉัน" in help_text()


def test_whoami_lists_the_agents_own_open_cases(store: CaseStore, relay: Relay) -> None:
    water = open_phrae(store, "น้ำประปาไม่ไหลสามวันแล้ว")
    road = open_phrae(store, "ถนนหน้าบ้านเป็นหลุมลึก")
    light = open_phrae(store, "ไฟถนนดับทั้งซอย")
    done = open_phrae(store, "เสียงดังจากโรงงานตอนกลางคืน")
    says(relay, water, SOMCHAI, "/claim")
    says(relay, road, MALI, "/claim")  # a colleague's: not listed
    says(relay, done, SOMCHAI, "/claim")
    says(relay, done, SOMCHAI, "/close")  # closed: not listed
    seen = len(store.events(water))

    (out,) = says(relay, light, SOMCHAI, "/เรื่องของฉัน")
    assert out.to == SOMCHAI and out.sender == light.lower()  # answered in the case chat
    title = told(out.body.partition("\n")[0], "agent.whoami_title")
    assert (title["case"], title["agent"], title["count"]) == (light, SOMCHAI, "1")
    assert water in out.body and f"xmpp:{water.lower()}@bot.{D}?message" in out.body
    assert "น้ำประปาไม่ไหล" in out.body and "มีเจ้าหน้าที่รับเรื่องแล้ว" in out.body
    assert road not in out.body and done not in out.body
    assert out.body.count(light) == 1  # only the answer's own [ref]
    assert len(store.events(water)) == seen  # a look, not an action: nothing recorded

    (none,) = says(relay, light, f"phrae@{D}", "!whoami")
    title, _, rest = none.body.partition("\n")
    assert told(title, "agent.whoami_title")["count"] == "0"
    assert catalogue.matches(rest, "agent.whoami_none")
    (refused,) = says(relay, light, SOMCHAI, "/whoami now")
    assert told(refused.body, "agent.argument_not_taken")["name"] == "whoami"
    assert store.get(water).status == Status.ASSIGNED


def test_whoami_in_the_room_needs_no_case(store: CaseStore, relay: Relay) -> None:
    ref = open_phrae(store, "น้ำประปาไม่ไหลสามวันแล้ว")
    says(relay, ref, MALI, "/claim")
    for body in ("!whoami", "/whoami", "/เรื่องของฉัน"):
        command = parse_room(body)
        assert command is not None and (command.name, command.ref) == ("whoami", None)
        out = without_case(relay.actions, command, MALI, "phrae")
        assert out.to == MALI and ref in out.body and not out.groupchat
    with_ref = parse_room(f"!whoami {ref}")  # naming a case: run in that case's chat
    assert with_ref is not None and (with_ref.ref, with_ref.text) == (ref, "/whoami")


@pytest.fixture(scope="module")
def whoami_stack(tmp_path_factory: pytest.TempPathFactory):
    running = start_stack(tmp_path_factory.mktemp("whoami") / "data")
    try:
        yield running
    finally:
        running.stop()


def test_whoami_is_an_adhoc_command(whoami_stack) -> None:
    info = whoami_stack.info
    agent_jid = f"nan@{info['domain']}"

    async def scenario() -> None:
        person = await citizen_app(info)
        ref = await open_case(person, info)
        case_jid = f"{ref.lower()}@{info['bot_domain']}"
        agent = await app(info, agent_jid, password_of(whoami_stack, agent_jid))
        items = await agent.client.plugin["xep_0030"].get_items(
            jid=case_jid, node="http://jabber.org/protocol/commands", timeout=10
        )
        listed = {node: name for _jid, node, name in items["disco_items"]["items"]}
        assert listed["whoami"] == "เรื่องของฉัน · whoami"

        before = await execute(agent, case_jid, "whoami")  # no form: runs at once
        assert before["command"]["status"] == "completed"
        assert catalogue.contains(notes(before), "agent.whoami_none")
        await execute(agent, case_jid, "claim")
        after = await execute(agent, case_jid, "whoami")
        title = catalogue.values(notes(after).partition("\n")[0], "agent.whoami_title")
        assert ref in notes(after) and (title["agent"], title["count"]) == (agent_jid, "1")
        assert await agent.quiet(0.5) == []  # told in the note, not as a chat message
        for p in (agent, person):
            p.close()

    asyncio.run(scenario())
