"""Generated passwords: long, random, never derived from any name.

Policy for staff accounts (:func:`check_password`): at least :data:`MIN_LENGTH` characters and
never containing the account's user part (nor any dot-separated piece of it of four letters
or more, e.g. the agent's name or the centre's slug), in any letter case. Provisioning only
ever sets generated passwords, and checks each against the policy before using it.
"""

from __future__ import annotations

import math
import secrets

# No look-alikes (0/O, 1/l/I, 5/S, 8/B) so a password read over the phone survives.
ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXYZ234679"
GROUPS, GROUP_LEN = 5, 5
MIN_LENGTH = 16


class WeakPassword(ValueError):
    """A password the staff policy refuses (the message never contains the password)."""


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def check_password(password: str, user: str) -> None:
    """Raise WeakPassword unless `password` is fit for the staff account `user` (its local
    part, or a whole JID)."""
    user = user.partition("@")[0]
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a staff password needs at least {MIN_LENGTH} characters")
    squashed = _squash(password)
    pieces = {user, *user.replace("-", ".").replace("_", ".").split(".")}
    for piece in pieces:
        piece = _squash(piece)
        if piece and (piece == _squash(user) or len(piece) >= 4) and piece in squashed:
            raise WeakPassword(f"a staff password must not contain the account name ({user})")


def generate_password(avoid: str = "") -> str:
    """A random password like `k3Rfa-...` of five groups of five (> 128 bits).

    Never contains `avoid` (the account's user part), in any letter case."""
    while True:
        groups = (
            "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LEN)) for _ in range(GROUPS)
        )
        password = "-".join(groups)
        try:
            check_password(password, avoid or "-")
        except WeakPassword:
            continue
        return password


def entropy_bits() -> float:
    """Entropy of one generated password."""
    return GROUPS * GROUP_LEN * math.log2(len(ALPHABET))
