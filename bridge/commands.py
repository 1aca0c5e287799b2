"""Agent text commands: syntax, aliases, help text and status words. Pure: no XMPP, no store.

A command is a message whose first character is ``/`` or ``!`` followed by a command word,
English or Thai (``/claim``, ``!รับเรื่อง``). Anything else is a reply to the citizen, so an
ordinary Thai sentence — even one that begins with ``รับเรื่อง`` or ``สถานะ`` — is never taken
for a command. ``//text`` (or ``!!text``) sends ``/text`` (``!text``) to the citizen as is.
Thai command words may be followed by their argument without a space (``/บันทึกโทรแล้ว``),
as Thai is written without spaces between words; English words need a space.
"""

from __future__ import annotations

from dataclasses import dataclass

from casestore import Status
from casestore.labels import STATUS_EN, STATUS_TH, status_label  # noqa: F401 (re-exported)

PREFIXES = ("/", "!")


@dataclass(frozen=True)
class Spec:
    """One command: canonical name, aliases, what its argument is, and what it does."""

    name: str
    thai: str
    usage_en: str
    usage_th: str
    help_en: str
    help_th: str
    arg: str  # "none" | "optional" | "required"
    aliases: tuple[str, ...] = ()


SPECS: tuple[Spec, ...] = (
    Spec("help", "ช่วยเหลือ", "", "", "list the commands", "แสดงคำสั่งทั้งหมด", "none", ("?", "คำสั่ง")),
    Spec("claim", "รับเรื่อง", "", "", "take this case", "รับเรื่องนี้ไว้ดูแลเอง", "none"),
    Spec(
        "assign",
        "มอบหมาย",
        "<agent JID or name>",
        "<JID หรือชื่อเจ้าหน้าที่>",
        "give the case to a colleague of this centre",
        "มอบเรื่องให้เจ้าหน้าที่ในศูนย์เดียวกัน",
        "required",
    ),
    Spec(
        "transfer",
        "โอนเรื่อง",
        "<centre> [reason]",
        "<ศูนย์> [เหตุผล]",
        "move the case to another centre (province, district or ministry); history is kept",
        "โอนเรื่องไปศูนย์อื่น (จังหวัด อำเภอ หรือส่วนกลาง) ประวัติยังอยู่ครบ",
        "required",
        ("โอน",),
    ),
    Spec(
        "forward",
        "ส่งต่อ",
        "<agency> [note]",
        "<หน่วยงาน> [หมายเหตุ]",
        "forward to an agency (Open311); status forwarded",
        "ส่งต่อหน่วยงานที่รับผิดชอบ (Open311) สถานะเป็นส่งต่อแล้ว",
        "required",
    ),
    Spec(
        "merge",
        "รวมเรื่อง",
        "<case ref>",
        "<เลขที่เรื่อง>",
        "close this case as a duplicate of another case of the same citizen",
        "ปิดเรื่องนี้เพราะซ้ำกับอีกเรื่องของผู้ร้องคนเดียวกัน",
        "required",
    ),
    Spec(
        "reply",
        "ตอบ",
        "[name]",
        "[ชื่อข้อความ]",
        "send a canned reply to the citizen (alone: list them)",
        "ส่งข้อความสำเร็จรูปถึงผู้ร้อง (ไม่ระบุชื่อ: แสดงรายการ)",
        "optional",
    ),
    Spec(
        "note",
        "บันทึก",
        "<text>",
        "<ข้อความ>",
        "internal note, never sent to the citizen",
        "บันทึกภายใน ไม่ส่งถึงผู้ร้อง",
        "required",
    ),
    Spec(
        "status",
        "สถานะ",
        "[new status]",
        "[สถานะใหม่]",
        "show or change the status; the citizen is told",
        "ดูหรือเปลี่ยนสถานะ และแจ้งผู้ร้อง",
        "optional",
    ),
    Spec(
        "resolve",
        "แก้ไขแล้ว",
        "[text to the citizen]",
        "[ข้อความถึงผู้ร้อง]",
        "mark resolved",
        "แจ้งว่าแก้ไขเรื่องแล้ว",
        "optional",
    ),
    Spec("close", "ปิดเรื่อง", "", "", "close the case", "ปิดเรื่อง", "none"),
    Spec("reopen", "เปิดใหม่", "", "", "reopen a resolved or closed case", "เปิดเรื่องใหม่", "none"),
    Spec(
        "history",
        "ประวัติ",
        "",
        "",
        "transcript, audit log and the citizen's earlier cases",
        "บทสนทนา บันทึกการดำเนินการ และเรื่องก่อนหน้าของผู้ร้อง",
        "none",
    ),
    Spec(
        "queue",
        "คิว",
        "",
        "",
        "this centre's open cases: waiting ones first, then who holds what",
        "เรื่องที่ยังเปิดของศูนย์: เรื่องรอรับก่อน แล้วใครถือเรื่องใด",
        "none",
        ("cases", "เรื่องค้าง"),
    ),
)

