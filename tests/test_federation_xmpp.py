"""Two federated servers: a case opened on a district server moves to the central server.

Two whole stacks (`damrongdham up`, each with its own Prosody, bot, web and case store) on
loopback, with server-to-server on, certificates from one shared CA and s2s_secure_auth
(`bridge.federation`). The transfer travels over real s2s between the two Prosody servers;
the central server's own bot then answers `/history` with the district's transcript.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
import slixmpp
from xmpp_helpers import citizen, free_ports, login, ref_in, start_stack

from bots import catalogue
from bridge.federation import (
    Federation,
    FederationError,
    gateway_jid,
    server_certificate,
    share_ca,
    write_prosody_federation,
)
from casestore import CaseStore, Status
from casestore.centres import load_centres
from casestore.export_import import ImportConflict, export_case, import_case
from damrongdham.prosody import hostnames
from kernel.settings import StackSettings
from kernel.tls import ensure_certificates

DISTRICT, CENTRAL, ROGUE = "district.localhost", "central.localhost", "rogue.localhost"
FROM_CENTRE, TO_CENTRE = "chiangrai", "nonthaburi"
COMPLAINT = "ถนนหน้าโรงเรียนบ้านป่าซางเป็นหลุมลึก รถจักรยานยนต์ล้มทุกวัน"
SLUGS = [c.slug for c in load_centres()]
TOPIC = "other"


# -- export and import, on both databases --------------------------------------------------------


def _open(store: CaseStore, text: str = COMPLAINT) -> str:
    opened = store.open_case(
        citizen_jid=f"somsri@citizens.{DISTRICT}", centre=FROM_CENTRE, body=text,
        province="TH-57", topic=TOPIC,
    )
    ref = opened.case.ref
    store.add_message(ref, "agent", f"{FROM_CENTRE}@{DISTRICT}", "รับเรื่องแล้ว")
    store.claim(ref, f"{FROM_CENTRE}@{DISTRICT}")
    return ref


def test_export_import_keeps_reference_transcript_and_audit_log(db_url: str, tmp_path) -> None:
    source = CaseStore(f"sqlite:///{tmp_path / 'district.sqlite3'}")
    source.migrate()
    target = CaseStore(db_url)
    target.migrate()
    try:
        ref = _open(source)
        data = export_case(source, ref, DISTRICT)
        case, created = import_case(target, data, TO_CENTRE, gateway_jid(DISTRICT), "เขตทางหลวง")
        assert created and case.ref == ref and case.centre == TO_CENTRE
        assert case.status == Status.NEW and case.assigned_to is None  # claimed there, not here
        assert [m.body for m in target.transcript(ref)] == [m.body for m in source.transcript(ref)]
        before = [(e.kind, e.actor, e.at) for e in source.events(ref)]
        after = target.events(ref)
        assert [(e.kind, e.actor, e.at) for e in after[:-1]] == before
        assert after[-1].kind == "transferred"
        assert after[-1].note == f"{FROM_CENTRE}@{DISTRICT} → {TO_CENTRE}: เขตทางหลวง"
        assert target.check_pin(ref, "0000") is False  # the PIN hash came along, not a new one
        again, created = import_case(target, data, TO_CENTRE, "x")  # delivered twice
        assert not created and again.ref == ref and len(target.events(ref)) == len(after)
        # the central server's own numbering skips the imported reference
        mine = target.open_case(
            citizen_jid=f"dang@citizens.{CENTRAL}", centre=TO_CENTRE, body="ไฟถนนดับ",
            province="TH-57", topic=TOPIC,
        )
        assert mine.case.ref != ref and mine.case.ref[:-6] == ref[:-6]
        other = dict(data, case=dict(data["case"], citizen_jid="someone@else"))
        with pytest.raises(ImportConflict):
            import_case(target, other, TO_CENTRE, "x")
        closed = dict(data, case=dict(data["case"], status="closed"))
        with pytest.raises(ValueError, match="only open cases"):
            import_case(target, closed, TO_CENTRE, "x")
    finally:
        source.close()
        target.close()


# -- two real Prosody servers ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    """District and central stacks federated over s2s on loopback (one shared CA), and a rogue
    server that trusts that CA but whose own certificate comes from another one."""
    base = tmp_path_factory.mktemp("federation")
    ca_dir = base / "ca"
    ensure_certificates(ca_dir, ["ca.invalid"])  # the federation's CA (and an unused cert)
    domains = (DISTRICT, CENTRAL, ROGUE)
    ports = free_ports(15)  # at once: a port handed out twice would be taken by the other
    s2s = dict(zip(domains, ports[:3], strict=True))
    stack_ports = {d: ports[3 + 4 * i:7 + 4 * i] for i, d in enumerate(domains)}
    peers = {DISTRICT: [CENTRAL], CENTRAL: [DISTRICT, ROGUE], ROGUE: [CENTRAL]}
    secrets: dict[str, str] = {}
    for domain in domains:
        settings = StackSettings(data_dir=base / domain / "data", domain=domain)
        trust = None
        if domain == ROGUE:  # its own CA signs its certificate; it trusts the federation's
            server_certificate(settings.certs_dir, hostnames(settings), domain)
            trust = ca_dir / "ca.crt"
        else:
            share_ca(ca_dir, settings.certs_dir)
            server_certificate(settings.certs_dir, hostnames(settings), domain)
        secrets[domain] = uuid.uuid4().hex
        write_prosody_federation(
            settings.prosody_dir, settings.certs_dir, domain, "127.0.0.1", s2s[domain],
            {p: ("127.0.0.1", s2s[p]) for p in peers[domain]}, secrets[domain], trust,
        )
    stacks = {}
    try:
        for domain in domains:
            stacks[domain] = start_stack(base / domain / "data", stack_ports[domain],
                                         extra=["--domain", domain], timeout=180)
            log = (base / domain / "data" / "prosody" / "prosody.log").read_text("utf-8")
            assert f"Activated service 's2s' on [127.0.0.1]:{s2s[domain]}" in log, log[-2000:]
        yield stacks, secrets
    finally:
        for running in stacks.values():
            running.stop()


async def _gateway(
    running, domain: str, secret: str, peer: str | list[str], imported: list | None = None
) -> tuple[slixmpp.ComponentXMPP, Federation]:
    xmpp = slixmpp.ComponentXMPP(gateway_jid(domain), secret, "127.0.0.1",
                                 running.info["component_port"])
    started = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("session_start", lambda _e: started.done() or started.set_result(1))
    peers = [peer] if isinstance(peer, str) else peer
    fed = Federation(xmpp, CaseStore(running.db_url), domain, peers, SLUGS,
                     on_imported=None if imported is None else imported.append)
    xmpp.connect()
    await asyncio.wait_for(started, 20)
    return xmpp, fed


@pytest.mark.xmpp
def test_prosody_config_turns_s2s_on_only_with_the_federation_file(servers) -> None:
    stacks, _ = servers
    for domain, running in stacks.items():
        config = (running.data_dir / "prosody" / "prosody.cfg.lua").read_text(encoding="utf-8")
        assert 'modules_disabled = { "s2s"; "dialback" }' in config  # the default: off
        assert "federation.cfg.lua" in config
        extra = (running.data_dir / "prosody" / "federation.cfg.lua").read_text(encoding="utf-8")
        assert "s2s_secure_auth = true" in extra and f'Component "federation.{domain}"' in extra


@pytest.mark.xmpp
def test_case_moves_from_district_to_central_server_with_its_history(servers) -> None:
    stacks, secrets = servers
    district, central = stacks[DISTRICT], stacks[CENTRAL]
    agent_password = central.credentials()[TO_CENTRE]["password"]

    async def scenario() -> tuple[str, str, list]:
        person = await citizen(district.info)
        person.say(f"{FROM_CENTRE}@{district.info['bot_domain']}", COMPLAINT)
        reply = await person.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        ref = ref_in(reply["body"])
        assert ref is not None
        imported: list = []
        gw_d, fed_d = await _gateway(district, DISTRICT, secrets[DISTRICT], CENTRAL)
        gw_c, _fed_c = await _gateway(central, CENTRAL, secrets[CENTRAL], DISTRICT, imported)
        try:
            after = await fed_d.send_case(
                ref, gateway_jid(CENTRAL), TO_CENTRE, f"{FROM_CENTRE}@{DISTRICT}", "ส่งส่วนกลาง"
            )
            assert after.centre == f"{TO_CENTRE}@{CENTRAL}"
            with pytest.raises(FederationError, match="item-not-found"):
                await fed_d.send_case(ref, gateway_jid(CENTRAL), "nowhere", "x")
            with pytest.raises(FederationError, match="not a federated peer"):
                await fed_d.send_case(ref, "federation.elsewhere.localhost", TO_CENTRE, "x")
            agent = await login(central.info, f"{TO_CENTRE}@{CENTRAL}", agent_password)
            agent.say(f"{ref.lower()}@{central.info['bot_domain']}", "/history")
            history = await agent.expect(
                lambda m: catalogue.contains(m["body"], "agent.history_audit"), timeout=15
            )
            agent.close()
        finally:
            person.close()
            gw_d.disconnect()
            gw_c.disconnect()
        return ref, history["body"], imported

    ref, history, imported = asyncio.run(scenario())
    assert [c.ref for c in imported] == [ref]
    assert ref in history and COMPLAINT in history  # the district's transcript, on central
    assert f"{FROM_CENTRE}@{DISTRICT} → {TO_CENTRE}" in history
    with CaseStore(central.db_url) as store:
        case = store.get(ref)
        assert case is not None and case.centre == TO_CENTRE
        assert [e.kind for e in store.events(ref)][:1] == ["opened"]
    with CaseStore(district.db_url) as store:
        assert store.events(ref)[-1].note == f"{FROM_CENTRE} → {TO_CENTRE}@{CENTRAL}: ส่งส่วนกลาง"


@pytest.mark.xmpp
def test_central_agent_and_district_citizen_talk_across_servers(servers) -> None:
    """After the transfer the central centre's agent answers the district server's citizen
    (bot of one server to a citizen of the other, over s2s), and the citizen's reply to the
    case's central address reaches the agent."""
    stacks, secrets = servers
    district, central = stacks[DISTRICT], stacks[CENTRAL]
    agent_jid = f"{TO_CENTRE}@{CENTRAL}"
    agent_password = central.credentials()[TO_CENTRE]["password"]

    async def scenario() -> tuple[str, str, str]:
        person = await citizen(district.info)
        person.say(f"{FROM_CENTRE}@{district.info['bot_domain']}", COMPLAINT + " ซอย 2")
        reply = await person.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        ref = ref_in(reply["body"])
        gw_d, fed_d = await _gateway(district, DISTRICT, secrets[DISTRICT], CENTRAL)
        gw_c, _fed_c = await _gateway(central, CENTRAL, secrets[CENTRAL], DISTRICT)
        case_jid = f"{ref.lower()}@{central.info['bot_domain']}"
        try:
            await fed_d.send_case(ref, gateway_jid(CENTRAL), TO_CENTRE, f"{FROM_CENTRE}@{DISTRICT}")
            agent = await login(central.info, agent_jid, agent_password)
            await agent.join(f"{TO_CENTRE}@{central.info['muc_domain']}", "ศูนย์")  # on duty
            agent.say(case_jid, "/claim")
            # the central bot announces an imported case like any other; it may route it to
            # the agent on duty before the claim
            await agent.expect(lambda m: "hold this case" in m["body"], timeout=15)
            agent.say(case_jid, "เจ้าหน้าที่ส่วนกลางรับเรื่องแล้ว จะประสานกรมทางหลวง")
            answer = await person.expect(lambda m: "ส่วนกลาง" in m["body"], timeout=15)
            # to the case's address on the central server (its centre address would take the
            # district citizen for staff: see docs/scaling.md, "relay across servers")
            person.say(case_jid, "ขอบคุณครับ")
            back = await agent.expect(lambda m: "ขอบคุณครับ" in m["body"], timeout=15)
            agent.close()
        finally:
            person.close()
            gw_d.disconnect()
            gw_c.disconnect()
        return ref, str(answer["from"].bare), str(back["from"].bare)

    ref, answered_from, relayed_from = asyncio.run(scenario())
    assert answered_from == f"{TO_CENTRE}@bot.{CENTRAL}"  # the central centre answers
    assert relayed_from in (f"{ref.lower()}@bot.{CENTRAL}", f"{TO_CENTRE}@rooms.{CENTRAL}")
    with CaseStore(central.db_url) as store:
        assert [m.body for m in store.transcript(ref)][-1] == "ขอบคุณครับ"


