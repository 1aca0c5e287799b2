"""The import contract: the packages import one way, top to bottom, with no cycle.

Every `import` and `from … import` statement of every first-party package counts, those inside
functions too (read from the source with `ast`, nothing is imported). Relative imports stay
inside their package and are left out. A first-party package is a top-level folder of the
repository with an `__init__.py`; each one must have its place in LAYERS.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Top to bottom. A package may import its own layer's packages and lower layers, never a
#: higher one: the command line and supervisor over the processes, the processes over the
#: brain, the brain over the case store, everything over the kernel.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("devtools",),  # the bench and chaos harness: starts stacks, measures them
    ("damrongdham",),  # the command line and the supervisor (`damrongdham up`)
    ("bridge", "web", "provisioning"),  # the processes
    ("bots",),  # the brain
    ("casestore",),  # the domain: the only code that writes the case database
    ("kernel",),  # shared by every process; imports no other package of ours
)
#: What runs in production; none of it may import the harness.
RUNTIME = ("kernel", "casestore", "bots", "bridge", "web", "provisioning")
#: Imports forbidden inside a layer: (importer, imported).
FORBIDDEN = (("web", "bridge"),)


@dataclass(frozen=True)
class Import:
    """One import statement of one package naming another."""

    source: str  # importing package
    target: str  # imported package
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.where} imports {self.target}"


def first_party(root: Path) -> list[str]:
    """The top-level packages under `root`."""
    return sorted(p.parent.name for p in root.glob("*/__init__.py"))


def _imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted module name) of every absolute import statement in `path`."""
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def _modules(root: Path, package: str) -> list[Path]:
    return [p for p in sorted((root / package).rglob("*.py")) if "node_modules" not in p.parts]


def imports(root: Path, packages: Iterable[str]) -> list[Import]:
    """Every import of one of `packages` by another, anywhere in their modules."""
    packages = set(packages)
    found = []
    for package in sorted(packages):
        for path in _modules(root, package):
            for line, name in _imported(path):
                target = name.partition(".")[0]
                if target in packages and target != package:
                    found.append(Import(package, target, f"{path.relative_to(root)}:{line}"))
    return found


