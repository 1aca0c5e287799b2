"""The generated Prosody configuration (no server is started)."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from damrongdham.prosody import hostnames, render_config
from kernel.settings import StackSettings

D = "d.example"
SECRET = "component-s3cret-value"


@pytest.fixture
def settings(tmp_path: Path) -> StackSettings:
    return StackSettings(
        data_dir=tmp_path / "data",
        domain=D,
        c2s_port=25222,
        component_port=25347,
        http_port=25280,
        registration_throttle_max=7,
        registration_throttle_period=120,
        registration_min_seconds=3,
    )


@pytest.fixture
def config(settings: StackSettings) -> Path:
    return render_config(settings, SECRET)


@pytest.fixture
def text(config: Path) -> str:
    return config.read_text(encoding="utf-8")


def _section(text: str, header: str) -> str:
    """The lines of one VirtualHost/Component block, up to the next block or section."""
    start = text.index(header)
    rest = text[start + len(header) :]
    end = re.search(r'^(VirtualHost|Component) "|^-{5,}', rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def test_config_is_written_in_the_prosody_dir_with_mode_0600(
    settings: StackSettings, config: Path
) -> None:
    assert config == settings.prosody_dir / "prosody.cfg.lua"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert (settings.prosody_dir / "data").is_dir()


def test_no_template_placeholder_is_left(text: str) -> None:
    assert "${" not in text


def test_staff_host(text: str) -> None:
    assert "allow_registration = false" in _section(text, f'VirtualHost "{D}"\n')


def test_only_centre_profiles_are_public_on_the_staff_host(
    text: str, settings: StackSettings
) -> None:
    block = _section(text, f'VirtualHost "{D}"\n')
    assert 'modules_enabled = { "damrongdham_staff_profiles" }' in block
    assert f'damrongdham_profile_readers = {{ "{D}", "bot.{D}" }}' in block
    assert "citizens." not in block.split("damrongdham_profile_readers")[1].splitlines()[0]
    listed = (settings.prosody_dir / "public-profiles.txt").read_text(encoding="utf-8")
    names = {line for line in listed.splitlines() if line and not line.startswith("#")}
    assert {"chiangrai", "lampang", "moi"} <= names
    assert not any("." in name or "@" in name for name in names)  # never an agent's name


def test_citizen_host_registers_with_throttle(text: str) -> None:
    block = _section(text, f'VirtualHost "citizens.{D}"')
    assert "allow_registration = true" in block
    assert '"register"' in block
    assert "registration_throttle_max = 7" in block
    assert "registration_throttle_period = 120" in block
    assert "min_seconds_between_registrations = 3" in block


def test_anonymous_host(text: str) -> None:
    block = _section(text, f'VirtualHost "anon.{D}"')
    assert 'authentication = "anonymous"' in block
    assert "allow_registration = true" not in block


def test_muc_component_archives_rooms(text: str) -> None:
    block = _section(text, f'Component "rooms.{D}" "muc"')
    assert '"muc_mam"' in block
    assert '"damrongdham_muc_occupants_private"' in block  # no occupant count for outsiders
    assert "muc_room_default_persistent = true" in block
    assert "muc_room_default_members_only = true" in block
    assert "muc_room_default_public = false" in block


def test_bot_component_has_the_secret(text: str) -> None:
    block = _section(text, f'Component "bot.{D}"')
    assert f'component_secret = "{SECRET}"' in block
    assert text.count(SECRET) == 1


def test_server_wide_settings(text: str) -> None:
    assert re.search(r'^storage = "sql"$', text, re.MULTILINE)  # archives, rooms, accounts
    assert 'driver = "SQLite3"' in text
    assert "c2s_require_encryption = true" in text
    assert re.search(r"^limits = \{", text, re.MULTILINE)
    assert 'c2s = { rate = "256kb/s"' in text
    assert '"websocket"' in text and '"bosh"' in text
    assert '"mam"' in text and '"smacks"' in text and '"offline"' in text


def test_ports_and_interfaces(text: str, settings: StackSettings) -> None:
    assert "c2s_ports = { 25222 }" in text
    assert "component_ports = { 25347 }" in text
    assert "http_ports = { 25280 }" in text
    assert 'interfaces = { "127.0.0.1" }' in text
    assert "s2s_ports = { }" in text


def test_certificates_are_created_for_every_host(
    settings: StackSettings, config: Path, text: str
) -> None:
    assert set(hostnames(settings)) == {
        D,
        f"citizens.{D}",
        f"anon.{D}",
        f"rooms.{D}",
        f"bot.{D}",
        f"upload.{D}",
    }
    assert f'certificate = "{settings.certs_dir / "server.crt"}"' in text
    assert f'key = "{settings.certs_dir / "server.key"}"' in text
    assert (settings.certs_dir / "server.crt").exists()


def test_render_again_overwrites_with_new_secret(settings: StackSettings, config: Path) -> None:
    again = render_config(settings, "another-secret")
    assert again == config
    body = again.read_text(encoding="utf-8")
    assert 'component_secret = "another-secret"' in body and SECRET not in body
    assert stat.S_IMODE(again.stat().st_mode) == 0o600


def _luac() -> str | None:
    for name in ("luac5.4", "luac5.3", "luac5.2", "luac5.1", "luac"):
        if found := shutil.which(name):
            return found
    return None


def test_upload_component(text: str, settings: StackSettings) -> None:
    """XEP-0363 file sharing for every host; links on the stack's HTTP port."""
    block = _section(text, f'Component "upload.{D}" "http_file_share"')
    assert f'http_file_share_access = {{ "{D}", "citizens.{D}", "anon.{D}" }}' in block
    assert "http_file_share_size_limit = 10*1024*1024" in block
    assert "http_file_share_daily_quota" in block
    assert "http_file_share_expires_after = 2592000\n" in block  # 30 days
    assert f"http_file_share_global_quota = {10 * 1024**3}\n" in block
    assert f'http_external_url = "http://127.0.0.1:{settings.http_port}/"' in block
    assert f'http_host = "{D}"' in block
    assert settings.stack_info()["upload_domain"] == f"upload.{D}"