@pytest.mark.xmpp
def test_a_server_whose_certificate_is_not_from_the_federation_ca_is_refused(servers) -> None:
    """The rogue server trusts the federation's CA and central lists it as a peer, but its own
    certificate is signed by another CA: s2s_secure_auth refuses it before any case moves."""
    stacks, secrets = servers
    rogue, central = stacks[ROGUE], stacks[CENTRAL]
    with CaseStore(rogue.db_url) as store:
        ref = store.open_case(
            citizen_jid=f"mallory@citizens.{ROGUE}", centre="narathiwat", body=COMPLAINT,
            province="TH-96", topic=TOPIC,
        ).case.ref

    async def scenario() -> str:
        gw_r, fed_r = await _gateway(rogue, ROGUE, secrets[ROGUE], CENTRAL)
        gw_c, _fed_c = await _gateway(central, CENTRAL, secrets[CENTRAL], [DISTRICT, ROGUE])
        try:
            with pytest.raises(FederationError) as refused:
                await fed_r.send_case(ref, gateway_jid(CENTRAL), TO_CENTRE, "mallory", timeout=20)
        finally:
            gw_r.disconnect()
            gw_c.disconnect()
        return str(refused.value)

    error = asyncio.run(scenario())
    assert "forbidden" not in error  # refused by the servers, not by our gateway
    with CaseStore(central.db_url) as store:
        assert store.get(ref) is None
    log = (central.data_dir / "prosody" / "prosody.log").read_text("utf-8")
    assert f"federation.{ROGUE} because its certificate is not trusted" in log
    assert f"Accepting SASL EXTERNAL identity from federation.{ROGUE}" not in log
    assert f"Accepting SASL EXTERNAL identity from federation.{DISTRICT}" in log


