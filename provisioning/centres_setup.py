"""Set up every centre: its agent account and its room, with credentials written once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casestore.centres import Centre
from damrongdham.xmpp import new_client, start_client
from provisioning.credentials import Credential, read_credentials, write_credentials
from provisioning.passwords import generate_password
from provisioning.xmpp_admin import RoomSpec, add_user, ensure_room

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """Where to provision: a server's c2s address and an admin account on it."""

    domain: str
    host: str
    port: int
    admin_jid: str
    admin_password: str
    ca_file: Path | None
    muc_domain: str
    bot_domain: str


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    existed_without_credentials: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.up_to_date)} up to date"]
        if self.existed_without_credentials:
            parts.append(
                f"{len(self.existed_without_credentials)} existed on the server but have no "
                "saved password (rotate them)"
            )
        return ", ".join(parts)


def room_spec(centre: Centre, target: Target) -> RoomSpec:
    return RoomSpec(
        jid=f"{centre.slug}@{target.muc_domain}",
        name=centre.name_th,
        description=f"ห้องรับเรื่องร้องเรียนของ{centre.name_th} — {centre.name_en}",
        owners=(target.admin_jid, target.bot_domain),
        admins=(f"{centre.slug}@{target.domain}",),
    )


async def provision_centres(
    target: Target,
    centres: Iterable[Centre],
    credentials_file: Path,
    progress: Callable[[int, int], None] | None = None,
    concurrency: int = 8,
) -> Report:
    """Create the missing centre accounts and rooms; centres already in the file are skipped.

    Each new password is saved to `credentials_file` (0600) as soon as its account exists,
    so an interrupted run loses nothing."""
    creds = read_credentials(credentials_file)
    todo = [c for c in centres if c.slug not in creds]
    report = Report(up_to_date=[c.slug for c in centres if c.slug in creds])
    if not todo:
        return report
    client = new_client(
        target.admin_jid,
        target.admin_password,
        target.ca_file,
        ("xep_0004", "xep_0045", "xep_0050"),
    )
    await start_client(client, target.host, target.port)
    gate = asyncio.Semaphore(concurrency)
    lock = asyncio.Lock()
    done = 0

    async def one(centre: Centre) -> None:
        nonlocal done
        async with gate:
            jid = f"{centre.slug}@{target.domain}"
            password = generate_password()
            created = await add_user(client, jid, password)
            spec = room_spec(centre, target)
            await ensure_room(client, spec)
            async with lock:
                if created:
                    creds[centre.slug] = Credential(centre.slug, jid, password, spec.jid)
                    write_credentials(credentials_file, creds)
                    report.created.append(centre.slug)
                else:
                    report.existed_without_credentials.append(centre.slug)
                done += 1
                if progress:
                    progress(done, len(todo))

    try:
        await asyncio.gather(*(one(c) for c in todo))
    finally:
        client.disconnect()
    log.info("provisioning: %s", report.summary())
    return report
