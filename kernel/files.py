"""Small file helpers shared by every part."""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: The umask of the supervisor and every process it starts: what they create in the data
#: directory (case database, logs, certificates, Prosody's store) is 0600 / 0700.
PRIVATE_UMASK = 0o077


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by the owner only (0600), atomically.

    The file never exists with wider permissions, not even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)  # a stale temp file may have wider permissions
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def make_private(root: Path) -> tuple[list[Path], list[Path]]:
    """Take group and other permissions away from `root` and everything under it: files
    keep their owner's bits only, directories become 0700. Symbolic links are neither
    followed nor changed. Returns (what was changed, what could not be)."""
    fixed: list[Path] = []
    failed: list[Path] = []

    def tighten(path: Path, is_dir: bool) -> None:
        try:
            st = os.lstat(path)
        except OSError:
            return  # gone meanwhile
        if stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o077:
            return
        mode = 0o700 if is_dir else stat.S_IMODE(st.st_mode) & 0o700
        try:
            os.chmod(path, mode)
        except OSError:
            failed.append(path)
        else:
            fixed.append(path)

    if not root.is_dir():
        return fixed, failed
    tighten(root, True)
    for top, dirs, files in os.walk(root, followlinks=False):
        base = Path(top)
        for name in dirs:
            tighten(base / name, True)
        for name in files:
            tighten(base / name, False)
    return fixed, failed
