"""What an agent command is: one class serves the chat text, the room and the XEP-0050 form.

A command module of this package defines one subclass of `AgentCommand`; the registry
(`bots.agent_commands.registry`) finds it, and everything else is generated from it: the
text parser (``!claim``, ``/claim``, ``/รับเรื่อง``), the room commands (``!claim <ref>``),
the help texts and the ad-hoc nodes with their forms (`bridge.adhoc`). No XMPP here.

    class Claim(AgentCommand):
        name, thai = "claim", "รับเรื่อง"
        help_en, help_th = "take this case", "รับเรื่องนี้ไว้ดูแลเอง"

        def run(self, ctx: Context) -> list[Outgoing]:
            ...
            return [ctx.tell("ท่านรับเรื่องนี้แล้ว · You now hold this case.")]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from casestore import CaseStore, CaseView
from kernel.addresses import Addresses, Outgoing

if TYPE_CHECKING:
    from bots.agent_commands.runner import Actions


@dataclass(frozen=True)
class Field:
    """One field of a command's form (XEP-0004 terms): `type` is ``text-single``,
    ``text-multi`` or ``list-single``; `options` are (value, label) pairs."""

    var: str
    type: str
    label: str
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()


@dataclass
class Context:
    """One run of a command: who, on which case, with what argument, in which deployment."""

    actions: Actions  # the deployment: store, addresses, agencies, canned replies, hooks
    case: CaseView
    actor: str
    staff: frozenset[str] = frozenset()  # every agent of the case's centre
    arg: str = ""
    origin_id: str | None = None

    @property
    def store(self) -> CaseStore:
        return self.actions.store

    @property
    def addr(self) -> Addresses:
        return self.actions.addr

    def current(self) -> CaseView:
        """The case as stored now (the one in `case` may be a moment old)."""
        return self.store.get(self.case.ref) or self.case

    def tell(self, text: str) -> Outgoing:
        """A reply to the agent, from the case address."""
        return self.actions.tell(self.case, self.actor, text)

    def announce(self, case: CaseView, text: str) -> Outgoing:
        """A line in the centre room of `case`."""
        return self.actions.announce(case, text)


class AgentCommand:
    """One agent command. Subclasses set the class attributes and `run`."""

    #: canonical English word, the ad-hoc node and the audit name
    name: ClassVar[str] = ""
    #: the Thai command word, then more words (English or Thai) that mean the same
    thai: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    #: "none" | "optional" | "required"
    arg: ClassVar[str] = "none"
    usage_en: ClassVar[str] = ""
    usage_th: ClassVar[str] = ""
    help_en: ClassVar[str] = ""
    help_th: ClassVar[str] = ""
    #: position in help texts and in the apps' command lists
    order: ClassVar[int] = 100
    #: False: also works in the centre room without naming a case (``/queue``)
    needs_case: ClassVar[bool] = True
    #: Who may run it. "centre": any agent of the case's centre (the edge checks that
    #: before `run`); a command may refuse more in `refuse`.
    who: ClassVar[str] = "centre"

    def refuse(self, ctx: Context) -> str | None:
        """A bilingual refusal when this actor may not run it on this case, else None."""
        return None

    def run(self, ctx: Context) -> list[Outgoing]:
        raise NotImplementedError

    def without_case(self, actions: Actions, actor: str, centre: str) -> str:
        """The answer in the centre room, where no case is named (commands with
        `needs_case` False)."""
        raise NotImplementedError

    # -- the XEP-0050 form -----------------------------------------------------------------

    def form(self, ctx: Context) -> list[Field]:
        """The fields an app shows; no fields: the command runs at once."""
        return []

    def argument(self, ctx: Context, values: dict[str, str]) -> str:
        """The text argument a submitted form stands for: its answers in field order
        (``centre`` then ``reason`` → ``/transfer <centre> <reason>``)."""
        answers = (values.get(f.var, "").strip() for f in self.form(ctx))
        return " ".join(a for a in answers if a)

    @property
    def title(self) -> str:
        """How apps list it: ``รับเรื่อง · claim``."""
        return f"{self.thai} · {self.name}"

    def __repr__(self) -> str:
        return f"<command {self.name}>"
