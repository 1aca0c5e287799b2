"""The message catalogues (`bots.catalogue`): every entry Thai first with an English
counterpart, every field supplied by the code that renders it, no entry unused, and the
helpers tests use to read a text back by key."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bots import catalogue
from bots.agent_commands import registry
from bots.catalogue import REGISTRY, Entry
from bots.catalogue._entry import TOKEN_FIELDS

registry.commands()  # the commands' own entries join the catalogue when they load
REPO = Path(__file__).resolve().parent.parent
CATALOGUE = REPO / "bots" / "catalogue"
#: Code that renders catalogue texts (the catalogue itself excluded).
CALLERS = ("bots", "bridge", "web", "provisioning", "damrongdham")
THAI = re.compile(r"[\u0e00-\u0e7f]")
PART = re.compile(r"\{(th|en)(?:\[(\d+)\])?\}")
#: Lines written in one language today; adding the other is a wording change for the team
#: (the room's and an agent's lines are read by Thai staff). English-only: fragments that go
#: inside an English template.
THAI_ONLY = {
    "room.new_case",
    "room.new_case_urgent",
    "room.new_case_hazard",
    "room.unknown_province",
    "room.evidence",
    "room.citizen_wrote",
    "agent.citizen_wrote",
    "agent.citizen_sent_file",
}
ENGLISH_ONLY = {"room.sla_since", "room.sla_escalated_here"}


def _parts(texts: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if texts is None:
        return ()
    return (texts,) if isinstance(texts, str) else texts


def test_every_entry_has_thai_and_english_thai_first() -> None:
    assert len(REGISTRY) >= 70
    for key, entry in REGISTRY.items():
        assert key.split(".")[0] in ("citizen", "room", "agent"), key
        th, en = _parts(entry.th), _parts(entry.en)
        if key in THAI_ONLY:
            assert th and not en, key
        elif key in ENGLISH_ONLY:
            assert en and not th, key
        else:
            assert th and en and len(th) == len(en), key
        for text in th:
            assert THAI.search(text), f"{key}: Thai template without Thai: {text!r}"
        for text in en:
            assert not THAI.search(text), f"{key}: Thai inside the English template: {text!r}"
        # each part of the layout once, and Thai before English (part by part)
        places = [(m[1], m[2]) for m in PART.finditer(entry.layout)]
        assert len(places) == len(set(places)) == len(th) + len(en), key
        for i in range(min(len(th), len(en))):
            index = None if isinstance(entry.th, str) else str(i)
            assert places.index(("th", index)) < places.index(("en", index)), key


#: Optional pieces as their callers give them (they start with a space or a new line).
SAMPLES = {
    "why": " (threat)",
    "change": " (new → assigned)",
    "here": " (escalated here since 2026-01-05 09:00)",
    "since": " since 2026-01-05 09:00",
    "merged": "\nดำเนินการต่อในเรื่อง · continued under TH57-2569-000002",
    "evidence": "\nเหตุผลการจัดหมวด: ถนน, หลุม",
    "warning": "⚠️ หากมีอันตราย…\nEmergency…\n\n",
    "more": "\nกรุณาตอบ · Please reply.",
    "urgent": "🚨 ด่วน · URGENT ",
}


def _sample(entry: Entry) -> dict[str, object]:
    values: dict[str, object] = {}
    for _lit, name, spec, _conv in catalogue._entry._FORMATTER.parse(entry.template):
        if name:
            values[name] = 12345 if spec else SAMPLES.get(name, f"<{name}>")
    return values


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_every_entry_renders_and_reads_back(key: str) -> None:
    entry = REGISTRY[key]
    values = _sample(entry)
    text = catalogue.render(key, **values)
    assert "{" not in text.replace("{" + "}", "")  # no field left unfilled
    assert catalogue.matches(text, key)
    assert catalogue.key_of(text) == key
    if values:
        read = catalogue.values(text, key)
        if not any(isinstance(v, int) for v in values.values()):  # ("12,345" is read back)
            assert entry.render(**read) == text
        for name, value in values.items():  # tokens read back exactly (a reference, a PIN)
            if name in TOKEN_FIELDS:
                assert read[name] == (format(value, ",") if isinstance(value, int) else value)
        with pytest.raises(KeyError):
            catalogue.render(key)  # a missing field is an error, not a blank
    with pytest.raises(KeyError):
        catalogue.render(key, unexpected="x", **values)


def _defines(call: ast.Call) -> bool:
    """`entry(key, th, en…)`: a command declaring its own entry, not a use of it."""
    return isinstance(call.func, ast.Name) and call.func.id == "entry"


def _calls() -> list[tuple[str, ast.Call, str]]:
    """(key, call, where) for every call in the code whose first argument is a key."""
    found = []
    for package in CALLERS:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.is_relative_to(CATALOGUE):
                continue
            tree = ast.parse(path.read_bytes(), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and node.args) or _defines(node):
                    continue
                first = node.args[0]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and re.fullmatch(r"(citizen|room|agent)\.[a-z0-9_]+", first.value)
                ):
                    where = f"{path.relative_to(REPO)}:{node.lineno}"
                    found.append((first.value, node, where))
    return found


def test_callers_name_known_keys_and_supply_exactly_their_fields() -> None:
    calls = _calls()
    assert calls
    for key, call, where in calls:
        assert key in REGISTRY, f"{where}: unknown key {key}"
        named = {k.arg for k in call.keywords if k.arg is not None}
        splat = any(k.arg is None for k in call.keywords)
        fields = REGISTRY[key].fields
        assert named <= fields, f"{where}: {key} has no field {sorted(named - fields)}"
        if not splat:  # with **values the render itself refuses a missing field
            assert named == fields, f"{where}: {key} needs {sorted(fields - named)}"


def _keys_named() -> set[str]:
    """Every string in the code that is a key (rendered directly, or chosen first:
    `key = "room.a" if … else "room.b"`)."""
    named = set()
    for package in CALLERS:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.is_relative_to(CATALOGUE):
                continue
            tree = ast.parse(path.read_bytes(), filename=str(path))
            defined = {
                id(node.args[0]) for node in ast.walk(tree)
                if isinstance(node, ast.Call) and node.args and _defines(node)
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and node.value in REGISTRY
                    and id(node) not in defined
                ):
                    named.add(node.value)
    return named


def test_no_entry_is_unused() -> None:
    assert sorted(set(REGISTRY) - _keys_named()) == []


def test_the_catalogue_imports_only_itself_and_the_standard_library() -> None:
    for path in CATALOGUE.glob("*.py"):
        tree = ast.parse(path.read_bytes())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                assert top in ("__future__", "re", "string", "dataclasses") or name.startswith(
                    "bots.catalogue"
                ), f"{path.name} imports {name}"


def test_the_helpers_read_texts_by_key() -> None:
    ref = "TH57-2569-000001"
    text = catalogue.render("citizen.unknown_case", ref=ref)
    assert text == f"ไม่พบเรื่องเลขที่ {ref} · No case {ref} exists."
    assert catalogue.matches(text, "citizen.unknown_case")
    assert not catalogue.matches(text, "citizen.case_not_found")
    assert catalogue.values(text, "citizen.unknown_case") == {"ref": ref}
    # a field used twice must read the same both times
    assert not catalogue.matches("ไม่พบเรื่องเลขที่ A · No case B exists.", "citizen.unknown_case")
    # inside a longer text
    both = text + "\n" + catalogue.render("citizen.anon_hint", ref=ref)
    assert catalogue.contains(both, "citizen.anon_hint")
    assert not catalogue.matches(both, "citizen.anon_hint")
    assert catalogue.key_of("hello") is None
    with pytest.raises(ValueError):
        catalogue.values("hello", "citizen.unknown_case")
