"""ID and phone numbers planted through every entry; SECURITY.md §11 checked byte by byte.

One real stack per backend of DAMRONGDHAM_TEST_DB (SQLite, and PostgreSQL through
`--database-url` on a fresh schema: CI's default runs both). A 13-digit ID number and a
mobile number, plain, dashed and in Thai digits, go in through every entry:

  a registered citizen (an app on citizens.D): the centre address (new case), a follow-up
  there, the case address, and a shared upload's link with a caption;
  another registered citizen at the general address bot.D;
  the web chat's account path (`POST /chat/api/account`, then XMPP on the stack's c2s as the
  page does) at a centre address;
  an agency's Open311 POST `description`;
  a citizen flooding a centre address: a few messages delayed and stored, most refused.

Must NOT hold them (§4, §11): any text cell of any table of the case store; our logs
(`logs/`), Prosody's log, the supervisor's output; Prosody's archive of the rooms and of the
staff accounts (what agents receive is masked); any other file under the data directory.
MAY hold them (§11, "the citizen's archive of their chats — their own words unmasked — for
archive_expires"): the archive rows of the citizen who wrote them, and only messages that
citizen sent; the test asserts they are there, so the search is known to find them.
MAY hold (§11, "the address, position and contact fields the agency sent"): an Open311
POST's `phone` field, in the case store: a separate number, found there and in no other file.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import BACKENDS
from test_media_xmpp import OOB_NS, PNG, upload
from xmpp_helpers import citizen, login, ref_in, start_stack

from bots import catalogue
from casestore import CaseStore
from casestore.api_keys import create_key
from devtools.local_stack import new_pg_schema

pytestmark = pytest.mark.xmpp

ID = "1101700203451"
PHONE = "0812345678"
PLANTS = (
    f"บัตรประชาชน {ID} โทร {PHONE}",
    "เลขบัตร 1-1017-00203-45-1 เบอร์ 081-234-5678",
    "บัตร ๑๑๐๑๗๐๐๒๐๓๔๕๑ โทร ๐๘๑ ๒๓๔ ๕๖๗๘",
)
# Every spelling planted, as the bytes a file would hold.
SPELLINGS = (ID, PHONE, "1-1017-00203-45-1", "081-234-5678", "๑๑๐๑๗๐๐๒๐๓๔๕๑",
             "๐๘๑ ๒๓๔ ๕๖๗๘")
NEEDLES = {s: s.encode() for s in SPELLINGS}
THAI = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
CLEAN_WITHIN_S = 15.0
FLOOD = 40
# The contact number an agency sends in Open311's `phone` field: kept, for the call back.
CONTACT = "089-876-5432"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(THAI))


def _leaks(text: str) -> bool:
    digits = _digits(text)
    return ID in digits or PHONE in digits


def _params() -> list:
    return [pytest.param(b, marks=[pytest.mark.postgres] if b == "postgres" else [], id=b)
            for b in BACKENDS]


@pytest.fixture(scope="module", params=_params())
def entries_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    extra = ["--database-url", new_pg_schema("prv")] if request.param == "postgres" else []
    with pytest.MonkeyPatch.context() as mp:  # a flood refused within a second (as in
        mp.setenv("DAMRONGDHAM_FLOOD_RATE", "5")  # test_flood_xmpp's tight_stack); the
        mp.setenv("DAMRONGDHAM_FLOOD_BURST", "5")  # other entries send a few messages each
        mp.setenv("DAMRONGDHAM_FLOOD_MAX_DELAY", "1")
        running = start_stack(tmp_path_factory.mktemp(f"entries-{request.param}") / "data",
                              extra=extra)
    scheme = "postgresql" if request.param == "postgres" else "sqlite"
    assert running.db_url.startswith(scheme), running.db_url
    try:
        yield running
    finally:
        running.stop()


def _post_json(url: str, payload: dict) -> tuple[int, dict | list]:
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read())


def _plant_everywhere(stack) -> dict:
    info = stack.info
    bot = info["bot_domain"]
    web = info["web_url"].rstrip("/")
    creds = stack.credentials()["lampang"]
    tag = uuid.uuid4().hex[:8]

    async def scenario() -> dict:
        agent = await login(info, creds["jid"], creds["password"])
        # A registered citizen: centre address (new case), follow-up, the case address.
        person = await citizen(info)
        centre = f"lampang@{bot}"
        person.say(centre, f"ไฟถนนดับทั้งซอยมาหนึ่งสัปดาห์ มืดมาก {tag} {PLANTS[0]}")
        opened = await person.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        ref = ref_in(opened["body"])
        assert ref is not None
        case_jid = f"{ref.lower()}@{bot}"
        person.say(centre, f"เพิ่มเติมค่ะ {PLANTS[1]}")
        agent.say(case_jid, "รับเรื่องแล้วค่ะ")
        await person.expect(lambda m: "รับเรื่องแล้วค่ะ" in m["body"], timeout=15)
        person.say(case_jid, f"ติดต่อกลับได้ {PLANTS[2]}")
        await agent.expect(lambda m: "ติดต่อกลับได้" in m["body"], timeout=15)
        # A shared upload: the link and a caption in the same message, with its OOB element.
        url = await upload(person, info["upload_domain"], f"IMG_{tag}.png", PNG)
        msg = person.client.make_message(mto=case_jid, mbody=f"{url}\nรูปค่ะ {PLANTS[0]}",
                                         mtype="chat")
        ET.SubElement(ET.SubElement(msg.xml, f"{{{OOB_NS}}}x"), f"{{{OOB_NS}}}url").text = url
        msg.send()
        await agent.expect(lambda m: "รูปค่ะ" in m["body"], timeout=15)
        # Another registered citizen at the general address, naming the province.
        other = await citizen(info)
        other.say(bot, f"ถนนในหมู่บ้านเป็นหลุมลึก รถล้มบ่อย ที่ อ.เมือง จ.ลำพูน {tag} {PLANTS[1]}")
        general = await other.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        general_ref = ref_in(general["body"])
        # The web chat: the page's account, then XMPP on the stack's c2s.
        status, account = await asyncio.to_thread(_post_json, f"{web}/chat/api/account", {})
        assert status == 201, account
        webber = await login(info, account["jid"], account["password"])
        webber.say(centre, f"น้ำประปาไม่ไหลสามวันแล้ว {tag} {PLANTS[2]}")
        web_opened = await webber.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        web_ref = ref_in(web_opened["body"])
        # A flooding citizen: most of the burst is refused (acknowledged, never stored).
        flooder = await citizen(info)
        for i in range(FLOOD):
            flooder.say(centre, f"ถนนพังหน้าบ้าน ที่ อ.เมือง จ.ลำปาง {i + 1} {PLANTS[i % 3]}",
                        origin=f"flood-{tag}-{i}")
        await flooder.expect(lambda m: catalogue.matches(m["body"], "citizen.refused"),
                             timeout=15)
        await asyncio.sleep(2)  # the delayed ones are handled
        for p in (agent, person, other, webber, flooder):
            p.close()
        await asyncio.sleep(0.5)
        return {"refs": [ref, general_ref, web_ref],
                "citizens": [person.jid, other.jid, account["jid"], flooder.jid]}

    planted = asyncio.run(scenario())
    # An agency's Open311 POST, its key made in the stack's case store as `apikey add` does.
    store = CaseStore(stack.db_url)
    try:
        _view, key = create_key(store, "pwa-lampang", "Provincial Waterworks, Lampang")
    finally:
        store.close()
    status, answer = _post_json(f"{web}/open311/v2/requests.json", {
        "api_key": key, "service_code": "infrastructure", "centre": "lampang",
        "description": f"ท่อประปาแตกหน้าโรงเรียน {tag} {PLANTS[0]} {PLANTS[1]} {PLANTS[2]}",
        "phone": CONTACT})
    assert status == 201, answer
    planted["refs"].append(answer[0]["service_request_id"])
    return planted


def _store_leaks(db_url: str, contact: str = CONTACT) -> tuple[list[str], int]:
    """Every text cell of every table of the case store holding a planted number; and how
    many hold the Open311 contact number (searched the same way)."""
    engine = sa.create_engine(db_url)
    found: list[str] = []
    contacts = 0
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            assert "cases" in tables or len(tables) > 5, tables
            meta = sa.MetaData()
            meta.reflect(conn)
            for table in meta.sorted_tables:
                for row in conn.execute(sa.select(table)).mappings():
                    for column, value in row.items():
                        if isinstance(value, bytes):
                            value = value.decode("utf-8", "replace")
                        elif isinstance(value, dict | list):
                            value = json.dumps(value, ensure_ascii=False)
                        if isinstance(value, str) and _leaks(value):
                            found.append(f"{table.name}.{column}: {value[:200]!r}")
                        if isinstance(value, str) and _digits(contact) in _digits(value):
                            contacts += 1
    finally:
        engine.dispose()
    return found, contacts


def _prosody_db(stack) -> Path:
    return stack.data_dir / "prosody" / "data" / "prosody.sqlite"


def _archive_rows(stack) -> list[tuple[str, str, str, str]]:
    """(host, user, store, value) of every row of Prosody's SQLite, read with the WAL."""
    conn = sqlite3.connect(f"file:{_prosody_db(stack)}?mode=ro", uri=True, timeout=10)
    try:
        rows = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            cols = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            if not {"host", "user", "store", "value"} <= set(cols):
                continue
            for host, user, store, value in conn.execute(
                    f'SELECT host, user, store, value FROM "{table}"'):
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                rows.append((host or "", user or "", store or "", text))
        return rows
    finally:
        conn.close()