def _cycles(edges: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The shortest cycle through each package that is on one, as a path of packages back
    to where it starts (each cycle once, starting at its first package in sorted order)."""
    cycles: list[list[str]] = []
    for start in sorted(edges):
        paths = {start: [start]}
        queue = [start]
        while queue:  # breadth first: the shortest way from `start` back to itself
            node = queue.pop(0)
            following = sorted(edges.get(node, {}))
            if start in following:
                path = paths[node]
                first = path.index(min(path))
                cycle = [*path[first:], *path[:first]]
                if [*cycle, cycle[0]] not in cycles:
                    cycles.append([*cycle, cycle[0]])
                break
            for nxt in following:
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    queue.append(nxt)
    return cycles


def check(
    root: Path,
    layers: Sequence[Sequence[str]] = LAYERS,
    runtime: Iterable[str] = RUNTIME,
    forbidden: Iterable[tuple[str, str]] = FORBIDDEN,
    harness: str = "devtools",
) -> list[str]:
    """What breaks the contract under `root`, one line each; empty when it holds."""
    problems = []
    packages = first_party(root)
    level = {pkg: i for i, layer in enumerate(layers) for pkg in layer}
    problems += [f"package {p} has no layer in the contract" for p in packages if p not in level]
    found = imports(root, packages)
    edges: dict[str, dict[str, Import]] = {}
    for imp in found:
        edges.setdefault(imp.source, {}).setdefault(imp.target, imp)
    for cycle in _cycles(edges):
        steps = "; ".join(str(edges[a][b]) for a, b in pairwise(cycle))
        problems.append(f"cycle {' -> '.join(cycle)} ({steps})")
    runtime, forbidden = set(runtime), set(forbidden)
    for imp in found:
        if imp.source in level and imp.target in level and level[imp.target] < level[imp.source]:
            problems.append(f"upward import: {imp} ({imp.source} is below {imp.target})")
        if imp.source in runtime and imp.target == harness:
            problems.append(f"runtime imports the harness: {imp}")
        if (imp.source, imp.target) in forbidden:
            problems.append(f"forbidden: {imp}")
    return problems


# -- the repository -----------------------------------------------------------------------


def test_the_repository_keeps_the_contract() -> None:
    assert check(REPO) == []


def test_every_layer_is_a_package_and_the_runtime_is_not_the_harness() -> None:
    declared = [pkg for layer in LAYERS for pkg in layer]
    assert sorted(declared) == first_party(REPO)
    assert len(set(declared)) == len(declared)
    assert "devtools" not in RUNTIME and "damrongdham" not in RUNTIME


def test_the_kernel_imports_nothing_of_ours() -> None:
    assert [i for i in imports(REPO, first_party(REPO)) if i.source == "kernel"] == []


# -- the checker itself, on made-up trees ----------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


LAYERS_ABC = (("top",), ("middle",), ("bottom",))


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "top/__init__.py": "from middle import thing\n",
        "middle/__init__.py": "import bottom.base\nfrom . import thing\n",
        "middle/thing.py": "",
        "bottom/__init__.py": "",
        "bottom/base.py": "import os\n",
    })  # fmt: skip
    assert check(root, LAYERS_ABC, runtime=("middle", "bottom")) == []


def test_a_cycle_is_reported_with_its_path(tmp_path: Path) -> None:
    """The cycle closes through an import inside a function: it counts as much."""
    root = _tree(tmp_path, {
        "top/__init__.py": "",
        "middle/__init__.py": "",
        "middle/uses.py": "from bottom.base import x\n",
        "bottom/__init__.py": "",
        "bottom/base.py": "x = 1\n\ndef later():\n    from middle import uses\n    return uses\n",
    })  # fmt: skip
    problems = check(root, LAYERS_ABC, runtime=())
    cycles = [p for p in problems if p.startswith("cycle ")]
    assert len(cycles) == 1, problems
    assert cycles[0].startswith("cycle bottom -> middle -> bottom (")
    assert "bottom/base.py:4 imports middle" in cycles[0]
    assert "middle/uses.py:1 imports bottom" in cycles[0]
    assert "upward import: bottom/base.py:4 imports middle (bottom is below middle)" in problems


def test_a_longer_cycle_is_reported_once(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "a/__init__.py": "import b\n",
        "b/__init__.py": "import c.x\n",
        "c/__init__.py": "",
        "c/x.py": "from a import y\n",
    })  # fmt: skip
    cycles = [p for p in check(root, (("a", "b", "c"),), runtime=()) if p.startswith("cycle")]
    assert len(cycles) == 1 and cycles[0].startswith("cycle a -> b -> c -> a ("), cycles


def test_an_upward_import_without_a_cycle_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "top/__init__.py": "",
        "top/cmd.py": "",
        "middle/__init__.py": "",
        "bottom/__init__.py": "",
        "bottom/base.py": "import typing\n\nif typing.TYPE_CHECKING:\n    import top.cmd\n",
    })  # fmt: skip
    assert check(root, LAYERS_ABC, runtime=()) == [
        "upward import: bottom/base.py:4 imports top (bottom is below top)"
    ]


def test_harness_forbidden_pairs_and_unplaced_packages_are_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "devtools/__init__.py": "",
        "web/__init__.py": "from bridge import relay\n",
        "bridge/__init__.py": "",
        "bridge/relay.py": "",
        "kernel/__init__.py": "",
        "kernel/log.py": "def f():\n    import devtools\n",
        "stray/__init__.py": "",
    })  # fmt: skip
    layers = (("devtools",), ("web", "bridge"), ("kernel",))
    problems = check(root, layers, runtime=("kernel", "web", "bridge"))
    assert "package stray has no layer in the contract" in problems
    assert "forbidden: web/__init__.py:1 imports bridge" in problems
    assert "runtime imports the harness: kernel/log.py:2 imports devtools" in problems
    assert "upward import: kernel/log.py:2 imports devtools (kernel is below devtools)" in problems
    assert len(problems) == 4, problems


#: The brain and the domain speak no XMPP: stanzas are the edge's (bridge/) business.
NO_XMPP = ("bots", "casestore")
XMPP_MODULES = ("slixmpp", "kernel.xmpp")


def xmpp_imports(root: Path, packages: Iterable[str] = NO_XMPP) -> list[str]:
    """Imports of slixmpp (or our slixmpp helpers) in `packages`, as path:line."""
    return [
        f"{path.relative_to(root)}:{line}"
        for package in packages
        for path in _modules(root, package)
        for line, name in _imported(path)
        if any(name == m or name.startswith(m + ".") for m in XMPP_MODULES)
    ]


def test_the_brain_has_no_xmpp() -> None:
    assert xmpp_imports(REPO) == []


def test_an_xmpp_import_in_the_brain_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots" / "__init__.py").write_text("")
    (tmp_path / "bots" / "talk.py").write_text("def f():\n    from slixmpp import JID\n")
    (tmp_path / "casestore").mkdir()
    (tmp_path / "casestore" / "ok.py").write_text("import slixmpp_like\n")
    assert xmpp_imports(tmp_path) == ["bots/talk.py:2"]
