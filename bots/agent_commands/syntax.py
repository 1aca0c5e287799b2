"""Agent text commands, generated from the registry: syntax, help text and status words.

A command is a message whose first character is ``/`` or ``!`` followed by a command word,
English or Thai (``/claim``, ``!รับเรื่อง``). Anything else is a reply to the citizen, so an
ordinary Thai sentence — even one that begins with ``รับเรื่อง`` or ``สถานะ`` — is never taken
for a command. ``//text`` (or ``!!text``) sends ``/text`` (``!text``) to the citizen as is.
Thai command words may be followed by their argument without a space (``/บันทึกโทรแล้ว``),
as Thai is written without spaces between words; English words need a space.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.agent_commands import registry
from bots.agent_commands.base import AgentCommand
from bots.catalogue import render
from casestore import Status
from casestore.labels import STATUS_EN, STATUS_TH

PREFIXES = ("/", "!")


@dataclass(frozen=True)
class Command:
    """A parsed command. ``spec`` is None for an unknown command word (kept in ``word``)."""

    spec: AgentCommand | None
    word: str
    arg: str

    @property
    def name(self) -> str | None:
        return None if self.spec is None else self.spec.name


def parse(body: str) -> Command | None:
    """The command in an agent's message, or None when it is a reply to the citizen."""
    text = body.strip()
    if len(text) < 2 or text[0] not in PREFIXES or text[1] == text[0]:
        return None
    rest = text[1:].lstrip()
    if not rest:
        return None
    parts = rest.split(maxsplit=1)
    head, tail = parts[0], (parts[1].strip() if len(parts) > 1 else "")
    words = registry.by_word()
    spec = words.get(head.casefold())
    if spec is None:
        for word in registry.thai_words():
            if rest.startswith(word):
                return Command(words[word], word, rest[len(word) :].strip())
        return Command(None, head, tail)
    return Command(spec, head, tail)


def command(name: str, arg: str = "") -> Command:
    """The parsed form of ``/<name> <arg>`` (what a submitted ad-hoc form stands for)."""
    spec = registry.get(name)
    if spec is None:
        raise KeyError(name)
    return Command(spec, name, arg)


def reply_text(body: str) -> str:
    """The text relayed to the citizen: ``//x`` becomes ``/x`` (``!!x`` becomes ``!x``)."""
    stripped = body.lstrip()
    if len(stripped) >= 2 and stripped[0] in PREFIXES and stripped[1] == stripped[0]:
        return stripped[1:]
    return body


def argument_problem(cmd: Command) -> str | None:
    """A bilingual complaint when the command's argument is missing or not allowed."""
    spec = cmd.spec
    if spec is None:
        return None
    if spec.arg == "required" and not cmd.arg:
        return render(
            "agent.argument_missing",
            name=spec.name,
            thai=spec.thai,
            usage_en=spec.usage_en,
            usage_th=spec.usage_th,
        )
    if spec.arg == "none" and cmd.arg:
        return render("agent.argument_not_taken", name=spec.name, thai=spec.thai)
    return None


def unknown_command(word: str) -> str:
    return render("agent.unknown_command", word=word)


def help_line(spec: AgentCommand, ref: str = "") -> str:
    """``• /รับเรื่อง · /claim — …``; with `ref`, as typed in the room."""
    where = f" {ref}" if ref else ""
    en = f"/{spec.name}{where} {spec.usage_en}".rstrip()
    th = f"/{spec.thai}{where} {spec.usage_th}".rstrip()
    return f"• {th} · {en} — {spec.help_th} · {spec.help_en}"


def help_text() -> str:
    commands = "\n".join(help_line(spec) for spec in registry.commands())
    statuses = ", ".join(f"{s.value} ({STATUS_TH[s]})" for s in Status)
    return render("agent.help", commands=commands, statuses=statuses)


# -- statuses --------------------------------------------------------------------------------

#: Extra words accepted by `/status <word>` besides the value and the Thai label.
_STATUS_WORDS: dict[str, Status] = {
    "ใหม่": Status.NEW,
    "ดำเนินการ": Status.IN_PROGRESS,
    "ส่งต่อ": Status.FORWARDED,
    "รอผู้ร้อง": Status.WAITING_CITIZEN,
    "รอข้อมูล": Status.WAITING_CITIZEN,
    "waiting": Status.WAITING_CITIZEN,
    "แก้ไขแล้ว": Status.RESOLVED,
    "ปิด": Status.CLOSED,
    "ปิดเรื่อง": Status.CLOSED,
    "เปิดใหม่": Status.REOPENED,
}


def parse_status(word: str) -> Status | None:
    """`in_progress`, `in-progress`, `in progress`, `กำลังดำเนินการ`… → the status."""
    key = " ".join(word.strip().casefold().replace("_", " ").replace("-", " ").split())
    if not key:
        return None
    for status in Status:
        if key in (STATUS_EN[status], STATUS_TH[status]):
            return status
    return _STATUS_WORDS.get(key)
