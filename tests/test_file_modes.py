"""The data directory is the owner's only: files 0600 (or the owner's bits), directories 0700,
for what the stack creates (umask 077 for the supervisor, its children and Prosody) and for
what an older version left readable (fixed at start, with one warning line)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from xmpp_helpers import start_stack

from kernel.files import make_private


def _open_to_others(root: Path) -> list[str]:
    found = []
    for top, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(top) / name
            st = os.lstat(path)
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
                found.append(f"{path.relative_to(root)} {stat.S_IMODE(st.st_mode):o}")
    if os.stat(root).st_mode & 0o077:
        found.append(f". {stat.S_IMODE(os.stat(root).st_mode):o}")
    return found


def _old_layout(root: Path, outside: Path) -> None:
    """What an older version left: 0644 files, 0755 directories."""
    for d in ("logs", "prosody", "certs"):
        (root / d).mkdir(parents=True, exist_ok=True)
        (root / d).chmod(0o755)
    for f in ("logs/bot.log", "logs/web.log", "prosody/prosody.log", "certs/ca.crt"):
        (root / f).write_text("old\n")
        (root / f).chmod(0o644)
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    outside.write_text("not ours to change\n")
    outside.chmod(0o644)
    (root / "link").symlink_to(outside)


def test_make_private_fixes_files_and_directories_and_leaves_links(tmp_path: Path) -> None:
    root, outside = tmp_path / "data", tmp_path / "outside.txt"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    _old_layout(root, outside)
    fixed, failed = make_private(root)
    assert failed == [] and len(fixed) == 9  # the root, 3 directories, 5 files
    assert _open_to_others(root) == []
    assert stat.S_IMODE(os.stat(root / "logs").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(root / "logs/bot.log").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(root / "run.sh").st_mode) == 0o700  # the owner's bits kept
    assert stat.S_IMODE(os.stat(outside).st_mode) == 0o644  # a link is not followed
    assert make_private(root) == ([], [])


@pytest.mark.xmpp
@pytest.mark.timeout(300)
def test_the_stack_keeps_its_data_directory_to_its_owner(tmp_path: Path) -> None:
    data, outside = tmp_path / "data", tmp_path / "outside.txt"
    data.mkdir()
    data.chmod(0o755)
    _old_layout(data, outside)
    running = start_stack(data)
    try:
        lines = [ln for ln in running.output.splitlines() if "readable by group" in ln]
        assert len(lines) == 1 and lines[0].startswith("warning: "), running.output
        # everything the running stack made: database, logs, certificates, Prosody's store
        made = {p.name for p in data.rglob("*")}
        assert {"damrongdham.sqlite3", "bot.log", "web.log", "prosody.log", "ca.crt",
                "server.key", "prosody.sqlite", "credentials.csv"} <= made, made
        assert _open_to_others(data) == []
    finally:
        running.stop()
    assert _open_to_others(data) == []
    assert stat.S_IMODE(os.stat(outside).st_mode) == 0o644
