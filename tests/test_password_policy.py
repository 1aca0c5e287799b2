"""Staff password policy: length ≥ 16, never the account name; generated ones always pass."""

from __future__ import annotations

import pytest

from provisioning.passwords import (
    MIN_LENGTH,
    WeakPassword,
    check_password,
    entropy_bits,
    generate_password,
)


@pytest.mark.parametrize(
    ("password", "user"),
    [
        ("short-but-ok-1", "somchai.chiangrai"),  # 14 characters
        ("x" * (MIN_LENGTH - 1), "mali.phrae"),
        ("Somchai.Chiangrai-2026!", "somchai.chiangrai"),  # the whole user part
        ("my-CHIANGRAI-password-2026", "somchai.chiangrai"),  # the centre's slug
        ("somchai-is-the-best-agent", "somchai.chiangrai@damrongdham.localhost"),  # a JID
        ("pa-ss-phrae-12345678", "phrae"),  # a centre account
        ("p.h.r.a.e.-long-enough-x", "phrae"),  # separators do not hide it
    ],
)
def test_weak_passwords_are_refused(password: str, user: str) -> None:
    with pytest.raises(WeakPassword) as raised:
        check_password(password, user)
    assert password not in str(raised.value)  # never echoed into logs or terminals


@pytest.mark.parametrize(
    ("password", "user"),
    [
        ("correct-horse-battery-staple", "somchai.chiangrai"),
        ("k3Rfa-Tq7Mz-9wXcv-LpA2d-Hn4Qe", "mali.phrae"),
        ("abcdefghijklmnop", "li.nan"),  # pieces under four letters are not words to avoid
    ],
)
def test_strong_passwords_pass(password: str, user: str) -> None:
    check_password(password, user)


def test_generated_passwords_always_meet_the_policy() -> None:
    assert entropy_bits() > 128
    for user in ("chiangrai", "somchai.chiangrai", "ab", "nan", "mali.phrae"):
        for _ in range(200):
            password = generate_password(avoid=user)
            check_password(password, user)
            assert len(password) >= MIN_LENGTH
