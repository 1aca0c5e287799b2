"""Provisioning against a real Prosody: accounts, rooms, profiles, staff, rotation, bad input."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import slixmpp
from xmpp_helpers import REPO, free_ports, login, start_stack

from casestore.centres import all_centres
from kernel.xmpp import XmppConnectError, new_client, start_client

pytestmark = pytest.mark.xmpp

CENTRES_CSV = REPO / "casestore" / "data" / "centres.csv"


def provision(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "damrongdham", "provision", "--data-dir", str(data_dir),
         "--no-progress", *args],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env=dict(os.environ, PYTHAINLP_OFFLINE="1"),
    )


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory):
    """A stack of this module's own: these tests change accounts and rooms."""
    running = start_stack(tmp_path_factory.mktemp("prov") / "data")
    try:
        yield running
    finally:
        running.stop()


async def _can_login(info: dict, jid: str, password: str) -> bool:
    client = new_client(jid, password, Path(info["ca_file"]))
    try:
        await start_client(client, info["c2s_host"], info["c2s_port"], timeout=10)
    except XmppConnectError:
        return False
    client.disconnect()
    return True


def test_every_centre_account_logs_in_with_its_generated_password(stack) -> None:
    creds = stack.credentials()
    assert len(creds) == 76

    async def all_logins() -> list[bool]:
        return list(await asyncio.gather(*(
            _can_login(stack.info, row["jid"], row["password"]) for row in creds.values()
        )))

    assert all(asyncio.run(all_logins()))
    for row in creds.values():
        user = row["jid"].partition("@")[0]
        assert user not in row["password"].lower() and row["password"] != user


def test_rooms_are_persistent_members_only_hidden_and_archived(stack) -> None:
    info = stack.info
    creds = stack.credentials()
    admin = creds["chiangrai"]

    async def inspect() -> tuple[set[str], dict, list[str], list[str]]:
        agent = await login(info, admin["jid"], admin["password"])
        room = f"chiangrai@{info['muc_domain']}"
        disco = await agent.client.plugin["xep_0030"].get_info(jid=room, timeout=10)
        features = set(disco["disco_info"]["features"])
        fields = {}
        for form in disco["disco_info"].xml.iter("{jabber:x:data}x"):
            for f in form.iter("{jabber:x:data}field"):
                v = f.find("{jabber:x:data}value")
                fields[f.get("var")] = v.text if v is not None else None
        muc = agent.client.plugin["xep_0045"]
        await agent.join(room, "สมชาย")
        admins = [str(j) for j in await muc.get_affiliation_list(room, "admin")]
        owners = [str(j) for j in await muc.get_affiliation_list(room, "owner")]
        agent.close()
        return features, fields, admins, owners

    features, fields, admins, owners = asyncio.run(inspect())
    for feature in ("muc_persistent", "muc_membersonly", "muc_hidden", "urn:xmpp:mam:2"):
        assert feature in features, feature
    assert fields.get("muc#roominfo_description", "").startswith("ห้องรับเรื่องร้องเรียนของ")
    assert admin["jid"] in admins
    assert info["bot_domain"] in owners


def test_centre_profile_has_thai_name_phone_and_png_emblem(stack) -> None:
    info = stack.info
    creds = stack.credentials()

    async def fetch() -> slixmpp.Iq:
        other = await login(info, creds["nan"]["jid"], creds["nan"]["password"])
        iq = other.client.make_iq_get(ito=creds["chiangrai"]["jid"])
        iq.xml.append(slixmpp.xmlstream.ET.Element("{vcard-temp}vCard"))
        result = await iq.send(timeout=10)
        other.close()
        return result

    card = asyncio.run(fetch()).xml.find("{vcard-temp}vCard")
    assert card.findtext("{vcard-temp}FN") == "ศูนย์ดำรงธรรมจังหวัดเชียงราย"
    assert card.findtext("{vcard-temp}TEL/{vcard-temp}NUMBER") == "1567"
    photo = base64.b64decode(card.findtext("{vcard-temp}PHOTO/{vcard-temp}BINVAL"))
    assert photo.startswith(b"\x89PNG\r\n\x1a\n")


def test_rerun_changes_nothing_and_says_so(stack) -> None:
    before = (stack.data_dir / "credentials.csv").read_bytes()
    run = provision(stack.data_dir)
    assert run.returncode == 0, run.stderr
    assert "76 up to date" in run.stdout
    assert (stack.data_dir / "credentials.csv").read_bytes() == before
    dry = provision(stack.data_dir, "--dry-run")
    assert dry.returncode == 0 and "plan: 76 up to date" in dry.stdout


