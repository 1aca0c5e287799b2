"""Mass registration on citizens.D is throttled (issue 7, hostile input).

The session `stack` fixture lifts the limit (`--registration-throttle-max 10000`) for the
other tests, so this module runs its own `damrongdham up` with the shipped default,
``StackSettings.registration_throttle_max`` (10 per ``registration_throttle_period``, 60 s, per
client address; Prosody's `mod_register_limits`, a token bucket: one more every 6 s).

Prosody exempts 127.0.0.1 and ::1 from that throttle (its default ``registration_allowlist``),
so the flood comes from other loopback addresses (127.0.0.2, 127.0.0.3): to the server they
are other machines.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from raw_xmpp import connect_tls
from xmpp_helpers import login, ref_in, start_stack

from kernel.settings import StackSettings

pytestmark = pytest.mark.xmpp

LIMIT = StackSettings.registration_throttle_max
PERIOD = StackSettings.registration_throttle_period
FLOODER, NEIGHBOUR = "127.0.0.2", "127.0.0.3"


@pytest.fixture(scope="module")
def throttled_stack(tmp_path_factory: pytest.TempPathFactory):
    """A stack of its own with the default registration throttle."""
    running = start_stack(
        tmp_path_factory.mktemp("flood") / "data",
        # start_stack lifts the limit for the shared stack; the last flag wins: the default
        extra=["--registration-throttle-max", str(LIMIT)],
    )
    try:
        yield running
    finally:
        running.stop()


def _register(info: dict, source: str) -> tuple[bool, str, str, str]:
    """One in-band registration from `source`: (created, answer, jid, password)."""
    user, password = f"flood{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    conn = connect_tls(info["c2s_host"], info["c2s_port"], info["citizen_domain"],
                       info["ca_file"], source=source)
    try:
        ok, answer = conn.register(user, password, info["citizen_domain"])
    finally:
        conn.close()
    return ok, answer, f"{user}@{info['citizen_domain']}", password


@pytest.mark.timeout(300)
def test_registration_flood_is_throttled(throttled_stack) -> None:
    info = throttled_stack.info
    assert f"registration_throttle_max = {LIMIT}" in (
        throttled_stack.data_dir / "prosody" / "prosody.cfg.lua"
    ).read_text()

    started = time.monotonic()
    results = [_register(info, FLOODER) for _ in range(LIMIT + 5)]
    elapsed = time.monotonic() - started
    created = [r for r in results if r[0]]
    refused = [r for r in results if not r[0]]
    # The bucket refills one registration every PERIOD / LIMIT seconds.
    assert LIMIT <= len(created) <= LIMIT + 1 + int(elapsed * LIMIT / PERIOD), (
        len(created), elapsed)
    assert all(r[0] for r in results[:LIMIT]), "the first registrations must all succeed"
    assert refused, "no registration was refused"
    for _ok, answer, _jid, _pw in refused:
        # a clear error: XMPP condition, type and Prosody's text
        assert "policy-violation" in answer and "type='wait'" in answer.replace('"', "'")
        assert "Too many registrations from this IP address recently" in answer

    # Per address: a neighbour is not punished for the flood.
    assert _register(info, NEIGHBOUR)[0]

    # A citizen who registered before the limit still logs in and reports.
    _ok, _answer, jid, password = created[0]

    async def report() -> str:
        person = await login(info, jid, password)
        bot = f"chiangrai@{info['bot_domain']}"
        person.say(bot, "น้ำประปาไม่ไหลมาสามวันแล้วค่ะ ที่ อ.เมือง จ.เชียงราย")
        reply = await person.expect(lambda m: str(m["from"].bare) == bot, timeout=10)
        person.close()
        return reply["body"]

    body = asyncio.run(report())
    ref = ref_in(body)
    assert ref and ref.startswith("TH57-"), body
