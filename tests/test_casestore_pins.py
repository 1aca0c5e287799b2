"""PINs hashed ahead of time (the bot's pool): fresh, used once, and they verify."""

from __future__ import annotations

from pathlib import Path

from casestore import CaseStore
from casestore.pins import PinPool, verify_pin


def test_the_pin_pool_gives_fresh_verified_pairs_each_once() -> None:
    pool = PinPool(size=2)
    pairs = [pool.take() for _ in range(5)]  # more than the pool holds: made on the spot
    assert len({hashed for _pin, hashed in pairs}) == 5  # a salt each, never reused
    assert all(verify_pin(pin, hashed) for pin, hashed in pairs)


def test_a_store_with_a_pin_pool_opens_cases_whose_pin_works(tmp_path: Path) -> None:
    with CaseStore(f"sqlite:///{tmp_path / 'c.sqlite3'}", pin_pool=True) as store:
        store.migrate()
        opened = [
            store.open_case(
                centre="nan", province="TH-55", citizen_jid=f"c{i}@citizens.d", body="ไฟดับ"
            )
            for i in range(3)
        ]
        assert all(store.check_pin(o.case.ref, o.pin) for o in opened)
        wrong = "000000" if opened[0].pin != "000000" else "111111"
        assert not store.check_pin(opened[0].case.ref, wrong)
