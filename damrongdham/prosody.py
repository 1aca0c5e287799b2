"""Run Debian's Prosody with a configuration generated from `prosody/` into the data dir."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import shutil
import sqlite3
import subprocess
from importlib import resources
from pathlib import Path
from string import Template

from casestore.centres import all_centres
from casestore.pdpa import PdpaError, retention_days
from casestore.reserved_names import names_file_text
from damrongdham.processes import ProcessError, terminate, wait_for_port
from kernel.addresses import BOT_NICK
from kernel.files import write_private
from kernel.proxies import ProxySettingError
from kernel.proxies import from_environment as trusted_proxies_from_environment
from kernel.settings import StackSettings
from kernel.tls import ensure_certificates

log = logging.getLogger(__name__)

REPO_PROSODY_DIR = Path(__file__).resolve().parent.parent / "prosody"


class ProsodyError(RuntimeError):
    """Prosody is missing, misconfigured or did not start."""


def prosody_binary() -> str:
    path = shutil.which("prosody") or "/usr/bin/prosody"
    if not os.path.exists(path):
        raise ProsodyError(
            "Prosody is not installed: run `apt-get install prosody lua-dbi-sqlite3` "
            "(the README's set-up command does this)."
        )
    return path


def _template_text() -> str:
    local = REPO_PROSODY_DIR / "prosody.cfg.lua.in"
    if local.exists():
        return local.read_text(encoding="utf-8")
    return resources.files("damrongdham").joinpath("prosody.cfg.lua.in").read_text("utf-8")


SQLITE_SYNC_ENV = "DAMRONGDHAM_SQLITE_SYNC"
UPLOAD_QUOTA_ENV = "DAMRONGDHAM_UPLOAD_GLOBAL_QUOTA_MB"
DEFAULT_UPLOAD_QUOTA_MB = 10 * 1024  # 10 GB of uploads kept on disk (files live 30 days)


def upload_global_quota() -> int:
    """Bytes all uploads together may hold on disk (`http_file_share_global_quota`): past it
    Prosody refuses new slots with `resource-constraint` "Server global storage quota
    reached". `DAMRONGDHAM_UPLOAD_GLOBAL_QUOTA_MB`, default 10 GB."""
    return _positive(UPLOAD_QUOTA_ENV, DEFAULT_UPLOAD_QUOTA_MB, "megabytes") * 1024 * 1024


def _positive(env: str, default: int, meaning: str) -> int:
    """A whole number ≥ 1 from the environment variable `env` (`default` when unset), or
    ProsodyError naming the variable and what the number means."""
    raw = os.environ.get(env, "").strip() or str(default)
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ProsodyError(f"{env}={raw!r}: use a whole number ≥ 1 ({meaning})")
    return value


#: Abuse limits Prosody enforces, from the environment: (variable, option, default, meaning).
ABUSE_LIMITS: tuple[tuple[str, str, int, str], ...] = (
    ("DAMRONGDHAM_FLOOD_GUARD_RATE", "flood_guard_rate", 20,
     "messages/s a citizen may send the bot, sustained"),
    ("DAMRONGDHAM_FLOOD_GUARD_BURST", "flood_guard_burst", 200,
     "messages a citizen may send the bot at once"),
    ("DAMRONGDHAM_FLOOD_GUARD_HOST_RATE", "flood_guard_host_rate", 50,
     "messages/s all anonymous sessions together may send the bot"),
    ("DAMRONGDHAM_FLOOD_GUARD_HOST_BURST", "flood_guard_host_burst", 400,
     "messages all anonymous sessions together may send at once"),
    ("DAMRONGDHAM_ANON_LOGINS_PER_MINUTE", "anon_logins_per_minute", 30,
     "anonymous sessions one client address (IPv6: /64) may open a minute"),
    ("DAMRONGDHAM_ANON_LOGINS_PER_HOUR", "anon_logins_per_hour", 300,
     "anonymous sessions one client address may open an hour"),
)
ANON_EXEMPT_ENV = "DAMRONGDHAM_ANON_LOGINS_EXEMPT"