def test_nothing_federates_without_the_file(tmp_path: Path) -> None:
    """The template only includes federation.cfg.lua when it exists (default: s2s off)."""
    from damrongdham.prosody import render_config

    settings = StackSettings(data_dir=tmp_path / "data")
    text = render_config(settings, "secret").read_text(encoding="utf-8")
    assert "s2s_ports = { }" in text and '"s2s"; "dialback"' in text
    assert f'io.open("{settings.prosody_dir}/federation.cfg.lua")' in text
    assert not (settings.prosody_dir / "federation.cfg.lua").exists()


# -- the product: configured with `damrongdham federation`, run by `damrongdham up` ------------

NORTH, CAPITAL, SILENT = "north.localhost", "capital.localhost", "silent.localhost"


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory):
    """Two stacks set up as an operator does: `damrongdham federation init` on the capital
    (its own CA becomes the federation's), `init --ca-from` the capital's certificates on the
    north, `peer add` on both (the north also lists a peer that never answers), then plain
    `damrongdham up`: the bots run the gateways, the test connects none."""
    from damrongdham.cli import main

    base = tmp_path_factory.mktemp("product")
    ports = free_ports(11)
    s2s = {CAPITAL: ports[0], NORTH: ports[1], SILENT: ports[2]}
    data = {d: base / d / "data" for d in (CAPITAL, NORTH)}

    def cli(*argv: str) -> None:
        assert main(["federation", *argv]) == 0, argv

    for domain, ca in ((CAPITAL, None), (NORTH, data[CAPITAL] / "certs")):
        cli("init", "--data-dir", str(data[domain]), "--domain", domain, "--listen",
            "127.0.0.1", "--port", str(s2s[domain]), *(["--ca-from", str(ca)] if ca else []))
    cli("peer", "add", "--data-dir", str(data[CAPITAL]), NORTH, f"127.0.0.1:{s2s[NORTH]}")
    cli("peer", "add", "--data-dir", str(data[NORTH]), CAPITAL, f"127.0.0.1:{s2s[CAPITAL]}")
    cli("peer", "add", "--data-dir", str(data[NORTH]), SILENT, f"127.0.0.1:{s2s[SILENT]}")
    assert (data[NORTH] / "federation.json").stat().st_mode & 0o777 == 0o600
    stacks = {}
    try:
        for i, domain in enumerate((CAPITAL, NORTH)):
            stacks[domain] = start_stack(data[domain], ports[3 + 4 * i:7 + 4 * i],
                                         extra=["--domain", domain], timeout=180)
        yield stacks
    finally:
        for running in stacks.values():
            running.stop()


