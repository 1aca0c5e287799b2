"""Who is on duty: the occupants of each centre room the bridge sees. Pure: no XMPP.

The bot's component sits in every centre room, so it receives each occupant's presence.
An occupant is on duty while present with no ``show`` or ``show=chat`` (the 2015 console's
*Available*); ``away``, ``xa`` and ``dnd`` do not count, nor does the bot itself.
"""

from __future__ import annotations

ON_DUTY_SHOWS = frozenset({"", "chat"})


class RoomPresence:
    """Available occupants per room: room JID → nick → real JID (or the nick if hidden)."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, str]] = {}
        self._present: dict[str, dict[str, str]] = {}  # every occupant, whatever its show

    def update(
        self, room: str, nick: str, jid: str | None, available: bool, show: str = ""
    ) -> None:
        """One occupant presence: `available` False for type=unavailable."""
        occupants = self._rooms.setdefault(room, {})
        present = self._present.setdefault(room, {})
        if available and show in ON_DUTY_SHOWS:
            occupants[nick] = jid or nick
        else:
            occupants.pop(nick, None)
        if available:
            present[nick] = jid or nick
        else:
            present.pop(nick, None)

    def real_jid(self, room: str, nick: str) -> str | None:
        """The bare JID behind a nick in `room` (None if unknown or hidden)."""
        jid = self._present.get(room, {}).get(nick)
        return jid if jid and "@" in jid else None

    def on_duty(self, room: str) -> frozenset[str]:
        """The occupants of `room` who are available now."""
        return frozenset(self._rooms.get(room, {}).values())

    def forget(self, room: str | None = None) -> None:
        """Drop what is known (of one room, or all after the connection went down)."""
        if room is None:
            self._rooms.clear()
            self._present.clear()
        else:
            self._rooms.pop(room, None)
            self._present.pop(room, None)
