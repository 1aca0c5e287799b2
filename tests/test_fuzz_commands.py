"""Fuzzing the command parsers (issue 7, hostile input): agent commands in a case chat
(`bots.agent_commands.syntax.parse`, `parse_status`), in a centre room
(`bots.agent_commands.room.parse_room`) and citizens' own commands (`bots.citizen.parse`).

Each property runs ``DAMRONGDHAM_FUZZ_EXAMPLES`` inputs (default 10,000): arbitrary Unicode
(lone surrogates, controls, every script), and text built from the real command words, case
references, digits in several scripts and separators, so the interesting paths are reached.
"""

from __future__ import annotations

import os
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bots import citizen
from bots.agent_commands import registry
from bots.agent_commands.room import parse_room
from bots.agent_commands.syntax import PREFIXES, parse, parse_status
from casestore import Status, parse_ref

SPECS = registry.commands()
BY_WORD = registry.by_word()

EXAMPLES = int(os.environ.get("DAMRONGDHAM_FUZZ_EXAMPLES", "10000"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)

SPEC_NAMES = {s.name for s in SPECS}
STATUS_WORDS = [s.value for s in Status] + ["in progress", "in-progress", "กำลังดำเนินการ",
                                            "ปิดเรื่อง", "รอผู้ร้อง", "waiting", "เปิดใหม่"]
REFS = ["TH57-2569-000001", "th10-2569-123456", "TH00-2570-000000", "TH57-2569-00001",
        "xmpp:th57-2569-000042@bot.damrongdham.localhost", "TH๕๗-๒๕๖๙-๐๐๐๐๐๑",
        "TH57-2569-000001@bot.x?message", "ZZ99-9999-999999"]

# Every code point, lone surrogates included (broken clients send them); fragments add
# surrogates often, since they are only 0.2 % of the code points.
any_char = st.characters(exclude_categories=())
fragment = st.one_of(
    st.sampled_from(sorted(BY_WORD) + list(citizen.WORDS) + STATUS_WORDS + REFS),
    st.sampled_from([" ", "  ", "\n", "\t", "\u200b", "\u00a0", "\u3000", "/", "!", "//", "!!",
                     "@", "?", "-", "_", ":", "xmpp:", "\ud800", "\udfff", "\x00", "\u202e"]),
    st.sampled_from([*"0123456789๐๑๒๓๔๕๖๗๘๙", "¹", "²", "³", "٣", "۵", "१", "Ⅳ", "⑤"]),
    st.text(any_char, max_size=8),
    st.text(string.ascii_letters + string.digits, max_size=6),
)
hostile_text = st.one_of(
    st.text(any_char, max_size=300),
    st.lists(fragment, max_size=12).map("".join),
    st.builds(lambda p, rest: p + rest, st.sampled_from((*PREFIXES, " /", "\n!", "\u3000/")),
              st.lists(fragment, max_size=8).map("".join)),
)


def check_agent_command(body: str) -> None:
    """`parse`: never raises; a command only for text starting with / or !, never //x."""
    cmd = parse(body)
    if not body.strip().startswith(PREFIXES):
        assert cmd is None, f"{body!r} does not start with / or ! but parsed as {cmd}"
    if cmd is None:
        return
    assert cmd.spec is None or cmd.spec.name in SPEC_NAMES
    assert isinstance(cmd.word, str) and cmd.word
    assert isinstance(cmd.arg, str) and cmd.arg == cmd.arg.strip()
    stripped = body.strip()
    assert stripped[1] != stripped[0], "//text and !!text are text for the citizen"


def check_room_command(body: str) -> None:
    """`parse_room`: never raises; only our commands; a reference given is valid."""
    cmd = parse_room(body)
    if not body.strip().startswith(PREFIXES):
        assert cmd is None
    if cmd is None:
        return
    assert cmd.name in SPEC_NAMES
    if cmd.ref is not None:
        assert str(parse_ref(cmd.ref)) == cmd.ref  # canonical and valid
        assert cmd.text.startswith(f"/{cmd.name}")
    if cmd.text:
        check_agent_command(cmd.text)


def check_citizen_command(body: str) -> None:
    """`bots.citizen.parse`: never raises; ordinary text (no command word, not a lone digit)
    is never a command; what it returns is well formed."""
    cmd = citizen.parse(body)
    text = " ".join(body.split())
    ordinary = not (
        any(text.casefold().startswith(w) for w in citizen.WORDS)
        or text[:1].isdigit()
        or any(ch in body for ch in "\u200b\u200c\u200d\u2060\ufeff๐๑๒๓๔๕๖๗๘๙")
    )
    if ordinary:
        assert cmd is None, f"{body!r} parsed as {cmd}"
    if cmd is None:
        return
    assert cmd.kind in (citizen.STATUS, citizen.RATE, citizen.REOPEN)
    if cmd.ref is not None:
        assert str(parse_ref(cmd.ref)) == cmd.ref
    if cmd.kind == citizen.RATE:
        assert cmd.score is not None and 0 <= cmd.score <= 5
    else:
        assert cmd.score is None and not cmd.bare


@pytest.mark.timeout(600)  # ≈ 30 s alone; several times that on a busy machine
@FUZZ
@given(hostile_text)
@example("รับเรื่อง ครับ")  # a Thai sentence starting with a command word is not a command
@example("//claim")
@example("/")
@example("! ")
@example("/\ud800")
@example("/note TH57-2569-000001 โทรกลับแล้ว")
@example("สถานะ")
@example("ให้คะแนน 5 TH57-2569-000001")
@example("rate 99999999999999999999999999")
@example("เปิดเรื่องใหม่ xmpp:th57-2569-000001@bot.x")
@example("in-progress")
def test_command_parsers(body: str) -> None:
    """One hostile input through every parser of typed commands (one hypothesis run, so that
    10,000 inputs each stay within a few seconds per thousand)."""
    check_agent_command(body)
    check_room_command(body)
    found = parse_status(body)
    assert found is None or isinstance(found, Status)
    check_citizen_command(body)


def test_citizen_parse_non_decimal_digit() -> None:
    """A citizen who answers the rating invitation with "²" (or "rate ³") must get an answer,
    not an exception: bots/intake.py calls citizen.parse() on every message, so the exception
    reaches bridge/connection.py, which sends the fault notice and retries the message."""
    for body in ("²", "rate ³", "ให้คะแนน ²", "①"):
        cmd = citizen.parse(body)
        assert cmd is None or cmd.score in (0, None), body