def test_federation_cli_refuses_bad_input(tmp_path: Path, capsys) -> None:
    from damrongdham.cli import main

    data = str(tmp_path / "data")
    assert main(["federation", "peer", "list", "--data-dir", data]) == 2
    assert "federation init" in capsys.readouterr().err
    assert main(["federation", "init", "--data-dir", data]) == 2  # no domain yet
    assert "--domain" in capsys.readouterr().err
    assert main(["federation", "init", "--data-dir", data, "--domain", "d.localhost",
                 "--ca-from", str(tmp_path / "nowhere")]) == 2
    assert "ca.crt" in capsys.readouterr().err
    assert main(["federation", "init", "--data-dir", data, "--domain", "d.localhost"]) == 0
    assert "damrongdham up" in capsys.readouterr().out  # the restart
    for bad in (["not a domain", "10.0.0.5"], ["c.localhost", "10.0.0.5:99999"],
                ["d.localhost", "10.0.0.5"]):
        assert main(["federation", "peer", "add", "--data-dir", data, *bad]) == 2
        assert capsys.readouterr().err.startswith("error: ")
    assert main(["federation", "peer", "add", "--data-dir", data, "c.localhost", "10.0.0.5"]) == 0
    assert main(["federation", "peer", "list", "--data-dir", data]) == 0
    assert "c.localhost\t10.0.0.5:5269" in capsys.readouterr().out
    lua = (tmp_path / "data" / "prosody" / "federation.cfg.lua").read_text(encoding="utf-8")
    assert '["c.localhost"] = { "10.0.0.5", 5269 }' in lua
    assert main(["federation", "peer", "remove", "--data-dir", data, "x.localhost"]) == 2
    assert main(["federation", "peer", "remove", "--data-dir", data, "c.localhost"]) == 0