def abuse_limits() -> dict[str, object]:
    """The template values of `ABUSE_LIMITS` (whole numbers ≥ 1) and of the addresses whose
    plain-c2s anonymous logins are not counted (`DAMRONGDHAM_ANON_LOGINS_EXEMPT`, comma
    separated, default loopback; set it to "none" to count every address)."""
    out: dict[str, object] = {}
    for env, name, default, meaning in ABUSE_LIMITS:
        out[name] = _positive(env, default, meaning)
    raw = os.environ.get(ANON_EXEMPT_ENV)
    raw = "127.0.0.1,::1" if raw is None or not raw.strip() else raw
    exempt = [a.strip() for a in raw.split(",") if a.strip()]
    if raw.strip().lower() == "none":
        exempt = []
    for address in exempt:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ProsodyError(f"{ANON_EXEMPT_ENV}: {address!r} is not an address") from None
    out["anon_logins_exempt"] = "; ".join(f'"{a}"' for a in exempt)
    return out


def sqlite_sync() -> str:
    """Prosody's SQLite `synchronous` mode: `normal` (default: a commit survives a crash of
    Prosody; a power cut may take back the last ones) or `full` (a disk sync per commit)."""
    value = os.environ.get(SQLITE_SYNC_ENV, "normal").strip().lower() or "normal"
    if value not in ("normal", "full"):
        raise ProsodyError(f"{SQLITE_SYNC_ENV}={value!r}: use normal or full")
    return value


def anon_jid_pattern(anon_domain: str) -> str:
    """A Lua pattern matching a JID of an anonymous session of ``anon_domain`` (local part,
    domain and any resource), for the log filter of the config."""
    escaped = re.sub(r"([^A-Za-z0-9])", r"%\1", anon_domain)
    return f"[^%s@/<>'\"]+@{escaped}[^%s<>'\",;)]*"


def hostnames(settings: StackSettings) -> list[str]:
    """Every XMPP host of the deployment (first one names the certificate)."""
    return [
        settings.domain,
        settings.citizen_domain,
        settings.anon_domain,
        settings.muc_domain,
        settings.bot_domain,
        settings.upload_domain,
    ]


DAY = 86400
UPLOAD_LIFETIME = 30 * DAY  # uploaded files (photos of the complaint)
#: Prosody's own units for `archive_expires_after` (mod_mam / mod_muc_mam of 0.12).
_UNITS = {"": 1, "d": DAY, "w": 7 * DAY, "m": 31 * DAY, "y": 365.2425 * DAY}


def _seconds(lifetime: str) -> float:
    """A Prosody duration (``"1y"``, ``"30d"``, ``"86400"``; ``"never"``) in seconds."""
    text = lifetime.strip().lower()
    if text == "never":
        return float("inf")
    m = re.fullmatch(r"(\d+)\s*([dwmy]?)", text)
    if m is None:
        raise ProsodyError(f"archive_expires {lifetime!r}: expected e.g. 30d, 52w, 1y or never")
    return int(m.group(1)) * _UNITS[m.group(2)]


def archive_lifetime(settings: StackSettings, days: int | None = None) -> int:
    """Seconds Prosody keeps a message in an archive (each account's MAM, each room's log):
    `settings.archive_expires`, but never longer than the case store keeps its transcript.

    `damrongdham retention` erases a transcript `days` (the retention period) after its case
    is done, so never before `days` after any message of it was written. Prosody deletes
    expired messages once a day, so a message lives up to a day past its expiry: the expiry is
    one day short of the retention period, and no archived copy outlives `days`."""
    if days is None:
        try:
            days = retention_days()
        except PdpaError as exc:  # a bad $DAMRONGDHAM_RETENTION_DAYS: one clear line, no start
            raise ProsodyError(str(exc)) from None
    cap = max(days - 1, 0) * DAY
    return int(min(_seconds(settings.archive_expires), cap))


def public_profiles_text() -> str:
    """The accounts of the staff host whose profile anyone may read: the centres' own
    (``<slug>@D``), never an agent's (prosody/modules/mod_damrongdham_staff_profiles.lua)."""
    slugs = sorted({c.slug for c in all_centres()})
    return "# centre accounts: public vCard and avatar (damrongdham up writes this)\n" + "".join(
        f"{slug}\n" for slug in slugs
    )