def _files_holding(stack, skip: set[Path]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    files = [p for p in stack.data_dir.rglob("*") if p.is_file() and p not in skip]
    for path in [*files, stack.output_file]:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, PermissionError):
            continue
        for name, needle in NEEDLES.items():
            if needle in data:
                hits.setdefault(name, []).append(str(path.relative_to(stack.data_dir.parent)))
    return hits


def _files_holding_contact(stack) -> list[Path]:
    """Files holding the Open311 contact number as sent, or with its digits only."""
    found = []
    for path in [*stack.data_dir.rglob("*"), stack.output_file]:
        try:
            data = path.read_bytes() if path.is_file() else b""
        except (FileNotFoundError, PermissionError):
            continue
        if CONTACT.encode() in data or _digits(CONTACT).encode() in data:
            found.append(path)
    return found


def _sent_by(value: str, jid: str) -> bool:
    """The archived stanza is a message `jid` sent (its `from` is that account)."""
    m = re.search(r"<message[^>]*\sfrom=['\"]([^'\"/]+)", value)
    return bool(m) and m.group(1) == jid


def test_planted_numbers_survive_only_in_the_citizens_own_archive(entries_stack) -> None:
    stack = entries_stack
    planted = _plant_everywhere(stack)
    citizens = planted["citizens"]

    # The case store: every table, every text cell — masked, not merely elsewhere.
    leaks, contacts = _store_leaks(stack.db_url)
    assert leaks == []
    assert contacts >= 1  # may remain (§11: "the contact fields the agency sent"), and does
    with CaseStore(stack.db_url) as store:
        for ref in planted["refs"]:
            bodies = [m.body for m in store.transcript(ref) if m.direction == "citizen"]
            assert any("[เลขบัตร]" in b and "[เบอร์โทร]" in b for b in bodies), (ref, bodies)
        first = [m.body for m in store.transcript(planted["refs"][0])]
        assert any("รูปค่ะ" in b and "[เลขบัตร]" in b for b in first), first  # the caption
        flooded = [m for c in store.cases_for_citizen(citizens[3])
                   for m in store.transcript(c.ref) if m.direction == "citizen"]
        assert 1 <= len(flooded) < FLOOD / 2, len(flooded)  # most of the flood was refused

    # Every file but Prosody's SQLite (and its WAL/SHM): our logs, Prosody's log, uploads,
    # config, the supervisor's output — none, once the spool is acknowledged.
    pdb = _prosody_db(stack)
    prosody_files = {pdb, pdb.with_name(pdb.name + "-wal"), pdb.with_name(pdb.name + "-shm")}
    start = time.monotonic()
    while (hits := _files_holding(stack, prosody_files)) and \
            time.monotonic() - start < CLEAN_WITHIN_S:
        time.sleep(0.25)
    assert hits == {}, hits
    # The agency's contact number: in the case store only (no log, nothing in Prosody).
    assert [p for p in _files_holding_contact(stack)
            if not p.name.startswith("damrongdham.sqlite3")] == []
    # The same search finds them in Prosody's SQLite (the citizens' archives, below).
    in_prosody = str(pdb.relative_to(stack.data_dir.parent))  # the file or its WAL
    assert any(p.startswith(in_prosody) for p in _files_holding(stack, set())[ID])
    logs = [p.name for p in (stack.data_dir / "logs").glob("*.log")]
    assert {"bot.log", "web.log"} <= set(logs), logs  # the files searched exist
    assert (stack.data_dir / "prosody" / "prosody.log").exists()

    # Prosody's SQLite, row by row: only the citizens' own archives, only what they sent.
    start = time.monotonic()
    while True:
        rows = _archive_rows(stack)
        leaking = [r for r in rows if any(s in r[3] for s in SPELLINGS)]
        allowed = [r for r in leaking if r[2] == "archive" and f"{r[1]}@{r[0]}" in citizens
                   and _sent_by(r[3], f"{r[1]}@{r[0]}")]
        others = [(h, u, s, v[:300]) for h, u, s, v in leaking if (h, u, s, v) not in allowed]
        if not others or time.monotonic() - start > CLEAN_WITHIN_S:
            break
        time.sleep(0.25)  # the spool (store `bot_spool`…) is erased once acknowledged
    assert others == [], others
    # May remain, and does: each registered citizen's own words, unmasked, in their archive.
    # (The second citizen's message to the bare general address bot.D is not in their
    # archive, only the bot's reply is: keeping less than promised is within the promise.)
    owners = {f"{u}@{h}" for h, u, _s, _v in allowed}
    assert owners <= set(citizens) and {citizens[0], citizens[2], citizens[3]} <= owners, \
        (owners, citizens)
    # The rooms and the staff accounts' archives exist and were searched (masked copies).
    domain = stack.info["bot_domain"].removeprefix("bot.")
    stores = {(s, h) for h, _u, s, v in rows if "[เลขบัตร]" in v}
    assert {("muc_log", f"rooms.{domain}"), ("archive", domain)} <= stores, stores
