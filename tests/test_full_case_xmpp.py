"""One whole case, as a citizen and an agent live it, over real Prosody.

Besides asserting each step, it writes the conversation as both parties saw it to
``tests/artifacts/full_case.md`` (the transcript quoted in the docs and closing notes).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from browser_helpers import ARTIFACTS
from catalogue_helpers import is_told, status_notice
from xmpp_helpers import Person, citizen, login, ref_in

from bots import catalogue
from casestore import CaseStore, Status

pytestmark = pytest.mark.xmpp

CENTRE = "lampang"


class Log:
    """Everything sent and received, in order, for the Markdown transcript."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.t0 = time.monotonic()

    def add(self, who: str, where: str, body: str) -> None:
        quoted = "<br>".join(body.strip().splitlines())
        self.lines.append(f"| {time.monotonic() - self.t0:5.1f} s | {who} | {where} | {quoted} |")


def test_a_whole_case_from_complaint_to_rating(stack) -> None:
    info = stack.info
    bot, room = info["bot_domain"], f"{CENTRE}@{info['muc_domain']}"
    centre_bot = f"{CENTRE}@{bot}"
    creds = stack.credentials()[CENTRE]
    log = Log()

    async def got(person: Person, who: str, match, timeout: float = 5.0):
        msg = await person.expect(match, timeout=timeout, start=seen[who])
        seen[who] = person.inbox.index(msg) + 1
        where = f"from `{msg['from'].bare}`" + (" (room)" if msg["type"] == "groupchat" else "")
        log.add(f"**{who}** receives", where, msg["body"])
        return msg

    def said(person: Person, who: str, to: str, body: str, groupchat: bool = False) -> None:
        person.say(to, body, mtype="groupchat" if groupchat else "chat")
        log.add(f"**{who}** writes", f"to `{to}`", body)

    seen = {"agent": 0, "citizen": 0}

    def is_(msg, key: str) -> bool:
        return catalogue.matches(msg["body"], key)

    def notice(msg) -> dict[str, str]:
        """The fields of the citizen's status notice of this case ({} for another text)."""
        return status_notice(msg["body"], ref_in(msg["body"]) or "")

    def read(msg, key: str) -> dict[str, str] | None:
        return catalogue.values(msg["body"], key) if is_(msg, key) else None

    async def scenario() -> str:
        agent = await login(info, creds["jid"], creds["password"])
        agent.client.add_event_handler(
            "groupchat_message", lambda m: agent._on_message(m) if m["body"] else None
        )
        await agent.join(room, "เจ้าหน้าที่วันดี")
        person = await citizen(info)

        said(person, "citizen", centre_bot, "ไฟถนนดับทั้งซอยมาหนึ่งสัปดาห์ มืดมาก อันตราย ที่ อ.เมือง จ.ลำปาง")
        opened = await got(person, "citizen", lambda m: ref_in(m["body"]) is not None)
        ref = ref_in(opened["body"])
        assert catalogue.values(opened["body"], "citizen.case_opened")["ref"] == ref
        case_jid = f"{ref.lower()}@{bot}"
        from_case = lambda m: str(m["from"].bare) == case_jid  # noqa: E731
        await got(agent, "agent", lambda m: m["type"] == "groupchat" and ref in m["body"])
        await got(agent, "agent", lambda m: from_case(m) and is_(m, "agent.case_offered"))
        await got(person, "citizen", lambda m: notice(m).get("status_en") == "assigned")

        said(agent, "agent", case_jid, "สวัสดีค่ะ ศูนย์ฯ รับเรื่องแล้ว ขอทราบชื่อซอยด้วยค่ะ")
        reply = await got(person, "citizen", lambda m: "ชื่อซอย" in m["body"])
        assert str(reply["from"].bare) == centre_bot and creds["jid"] not in reply["body"]
        said(person, "citizen", centre_bot, "ซอยพหลโยธิน 12 ค่ะ")
        await got(agent, "agent", lambda m: from_case(m) and "พหลโยธิน" in m["body"])

        said(agent, "agent", case_jid, "/note โทรแจ้งเทศบาลนครลำปางแล้ว")
        await got(agent, "agent", lambda m: from_case(m) and is_told(m["body"], "agent.note_saved"))
        said(agent, "agent", case_jid, "/status in_progress")
        await got(person, "citizen", lambda m: notice(m).get("status_th") == "กำลังดำเนินการ")
        said(agent, "agent", case_jid, "/resolve เทศบาลเปลี่ยนหลอดไฟครบทั้งซอยแล้ว")
        resolved = await got(person, "citizen", lambda m: notice(m).get("status_en") == "resolved")
        text, invitation = notice(resolved)["more"].removeprefix("\n").split("\n", 1)
        assert text == "เทศบาลเปลี่ยนหลอดไฟครบทั้งซอยแล้ว"
        assert catalogue.values(invitation, "citizen.rating_invitation")["ref"] == ref
        said(person, "citizen", centre_bot, "5")
        thanks = {"ref": ref, "score": "5"}
        await got(person, "citizen", lambda m: read(m, "citizen.rating_thanks") == thanks)
        said(person, "citizen", centre_bot, f"สถานะ {ref}")
        status = await got(person, "citizen", lambda m: is_(m, "citizen.case_status"))
        told = read(status, "citizen.case_status")
        assert (told["ref"], told["status_en"]) == (ref, "resolved")
        said(agent, "agent", case_jid, "/history")
        await got(
            agent,
            "agent",
            lambda m: from_case(m) and is_told(m["body"].partition("\n")[0], "agent.history_title"),
        )
        agent.close()
        person.close()
        return ref

    ref = asyncio.run(scenario())
    store = CaseStore(stack.db_url)
    case = store.get(ref)
    assert case.status == Status.RESOLVED and store.rating(ref) == 5
    notes = [m.body for m in store.transcript(ref) if m.direction == "note"]
    assert notes == ["โทรแจ้งเทศบาลนครลำปางแล้ว"]
    kinds = [e.kind for e in store.events(ref)]
    assert kinds[:2] == ["opened", "assigned"] and "rated" in kinds and "history" in kinds
    audit = [
        f"| {e.at:%H:%M:%S} | {e.kind} | `{e.actor}` | {e.note or ''} |" for e in store.events(ref)
    ]
    store.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "full_case.md").write_text(
        f"# Case {ref}: the whole conversation\n\n"
        "Recorded by tests/test_full_case_xmpp.py against a real `damrongdham up`.\n\n"
        "| t | who | where | text |\n|---|---|---|---|\n" + "\n".join(log.lines)
        + "\n\n## Audit log\n\n| UTC | event | actor | note |\n|---|---|---|---|\n"
        + "\n".join(audit) + "\n",
        encoding="utf-8",
    )
