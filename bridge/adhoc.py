"""The agent commands as XEP-0050 ad-hoc commands on each case address `<ref>@bot.D`.

Generated from the registry (`bots.agent_commands`): every command is a node, named
``รับเรื่อง · claim``; its form is the command's `form` (plain data, turned into an XEP-0004
form here); a command without fields runs at once. The form's answers become the same
parsed `Command` a text message would give (`/status in_progress`), run by the same
`AgentActions.run` with the same authorisation (an agent of the case's centre). What the
text path would tell the agent as a chat message becomes the command's note; everything
else (the citizen's notice, the room's announcement) is sent as usual.

Case addresses are dynamic, so the component answers for any `<ref>@bot.D` through
global handlers of the public xep_0030 and xep_0050 APIs (`get_info`, `get_items`,
`get_command`), leaving every other address to what the plugins hold for it
(`xep_0030.static`, `xep_0050.commands`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slixmpp import JID, Iq
from slixmpp.exceptions import XMPPError
from slixmpp.plugins.xep_0004 import Form
from slixmpp.plugins.xep_0030 import DiscoInfo, DiscoItems

from bots.agent_commands import registry
from bots.agent_commands.base import AgentCommand, Field
from bots.agent_commands.syntax import command
from casestore import CaseView, parse_ref
from kernel.addresses import Outgoing, RemoteTransfer

if TYPE_CHECKING:
    from bridge.component import CaseBridge

log = logging.getLogger(__name__)

COMMANDS_NS = "http://jabber.org/protocol/commands"


def nodes() -> dict[str, AgentCommand]:
    """The commands offered, in the order apps list them."""
    return {c.name: c for c in registry.commands()}


def title(name: str) -> str:
    return nodes()[name].title


class AdhocCommands:
    """Serves the ad-hoc commands of every case address for one `CaseBridge`."""

    def __init__(self, bridge: CaseBridge) -> None:
        self.bridge = bridge
        xmpp = bridge.xmpp
        disco = xmpp.plugin["xep_0030"]
        adhoc = xmpp.plugin["xep_0050"]
        self._static_info = disco.static.get_info
        self._static_items = disco.static.get_items
        self._adhoc = adhoc
        disco.api.register(self._get_info, "get_info")
        disco.api.register(self._get_items, "get_items")
        adhoc.api.register(self._get_command, "get_command")
        # The one override that stays: only who started a session may continue it, and
        # slixmpp does not check that. Its step handlers get (payload, session), never the
        # continuing IQ, and every handler of the "command" event runs (none can stop the
        # plugin's own), so the check has to wrap the plugin's dispatcher: ours replaces
        # it on the "command" event and calls it once the sender is the session's.
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
        elif node in nodes():
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
                for name, spec in nodes().items():
                    items.add_item(jid.bare, name, spec.title)
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
            return self._adhoc.commands.get((JID(jid).full, node))  # from `add_command`
        if node not in nodes():
            return None
        return (title(node), self._start, None, 0)

    async def _start(self, iq: Iq, session: dict) -> dict:
        """First step: authorise, then run a command without a form or send its form."""
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
        fields = nodes()[name].form(self._context(case, iq["from"].bare))
        if not fields:
            return await self._run(session, name, "")
        session["payload"] = self._form(case, name, fields)
        session["next"] = self._complete
        session["has_next"] = False
        return session

    async def _complete(self, form: Any, session: dict) -> dict:
        """Second step: the form's answers become the command's argument."""
        values = form.get_values() if isinstance(form, Form) else {}
        name = session["node"]
        case = self.bridge.store.get(session["ref"])
        if case is None:
            raise XMPPError("item-not-found")
        ctx = self._context(case, JID(session["from"]).bare)
        arg = nodes()[name].argument(ctx, {k: _text(v) for k, v in values.items()})
        return await self._run(session, name, arg)

    async def _run(self, session: dict, name: str, arg: str) -> dict:
        bridge = self.bridge
        case = bridge.store.get(session["ref"])
        actor = JID(session["from"]).bare
        if case is None or not await bridge.is_agent(actor, case.centre):
            raise XMPPError("forbidden")
        staff = await bridge.staff_of(case.centre)
        outs = bridge.relay.run_command(case, actor, command(name, arg), staff | {actor})
        # a RemoteTransfer is carried out by `_send` (its outcome reaches the agent's chat)
        told = [o for o in outs if _to_agent(o, case, actor) and not isinstance(o, RemoteTransfer)]
        bridge._send([o for o in outs if o not in told])
        prefix = f"[{case.ref}] "
        text = "\n".join(o.body.removeprefix(prefix) for o in told) or "OK"
        session["notes"] = [("info", text)]
        session["payload"] = None
        session["next"] = None
        session["has_next"] = False
        return session

    # -- forms --------------------------------------------------------------------------

    def _context(self, case: CaseView, actor: str):
        return self.bridge.relay.actions.context(case, actor)

    @staticmethod
    def _form(case: CaseView, name: str, fields: list[Field]) -> Form:
        """The command's form description as an XEP-0004 form."""
        spec = nodes()[name]
        form = Form()
        form["type"] = "form"
        form["title"] = f"{case.ref}: {spec.title}"
        form["instructions"] = f"{spec.help_th}\n{spec.help_en}"
        for f in fields:
            field = form.add_field(f.var, f.type, label=f.label, required=f.required)
            for value, label in f.options:
                field.add_option(label=label, value=value)
        return form


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def _to_agent(out: Outgoing, case: CaseView, actor: str) -> bool:
    """What the text path would tell the agent in the case chat."""
    return not out.groupchat and out.to == actor and out.sender == case.ref.lower()
