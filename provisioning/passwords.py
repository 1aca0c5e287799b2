"""Generated passwords: long, random, never derived from any name."""

from __future__ import annotations

import math
import secrets

# No look-alikes (0/O, 1/l/I, 5/S, 8/B) so a password read over the phone survives.
ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXYZ234679"
GROUPS, GROUP_LEN = 5, 5


def generate_password(avoid: str = "") -> str:
    """A random password like `k3Rfa-...` of five groups of five (> 128 bits).

    Never contains `avoid` (the account's user part), in any letter case."""
    while True:
        groups = (
            "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LEN)) for _ in range(GROUPS)
        )
        password = "-".join(groups)
        if not avoid or avoid.lower() not in password.lower().replace("-", ""):
            return password


def entropy_bits() -> float:
    """Entropy of one generated password."""
    return GROUPS * GROUP_LEN * math.log2(len(ALPHABET))