def _edited_centres(tmp_path: Path, edit) -> Path:
    text = CENTRES_CSV.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows = [r for r in rows if r["kind"] == "province"]
    edit(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "centres.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_changed_data_file_applies_only_the_difference(own_stack, tmp_path) -> None:
    def rename(rows: list[dict]) -> None:
        rows[1]["name_en"] = "Chiang Mai Damrongdham Centre (renamed)"

    changed = _edited_centres(tmp_path, rename)
    dry = provision(own_stack.data_dir, "--centres-file", str(changed), "--dry-run")
    assert dry.returncode == 0
    assert "update  chiangmai" in dry.stdout and "1 to update, 75 up to date" in dry.stdout
    run = provision(own_stack.data_dir, "--centres-file", str(changed))
    assert run.returncode == 0, run.stderr
    assert "1 provisioned, 75 up to date" in run.stdout
    again = provision(own_stack.data_dir, "--centres-file", str(changed))
    assert "76 up to date" in again.stdout


def test_district_rooms_link_to_their_province(own_stack, tmp_path) -> None:
    districts = [c for c in all_centres() if c.parent == "chiangrai"][:2]
    text = CENTRES_CSV.read_text(encoding="utf-8").splitlines()
    keep = [line for line in text[1:] if line.split(",")[0] in {d.slug for d in districts}]
    path = tmp_path / "districts.csv"
    parents = [line for line in text[1:] if line.startswith("chiangrai,")]
    path.write_text("\n".join([text[0], *parents, *keep]) + "\n", encoding="utf-8")
    run = provision(own_stack.data_dir, "--centres-file", str(path))
    assert run.returncode == 0, run.stdout + run.stderr
    creds = own_stack.credentials()
    info = own_stack.info
    slug = districts[0].slug

    async def look() -> tuple[str, list[str]]:
        boss = await login(info, creds["chiangrai"]["jid"], creds["chiangrai"]["password"])
        room = f"{slug}@{info['muc_domain']}"
        await boss.join(room, "จังหวัด")  # the province account administers district rooms
        disco = await boss.client.plugin["xep_0030"].get_info(jid=room, timeout=10)
        desc = ""
        for f in disco["disco_info"].xml.iter("{jabber:x:data}field"):
            if f.get("var") == "muc#roominfo_description":
                desc = f.findtext("{jabber:x:data}value") or ""
        admins = await boss.client.plugin["xep_0045"].get_affiliation_list(room, "admin")
        boss.close()
        return desc, [str(j) for j in admins]

    desc, admins = asyncio.run(look())
    assert f"chiangrai@{info['muc_domain']}" in desc
    assert creds["chiangrai"]["jid"] in admins and f"{slug}@{info['domain']}" in admins


def test_staff_rotate_disable_enable(own_stack) -> None:
    data, info = own_stack.data_dir, own_stack.info
    added = provision(data, "agent", "add", "lampang", "somchai")
    assert added.returncode == 0, added.stderr
    jid = f"somchai.lampang@{info['domain']}"
    rows = {r["jid"]: r for r in csv.DictReader(io.StringIO(
        (data / "credentials.csv").read_text(encoding="utf-8")))}
    first = rows[jid]["password"]
    assert rows[jid]["slug"] == "lampang" and "somchai" not in first.lower()
    listed = provision(data, "agent", "list", "lampang")
    assert jid in listed.stdout

    async def join_room(password: str) -> bool:
        try:
            person = await login(info, jid, password)
        except XmppConnectError:
            return False
        try:
            await person.join(f"lampang@{info['muc_domain']}", "สมชาย")
            return True
        except Exception:
            return False
        finally:
            person.close()

    assert asyncio.run(join_room(first))
    rotated = provision(data, "rotate", jid)
    assert rotated.returncode == 0, rotated.stderr
    second = own_stack.credentials()["lampang"]  # centre row unchanged
    new = {r["jid"]: r for r in csv.DictReader(io.StringIO(
        (data / "credentials.csv").read_text(encoding="utf-8")))}[jid]["password"]
    assert new != first and second["password"]
    assert not asyncio.run(_can_login(info, jid, first))
    assert asyncio.run(_can_login(info, jid, new))

    assert provision(data, "disable", jid).returncode == 0
    assert not asyncio.run(_can_login(info, jid, new))
    enabled = provision(data, "enable", jid)
    assert enabled.returncode == 0, enabled.stderr
    latest = {r["jid"]: r for r in csv.DictReader(io.StringIO(
        (data / "credentials.csv").read_text(encoding="utf-8")))}[jid]["password"]
    assert asyncio.run(join_room(latest))


def test_rotate_and_disable_end_dashboard_sessions_and_return_cases(own_stack) -> None:
    from casestore import CaseStore
    from casestore.lifecycle import Status
    from casestore.web_sessions import WebSessions
    from kernel.config_file import load_settings

    data, info = own_stack.data_dir, own_stack.info
    assert provision(data, "agent", "add", "phrae", "malee").returncode == 0
    jid = f"malee.phrae@{info['domain']}"
    store = CaseStore(load_settings(data).db_url)
    try:
        sessions = WebSessions(store)
        first = sessions.create(jid)
        ref = store.open_case(centre="phrae", province="TH-54", body="ถนนเป็นหลุม",
                              citizen_jid=f"dang@{info['citizen_domain']}").case.ref
        store.claim(ref, jid)
        rotated = provision(data, "rotate", jid)
        assert rotated.returncode == 0, rotated.stderr
        assert "1 dashboard session(s) ended" in rotated.stdout
        assert sessions.get(first.token) is None  # the old sign-in is gone at once
        assert store.get(ref).assigned_to == jid  # a rotation keeps the cases
        second = sessions.create(jid)
        disabled = provision(data, "disable", jid)
        assert disabled.returncode == 0, disabled.stderr
        assert f"back in the queue: {ref}" in disabled.stdout
        assert sessions.get(second.token) is None
        case = store.get(ref)
        assert case.assigned_to is None and case.status == Status.NEW
        assert store.events(ref)[-1].note == f"returned: account disabled ({jid})"
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("agent", "add", "atlantis", "somchai"), "unknown centre 'atlantis'"),
        (("agent", "add", "nan", "Som Chai!"), "invalid agent name"),
        (("rotate", "nobody"), "unknown account 'nobody'"),
        (("--sets", "provinces,moon"), "moon"),
    ],
)
def test_bad_input_gets_one_clear_line(own_stack, args, message) -> None:
    run = provision(own_stack.data_dir, *args)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


