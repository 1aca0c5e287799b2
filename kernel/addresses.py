"""The pinned address scheme (DESIGN.md) and the message envelope parts hand to XMPP."""

from __future__ import annotations

from dataclasses import dataclass

BOT_NICK = "ระบบรับเรื่อง"  # the bot's nick in the centre rooms


@dataclass(frozen=True)
class Addresses:
    """Addresses of one deployment with domain D."""

    domain: str
    bot_domain: str
    muc_domain: str
    citizen_domains: frozenset[str]

    @classmethod
    def for_domain(cls, domain: str) -> Addresses:
        return cls(
            domain=domain,
            bot_domain=f"bot.{domain}",
            muc_domain=f"rooms.{domain}",
            citizen_domains=frozenset({f"citizens.{domain}", f"anon.{domain}"}),
        )

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
    archive keeps it."""

    to: str
    body: str
    sender: str = ""
    groupchat: bool = False
    oob: str | None = None
    secret: bool = False
