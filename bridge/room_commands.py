"""Commands typed in a centre room: ``/claim TH57-2569-000001``.

Kept for `bridge.component`; generated from the registry in `bots.agent_commands.room`.
"""

from __future__ import annotations

from bots.agent_commands.room import (
    RoomCommand,
    need_ref,
    parse_room,
    room_help,
    room_only_ok,
    without_case,
)

__all__ = ["RoomCommand", "need_ref", "parse_room", "room_help", "room_only_ok", "without_case"]