@pytest.mark.skipif(_luac() is None, reason="no Lua compiler installed")
def test_config_is_valid_lua(config: Path) -> None:
    luac = _luac()
    assert luac is not None
    proc = subprocess.run([luac, "-p", str(config)], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(_luac() is None, reason="no Lua compiler installed")
def test_lua_check_rejects_broken_config(tmp_path: Path) -> None:
    """The check above can fail: a truncated table is refused."""
    bad = tmp_path / "bad.cfg.lua"
    bad.write_text('VirtualHost "x"\n  limits = {\n', encoding="utf-8")
    luac = _luac()
    assert luac is not None
    proc = subprocess.run([luac, "-p", str(bad)], capture_output=True, text=True, timeout=10)
    assert proc.returncode != 0


@pytest.mark.skipif(shutil.which("prosodyctl") is None, reason="prosody not installed")
def test_prosodyctl_check_config_passes(config: Path) -> None:
    prosodyctl = shutil.which("prosodyctl")
    assert prosodyctl is not None
    proc = subprocess.run(
        [prosodyctl, "--config", str(config), "check", "config"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed" in proc.stdout


def _lua() -> str | None:
    for name in ("lua5.4", "lua5.3", "lua5.2", "lua5.1", "lua"):
        if found := shutil.which(name):
            return found
    return None


@pytest.mark.skipif(_lua() is None, reason="no Lua interpreter installed")
def test_the_log_filter_writes_anonymous_sessions_as_the_placeholder(text: str) -> None:
    """Prosody's log file goes through the config's filter: every JID of an anonymous
    session (with or without a resource) becomes anonymous@anon.D; others stay."""
    lua = _lua()
    assert lua is not None
    log = text[text.index("\nlog = {") :]
    log = log[: log.index("\n}\n") + 3]
    assert 'to = "file"' in log and "filter = function(line)" in log
    lines = [
        f"Authenticated as 4f1b2c3d-aaaa-bbbb@anon.{D}",
        f"Issuing upload slot to 4f1b2c3d-aaaa-bbbb@anon.{D}/web-12 for 1 kB",
        f"<message from='x9y8z7@anon.{D}/r' to='bot.{D}'>",
        f"Authenticated as somchai@citizens.{D}",
        f"host anon.{D} ready; anonymous@anon.{D}",
    ]
    script = log + "\nlocal f = log[1].filter\nfor _, l in ipairs(arg) do print(f(l)) end\n"
    proc = subprocess.run([lua, "-", *lines], input=script, capture_output=True, text=True,
                          timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"Authenticated as anonymous@anon.{D}",
        f"Issuing upload slot to anonymous@anon.{D} for 1 kB",
        f"<message from='anonymous@anon.{D}' to='bot.{D}'>",
        f"Authenticated as somchai@citizens.{D}",
        f"host anon.{D} ready; anonymous@anon.{D}",
    ]


def test_uploads_of_anonymous_sessions_use_the_placeholder(text: str) -> None:
    block = _section(text, f'Component "upload.{D}" "http_file_share"')
    assert 'modules_enabled = { "damrongdham_anon_upload" }' in block
    assert f'damrongdham_anonymous_hosts = {{ "anon.{D}" }}' in block


# -- no archived copy outlives `damrongdham retention` (issue 15) -----------------------------


def _expiry(text: str, option: str) -> int:
    m = re.search(rf'^\s*{option} = "?(\d+)"?\s*$', text, re.MULTILINE)
    assert m, option
    return int(m.group(1))


@pytest.mark.parametrize(
    ("retention", "archive_expires", "expected_days"),
    [
        (None, "1y", 364),  # default retention 365 days: a day short for Prosody's daily sweep
        ("90", "1y", 89),
        ("90", "never", 89),
        ("400", "1y", 365.2425),  # a shorter archive setting is kept
        ("400", "30d", 30),
        ("0", "1y", 0),
    ],
)
def test_archives_never_outlive_the_retention_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, retention: str | None,
    archive_expires: str, expected_days: float,
) -> None:
    """The citizen's and the agents' MAM archives, each centre room's log and the uploads are
    deleted by Prosody before `damrongdham retention` erases the case's transcript: Prosody
    sweeps once a day, so its expiry is one day short of the retention period."""
    if retention is None:
        monkeypatch.delenv("DAMRONGDHAM_RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("DAMRONGDHAM_RETENTION_DAYS", retention)
    settings = StackSettings(data_dir=tmp_path / "data", domain=D, archive_expires=archive_expires)
    text = render_config(settings, SECRET).read_text(encoding="utf-8")
    expected = int(expected_days * 86400)
    assert _expiry(text, "archive_expires_after") == expected
    assert _expiry(text, "muc_log_expires_after") == expected
    assert _expiry(text, "http_file_share_expires_after") == min(expected, 30 * 86400)
    retention_days = int(retention or 365)
    for option in ("archive_expires_after", "muc_log_expires_after"):
        assert _expiry(text, option) + 86400 <= max(retention_days, 1) * 86400
    # no host or component sets its own, longer, lifetime
    assert len(re.findall(r"^\s*archive_expires_after", text, re.MULTILINE)) == 1
    assert len(re.findall(r"^\s*muc_log_expires_after", text, re.MULTILINE)) == 1


def test_a_bad_archive_lifetime_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from damrongdham.prosody import ProsodyError

    settings = StackSettings(data_dir=tmp_path / "data", domain=D, archive_expires="a year")
    with pytest.raises(ProsodyError, match="archive_expires"):
        render_config(settings, SECRET)
    monkeypatch.setenv("DAMRONGDHAM_RETENTION_DAYS", "a year")
    with pytest.raises(ProsodyError, match="DAMRONGDHAM_RETENTION_DAYS"):
        render_config(StackSettings(data_dir=tmp_path / "data", domain=D), SECRET)


def test_the_global_upload_quota_is_configurable(settings: StackSettings, monkeypatch) -> None:
    """DAMRONGDHAM_UPLOAD_GLOBAL_QUOTA_MB sets the total on disk; nonsense is refused."""
    from damrongdham.prosody import ProsodyError

    monkeypatch.setenv("DAMRONGDHAM_UPLOAD_GLOBAL_QUOTA_MB", "2048")
    block = _section(render_config(settings, "s").read_text(),
                     f'Component "upload.{D}" "http_file_share"')
    assert f"http_file_share_global_quota = {2048 * 1024**2}\n" in block
    for bad in ("0", "-5", "lots"):
        monkeypatch.setenv("DAMRONGDHAM_UPLOAD_GLOBAL_QUOTA_MB", bad)
        with pytest.raises(ProsodyError, match="UPLOAD_GLOBAL_QUOTA_MB"):
            render_config(settings, "s")


def test_trusted_proxies_come_from_the_setting(settings: StackSettings, monkeypatch) -> None:
    """No proxy is trusted unless DAMRONGDHAM_TRUSTED_PROXIES names it (Prosody alone would
    trust loopback); a wrong value is refused."""
    from damrongdham.prosody import ProsodyError

    monkeypatch.delenv("DAMRONGDHAM_TRUSTED_PROXIES", raising=False)
    assert "\ntrusted_proxies = {  }\n" in render_config(settings, "s").read_text()
    monkeypatch.setenv("DAMRONGDHAM_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    text = render_config(settings, "s").read_text()
    assert '\ntrusted_proxies = { "127.0.0.1"; "10.0.0.0/8" }\n' in text
    monkeypatch.setenv("DAMRONGDHAM_TRUSTED_PROXIES", "my-proxy")
    with pytest.raises(ProsodyError, match="TRUSTED_PROXIES"):
        render_config(settings, "s")
