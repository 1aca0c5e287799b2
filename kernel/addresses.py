"""The pinned address scheme (DESIGN.md) and the message envelope parts hand to XMPP."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BOT_NICK = "ระบบรับเรื่อง"  # the bot's nick in the centre rooms


@dataclass(frozen=True)
class Addresses:
    """Addresses of one deployment with domain D."""

    domain: str
    bot_domain: str
    muc_domain: str
    citizen_domains: frozenset[str]
    #: domains of the federated peer servers (`bridge.federation`): cases may move there, and
    #: their citizens (``citizens.P``/``anon.P``) are citizens here too, never staff
    peers: frozenset[str] = frozenset()

    @classmethod
    def for_domain(cls, domain: str, peers: Iterable[str] = ()) -> Addresses:
        peers = frozenset(p.casefold() for p in peers)
        return cls(
            domain=domain,
            bot_domain=f"bot.{domain}",
            muc_domain=f"rooms.{domain}",
            citizen_domains=frozenset(
                f"{host}.{d}" for d in (domain, *sorted(peers)) for host in ("citizens", "anon")
            ),
            peers=peers,
        )

    def peer_case_jid(self, ref: str, peer: str) -> str:
        """A case's address on the peer server `peer` (where a transfer moved it)."""
        return f"{ref.lower()}@bot.{peer}"

    def case_jid(self, ref: str) -> str:
        return f"{ref.lower()}@{self.bot_domain}"

    def room_jid(self, slug: str) -> str:
        return f"{slug}@{self.muc_domain}"

    def centre_account(self, slug: str) -> str:
        return f"{slug}@{self.domain}"


@dataclass(frozen=True)
class Outgoing:
    """One message to send. `sender` is a local part at the bot domain ('' = the domain);
    `oob` a shared file's URL, sent as XEP-0066 out-of-band data so apps show it inline;
    `secret` marks a message carrying a tracking PIN: the server is told not to archive it
    (XEP-0334 ``no-permanent-store``), so the PIN reaches the citizen live and no server
    archive keeps it; `archive=False` asks the same for a passing notice (flood control's),
    not worth a database write."""

    to: str
    body: str
    sender: str = ""
    groupchat: bool = False
    oob: str | None = None
    secret: bool = False
    archive: bool = True


@dataclass(frozen=True)
class RemoteTransfer(Outgoing):
    """Not a message: a request from an agent command (`bots.agent_commands.transfer`) that
    the edge carries out over XMPP (`bridge.component`): send case `ref` to centre `centre`
    of the federated peer server `peer` (`bridge.federation.Federation.send_case`), then tell
    the agent (`to`), the rooms and the citizen the outcome. Nothing has changed locally yet.
    It is an `Outgoing` only so that it travels with a command's results (never sent as is:
    its body stays empty)."""

    ref: str = ""
    peer: str = ""
    centre: str = ""
    reason: str | None = None
