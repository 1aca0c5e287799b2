"""Where the stack lives and listens: one settings object shared by every process."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kernel.files import write_private

DEFAULT_DOMAIN = "damrongdham.localhost"


@dataclass(frozen=True)
class Secrets:
    """Generated once per data directory, kept in a 0600 file."""

    component_secret: str
    admin_password: str
    web_secret_key: str
    # Keys the hashes of tracking PINs (`casestore.pins`); kept here, never in the database.
    pin_key: str = ""

    @classmethod
    def generate(cls) -> Secrets:
        return cls(
            component_secret=secrets.token_urlsafe(32),
            admin_password=secrets.token_urlsafe(24),
            web_secret_key=secrets.token_urlsafe(32),
            pin_key=secrets.token_urlsafe(32),
        )


@dataclass(frozen=True)
class StackSettings:
    """Addresses, ports and paths of one deployment."""

    data_dir: Path
    domain: str = DEFAULT_DOMAIN
    listen: str = "127.0.0.1"
    c2s_port: int = 5222
    component_port: int = 5347
    http_port: int = 5280
    web_port: int = 8080
    database_url: str | None = None
    registration_throttle_max: int = 10
    registration_throttle_period: int = 60
    registration_min_seconds: int = 0
    c2s_rate: str = "256kb/s"
    archive_expires: str = "1y"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def bot_domain(self) -> str:
        return f"bot.{self.domain}"

    @property
    def muc_domain(self) -> str:
        return f"rooms.{self.domain}"

    @property
    def citizen_domain(self) -> str:
        return f"citizens.{self.domain}"

    @property
    def anon_domain(self) -> str:
        return f"anon.{self.domain}"

    @property
    def upload_domain(self) -> str:
        return f"upload.{self.domain}"

    @property
    def admin_jid(self) -> str:
        return f"admin@{self.domain}"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'damrongdham.sqlite3'}"

    @property
    def prosody_dir(self) -> Path:
        return self.data_dir / "prosody"

    @property
    def certs_dir(self) -> Path:
        return self.data_dir / "certs"

    @property
    def ca_file(self) -> Path:
        return self.certs_dir / "ca.crt"

    @property
    def web_url(self) -> str:
        return f"http://{self.listen}:{self.web_port}/"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials.csv"

    @property
    def stack_file(self) -> Path:
        return self.data_dir / "stack.json"

    @property
    def secrets_file(self) -> Path:
        return self.data_dir / "secrets.json"

    def load_secrets(self) -> Secrets:
        """Read this deployment's secrets, creating them (0600) on first use."""
        if self.secrets_file.exists():
            known = json.loads(self.secrets_file.read_text(encoding="utf-8"))
            if known.get("pin_key"):
                return Secrets(**known)
            # Written before PIN keys existed: add one (PINs hashed before stay scrypt).
            upgraded = Secrets(**{**known, "pin_key": secrets.token_urlsafe(32)})
            write_private(self.secrets_file, json.dumps(asdict(upgraded), indent=2))
            return upgraded
        self.data_dir.mkdir(parents=True, exist_ok=True)
        made = Secrets.generate()
        write_private(self.secrets_file, json.dumps(asdict(made), indent=2))
        return made

    def stack_info(self) -> dict[str, object]:
        """The pinned content of stack.json (see DESIGN.md)."""
        return {
            "domain": self.domain,
            "bot_domain": self.bot_domain,
            "muc_domain": self.muc_domain,
            "citizen_domain": self.citizen_domain,
            "anon_domain": self.anon_domain,
            "upload_domain": self.upload_domain,
            "c2s_host": self.listen,
            "c2s_port": self.c2s_port,
            "component_port": self.component_port,
            "http_port": self.http_port,
            "websocket_url": f"ws://{self.listen}:{self.http_port}/xmpp-websocket",
            "web_url": self.web_url,
            "ca_file": str(self.ca_file),
            "database_url": _redact_url(self.db_url),
            "credentials_file": str(self.credentials_file),
        }


def _redact_url(url: str) -> str:
    """Hide a password inside a database URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