def test_duplicate_slug_in_data_file_is_refused(own_stack, tmp_path) -> None:
    path = _edited_centres(tmp_path, lambda rows: rows.append(dict(rows[0])))
    run = provision(own_stack.data_dir, "--centres-file", str(path))
    assert run.returncode != 0 and "chiangrai" in run.stderr and "error:" in run.stderr


def test_unreachable_server_and_wrong_admin_password(own_stack, tmp_path) -> None:
    secret = tmp_path / "admin.pw"
    secret.write_text("not-the-password\n")
    common = ["--admin", f"admin@{own_stack.info['domain']}", "--admin-password-file",
              str(secret), "--ca-file", own_stack.info["ca_file"],
              "--credentials", str(tmp_path / "c.csv")]
    port = free_ports(1)[0]
    unreachable = subprocess.run(
        [sys.executable, "-m", "damrongdham", "provision", "--server", f"127.0.0.1:{port}",
         *common], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert unreachable.returncode != 0
    assert "cannot reach the XMPP server" in unreachable.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "damrongdham", "provision", "--server",
         f"127.0.0.1:{own_stack.info['c2s_port']}", *common],
        capture_output=True, text=True, timeout=60, cwd=REPO)
    assert wrong.returncode != 0 and "wrong password" in wrong.stderr
    assert not (tmp_path / "c.csv").exists()


def test_half_finished_run_is_reported_and_resumed(own_stack) -> None:
    import json

    state_file = own_stack.data_dir / "provisioning.json"
    state = json.loads(state_file.read_text())
    state["centres"]["trat"]["done"] = ["account"]  # as if interrupted before the room
    state_file.write_text(json.dumps(state))
    dry = provision(own_stack.data_dir, "--dry-run")
    assert "resume  trat" in dry.stdout and "room, profile" in dry.stdout
    run = provision(own_stack.data_dir)
    assert run.returncode == 0 and "provisioned" in run.stdout and "error" not in run.stdout
    assert "plan: 76 up to date" in provision(own_stack.data_dir, "--dry-run").stdout


