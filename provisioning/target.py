"""Which server to provision and how to reach it as an administrator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kernel.addresses import Addresses


class TargetError(ValueError):
    """The target server is not described well enough to reach it."""


@dataclass(frozen=True)
class Target:
    """A server's c2s address, its hosts, and an admin account on it."""

    domain: str
    host: str
    port: int
    admin_jid: str
    admin_password: str
    ca_file: Path | None
    muc_domain: str
    bot_domain: str
    credentials_file: Path
    state_file: Path

    def __repr__(self) -> str:
        return f"Target({self.admin_jid} at {self.host}:{self.port}, password='***')"

    @property
    def addresses(self) -> Addresses:
        return Addresses(self.domain, self.bot_domain, self.muc_domain, frozenset())


def from_data_dir(data_dir: Path) -> Target:
    """The server that `damrongdham up --data-dir DATA_DIR` runs."""
    from kernel.config_file import load_settings

    settings = load_settings(data_dir)
    if not settings.secrets_file.exists():
        raise TargetError(f"{settings.secrets_file} is missing: was `up` run with this data dir?")
    secrets = settings.load_secrets()
    return Target(
        domain=settings.domain,
        host=settings.listen if settings.listen != "0.0.0.0" else "127.0.0.1",
        port=settings.c2s_port,
        admin_jid=settings.admin_jid,
        admin_password=secrets.admin_password,
        ca_file=settings.ca_file,
        muc_domain=settings.muc_domain,
        bot_domain=settings.bot_domain,
        credentials_file=settings.credentials_file,
        state_file=settings.data_dir / "provisioning.json",
    )


def from_server(
    server: str, admin_jid: str, password_file: Path, credentials_file: Path,
    ca_file: Path | None = None, domain: str | None = None,
) -> Target:
    """Any XMPP server: `host:port`, an admin JID and a file holding its password."""
    m = re.fullmatch(r"\[?([^\]]+?)\]?:(\d{1,5})", server)
    if not m:
        raise TargetError(f"--server must be HOST:PORT, got {server!r}")
    if "@" not in admin_jid:
        raise TargetError(f"--admin must be a JID like admin@example.org, got {admin_jid!r}")
    try:
        password = password_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise TargetError(f"cannot read the admin password file: {exc.strerror}") from exc
    if not password:
        raise TargetError(f"{password_file} is empty")
    domain = domain or admin_jid.partition("@")[2]
    return Target(
        domain=domain, host=m.group(1), port=int(m.group(2)), admin_jid=admin_jid,
        admin_password=password, ca_file=ca_file, muc_domain=f"rooms.{domain}",
        bot_domain=f"bot.{domain}", credentials_file=credentials_file,
        state_file=credentials_file.with_suffix(".state.json"),
    )
