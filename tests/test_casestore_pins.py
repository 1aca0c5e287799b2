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


# -- keyed PINs (a deployment's PIN key, in secrets.json) ---------------------------------


def _open(store: CaseStore, jid: str = "k@citizens.d"):
    return store.open_case(centre="nan", province="TH-55", citizen_jid=jid, body="ไฟดับ")


def test_keyed_pins_verify_only_with_their_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with CaseStore(url, pin_key="key-one") as store:
        store.migrate()
        opened = _open(store)
        ref, pin = opened.case.ref, opened.pin
        assert store.check_pin(ref, pin)
        assert store.check_pin(ref, "".join("๐๑๒๓๔๕๖๗๘๙"[int(d)] for d in pin))  # Thai digits
        assert not store.check_pin(ref, f"{(int(pin) + 1) % 10**6:06d}")
        assert not store.check_pin("TH55-2569-999999", pin)
        stored = store.get(ref)
    with store.engine.connect() as conn:
        from sqlalchemy import text

        digest = conn.execute(text("SELECT pin_hash FROM cases")).scalar_one()
    assert digest.startswith("hmac-sha256$") and pin not in digest
    # The database alone (a stolen copy, a tool without the key) cannot check a keyed PIN,
    # and another deployment's key does not fit.
    with CaseStore(url) as bare, CaseStore(url, pin_key="key-two") as other:
        assert not bare.check_pin(ref, pin)
        assert not other.check_pin(ref, pin)
    assert stored is not None


def test_pins_hashed_before_the_key_keep_working(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with CaseStore(url) as old:  # scrypt, as every case opened before keys existed
        old.migrate()
        before = _open(old, "a@citizens.d")
    with CaseStore(url, pin_key=b"k" * 32) as store:
        assert store.check_pin(before.case.ref, before.pin)
        assert not store.check_pin(before.case.ref, "abcdef")
        after = _open(store, "b@citizens.d")
        assert store.check_pin(after.case.ref, after.pin)
        # A reissued PIN is keyed too, and the old one stops working.
        new = store.reissue_pin(before.case.ref, "bot.d")
        assert store.check_pin(before.case.ref, new)
        assert new == before.pin or not store.check_pin(before.case.ref, before.pin)


def test_malformed_stored_hashes_fail_closed() -> None:
    for stored in ("", "hmac-sha256$zz$zz", "hmac-sha256$00", "md5$x$y", "scrypt$1$2", "$$$"):
        assert not verify_pin("123456", stored or None, b"key")
        assert not verify_pin("123456", stored or None)


def test_secrets_get_a_pin_key_once_and_old_files_are_upgraded(tmp_path: Path) -> None:
    import json
    import stat

    from kernel.settings import StackSettings

    settings = StackSettings(data_dir=tmp_path)
    made = settings.load_secrets()
    assert len(made.pin_key) >= 40 and made.pin_key not in (made.web_secret_key, "")
    assert settings.load_secrets() == made  # kept, not regenerated
    old = json.loads(settings.secrets_file.read_text())
    del old["pin_key"]  # a data directory from before PIN keys
    settings.secrets_file.write_text(json.dumps(old))
    upgraded = settings.load_secrets()
    assert upgraded.pin_key and upgraded.component_secret == made.component_secret
    assert json.loads(settings.secrets_file.read_text())["pin_key"] == upgraded.pin_key
    assert stat.S_IMODE(settings.secrets_file.stat().st_mode) == 0o600
    assert settings.load_secrets().pin_key == upgraded.pin_key