def test_running_bot_serves_centres_provisioned_later(own_stack, tmp_path) -> None:
    from xmpp_helpers import citizen, ref_in

    district = next(c for c in all_centres() if c.parent == "nan")
    other = next(c for c in all_centres() if c.parent == "nan" and c.slug != district.slug)
    text = CENTRES_CSV.read_text(encoding="utf-8").splitlines()
    rows = [line for line in text[1:] if line.split(",")[0] in {"nan", district.slug}]
    path = tmp_path / "one-district.csv"
    path.write_text("\n".join([text[0], *rows]) + "\n", encoding="utf-8")
    assert provision(own_stack.data_dir, "--centres-file", str(path)).returncode == 0
    info, bot = own_stack.info, own_stack.info["bot_domain"]

    async def report() -> tuple[str, str]:
        person = await citizen(info)
        person.say(f"{other.slug}@{bot}", "ถนนขาด")
        refused = (await person.expect(lambda m: True, timeout=5))["body"]
        for _ in range(30):  # the bot looks at provisioning's state every 10 s
            start = len(person.inbox)
            person.say(f"{district.slug}@{bot}", "น้ำประปาไม่ไหลมาสามวันแล้ว")
            reply = await person.expect(lambda m: True, timeout=5, start=start)
            if ref_in(reply["body"]):
                break
            await asyncio.sleep(1)
        person.close()
        return refused, reply["body"]

    refused, accepted = asyncio.run(report())
    assert "ยังไม่เปิดรับเรื่อง" in refused
    assert ref_in(accepted) and ref_in(accepted).startswith("TH55-")


def test_owner_config_of_a_room(stack) -> None:
    import json

    info = stack.info
    admin_pw = json.loads((stack.data_dir / "secrets.json").read_text())["admin_password"]

    async def config() -> dict:
        admin = await login(info, f"admin@{info['domain']}", admin_pw)
        form = await admin.client.plugin["xep_0045"].get_room_config(
            slixmpp.JID(f"phrae@{info['muc_domain']}")
        )
        admin.close()
        return {var: f["value"] for var, f in form.get_fields().items()}

    values = asyncio.run(config())
    assert values["muc#roomconfig_roomname"] == "ศูนย์ดำรงธรรมจังหวัดแพร่"
    assert values["muc#roomconfig_persistentroom"] is True
    assert values["muc#roomconfig_membersonly"] is True
    assert values["muc#roomconfig_publicroom"] is False
    # Archiving is server policy (muc_log_all_rooms): no room owner can switch it off.
    assert "muc#roomconfig_enablearchiving" not in values


def test_a_failed_step_is_reported_with_what_is_left(own_stack, monkeypatch) -> None:
    from casestore.centres import centre_by_slug
    from provisioning import xmpp_admin
    from provisioning.apply import Provisioner
    from provisioning.target import from_data_dir

    async def refuse(*_a, **_k) -> bool:
        raise xmpp_admin.AdminError("room creation refused")

    async def run() -> list[str]:
        prov = Provisioner(from_data_dir(own_stack.data_dir))
        prov.state.centres.pop("yala")
        plan = prov.plan([centre_by_slug("yala")])
        async with prov:
            monkeypatch.setattr(xmpp_admin, "ensure_room", refuse)
            outcome = await prov.apply(plan)
        return outcome.problems

    [problem] = asyncio.run(run())
    assert problem.startswith("yala: room creation refused")
    assert "it has account but no room or profile" in problem
    monkeypatch.undo()
    dry = provision(own_stack.data_dir, "--dry-run")
    assert "resume  yala" in dry.stdout
    assert provision(own_stack.data_dir).returncode == 0
    assert "plan: 76 up to date" in provision(own_stack.data_dir, "--dry-run").stdout


def test_unknown_province_in_a_centres_file(own_stack, tmp_path) -> None:
    def bad(rows: list[dict]) -> None:
        rows[0]["iso"] = "TH-99"

    run = provision(own_stack.data_dir, "--centres-file", str(_edited_centres(tmp_path, bad)))
    assert run.returncode == 1 and "unknown province TH-99" in run.stderr


# -- what outsiders learn of the staff (issue 15) --------------------------------------------

AGENT_VCARD = """<vCard xmlns="vcard-temp"><FN>สมศักดิ์ ใจดี</FN>
<TEL><CELL/><NUMBER>0891112222</NUMBER></TEL>
<PHOTO><TYPE>image/png</TYPE><BINVAL>iVBORw0KGgo=</BINVAL></PHOTO></vCard>"""
PEP_NODES = ("urn:xmpp:vcard4", "urn:xmpp:avatar:metadata", "urn:xmpp:avatar:data")


