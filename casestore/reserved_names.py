"""Names citizens may not register on ``citizens.D``: what would pass for the platform, a
centre, its staff, the bot or a case in a chat list.

A user part (nodeprep'd: lowercase) is reserved when

* it is one of :data:`FIXED` (``admin``, ``anonymous``, ``bot``, ``support``… and Thai words
  for the centre and its staff) or a centre's slug (every set of ``casestore.centres``, the
  928 district centres too);
* the part after its last ``.`` is: ``somchai.chiangrai`` reads as a staff account
  ``<name>.<centre>@D``;
* it looks like a case reference (``th57-2569-000001``: the case addresses of ``bot.D``).

The same rule runs in two places: here (the web chat's account endpoint) and in Prosody's
``mod_damrongdham_reserved_names`` for in-band registration from any app, which reads
:func:`reserved_names` from the file that ``damrongdham up`` writes beside its config
(:func:`names_file_text`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .centres import all_centres

FIXED: frozenset[str] = frozenset({
    "admin", "administrator", "root", "sysadmin", "system", "operator", "moderator",
    "anonymous", "anon", "bot", "bots", "robot", "support", "help", "helpdesk", "info",
    "staff", "agent", "agents", "official", "officer", "centre", "center", "hotline", "1567",
    "damrongdham", "damrongdhamcenter", "damrongdhamcentre", "moi", "dopa", "ministry",
    "government", "gov", "police", "postmaster", "hostmaster", "webmaster", "abuse",
    "security", "noreply", "no-reply", "nobody", "null", "rooms", "citizens", "upload",
    "purged",
    "ศูนย์ดำรงธรรม", "ดำรงธรรม", "แอดมิน", "ผู้ดูแลระบบ", "เจ้าหน้าที่", "กระทรวงมหาดไทย",
    "มหาดไทย", "บอท", "ไม่ระบุชื่อ",
})  # fmt: skip

_CASE_REF = re.compile(r"th\d{2}-\d{4}-\d{6}", re.ASCII)


@cache
def reserved_names() -> frozenset[str]:
    """Every exact reserved name, as Prosody's nodeprep writes it (NFKC, lowercase: Thai
    ``ำ`` becomes ``ํา``): :data:`FIXED` and the centres' slugs."""
    return frozenset(_prep(n) for n in FIXED | {c.slug for c in all_centres()})


def _prep(local: str) -> str:
    return unicodedata.normalize("NFKC", local.strip()).lower()


def is_reserved(local: str) -> bool:
    """Whether a citizen may not register this user part (see the module)."""
    name = _prep(local)
    names = reserved_names()
    if name in names or _CASE_REF.fullmatch(name):
        return True
    _head, dot, tail = name.rpartition(".")
    return bool(dot) and tail in names


def names_file_text() -> str:
    """The file Prosody's module reads: one name per line, sorted."""
    head = "# Reserved citizen names (casestore/reserved_names.py); one per line.\n"
    return head + "".join(f"{n}\n" for n in sorted(reserved_names()))
