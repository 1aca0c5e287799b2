"""The credentials file: `slug,jid,password,room`, mode 0600, shown once, never logged.

One row per account (centre accounts and named staff), keyed by JID; `slug` is the centre the
account belongs to. A disabled account keeps its row with an empty password."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from kernel.files import write_private

COLUMNS = ("slug", "jid", "password", "room")


@dataclass(frozen=True)
class Credential:
    slug: str
    jid: str
    password: str
    room: str

    def __repr__(self) -> str:  # keep passwords out of logs and tracebacks
        return (
            f"Credential(slug={self.slug!r}, jid={self.jid!r}, password='***', room={self.room!r})"
        )


def read_credentials(path: Path) -> dict[str, Credential]:
    """Credentials by JID; an absent file is empty. Raises ValueError on a damaged file."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: expected columns {','.join(COLUMNS)}")
        out: dict[str, Credential] = {}
        for row in reader:
            if None in row or any(row[k] is None for k in COLUMNS):
                raise ValueError(f"{path}, line {reader.line_num}: expected {len(COLUMNS)} fields")
            if row["jid"] in out:
                raise ValueError(f"{path}, line {reader.line_num}: {row['jid']} appears twice")
            out[row["jid"]] = Credential(**{k: row[k] for k in COLUMNS})
        return out


def write_credentials(path: Path, creds: dict[str, Credential]) -> None:
    """Replace the file atomically with mode 0600 (sorted by centre, then JID)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in sorted(creds.values(), key=lambda c: (c.slug, c.jid)):
        writer.writerow((c.slug, c.jid, c.password, c.room))
    write_private(path, buf.getvalue())