def render_config(settings: StackSettings, component_secret: str) -> Path:
    """Write prosody.cfg.lua for these settings; return its path."""
    sync = sqlite_sync()  # a wrong value is refused before anything is written
    upload_quota = upload_global_quota()
    limits = abuse_limits()
    try:
        proxies = trusted_proxies_from_environment()
    except ProxySettingError as exc:
        raise ProsodyError(str(exc)) from None
    pdir = settings.prosody_dir
    (pdir / "data").mkdir(parents=True, exist_ok=True)
    _ca, cert, key = ensure_certificates(settings.certs_dir, hostnames(settings))
    is_root = os.geteuid() == 0
    text = Template(_template_text()).substitute(
        root_note="Running as root: allowed because this is a self-contained local stack."
        if is_root
        else "Running as an ordinary user.",
        run_as_root="run_as_root = true" if is_root else "",
        admin_jid=settings.admin_jid,
        prosody_dir=str(pdir),
        plugin_dir=str(REPO_PROSODY_DIR / "modules"),
        listen=settings.listen,
        c2s_port=settings.c2s_port,
        component_port=settings.component_port,
        http_port=settings.http_port,
        domain=settings.domain,
        citizen_domain=settings.citizen_domain,
        anon_domain=settings.anon_domain,
        muc_domain=settings.muc_domain,
        bot_domain=settings.bot_domain,
        upload_domain=settings.upload_domain,
        upload_global_quota=upload_quota,
        trusted_proxies="; ".join(f'"{p}"' for p in proxies),
        certs_dir=str(settings.certs_dir),
        cert_file=str(cert),
        key_file=str(key),
        archive_expires=archive_lifetime(settings),
        upload_expires=min(UPLOAD_LIFETIME, archive_lifetime(settings)),
        c2s_rate=settings.c2s_rate,
        sqlite_sync=sync,
        bot_nick=BOT_NICK,
        ws_secure="true" if settings.listen.startswith("127.") else "false",
        log_level="info",
        anon_jid_pattern=anon_jid_pattern(settings.anon_domain),
        registration_min_seconds=settings.registration_min_seconds,
        registration_throttle_max=settings.registration_throttle_max,
        registration_throttle_period=settings.registration_throttle_period,
        component_secret=component_secret,
        **limits,
    )
    write_private(pdir / "reserved-names.txt", names_file_text())  # citizens' host reads it
    write_private(pdir / "public-profiles.txt", public_profiles_text())  # the staff host's
    path = pdir / "prosody.cfg.lua"
    write_private(path, text)  # holds the component secret
    _prepare_sqlite(pdir / "data" / "prosody.sqlite")
    return path


def _prepare_sqlite(path: Path) -> None:
    """Put Prosody's SQLite database in WAL mode (a persistent setting of the file): one
    sync per commit instead of three, and readers never wait for the writer."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
    os.chmod(path, 0o600)


def prosodyctl(config: Path, *args: str, stdin: str | None = None) -> str:
    """Run `prosodyctl --config CONFIG args...` and return its output."""
    binary = shutil.which("prosodyctl") or "/usr/bin/prosodyctl"
    proc = subprocess.run(
        [binary, "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise ProsodyError(f"prosodyctl {args[0]} failed: {proc.stderr.strip() or proc.stdout}")
    return proc.stdout


def register(config: Path, user: str, host: str, password: str) -> None:
    """Create or reset an account directly in Prosody's storage (bootstrap only)."""
    prosodyctl(config, "register", user, host, password)


class ProsodyProcess:
    """One Prosody server in the foreground, owned by this process."""

    def __init__(self, settings: StackSettings, component_secret: str) -> None:
        self.settings = settings
        self.config = render_config(settings, component_secret)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def log_file(self) -> Path:
        return self.settings.prosody_dir / "prosody.log"

    def start(self, timeout: float = 20.0) -> None:
        s = self.settings
        out = open(self.settings.prosody_dir / "prosody.console.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [prosody_binary(), "--config", str(self.config), "-F"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        out.close()
        try:
            for port in (s.c2s_port, s.component_port, s.http_port):
                wait_for_port(s.listen, port, timeout, self.proc)
        except ProcessError as exc:
            self.stop()
            raise ProsodyError(f"Prosody did not start: {exc}; see {self.log_file}") from exc
        log.info("prosody running (pid %s) on %s:%s", self.proc.pid, s.listen, s.c2s_port)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        terminate(self.proc, timeout)

    def restart(self) -> None:
        self.stop()
        self.start()
