"""Agent commands as XEP-0050 ad-hoc commands on a case address, against a real Prosody."""

from __future__ import annotations

import asyncio
import csv
import uuid
from pathlib import Path

import pytest
import slixmpp
from catalogue_helpers import status_notice
from slixmpp.exceptions import IqError
from slixmpp.plugins.xep_0004 import Form
from xmpp_helpers import Person, _person, ref_in, start_stack

from bots import catalogue
from casestore import CaseStore, Status
from kernel.xmpp import new_client, register_account, start_client

pytestmark = pytest.mark.xmpp

CENTRE = "nan"
COMPLAINT = "ไฟฟ้าดับทั้งหมู่บ้านมาสามวันแล้ว ที่ อ.เมือง จ.น่าน"
COMMANDS = "http://jabber.org/protocol/commands"


@pytest.fixture(scope="module")
def adhoc_stack(tmp_path_factory: pytest.TempPathFactory):
    running = start_stack(tmp_path_factory.mktemp("adhoc") / "data")
    try:
        yield running
    finally:
        running.stop()


def password_of(stack, jid: str) -> str:
    with (stack.data_dir / "credentials.csv").open(encoding="utf-8") as fh:
        return next(row["password"] for row in csv.DictReader(fh) if row["jid"] == jid)


async def app(info: dict, jid: str, password: str) -> Person:
    """An agent's app that has ad-hoc commands (like Gajim or Converse.js)."""
    client = new_client(jid, password, Path(info["ca_file"]), ("xep_0004", "xep_0050"))
    person = _person(client)
    await start_client(client, info["c2s_host"], info["c2s_port"])
    return person


async def citizen_app(info: dict) -> Person:
    client = await register_account(
        f"c{uuid.uuid4().hex[:10]}@{info['citizen_domain']}", uuid.uuid4().hex,
        info["c2s_host"], info["c2s_port"], Path(info["ca_file"]),
    )  # fmt: skip
    client.register_plugin("xep_0004")
    client.register_plugin("xep_0050")
    return _person(client)


async def open_case(person: Person, info: dict) -> str:
    centre_bot = f"{CENTRE}@{info['bot_domain']}"
    person.say(centre_bot, COMPLAINT)
    reply = await person.expect(lambda m: str(m["from"].bare) == centre_bot, timeout=10)
    ref = ref_in(reply["body"])
    assert ref, reply["body"]
    return ref


async def execute(person: Person, to: str, node: str) -> slixmpp.Iq:
    iq = person.client.make_iq_set(ito=to)
    iq["command"]["node"] = node
    iq["command"]["action"] = "execute"
    return await iq.send(timeout=10)


async def submit(person: Person, to: str, first: slixmpp.Iq, **values: str) -> slixmpp.Iq:
    iq = person.client.make_iq_set(ito=to)
    iq["command"]["node"] = first["command"]["node"]
    iq["command"]["sessionid"] = first["command"]["sessionid"]
    iq["command"]["action"] = "complete"
    form = person.client.plugin["xep_0004"].make_form(ftype="submit")
    for var, value in values.items():
        form.add_field(var=var, value=value)
    iq["command"].append(form)
    return await iq.send(timeout=10)


def the_form(iq: slixmpp.Iq) -> Form:
    return next(s for s in iq["command"]["substanzas"] if isinstance(s, Form))


def notes(iq: slixmpp.Iq) -> str:
    return "\n".join(text for _kind, text in iq["command"]["notes"])