async def _ask(person, to: str, xml: str) -> str:
    """The answer's condition ("result", or the error's condition) and its text."""
    iq = person.client.make_iq_get(ito=to)
    iq.append(slixmpp.xmlstream.ET.fromstring(xml))
    try:
        answer = await iq.send(timeout=10)
    except slixmpp.exceptions.IqError as exc:
        return exc.iq["error"]["condition"]
    return "result " + slixmpp.xmlstream.tostring(answer.xml)


def _pep_items(node: str) -> str:
    return f'<pubsub xmlns="http://jabber.org/protocol/pubsub"><items node="{node}"/></pubsub>'


def test_agents_profiles_are_not_readable_by_citizens(own_stack) -> None:
    data, info = own_stack.data_dir, own_stack.info
    added = provision(data, "agent", "add", "phrae", "somsak")
    assert added.returncode == 0, added.stderr
    agent_jid = f"somsak.phrae@{info['domain']}"
    rows = {r["jid"]: r for r in csv.DictReader(io.StringIO(
        (data / "credentials.csv").read_text(encoding="utf-8")))}
    centre = rows[f"phrae@{info['domain']}"]  # the centre's own account, not the agent's row

    async def scenario() -> dict[str, str]:
        from xmpp_helpers import citizen

        agent = await login(info, agent_jid, rows[agent_jid]["password"])
        iq = agent.client.make_iq_set()
        iq.append(slixmpp.xmlstream.ET.fromstring(AGENT_VCARD))
        await iq.send(timeout=10)  # Prosody mirrors it to PEP vcard4 and avatar (open)
        nok = await citizen(info)
        seen = {"vcard": await _ask(nok, agent_jid, '<vCard xmlns="vcard-temp"/>'),
                "vcard4": await _ask(nok, agent_jid,
                                     '<vcard xmlns="urn:ietf:params:xml:ns:vcard-4.0"/>'),
                "items": await _ask(nok, agent_jid,
                                    '<query xmlns="http://jabber.org/protocol/disco#items"/>')}
        for node in PEP_NODES:
            seen[node] = await _ask(nok, agent_jid, _pep_items(node))
        seen["centre"] = await _ask(nok, centre["jid"], '<vCard xmlns="vcard-temp"/>')
        seen["centre_avatar"] = await _ask(nok, centre["jid"],
                                           _pep_items("urn:xmpp:avatar:metadata"))
        colleague = await login(info, centre["jid"], centre["password"])
        seen["colleague"] = await _ask(colleague, agent_jid, '<vCard xmlns="vcard-temp"/>')
        for person in (agent, nok, colleague):
            person.close()
        return seen

    seen = asyncio.run(scenario())
    for what in ("vcard", "vcard4", "items", *PEP_NODES):
        assert seen[what] == "forbidden", (what, seen[what])
    assert seen["centre"].startswith("result") and "ศูนย์ดำรงธรรมจังหวัดแพร่" in seen["centre"]
    assert seen["centre_avatar"].startswith("result") and "image/png" in seen["centre_avatar"]
    assert seen["colleague"].startswith("result") and "สมศักดิ์" in seen["colleague"]


def test_room_occupants_are_hidden_from_non_members(own_stack) -> None:
    info = own_stack.info
    rows = {r["jid"]: r for r in csv.DictReader(io.StringIO(
        (own_stack.data_dir / "credentials.csv").read_text(encoding="utf-8")))}
    centre = rows[f"phrae@{info['domain']}"]
    room = f"phrae@{info['muc_domain']}"

    def occupants(disco: slixmpp.Iq) -> str | None:
        for f in disco["disco_info"].xml.iter("{jabber:x:data}field"):
            if f.get("var") == "muc#roominfo_occupants":
                v = f.find("{jabber:x:data}value")
                return v.text if v is not None else ""
        return None

    async def scenario() -> tuple[str | None, str | None, list]:
        from xmpp_helpers import citizen

        agent = await login(info, centre["jid"], centre["password"])
        await agent.join(room, "เวร")
        nok = await citizen(info)
        outside = await nok.client.plugin["xep_0030"].get_info(jid=room, timeout=10)
        items = await nok.client.plugin["xep_0030"].get_items(jid=room, timeout=10)
        inside = await agent.client.plugin["xep_0030"].get_info(jid=room, timeout=10)
        nok.close()
        agent.close()
        return occupants(outside), occupants(inside), list(items["disco_items"]["items"])

    outside, inside, items = asyncio.run(scenario())
    assert outside is None  # a citizen learns nothing of who is on duty
    assert items == []
    assert inside is not None and int(inside) >= 1  # the centre's staff still see it