#: Commands that make sense in the centre room without a case reference.
ROOM_ONLY_OK = frozenset({"help", "queue"})

BY_WORD: dict[str, Spec] = {}
for _spec in SPECS:
    for _word in (_spec.name, _spec.thai, *_spec.aliases):
        BY_WORD[_word.casefold()] = _spec
#: Thai words, longest first, so that the longest one wins when no space follows.
THAI_WORDS = sorted((w for w in BY_WORD if not w.isascii()), key=len, reverse=True)


@dataclass(frozen=True)
class Command:
    """A parsed command. ``spec`` is None for an unknown command word (kept in ``word``)."""

    spec: Spec | None
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
    spec = BY_WORD.get(head.casefold())
    if spec is None:
        for word in THAI_WORDS:
            if rest.startswith(word):
                return Command(BY_WORD[word], word, rest[len(word) :].strip())
        return Command(None, head, tail)
    return Command(spec, head, tail)


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
        return (
            f"คำสั่ง /{spec.thai} ต้องมี {spec.usage_th} เช่น /{spec.thai} {spec.usage_th}\n"
            f"/{spec.name} needs {spec.usage_en}: /{spec.name} {spec.usage_en}"
        )
    if spec.arg == "none" and cmd.arg:
        return (
            f"คำสั่ง /{spec.thai} ไม่ต้องมีข้อความต่อท้าย · /{spec.name} takes no argument.\n"
            "ถ้าต้องการส่งข้อความนี้ถึงผู้ร้อง ให้ขึ้นต้นด้วย // · "
            "To send it to the citizen as text, start it with //."
        )
    return None


def unknown_command(word: str) -> str:
    return (
        f"ไม่รู้จักคำสั่ง «{word}» พิมพ์ /ช่วยเหลือ เพื่อดูคำสั่ง ข้อความนี้ไม่ถูกส่งถึงผู้ร้อง\n"
        f"Unknown command «{word}»; /help lists them. Nothing was sent to the citizen. "
        "To send text that starts with / or !, double it: //text."
    )


def help_text() -> str:
    lines = ["คำสั่งสำหรับเจ้าหน้าที่ (ขึ้นต้นด้วย / หรือ !) · Agent commands (start with / or !):"]
    for spec in SPECS:
        en = f"/{spec.name} {spec.usage_en}".rstrip()
        th = f"/{spec.thai} {spec.usage_th}".rstrip()
        lines.append(f"• {th} · {en} — {spec.help_th} · {spec.help_en}")
    lines.append(
        "ข้อความอื่นทั้งหมดส่งถึงผู้ร้องในนามศูนย์ฯ; //ข้อความ ส่ง /ข้อความ ตามตัวอักษร\n"
        "Anything else goes to the citizen, signed by the centre; //text sends /text as is.\n"
        "สถานะ · statuses: " + ", ".join(f"{s.value} ({STATUS_TH[s]})" for s in Status)
    )
    return "\n".join(lines)


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
