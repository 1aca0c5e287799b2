"""Failed XMPP logins from one address are throttled (mod_damrongdham_auth_throttle)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from raw_xmpp import connect_tls

pytestmark = pytest.mark.xmpp

SOURCE = "127.0.0.9"  # an address no other test uses: the server sees another client


def attempt(info: dict, user: str, password: str, source: str | None) -> str:
    conn = connect_tls(info["c2s_host"], info["c2s_port"], info["citizen_domain"],
                       info["ca_file"], source=source)  # fmt: skip
    try:
        return "success" if conn.auth_plain(user, password) else conn.tail()
    finally:
        conn.close()


def test_ten_failures_from_one_address_throttle_it_and_no_one_else(stack) -> None:
    info = stack.info
    password = uuid.uuid4().hex

    async def register() -> str:
        from kernel.xmpp import close_client, register_account

        jid = f"t{uuid.uuid4().hex[:8]}@{info['citizen_domain']}"
        client = await register_account(jid, password, info["c2s_host"], info["c2s_port"],
                                        info["ca_file"])  # fmt: skip
        await close_client(client)
        return jid.partition("@")[0]

    user = asyncio.run(register())
    failures = [attempt(info, user, "wrong-" + password, SOURCE) for _ in range(10)]
    assert all("not-authorized" in f for f in failures)
    blocked = attempt(info, user, password, SOURCE)  # even the right password now
    assert "temporary-auth-failure" in blocked and "Too many failed logins" in blocked
    assert attempt(info, user, password, None) == "success"  # from elsewhere: fine
    assert attempt(info, user, password, "127.0.0.10") == "success"


