"""Server administration over standard XMPP: XEP-0133 accounts, XEP-0045 rooms.

Works against any server that implements these XEPs (Prosody, ejabberd), given an admin
account; nothing here reads the server's files."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import slixmpp
from slixmpp.exceptions import IqError

log = logging.getLogger(__name__)

ADMIN = "http://jabber.org/protocol/admin"


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


async def run_command(
    client: slixmpp.ClientXMPP, server: str, node: str, values: dict[str, object]
) -> slixmpp.Iq:
    """Execute an XEP-0050 command and complete its form with `values` (two round trips).

    Raises IqError as the server sent it, AdminError for error notes in the result."""
    adhoc = client.plugin["xep_0050"]
    first = await adhoc.send_command(server, node, timeout=30)
    form = _answer(client, first["command"]["form"], values)
    done = await adhoc.send_command(
        server, node, action="complete", payload=form,
        sessionid=first["command"]["sessionid"], timeout=30,
    )
    errors = [text for kind, text in done["command"]["notes"] if kind == "error"]
    if errors:
        raise AdminError("; ".join(errors))
    return done


async def add_user(client: slixmpp.ClientXMPP, jid: str, password: str) -> bool:
    """Create `jid` with `password`. Returns False when the account already exists."""
    values = {"accountjid": jid, "password": password, "password-verify": password}
    try:
        await run_command(client, slixmpp.JID(jid).domain, f"{ADMIN}#add-user", values)
    except IqError as exc:
        if exc.condition == "conflict":
            return False
        raise AdminError(f"add-user {jid}: {exc.condition} {exc.text}") from exc
    except AdminError as exc:
        if "exist" in str(exc).lower():
            return False
        raise AdminError(f"add-user {jid}: {exc}") from exc
    return True


async def change_password(client: slixmpp.ClientXMPP, jid: str, password: str) -> None:
    """Set a new password for an existing account (XEP-0133 change-user-password)."""
    values = {"accountjid": jid, "password": password}
    try:
        await run_command(client, slixmpp.JID(jid).domain, f"{ADMIN}#change-user-password",
                          values)
    except IqError as exc:
        raise AdminError(f"change-user-password {jid}: {exc.condition} {exc.text}") from exc


async def end_sessions(client: slixmpp.ClientXMPP, jid: str) -> None:
    """Disconnect every session of an account (XEP-0133 end-user-session)."""
    try:
        await run_command(client, slixmpp.JID(jid).domain, f"{ADMIN}#end-user-session",
                          {"accountjids": [jid]})
    except (IqError, AdminError) as exc:  # nobody online is not a failure
        log.debug("end-user-session %s: %s", jid, exc)


async def set_affiliations(
    client: slixmpp.ClientXMPP, room: str, changes: list[tuple[str, str]]
) -> None:
    """Change several affiliations of a room, one request each (Prosody 0.12 reads only the
    first item of a multi-item request), sent together."""
    muc = client.plugin["xep_0045"]
    await asyncio.gather(*(
        muc.set_affiliation(slixmpp.JID(room), affiliation, jid=slixmpp.JID(jid), timeout=30)
        for jid, affiliation in changes
    ))


ROOMCONFIG = "http://jabber.org/protocol/muc#roomconfig"


def room_config(spec: RoomSpec) -> dict[str, tuple[str, object]]:
    """Our room configuration as (field type, value) per XEP-0045 field."""
    return {
        "muc#roomconfig_roomname": ("text-single", spec.name),
        "muc#roomconfig_roomdesc": ("text-single", spec.description),
        "muc#roomconfig_persistentroom": ("boolean", True),
        "muc#roomconfig_publicroom": ("boolean", False),
        "muc#roomconfig_membersonly": ("boolean", True),
        "muc#roomconfig_moderatedroom": ("boolean", False),
        "muc#roomconfig_whois": ("list-single", "anyone"),
        "muc#roomconfig_lang": ("text-single", "th"),
        "muc#roomconfig_changesubject": ("boolean", False),
        "muc#roomconfig_allowinvites": ("boolean", False),
    }


async def ensure_room(
    client: slixmpp.ClientXMPP, spec: RoomSpec, nick: str = "provisioning"
) -> bool:
    """Create and configure a room (or bring an existing one in line). Returns True if new."""
    muc = client.plugin["xep_0045"]
    room = slixmpp.JID(spec.jid)
    presence, *_ = await muc.join_muc_wait(room, nick, maxchars=0, timeout=30)
    created = "201" in {str(s) for s in presence["muc"]["status_codes"]}
    # A submit form with just our fields (XEP-0045 §10.2): unnamed fields keep their value,
    # and we spare the server building the whole form for every room.
    form = client.plugin["xep_0004"].make_form(ftype="submit")
    form.add_field(var="FORM_TYPE", ftype="hidden", value=ROOMCONFIG)
    for var, (ftype, value) in room_config(spec).items():
        form.add_field(var=var, ftype=ftype, value=value)
    await muc.set_room_config(room, form)
    changes = [(j, "owner") for j in spec.owners if j != client.boundjid.bare]
    changes += [(j, "admin") for j in spec.admins] + [(j, "member") for j in spec.members]
    await set_affiliations(client, spec.jid, changes)
    muc.leave_muc(room, nick)
    return created
