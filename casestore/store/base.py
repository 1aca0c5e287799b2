"""What every area of the store shares: the engine, the unit of work, and lookups."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Self, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..engine import WRITE, make_engine
from ..errors import CaseNotFound
from ..migrate import upgrade
from ..models import Case, CaseMessage
from ..pins import PinPool
from ..refs import CaseRef, parse_ref

T = TypeVar("T")


class StoreBase:
    """The engine and its sessions; the areas (`cases`, `messages`…) build on it."""

    def __init__(
        self, url: str | URL, pin_pool: bool = False, pin_key: bytes | str | None = None
    ) -> None:
        """`pin_key`: the deployment's PIN key (`casestore.pins`; new PINs are hashed with
        it in microseconds, and checks need it). Without one, PINs are hashed with scrypt,
        and `pin_pool` hashes them ahead of time in a background thread."""
        self.engine = make_engine(url)
        key = pin_key.encode() if isinstance(pin_key, str) else pin_key
        self._pin_key = key or None
        self._pins = PinPool() if pin_pool and not self._pin_key else None
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._core_writer = self.engine.execution_options(**{WRITE: True})
        self._writer = sessionmaker(self._core_writer, expire_on_commit=False)

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        """Bring the schema to the latest migration (safe to call on every start)."""
        upgrade(self.engine)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.engine.url.render_as_string(hide_password=True)!r})"

    # -- the unit of work -----------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """One read-only transaction: an ORM session, begun, ended when the block ends.

        For code of the ``casestore`` package that reads what the store's methods do not
        (dashboard queries, exports, public pages)::

            with store.reading() as s:
                n = s.scalar(select(func.count()).select_from(Case))

        Objects loaded stay usable after the block (no expiry on commit); changes made to
        them are never written.
        """
        with self._reader() as s, s.begin():
            yield s

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        Its connection is marked as a writer (``engine.WRITE``): on SQLite it takes the
        write lock up front (``BEGIN IMMEDIATE``), so it waits for another writer instead of
        failing; on PostgreSQL, lock the rows two writers may meet on (``with_for_update()``).
        Only code of the ``casestore`` package writes, and only through this.
        """
        with self._writer() as s, s.begin():
            yield s

    # -- lookups inside a unit of work ----------------------------------------------------

    @staticmethod
    def _find(s: Session, ref: str | CaseRef, lock: bool = False) -> Case | None:
        parsed = ref if isinstance(ref, CaseRef) else parse_ref(ref)
        if parsed is None:
            return None
        q = select(Case).where(Case.ref == str(parsed))
        return s.scalars(q.with_for_update() if lock else q).one_or_none()

    def _require(self, s: Session, ref: str | CaseRef, lock: bool = False) -> Case:
        case = self._find(s, ref, lock)
        if case is None:
            raise CaseNotFound(ref)
        return case

    # -- idempotent writes: a message stored once per (sender, origin_id) -----------------

    @staticmethod
    def _by_origin(s: Session, sender: str, origin_id: str) -> tuple[CaseMessage, Case] | None:
        row = s.execute(
            select(CaseMessage, Case)
            .join(Case, CaseMessage.case_id == Case.id)
            .where(CaseMessage.sender == sender, CaseMessage.origin_id == origin_id)
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def _seen(self, sender: str, origin_id: str | None) -> tuple[CaseMessage, Case] | None:
        if origin_id is None:
            return None
        with self.reading() as s:
            return self._by_origin(s, sender, origin_id)

    def _once(
        self,
        sender: str,
        origin_id: str | None,
        write: Callable[[], T],
        replay: Callable[[CaseMessage, Case], T],
        precheck: bool = True,
    ) -> T:
        """``write()`` unless (sender, origin_id) is already stored: then ``replay`` it.

        A write that loses a race with the same message (IntegrityError on the unique
        (sender, origin_id)) replays the winner's message instead. ``precheck=False``: the
        write looks for the message itself, inside its transaction (one round trip less).
        """
        if precheck and (seen := self._seen(sender, origin_id)):
            return replay(*seen)
        try:
            return write()
        except IntegrityError:
            if seen := self._seen(sender, origin_id):  # lost a race with a duplicate
                return replay(*seen)
            raise
