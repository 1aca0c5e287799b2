"""Commands typed in a centre room: ``/claim TH57-2569-000001``. Pure: no XMPP, no store.

In the room a command names its case first (the reference, or the case address copied from
an announcement); the rest is the command's own argument: ``/note TH57-2569-000001 called
back``, ``!โอน th57-2569-000001 chiangmai``. ``/help`` and ``/queue`` need no case. Anything
else — ordinary talk between agents, ``/me``, unknown words — is left alone: the room is
also where colleagues chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bridge.commands import ROOM_ONLY_OK, parse
from casestore import parse_ref

_CASE_TOKEN = re.compile(r"^(?:xmpp:)?([A-Za-z]{2}\d{2}-\d{4}-\d{6})(?:@[^\s?]*)?(?:\?\S*)?")


@dataclass(frozen=True)
class RoomCommand:
    """`name` is the canonical command; `ref` its case (None for help/queue); `text` the
    command as it would be typed in the case chat (``/note called back``)."""

    name: str
    ref: str | None
    text: str


def room_help() -> str:
    return (
        "คำสั่งในห้องศูนย์ฯ ใส่เลขที่เรื่องต่อจากคำสั่ง · In the room, put the case reference "
        "after the command:\n"
        "/รับเรื่อง TH57-2569-000001 · /claim TH57-2569-000001\n"
        "/บันทึก TH57-2569-000001 โทรกลับแล้ว · /note TH57-2569-000001 called back\n"
        "/คิว · /queue — เรื่องที่ยังเปิดของศูนย์ · the centre's open cases\n"
        "ถ้าแอปใช้ / เป็นคำสั่งของแอปเอง ให้ใช้ ! แทน · If your app takes /words itself, "
        "use ! instead (!claim …).\n"
        "คำสั่งทั้งหมดพิมพ์ /help ในแชตของเรื่อง · Every command: /help in a case's chat."
    )


def need_ref(name: str) -> str:
    return (
        f"ในห้องศูนย์ฯ ต้องระบุเลขที่เรื่อง เช่น /{name} TH57-2569-000001 ไม่มีการเปลี่ยนแปลง\n"
        f"In the room, name the case: /{name} TH57-2569-000001. Nothing was done."
    )


def parse_room(body: str) -> RoomCommand | None:
    """The command in a room message, or None when it is not one of ours."""
    cmd = parse(body)
    if cmd is None or cmd.spec is None:
        return None
    name = cmd.spec.name
    head, _, rest = cmd.arg.partition(" ")
    match = _CASE_TOKEN.match(head)
    ref = parse_ref(match.group(1)) if match else None
    if ref is None:
        if name in ROOM_ONLY_OK and not cmd.arg:
            return RoomCommand(name, None, f"/{name}")
        return RoomCommand(name, None, "")  # a case command without its case
    return RoomCommand(name, str(ref), f"/{name} {rest.strip()}".rstrip())