def test_an_agent_lists_and_runs_commands_a_citizen_is_refused(adhoc_stack) -> None:
    info = adhoc_stack.info
    agent_jid = f"{CENTRE}@{info['domain']}"
    other_jid = f"phrae@{info['domain']}"

    async def scenario() -> tuple[str, str]:
        person = await citizen_app(info)
        ref = await open_case(person, info)
        case_jid = f"{ref.lower()}@{info['bot_domain']}"
        agent = await app(info, agent_jid, password_of(adhoc_stack, agent_jid))
        disco = agent.client.plugin["xep_0030"]

        info_iq = await disco.get_info(jid=case_jid, timeout=10)
        assert COMMANDS in info_iq["disco_info"]["features"]
        items = await disco.get_items(jid=case_jid, node=COMMANDS, timeout=10)
        listed = {node: name for _jid, node, name in items["disco_items"]["items"]}
        assert {"claim", "note", "status", "resolve", "close", "reopen", "history", "queue"} <= set(
            listed
        )
        assert {"transfer", "assign", "forward", "merge"} <= set(listed)
        assert listed["claim"] == "รับเรื่อง · claim"
        assert all(jid == case_jid for jid, _n, _name in items["disco_items"]["items"])

        # claim: no argument, carried out at once; the note is what the chat would say
        done = await execute(agent, case_jid, "claim")
        assert done["command"]["status"] == "completed"
        assert catalogue.matches(notes(done), "agent.claimed")
        await person.expect(
            lambda m: status_notice(m["body"], ref).get("status_en") == "assigned", timeout=10
        )
        assert await agent.quiet(0.5) == []  # told in the note, not as a chat message

        # status: a form listing the allowed next statuses, then the change
        form = await execute(agent, case_jid, "status")
        assert form["command"]["status"] == "executing"
        assert set(form["command"]["actions"]) == {"complete"}
        field = the_form(form).get_fields()["status"]
        assert field["type"] == "list-single" and field["required"]
        options = [o["value"] for o in field["options"]]
        assert "in_progress" in options and "new" in options
        assert "merged" not in options and "assigned" not in options
        with pytest.raises(IqError) as hijack:  # only who started a session may go on
            await submit(person, case_jid, form, status="closed")
        assert hijack.value.iq["error"]["condition"] == "forbidden"
        seen = len(person.inbox)
        done = await submit(agent, case_jid, form, status="in_progress")
        assert done["command"]["status"] == "completed"
        assert catalogue.values(notes(done), "agent.status_now")["status"] == "in_progress"
        notice = await person.expect(
            lambda m: status_notice(m["body"], ref).get("status_th") == "กำลังดำเนินการ",
            timeout=10,
            start=seen,
        )
        assert str(notice["from"].bare) == f"{CENTRE}@{info['bot_domain']}"
        assert agent_jid not in notice["body"]

        # note: a form with one text field; never reaches the citizen
        seen = len(person.inbox)
        form = await execute(agent, case_jid, "note")
        done = await submit(agent, case_jid, form, text="โทรหาการไฟฟ้าแล้ว")
        assert catalogue.matches(notes(done), "agent.note_saved")
        assert await person.quiet(1.0) == [] and len(person.inbox) == seen

        # a refused transition: the note says so, nothing changes
        form = await execute(agent, case_jid, "status")
        done = await submit(agent, case_jid, form, status="new")
        assert catalogue.values(notes(done), "agent.cannot_move")["status"] == "new"

        history = await execute(agent, case_jid, "history")
        assert catalogue.values(notes(history), "agent.history_title")["ref"] == ref
        assert "โทรหาการไฟฟ้าแล้ว" in notes(history)
        queue = await execute(agent, case_jid, "queue")
        assert queue["command"]["status"] == "completed"
        assert catalogue.values(notes(queue), "agent.queue_title")["centre"] == "nan"
        assert ref in notes(queue) and agent_jid in notes(queue)

        # the citizen: no commands listed, and running one is forbidden
        items = await person.client.plugin["xep_0030"].get_items(
            jid=case_jid, node=COMMANDS, timeout=10
        )
        assert list(items["disco_items"]["items"]) == []
        for node in ("close", "status"):
            with pytest.raises(IqError) as refused:
                await execute(person, case_jid, node)
            assert refused.value.iq["error"]["condition"] == "forbidden"

        # an agent of another centre is refused too
        other = await app(info, other_jid, password_of(adhoc_stack, other_jid))
        with pytest.raises(IqError) as refused:
            await execute(other, case_jid, "claim")
        assert refused.value.iq["error"]["condition"] == "forbidden"

        # an unknown case or command
        with pytest.raises(IqError) as missing:
            await execute(agent, f"th55-2569-999999@{info['bot_domain']}", "claim")
        assert missing.value.iq["error"]["condition"] == "item-not-found"
        with pytest.raises(IqError) as missing:
            await execute(agent, case_jid, "nonsense")
        assert missing.value.iq["error"]["condition"] == "item-not-found"

        for p in (agent, other, person):
            p.close()
        return ref, person.jid

    ref, citizen_jid = asyncio.run(scenario())
    store = CaseStore(adhoc_stack.db_url)
    case = store.get(ref)
    assert case.status == Status.IN_PROGRESS and case.assigned_to == agent_jid
    assert case.citizen_jid == citizen_jid
    assert [(e.kind, e.actor) for e in store.events(ref) if e.actor == agent_jid] == [
        ("claimed", agent_jid),
        ("status", agent_jid),
        ("note", agent_jid),
        ("history", agent_jid),
    ]
    transcript = store.transcript(ref)  # (with the queued notice: nobody was on duty)
    notices = [m.body for m in transcript if m.direction == "system"]
    assert [m.direction for m in transcript if m.direction != "system"] == ["citizen", "note"]
    assert any(status_notice(n, ref).get("status_en") == "in progress" for n in notices)
