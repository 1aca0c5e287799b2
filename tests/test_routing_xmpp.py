"""Presence-aware routing and commands typed in the centre room, over real Prosody."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
import slixmpp
from catalogue_helpers import is_told, told
from slixmpp.plugins.xep_0045.muc import PresenceArgs
from test_agent_commands_xmpp import Citizen, from_case, keyed, passwords, store_of
from xmpp_helpers import REPO, Person, login, ref_in, start_stack

from bots import catalogue
from casestore import Status

pytestmark = pytest.mark.xmpp

ROUTED = "nan"  # two named agents, mode auto (the default)
WAITING = "phayao"  # its only agent sits in the room as "busy": cases wait for commands
COMPLAINTS = (
    "ไฟฟ้าดับทั้งหมู่บ้านมาสามวันแล้ว ที่ อ.เมือง",
    "น้ำประปาไม่ไหลมาสองวันแล้ว ที่ อ.เมือง",
    "ถนนเป็นหลุมใหญ่หน้าโรงเรียน ที่ อ.เมือง",
)


@pytest.fixture(scope="module")
def route_stack(tmp_path_factory: pytest.TempPathFactory):
    """Its own stack (agent accounts change credentials.csv) with the packaged routing."""
    base = tmp_path_factory.mktemp("routing")
    env_before = os.environ.pop("DAMRONGDHAM_ROUTING", None)
    running = start_stack(base / "data")
    try:
        for name in ("somchai", "mali"):
            done = subprocess.run(
                [sys.executable, "-m", "damrongdham", "provision", "--data-dir",
                 str(running.data_dir), "--no-progress", "agent", "add", ROUTED, name],
                capture_output=True, text=True, timeout=120, cwd=REPO,
                env=dict(os.environ, PYTHAINLP_OFFLINE="1"),
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
        yield running
    finally:
        running.stop()
        if env_before is not None:
            os.environ["DAMRONGDHAM_ROUTING"] = env_before


async def open_case(person: Person, info: dict, centre: str, text: str) -> str:
    centre_bot = f"{centre}@{info['bot_domain']}"
    person.say(centre_bot, text)
    reply = await person.expect(
        lambda m: str(m["from"].bare) == centre_bot and ref_in(m["body"]) is not None
    )
    return ref_in(reply["body"])  # type: ignore[return-value]


async def join(person: Person, room: str, nick: str, show: str = "") -> None:
    await person.client.plugin["xep_0045"].join_muc_wait(
        slixmpp.JID(room), nick, maxstanzas=0, timeout=10,
        presence_options=PresenceArgs(pshow=show) if show else None,
    )  # fmt: skip


def set_show(person: Person, room: str, nick: str, show: str) -> None:
    person.client.send_presence(pto=f"{room}/{nick}", pshow=show)


async def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def test_cases_follow_the_available_agents(route_stack) -> None:
    info, pw = route_stack.info, passwords(route_stack)
    domain, room = info["domain"], f"{ROUTED}@{info['muc_domain']}"
    somchai, mali = f"somchai.{ROUTED}@{domain}", f"mali.{ROUTED}@{domain}"
    store = store_of(route_stack)

    async def scenario() -> None:
        a = await login(info, somchai, pw[somchai])
        b = await login(info, mali, pw[mali])
        await join(a, room, "สมชาย")
        await join(b, room, "มะลิ")
        await asyncio.sleep(0.3)  # the bot sees both presences
        c1, c2 = Citizen(info), Citizen(info)
        p1, p2 = await c1.register(), await c2.register()
        ref1 = await open_case(p1, info, ROUTED, COMPLAINTS[0])
        await wait_for(lambda: store.get(ref1).assigned_to is not None)
        ref2 = await open_case(p2, info, ROUTED, COMPLAINTS[1])
        await wait_for(lambda: store.get(ref2).assigned_to is not None)
        holders = {store.get(ref1).assigned_to, store.get(ref2).assigned_to}
        assert holders == {somchai, mali}  # the least loaded gets the next case
        by_agent = {store.get(r).assigned_to: r for r in (ref1, ref2)}
        agents = {somchai: a, mali: b}
        for jid, ref in by_agent.items():
            offer = await agents[jid].expect(from_case(ref, info))
            assert catalogue.values(offer["body"], "agent.case_offered")["ref"] == ref
        told = await p1.expect(lambda m: "assigned" in m["body"])
        assert ref1 in told["body"] and somchai not in told["body"] and mali not in told["body"]

        # Mali answers hers; Somchai goes away without answering: his case moves to Mali.
        mine, his = by_agent[mali], by_agent[somchai]
        b.say(f"{mine.lower()}@{info['bot_domain']}", "สวัสดีค่ะ รับเรื่องแล้วค่ะ")
        await wait_for(lambda: any(m.direction == "agent" for m in store.transcript(mine)))
        set_show(a, room, "สมชาย", "away")
        await wait_for(lambda: store.get(his).assigned_to == mali)
        back = await a.expect(
            lambda m: from_case(his, info)(m) and catalogue.matches(m["body"], "agent.went_away")
        )
        assert catalogue.values(back["body"], "agent.went_away")["ref"] == his
        assert await b.expect(
            lambda m: from_case(his, info)(m) and catalogue.matches(m["body"], "agent.case_offered")
        )
        returned = [e for e in store.events(his) if e.to_status == Status.NEW and e.from_status]
        assert [e.note for e in returned] == [f"returned: {somchai}"]

        # Mali leaves: the case she answered stays hers, the unanswered one waits, and its
        # citizen hears it is queued; Somchai comes back and gets it.
        waiting_citizen = p1 if his == ref1 else p2
        b.client.plugin["xep_0045"].leave_muc(slixmpp.JID(room), "มะลิ")
        await wait_for(lambda: store.get(his).assigned_to is None)
        assert store.get(mine).assigned_to == mali
        queued = await waiting_citizen.expect(
            lambda m: catalogue.matches(m["body"], "citizen.queued")
        )
        assert catalogue.values(queued["body"], "citizen.queued")["ref"] == his
        set_show(a, room, "สมชาย", "chat")
        await wait_for(lambda: store.get(his).assigned_to == somchai)
        for p in (a, b, p1, p2):
            p.close()

    asyncio.run(scenario())
    store.close()


def test_commands_typed_in_the_centre_room(route_stack) -> None:
    info, pw = route_stack.info, passwords(route_stack)
    domain, room = info["domain"], f"{WAITING}@{info['muc_domain']}"
    centre_jid = f"{WAITING}@{domain}"
    somchai = f"somchai.{ROUTED}@{domain}"
    store = store_of(route_stack)

    async def scenario() -> None:
        agent = await login(info, centre_jid, pw[centre_jid])
        await join(agent, room, "ศูนย์พะเยา", show="dnd")  # present, not available
        citizen = await Citizen(info).register()
        ref = await open_case(citizen, info, WAITING, COMPLAINTS[2])
        # nobody available
        await citizen.expect(lambda m: catalogue.matches(m["body"], "citizen.queued"))
        assert store.get(ref).assigned_to is None

        agent.say(room, f"/claim {ref}", mtype="groupchat")
        held = await agent.expect(
            lambda m: from_case(ref, info)(m) and is_told(m["body"], "agent.claimed")
        )
        assert told(held["body"], "agent.claimed") == {"case": ref}
        assert store.get(ref).assigned_to == centre_jid
        await agent.expect(keyed("room.claimed", groupchat=True, ref=ref, agent=centre_jid))

        agent.say(room, f"!บันทึก {ref.lower()} โทรกลับผู้ร้องแล้ว", mtype="groupchat")
        await wait_for(lambda: any(m.direction == "note" for m in store.transcript(ref)))
        note = [m for m in store.transcript(ref) if m.direction == "note"]
        assert note[0].body == "โทรกลับผู้ร้องแล้ว" and note[0].sender == centre_jid

        agent.say(room, "/me ไปพักเที่ยงก่อนนะ", mtype="groupchat")  # talk, not a command
        agent.say(room, "/claim", mtype="groupchat")
        need = await agent.expect(lambda m: "TH57-2569-000001" in m["body"])
        assert catalogue.matches(need["body"], "agent.need_ref")
        assert catalogue.values(need["body"], "agent.need_ref") == {"name": "claim"}
        agent.say(room, "/คิว", mtype="groupchat")
        queue = await agent.expect(
            lambda m: catalogue.matches(m["body"].partition("\n")[0], "agent.queue_title")
        )
        assert ref in queue["body"] and centre_jid in queue["body"]
        agent.say(room, f"!whoami {ref}", mtype="groupchat")  # the agent's own open cases
        mine = await agent.expect(
            lambda m: (
                from_case(ref, info)(m)
                and is_told(m["body"].partition("\n")[0], "agent.whoami_title")
            )
        )
        title = told(mine["body"].partition("\n")[0], "agent.whoami_title")
        assert (title["agent"], title["count"]) == (centre_jid, "1")
        assert f"xmpp:{ref.lower()}@" in mine["body"]

        # An agent of another centre naming this case in their own room: refused.
        other = await login(info, somchai, pw[somchai])
        await join(other, f"{ROUTED}@{info['muc_domain']}", "สมชาย", show="dnd")
        other.say(f"{ROUTED}@{info['muc_domain']}", f"/close {ref}", mtype="groupchat")
        refused = await other.expect(from_case(ref, info))
        assert catalogue.values(refused["body"], "agent.other_centre")["ref"] == ref
        assert store.get(ref).status == Status.ASSIGNED
        kinds = [e.kind for e in store.events(ref)]
        assert kinds.count("claimed") == 1 and "closed" not in kinds
        for p in (agent, citizen, other):
            p.close()

    asyncio.run(scenario())
    store.close()
