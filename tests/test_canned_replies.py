"""Canned replies: the data file, per-centre overrides, and /reply (/ตอบ) on a case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalogue_helpers import told

from bots import catalogue
from bots.agent_commands.syntax import parse
from bots.canned import DEFAULT, load_canned, parse_canned
from bots.relay import Relay
from casestore import CaseStore, Status
from kernel.addresses import Addresses

D = "d.example"
ADDR = Addresses.for_domain(D)
CITIZEN = f"c@citizens.{D}"
AGENT = f"somchai.phrae@{D}"
STAFF = frozenset({AGENT, f"phrae@{D}"})
ROOM = ADDR.room_jid("phrae")


def test_the_packaged_file_is_valid_and_every_reply_fills_in() -> None:
    canned = load_canned(DEFAULT)
    assert {"received", "details", "hours", "thanks"} <= set(canned.defaults)
    for reply in canned.of("phrae").values():
        text = reply.text("TH54-2569-000001", "ศูนย์ดำรงธรรมจังหวัดแพร่", "Phrae centre")
        assert "{" not in text and "}" not in text
        th, en = text.split("\n")
        assert th and en and reply.th_name


def test_centre_overrides_replace_and_add(tmp_path: Path) -> None:
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    data["centres"] = {
        "phrae": {
            "hours": {"th_name": "เวลาทำการ", "th": "เปิด 08:00 น.", "en": "Opens 08:00."},
            "market": {"th_name": "ตลาด", "th": "ตลาดนัด {ref}", "en": "Market {ref}"},
        }
    }
    canned = parse_canned(json.dumps(data))
    assert canned.find("phrae", "hours").th == "เปิด 08:00 น."
    assert canned.find("nan", "hours").th != "เปิด 08:00 น."
    assert canned.find("phrae", "ตลาด").name == "market"
    assert canned.find("nan", "market") is None
    assert canned.find("phrae", "HOURS") is not None


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        '{"defaults": []}',
        '{"defaults": {"Bad Name": {"th_name": "x", "th": "x", "en": "x"}}}',
        '{"defaults": {"a": {"th": "x", "en": "x"}}}',
        '{"defaults": {"a": {"th_name": "x", "th": "{phone}", "en": "x"}}}',
        '{"defaults": {"a": {"th_name": "x", "th": "{", "en": "x"}}}',
        '{"defaults": {"a": {"th_name": "two words", "th": "x", "en": "x"}}}',
    ],
)
def test_malformed_files_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_canned(text, "test.json")


def test_reply_command_parses_in_both_languages() -> None:
    assert (parse("/reply hours").name, parse("/reply hours").arg) == ("reply", "hours")
    assert (parse("/ตอบเวลาทำการ").name, parse("/ตอบเวลาทำการ").arg) == ("reply", "เวลาทำการ")
    assert parse("/ตอบ").name == "reply" and parse("/ตอบ").arg == ""


@pytest.fixture
def ref(store: CaseStore) -> str:
    return store.open_case(
        centre="phrae", province="TH-54", citizen_jid=CITIZEN, body="น้ำประปาไม่ไหลสามวันแล้ว"
    ).case.ref


def say(store: CaseStore, ref: str, body: str):
    relay = Relay(store, ADDR, canned=load_canned(DEFAULT))
    return relay.from_case_address(AGENT, ref.lower(), body, None, True, STAFF)


def test_reply_sends_the_canned_text_signed_by_the_centre(store, ref) -> None:
    outs = say(store, ref, "/ตอบ ขอข้อมูล")
    (to_citizen,) = [o for o in outs if o.to == CITIZEN]
    assert to_citizen.sender == "phrae" and ref in to_citizen.body
    assert "ศูนย์ดำรงธรรมจังหวัดแพร่" in to_citizen.body and AGENT not in to_citizen.body
    assert "please tell us where" in to_citizen.body
    (confirm,) = [o for o in outs if o.to == AGENT]
    assert told(confirm.body, "agent.canned_sent")["name"] == "details"
    last = store.transcript(ref)[-1]
    assert (last.direction, last.sender) == ("agent", AGENT) and "รายละเอียด" in last.body
    case = store.get(ref)  # like any first reply, it takes the unheld case
    assert case.assigned_to == AGENT and case.status == Status.ASSIGNED


def test_reply_alone_lists_and_unknown_is_refused(store, ref) -> None:
    (listing,) = say(store, ref, "/reply")
    assert listing.to == AGENT
    lines = told(listing.body, "agent.canned_list")["listing"].split("\n")
    named = [catalogue.values(line, "agent.canned_line") for line in lines]
    assert all(catalogue.matches(line, "agent.canned_line") for line in lines)
    assert "hours" in {n["name"] for n in named} and "ขอบคุณ" in {n["th_name"] for n in named}
    (refused,) = say(store, ref, "/reply poem")
    assert refused.to == AGENT
    read = told(refused.body, "agent.no_canned")
    assert read["arg"] == "poem" and read["listing"] == "\n".join(lines)
    assert [m.direction for m in store.transcript(ref)] == ["citizen"]
    assert store.get(ref).assigned_to is None


def test_reply_on_a_closed_case_sends_nothing(store, ref) -> None:
    store.set_status(ref, Status.CLOSED, AGENT)
    (refused,) = say(store, ref, "/reply thanks")
    assert refused.to == AGENT
    assert told(refused.body, "agent.reply_not_open")["status"] == "closed"
    assert [m.direction for m in store.transcript(ref)] == ["citizen"]
