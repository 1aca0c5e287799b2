"""Shared files (XEP-0363 links) and stickers/emoji through the relay, without XMPP."""

from __future__ import annotations

import pytest

from bots import catalogue
from bots.relay import Relay, media_url
from casestore import CaseStore
from kernel.addresses import Outgoing
from kernel.mask import mask

D = "damrongdham.localhost"
AGENT = f"somchai.phrae@{D}"
STAFF = frozenset({f"phrae@{D}", AGENT})
CITIZEN = f"nok@citizens.{D}"
ROOM = f"phrae@rooms.{D}"
# What Prosody's http_file_share hands out; digit runs that look like a phone number and an ID.
URL = "http://127.0.0.1:5280/file_share/0812345678-1234567890123/IMG_20261121_0812345678.jpg"


@pytest.fixture
def ref(store: CaseStore) -> str:
    return store.open_case(
        centre="phrae", province="TH-54", citizen_jid=CITIZEN, body="ถนนพังหน้าบ้าน"
    ).case.ref


def agent_says(relay: Relay, ref: str, body: str) -> list[Outgoing]:
    return relay.from_case_address(AGENT, ref.lower(), body, None, True, STAFF)


def citizen_says(relay: Relay, ref: str, body: str) -> list[Outgoing]:
    return relay.from_case_address(CITIZEN, ref.lower(), body, None, False, STAFF)


def test_media_url_is_only_a_bare_link() -> None:
    assert media_url(URL) == URL
    assert media_url(f"  {URL}\n") == URL
    assert media_url("aesgcm://h.example/f.jpg#abcd") == "aesgcm://h.example/f.jpg#abcd"
    assert media_url(f"ดูรูป {URL}") is None
    assert media_url("ftp://x.example/a") is None
    assert media_url("สวัสดี") is None


def test_agent_link_reaches_the_citizen_bare_with_oob(
    relay: Relay, store: CaseStore, ref: str
) -> None:
    outs = agent_says(relay, ref, URL)
    mine = [o for o in outs if o.to == CITIZEN]
    assert len(mine) == 2
    heading, media = mine
    assert heading.body.startswith(f"[{ref}] ") and heading.oob is None
    assert (media.body, media.oob, media.sender) == (URL, URL, "phrae")
    assert store.transcript(ref)[-1].body == URL


def test_citizen_link_reaches_the_room_bare_with_oob(
    relay: Relay, store: CaseStore, ref: str
) -> None:
    outs = citizen_says(relay, ref, URL)
    room = [o for o in outs if o.to == ROOM]
    assert len(room) == 2
    assert catalogue.values(room[0].body, "room.citizen_sent_file")["ref"] == ref
    assert room[0].oob is None and room[0].groupchat
    assert (room[1].body, room[1].oob, room[1].groupchat) == (URL, URL, True)
    assert store.transcript(ref)[-1].body == URL


def test_citizen_link_reaches_the_assigned_agent_bare_with_oob(
    relay: Relay, store: CaseStore, ref: str
) -> None:
    store.claim(ref, AGENT)
    outs = citizen_says(relay, ref, URL)
    assert [(o.to, o.body, o.oob) for o in outs][-1] == (AGENT, URL, URL)
    assert outs[0].to == AGENT
    assert catalogue.values(outs[0].body, "agent.citizen_sent_file") == {"ref": ref}
    assert all(o.sender == ref.lower() for o in outs)


def test_intake_follow_up_link_is_stored_unmasked(relay: Relay, store: CaseStore, ref: str) -> None:
    """Citizens' follow-ups are masked before storage; the link survives whole."""
    masked = mask(f"{URL}")
    assert masked == URL
    assert mask(f"โทร 0812345678 รูป {URL}") == f"โทร [เบอร์โทร] รูป {URL}"
    msg, _ = store.add_message(ref, "citizen", CITIZEN, masked)
    outs = relay.to_agents(store.get(ref), msg)
    assert [o.oob for o in outs if o.to == ROOM] == [None, URL]


def test_text_with_a_link_keeps_the_usual_prefix(relay: Relay, ref: str) -> None:
    outs = agent_says(relay, ref, f"ดูเอกสารนี้ {URL}")
    mine = [o for o in outs if o.to == CITIZEN]
    assert len(mine) == 1 and mine[0].oob is None
    assert mine[0].body.startswith(f"[{ref}] ") and mine[0].body.endswith(URL)


@pytest.mark.parametrize("emoji", ["👍", "🙏🙏", "😀❤️"])
def test_emoji_and_stickers_pass_unchanged(
    relay: Relay, store: CaseStore, ref: str, emoji: str
) -> None:
    outs = agent_says(relay, ref, emoji)
    mine = [o for o in outs if o.to == CITIZEN]
    assert len(mine) == 1 and mine[0].oob is None
    assert mine[0].body.endswith(f":\n{emoji}")
    assert store.transcript(ref)[-1].body == emoji
