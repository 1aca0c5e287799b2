"""The agent commands as XEP-0050 ad-hoc commands on each case address `<ref>@bot.D`.

One implementation serves both ways in: a form's answers become the same parsed `Command`
a text message would give (`/status in_progress`), run by the same `AgentActions.run`
with the same authorisation (an agent of the case's centre). What the text path would
tell the agent as a chat message becomes the command's note; everything else (the
citizen's notice, the room's announcement) is sent as usual.

Case addresses are dynamic, so the component answers for any `<ref>@bot.D` through
global API handlers of xep_0030 (`get_info`, `get_items`) and xep_0050 (`get_command`),
delegating every other address to slixmpp's static defaults.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slixmpp import JID, Iq
from slixmpp.exceptions import XMPPError
from slixmpp.plugins.xep_0004 import Form
from slixmpp.plugins.xep_0030 import DiscoInfo, DiscoItems

from bridge.commands import BY_WORD, STATUS_TH, Command
from casestore import TRANSITIONS, CaseView, Status, parse_ref
from kernel.addresses import Outgoing

if TYPE_CHECKING:
    from bridge.component import CaseBridge

log = logging.getLogger(__name__)

COMMANDS_NS = "http://jabber.org/protocol/commands"
#: Commands without an argument run at once; the others answer with a form first.
AT_ONCE = ("claim", "close", "reopen", "history", "queue")
#: The commands offered, in the order apps list them.
NODES = (
    "claim",
    "note",
    "status",
    "assign",
    "transfer",
    "forward",
    "merge",
    "resolve",
    "close",
    "reopen",
    "history",
    "queue",
)


def title(name: str) -> str:
    spec = BY_WORD[name]
    return f"{spec.thai} · {spec.name}"


class AdhocCommands:
    """Serves the ad-hoc commands of every case address for one `CaseBridge`."""

    def __init__(self, bridge: CaseBridge) -> None:
        self.bridge = bridge
        xmpp = bridge.xmpp
        disco = xmpp.plugin["xep_0030"]
        adhoc = xmpp.plugin["xep_0050"]
        self._static_info = disco.static.get_info
        self._static_items = disco.static.get_items
        self._static_command = adhoc._get_command
        disco.api.register(self._get_info, "get_info")
        disco.api.register(self._get_items, "get_items")
        adhoc.api.register(self._get_command, "get_command")
        # slixmpp does not check who continues a session: only the one who started it may.
        self._handle_command = adhoc._handle_command_all
        self._sessions = adhoc.sessions
        xmpp.del_event_handler("command", adhoc._handle_command_all)
        xmpp.add_event_handler("command", self._command)

    # -- where a case address is asked -----------------------------------------------

    def _case(self, jid: JID | None) -> CaseView | None:
        if jid is None or not jid.user or jid.domain != self.bridge.addr.bot_domain:
            return None
        ref = parse_ref(jid.user)
        return self.bridge.store.get(str(ref)) if ref else None

    def _is_case_address(self, jid: JID | None) -> bool:
        return bool(
            jid and jid.user and jid.domain == self.bridge.addr.bot_domain and parse_ref(jid.user)
        )

    async def _agent(self, case: CaseView, who: JID | None) -> bool:
        return who is not None and await self.bridge.is_agent(who.bare, case.centre)

    # -- disco --------------------------------------------------------------------------

    async def _get_info(self, jid: JID, node: str | None, ifrom: JID | None, data: Any):
        if not self._is_case_address(jid):
            return self._static_info(jid, node, ifrom, data)
        info = DiscoInfo()
        if not node:
            info.add_identity("client", "bot", name=jid.user.upper())
            info.add_feature("http://jabber.org/protocol/disco#info")
            info.add_feature(COMMANDS_NS)
        elif node == COMMANDS_NS:
            info.add_identity("automation", "command-list", name="Ad-Hoc commands")
        elif node in NODES:
            info.add_identity("automation", "command-node", name=title(node))
            info.add_feature(COMMANDS_NS)
            info.add_feature("jabber:x:data")
        else:
            raise XMPPError("item-not-found")
        return info

    async def _get_items(self, jid: JID, node: str | None, ifrom: JID | None, data: Any):
        if not self._is_case_address(jid):
            return self._static_items(jid, node, ifrom, data)
        items = DiscoItems()
        if node == COMMANDS_NS:
            case = self._case(jid)
            if case is not None and await self._agent(case, ifrom):
                for name in NODES:
                    items.add_item(jid.bare, name, title(name))
        elif node:
            raise XMPPError("item-not-found")
        return items

    # -- xep_0050 -----------------------------------------------------------------------

    async def _command(self, iq: Iq) -> None:
        session = self._sessions.get(iq["command"]["sessionid"])
        if session is not None and session.get("ref") and session["from"].bare != iq["from"].bare:
            raise XMPPError("forbidden", "This command session is someone else's.")
        await self._handle_command(iq)

    async def _get_command(self, jid: JID, node: str | None, ifrom: JID | None, args: Any):
        if not self._is_case_address(jid):
            return await self._static_command(jid, node, ifrom, args)
        if node not in NODES:
            return None
        return (title(node), self._start, None, 0)

    async def _start(self, iq: Iq, session: dict) -> dict:
        """First step: authorise, then run a command without argument or send its form."""
        case = self._case(iq["to"])
        if case is None:
            raise XMPPError("item-not-found", f"No case {iq['to'].user.upper()}")
        if not await self._agent(case, iq["from"]):
            log.warning(
                "refused ad-hoc %s on %s from %s", session["node"], case.ref, iq["from"].bare
            )
            raise XMPPError(
                "forbidden",
                f"Case {case.ref} belongs to centre {case.centre}; you are not one of its agents.",
            )
        name = session["node"]
        session["ref"] = case.ref
        if name in AT_ONCE:
            return await self._run(session, name, "")
        session["payload"] = self._form(case, name)
        session["next"] = self._complete
        session["has_next"] = False
        return session

    async def _complete(self, form: Any, session: dict) -> dict:
        """Second step: the form's answers become the command's argument."""
        values = form.get_values() if isinstance(form, Form) else {}
        name = session["node"]
        if name == "transfer":
            arg = f"{_text(values.get('centre'))} {_text(values.get('reason'))}"
        elif name == "forward":
            arg = f"{_text(values.get('agency'))} {_text(values.get('note'))}"
        else:
            arg = _text(values.get(FIELD[name]))
        return await self._run(session, name, arg.strip())

    async def _run(self, session: dict, name: str, arg: str) -> dict:
        bridge = self.bridge
        case = bridge.store.get(session["ref"])
        actor = JID(session["from"]).bare
        if case is None or not await bridge.is_agent(actor, case.centre):
            raise XMPPError("forbidden")
        staff = await bridge.staff_of(case.centre)
        command = Command(BY_WORD[name], name, arg)
        outs = bridge.relay.run_command(case, actor, command, staff | {actor})
        told = [o for o in outs if _to_agent(o, case, actor)]
        bridge._send([o for o in outs if not _to_agent(o, case, actor)])
        prefix = f"[{case.ref}] "
        text = "\n".join(o.body.removeprefix(prefix) for o in told) or "OK"
        session["notes"] = [("info", text)]
        session["payload"] = None
        session["next"] = None
        session["has_next"] = False
        return session

    # -- forms --------------------------------------------------------------------------

    def _form(self, case: CaseView, name: str) -> Form:
        bridge = self.bridge
        spec = BY_WORD[name]
        form = Form()
        form["type"] = "form"
        form["title"] = f"{case.ref}: {title(name)}"
        form["instructions"] = f"{spec.help_th}\n{spec.help_en}"
        current = bridge.store.get(case.ref) or case
        if name == "note":
            form.add_field("text", "text-multi", label="บันทึกภายใน · internal note", required=True)
        elif name == "resolve":
            form.add_field("text", "text-multi", label="ข้อความถึงผู้ร้อง · text to the citizen")
        elif name == "status":
            nexts = sorted(TRANSITIONS[current.status] - {Status.MERGED}, key=list(Status).index)
            field = form.add_field(
                "status",
                "list-single",
                required=True,
                label=f"สถานะใหม่ · new status (now {current.status.value})",
            )
            for status in nexts:
                field.add_option(label=f"{STATUS_TH[status]} · {status.value}", value=status.value)
        elif name == "assign":
            form.add_field(
                "agent", "text-single", required=True, label="เจ้าหน้าที่ · agent (JID or name)"
            )
        elif name == "transfer":
            form.add_field(
                "centre",
                "text-single",
                required=True,
                label="ศูนย์ · centre (slug, name or province)",
            )
            form.add_field("reason", "text-single", label="เหตุผล · reason")
        elif name == "forward":
            field = form.add_field("agency", "list-single", required=True, label="หน่วยงาน · agency")
            for agency in bridge.agencies.values():
                field.add_option(label=f"{agency.name_th} · {agency.name_en}", value=agency.id)
            form.add_field("note", "text-single", label="หมายเหตุ · note")
        elif name == "merge":
            form.add_field(
                "ref", "text-single", required=True, label="เลขที่เรื่องที่เก็บไว้ · case to keep"
            )
        return form


FIELD = {"note": "text", "resolve": "text", "status": "status", "assign": "agent", "merge": "ref"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def _to_agent(out: Outgoing, case: CaseView, actor: str) -> bool:
    """What the text path would tell the agent in the case chat."""
    return not out.groupchat and out.to == actor and out.sender == case.ref.lower()
