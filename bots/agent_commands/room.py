"""Commands typed in a centre room, generated from the registry: ``/claim TH57-2569-000001``.

In the room a command names its case first (the reference, or the case address copied from
an announcement); the rest is the command's own argument: ``/note TH57-2569-000001 called
back``, ``!โอน th57-2569-000001 chiangmai``. Commands that need no case (`needs_case`
False: ``/help``, ``/queue``, ``/whoami``) work without one. Anything else — ordinary talk
between agents, ``/me``, unknown words — is left alone: the room is also where colleagues
chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bots.agent_commands import registry
from bots.agent_commands.runner import Actions
from bots.agent_commands.syntax import parse
from bots.catalogue import render
from casestore import parse_ref
from kernel.addresses import Outgoing

_CASE_TOKEN = re.compile(r"^(?:xmpp:)?([A-Za-z]{2}\d{2}-\d{4}-\d{6})(?:@[^\s?]*)?(?:\?\S*)?")
EXAMPLE_REF = "TH57-2569-000001"


@dataclass(frozen=True)
class RoomCommand:
    """`name` is the canonical command; `ref` its case (None for help/queue); `text` the
    command as it would be typed in the case chat (``/note called back``)."""

    name: str
    ref: str | None
    text: str


def room_only_ok() -> frozenset[str]:
    """Commands that make sense in the centre room without a case reference."""
    return frozenset(c.name for c in registry.commands() if not c.needs_case)


def room_help() -> str:
    lines = []
    for spec in registry.commands():
        if spec.name == "help":
            continue
        if spec.needs_case:
            en = f"/{spec.name} {EXAMPLE_REF} {spec.usage_en}".rstrip()
            th = f"/{spec.thai} {EXAMPLE_REF} {spec.usage_th}".rstrip()
        else:
            en, th = f"/{spec.name}", f"/{spec.thai}"
        lines.append(f"{th} · {en} — {spec.help_th} · {spec.help_en}")
    return render("agent.room_help", commands="\n".join(lines))


def need_ref(name: str) -> str:
    return render("agent.need_ref", name=name)


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
        if not cmd.spec.needs_case and not cmd.arg:
            return RoomCommand(name, None, f"/{name}")
        return RoomCommand(name, None, "")  # a case command without its case
    return RoomCommand(name, str(ref), f"/{name} {rest.strip()}".rstrip())


def without_case(actions: Actions, command: RoomCommand, sender: str, centre: str) -> Outgoing:
    """The private answer to a room command that names no case, by an agent of `centre`:
    the command's own answer (``/queue``, ``/whoami``, ``/help``), or what it lacks."""
    spec = registry.get(command.name)
    if spec is None or spec.needs_case or not command.text:
        return Outgoing(to=sender, body=need_ref(command.name))
    return Outgoing(to=sender, body=spec.without_case(actions, sender, centre))
