"""Server administration over standard XMPP: XEP-0133 accounts, XEP-0045 rooms.

Works against any server that implements these XEPs (Prosody, ejabberd), given an admin
account; nothing here reads the server's files."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import slixmpp
from slixmpp.exceptions import IqError

log = logging.getLogger(__name__)

ADD_USER = "http://jabber.org/protocol/admin#add-user"


class AdminError(RuntimeError):
    """The server refused an administrative request."""


@dataclass(frozen=True)
class RoomSpec:
    """What a centre room should look like."""

    jid: str
    name: str
    description: str
    owners: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


def _answer(
    client: slixmpp.ClientXMPP, form: slixmpp.xmlstream.ElementBase, values: dict[str, object]
) -> slixmpp.xmlstream.ElementBase:
    """A submit form answering the server's `form`: our values, the server's for the rest."""
    reply = client.plugin["xep_0004"].make_form(ftype="submit")
    for var, field in form.get_fields().items():
        if not var or field["type"] == "fixed":
            continue
        reply.add_field(var=var, ftype=field["type"], value=values.get(var, field["value"]))
    return reply


async def add_user(client: slixmpp.ClientXMPP, jid: str, password: str) -> bool:
    """Create `jid` with `password`. Returns False when the account already exists."""
    adhoc = client.plugin["xep_0050"]
    server = slixmpp.JID(jid).domain
    first = await adhoc.send_command(server, ADD_USER, timeout=30)
    session = first["command"]["sessionid"]
    form = _answer(
        client,
        first["command"]["form"],
        {"accountjid": jid, "password": password, "password-verify": password},
    )
    try:
        done = await adhoc.send_command(
            server, ADD_USER, action="complete", payload=form, sessionid=session, timeout=30
        )
    except IqError as exc:
        if exc.condition == "conflict":
            return False
        raise AdminError(f"add-user {jid}: {exc.condition} {exc.text}") from exc
    note = done["command"]["notes"]
    errors = [text for kind, text in note if kind == "error"]
    if errors:
        if any("exist" in t.lower() for t in errors):
            return False
        raise AdminError(f"add-user {jid}: {'; '.join(errors)}")
    return True


async def ensure_room(
    client: slixmpp.ClientXMPP, spec: RoomSpec, nick: str = "provisioning"
) -> bool:
    """Create and configure a room (or bring an existing one in line). Returns True if new."""
    muc = client.plugin["xep_0045"]
    room = slixmpp.JID(spec.jid)
    presence, *_ = await muc.join_muc_wait(room, nick, maxchars=0, timeout=30)
    created = "201" in {str(s) for s in presence["muc"]["status_codes"]}
    form = _answer(
        client,
        await muc.get_room_config(room),
        {
            "muc#roomconfig_roomname": spec.name,
            "muc#roomconfig_roomdesc": spec.description,
            "muc#roomconfig_persistentroom": True,
            "muc#roomconfig_publicroom": False,
            "muc#roomconfig_membersonly": True,
            "muc#roomconfig_moderatedroom": False,
            "muc#roomconfig_enablearchiving": True,
            "muc#roomconfig_whois": "anyone",
            "muc#roomconfig_lang": "th",
            "muc#roomconfig_changesubject": False,
            "muc#roomconfig_allowinvites": False,
        },
    )
    await muc.set_room_config(room, form)
    for affiliation, jids in (
        ("owner", spec.owners),
        ("admin", spec.admins),
        ("member", spec.members),
    ):
        for jid in jids:
            await muc.set_affiliation(room, affiliation, jid=slixmpp.JID(jid))
    muc.leave_muc(room, nick)
    return created
