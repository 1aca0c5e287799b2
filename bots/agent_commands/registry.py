"""Finds the agent commands: every `AgentCommand` subclass defined in a module of this
package. Adding a command is adding a module (and its test); nothing else is edited."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import bots.agent_commands as package
from bots.agent_commands.base import AgentCommand

#: Modules of the package that hold no command.
NOT_COMMANDS = frozenset({"base", "common", "registry", "room", "runner", "syntax"})


@cache
def commands() -> tuple[AgentCommand, ...]:
    """One instance of each command, in help order (`order`, then name)."""
    found: dict[str, AgentCommand] = {}
    for module in pkgutil.iter_modules(package.__path__):
        if module.name in NOT_COMMANDS or module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{package.__name__}.{module.name}")
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and issubclass(value, AgentCommand)
                and value is not AgentCommand
                and value.__module__ == loaded.__name__
                and value.name
            ):
                if value.name in found:
                    raise RuntimeError(f"two agent commands named {value.name!r}")
                found[value.name] = value()
    return tuple(sorted(found.values(), key=lambda c: (c.order, c.name)))


@cache
def by_word() -> dict[str, AgentCommand]:
    """Every command word (name, Thai word, aliases; casefolded) → its command."""
    words: dict[str, AgentCommand] = {}
    for command in commands():
        for word in (command.name, command.thai, *command.aliases):
            key = word.casefold()
            if key in words and words[key] is not command:
                raise RuntimeError(f"{word!r} names both {words[key].name} and {command.name}")
            words[key] = command
    return words


@cache
def thai_words() -> tuple[str, ...]:
    """The non-ASCII command words, longest first, so the longest wins when no space
    follows (``/โอนเรื่อง`` is not ``/โอน`` + ``เรื่อง``)."""
    return tuple(sorted((w for w in by_word() if not w.isascii()), key=len, reverse=True))


def get(name: str) -> AgentCommand | None:
    """A command by its canonical name."""
    return next((c for c in commands() if c.name == name), None)
