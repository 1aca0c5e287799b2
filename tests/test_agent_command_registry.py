"""The agent command registry (`bots.agent_commands`): every command module is found, and
every command has what the text, room and ad-hoc ways in are generated from."""

from __future__ import annotations

import pkgutil

import pytest
from catalogue_helpers import told

import bots.agent_commands as package
from bots import catalogue
from bots.agent_commands import registry
from bots.agent_commands.base import AgentCommand, Context, Field
from bots.agent_commands.room import parse_room, room_help, room_only_ok
from bots.agent_commands.runner import AgentActions
from bots.agent_commands.syntax import help_text, parse
from bridge.adhoc import nodes
from casestore import CaseStore
from kernel.addresses import Addresses

D = "damrongdham.localhost"
ADDR = Addresses.for_domain(D)
COMMANDS = registry.commands()
FIELD_TYPES = {"text-single", "text-multi", "list-single"}


@pytest.fixture
def ctx(store: CaseStore) -> Context:
    case = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=f"nok@citizens.{D}", body="น้ำไม่ไหล"
    ).case
    actions = AgentActions(store, ADDR, lambda c: "ศูนย์ดำรงธรรมจังหวัดแพร่")
    return actions.context(case, f"phrae@{D}")


def test_every_command_module_is_found() -> None:
    modules = {
        m.name
        for m in pkgutil.iter_modules(package.__path__)
        if m.name not in registry.NOT_COMMANDS and not m.name.startswith("_")
    }
    assert {c.__class__.__module__.rpartition(".")[2] for c in COMMANDS} == modules
    assert {"claim", "transfer", "merge", "whoami", "queue", "help"} <= {c.name for c in COMMANDS}
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_words_help_and_usage(spec: AgentCommand) -> None:
    assert spec.name.isascii() and spec.name == spec.name.lower()
    assert spec.thai and not spec.thai.isascii()
    assert spec.help_en and spec.help_th
    assert spec.arg in ("none", "optional", "required")
    if spec.arg != "none":
        assert spec.usage_en and spec.usage_th
    else:
        assert not spec.usage_en and not spec.usage_th
    assert spec.title == f"{spec.thai} · {spec.name}"
    for word in (spec.name, spec.thai, *spec.aliases):
        cmd = parse(f"/{word}")
        assert cmd is not None and cmd.spec is spec
        cmd = parse(f"!{word.upper()}")
        assert cmd is not None and cmd.spec is spec


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_a_form(spec: AgentCommand, ctx: Context) -> None:
    fields = spec.form(ctx)
    assert isinstance(fields, list) and all(isinstance(f, Field) for f in fields)
    assert all(f.type in FIELD_TYPES and f.var and f.label for f in fields)
    assert len({f.var for f in fields}) == len(fields)
    if spec.arg == "required":
        assert fields and fields[0].required  # the argument the text command needs
    if spec.arg == "none":
        assert fields == []  # runs at once
    # the answers stand for the text argument, in field order
    values = {f.var: f"v{i}" for i, f in enumerate(fields)}
    assert spec.argument(ctx, values) == " ".join(values.values())
    assert spec.name in nodes()


def test_words_are_unambiguous() -> None:
    owner: dict[str, str] = {}
    for spec in COMMANDS:
        for word in (spec.name, spec.thai, *spec.aliases):
            assert owner.setdefault(word.casefold(), spec.name) == spec.name, word
    # no Thai word of one command begins another command's word: with no space after
    # a Thai word, the longer one could not be told from the shorter plus an argument
    thai = [(w, s.name) for s in COMMANDS for w in (s.thai, *s.aliases) if not w.isascii()]
    for word, name in thai:
        for other, other_name in thai:
            if other_name != name:
                assert not other.startswith(word), (word, other)


def test_help_and_room_help_list_every_command() -> None:
    text = help_text()
    room = room_help()
    assert catalogue.values(text, "agent.help")["commands"].count("\n") == len(COMMANDS) - 1
    assert catalogue.values(room, "agent.room_help")["commands"].count("\n") == len(COMMANDS) - 2
    for spec in COMMANDS:
        assert f"/{spec.name}" in text and f"/{spec.thai}" in text
        if spec.name != "help":
            assert f"/{spec.name}" in room and f"/{spec.thai}" in room


def test_room_commands_follow_needs_case() -> None:
    assert room_only_ok() == {c.name for c in COMMANDS if not c.needs_case}
    assert {"help", "queue", "whoami"} <= room_only_ok()
    for spec in COMMANDS:
        cmd = parse_room(f"!{spec.name} TH54-2569-000001")
        assert cmd is not None and cmd.name == spec.name and cmd.ref == "TH54-2569-000001"
        bare = parse_room(f"/{spec.thai}")
        assert bare is not None and bare.ref is None
        assert bool(bare.text) == (not spec.needs_case)


def test_a_duplicate_word_is_refused(monkeypatch) -> None:
    class Clash(AgentCommand):
        name, thai = "clash", "รับเรื่อง"
        help_en, help_th = "x", "x"

    monkeypatch.setattr(registry, "commands", lambda: (*COMMANDS, Clash()))
    registry.by_word.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="รับเรื่อง"):
            registry.by_word()
    finally:
        monkeypatch.undo()
        registry.by_word.cache_clear()
        registry.thai_words.cache_clear()


def test_a_command_may_refuse_before_running(store: CaseStore) -> None:
    """`/merge` refuses an anonymous tip itself (`refuse`), whatever edge runs it."""
    from bots.agent_commands.syntax import parse as parse_text
    from bots.anon import placeholder

    tip = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=placeholder(D), body="มีบ่อนการพนัน"
    ).case
    other = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=placeholder(D), body="บ่อนเดิมเปิดอีก"
    ).case
    actions = AgentActions(store, ADDR, lambda c: "ศูนย์ดำรงธรรมจังหวัดแพร่")
    cmd = parse_text(f"/merge {other.ref}")
    assert cmd is not None
    (out,) = actions.run(tip, f"phrae@{D}", cmd, frozenset({f"phrae@{D}"}))
    assert told(out.body, "agent.anon_merge_refused") == {"case": tip.ref, "ref": tip.ref}
    assert store.get(tip.ref).status == tip.status
    assert [e.kind for e in store.events(tip.ref)] == ["opened"]


@pytest.mark.parametrize("body", ["/queue", "!คิว", "/help", "/claim", "/note hello", "!whoami"])
def test_room_answers_without_a_case(store: CaseStore, body: str) -> None:
    """`without_case`: what `CaseBridge` answers in the room for a command naming no case."""
    from bots.agent_commands.room import need_ref, without_case

    actions = AgentActions(store, ADDR, lambda c: "x")
    command = parse_room(body)
    assert command is not None and command.ref is None
    out = without_case(actions, command, f"phrae@{D}", "phrae")
    assert out.to == f"phrae@{D}" and not out.groupchat
    expected = {
        "queue": actions.queue_text("phrae"),
        "help": room_help(),
        "whoami": registry.get("whoami").without_case(actions, f"phrae@{D}", "phrae"),
    }.get(command.name, need_ref(command.name))
    assert out.body == expected