@pytest.mark.xmpp
def test_agent_transfers_a_case_to_a_peer_server_with_the_transfer_command(product) -> None:
    """`!transfer nonthaburi@capital.localhost` in the case chat on the north server: the
    case arrives on the capital server (same reference and transcript), is announced in the
    nonthaburi room there, the agent is told and the citizen gets the case's new address. An
    unknown server and a configured peer that does not answer are refused, nothing changed."""
    from bots.catalogue import contains

    north, capital = product[NORTH], product[CAPITAL]
    north_agent = f"{FROM_CENTRE}@{NORTH}"
    north_password = north.credentials()[FROM_CENTRE]["password"]
    capital_password = capital.credentials()[TO_CENTRE]["password"]

    async def scenario() -> tuple[str, list[str], str]:
        person = await citizen(north.info)
        person.say(f"{FROM_CENTRE}@{north.info['bot_domain']}", COMPLAINT)
        reply = await person.expect(lambda m: ref_in(m["body"]) is not None, timeout=15)
        ref = ref_in(reply["body"])
        assert ref is not None
        case_jid = f"{ref.lower()}@{north.info['bot_domain']}"
        watcher = await login(capital.info, f"{TO_CENTRE}@{CAPITAL}", capital_password)
        agent = await login(north.info, north_agent, north_password)
        try:
            await watcher.join(f"{TO_CENTRE}@{capital.info['muc_domain']}", "ศูนย์นนทบุรี")
            told = []
            for target, key in ((f"{TO_CENTRE}@elsewhere.localhost", "agent.transfer_not_a_peer"),
                                (f"{TO_CENTRE}@{SILENT}", "agent.remote_transfer_refused"),
                                (f"{TO_CENTRE}@{CAPITAL}", "agent.remote_transfer_done")):
                start = len(agent.inbox)
                agent.say(case_jid, f"!transfer {target} ส่งส่วนกลาง")
                got = await agent.expect(lambda m, k=key: contains(m["body"], k), timeout=30,
                                         start=start)
                told.append(got["body"])
                if key != "agent.remote_transfer_done":
                    with CaseStore(north.db_url) as store:
                        assert store.get(ref).centre == FROM_CENTRE  # nothing changed
            moved = await person.expect(lambda m: contains(m["body"], "citizen.moved_to_peer"),
                                        timeout=15)
            announced = await watcher.expect(
                lambda m: m["type"] == "groupchat" and ref in m["body"], timeout=20
            )
            # a north citizen writing to the capital centre is a citizen there, not staff:
            # the message joins the open case and reaches the agent the case was routed to
            person.say(f"{TO_CENTRE}@bot.{CAPITAL}", "ไฟถนนดับทั้งซอย 5 มาสามคืนแล้ว")
            await watcher.expect(lambda m: "ไฟถนนดับทั้งซอย 5" in m["body"], timeout=15)
            assert not [m for m in person.inbox
                        if contains(m["body"], "agent.not_citizen_address")]
        finally:
            person.close()
            agent.close()
            watcher.close()
        assert f"{ref.lower()}@bot.{CAPITAL}" in moved["body"]  # where the case continues
        return ref, told, announced["body"]

    ref, told, announced = asyncio.run(scenario())
    assert ref in announced and NORTH in announced  # from which server
    assert "elsewhere.localhost" in told[0] and CAPITAL in told[0]
    assert SILENT in told[1]
    assert f"{TO_CENTRE}@{CAPITAL}" in told[2]
    with CaseStore(capital.db_url) as store:
        case = store.get(ref)
        assert case is not None and case.centre == TO_CENTRE  # same reference, there
        assert COMPLAINT in [m.body for m in store.transcript(ref)]
    with CaseStore(north.db_url) as store:
        assert store.get(ref).centre == f"{TO_CENTRE}@{CAPITAL}"
        assert store.events(ref)[-1].note == f"{FROM_CENTRE} → {TO_CENTRE}@{CAPITAL}: ส่งส่วนกลาง"
