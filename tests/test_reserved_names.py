"""Reserved citizen names (casestore.reserved_names): refused by the web chat's account
endpoint and, over a real Prosody, by in-band registration on citizens.D from any app."""

from __future__ import annotations

import itertools
import uuid

import pytest
from raw_xmpp import connect_tls

import web.chat as chat
from casestore.centres import all_centres
from casestore.reserved_names import is_reserved, names_file_text, reserved_names

RESERVED = ["admin", "Admin", "anonymous", "bot", "support", "moi", "dopa", "chiangrai",
            "bangkok", "nan", all_centres()[-1].slug, "somchai.chiangrai", "x.admin",
            "th57-2569-000001", "ศูนย์ดำรงธรรม", "เจ้าหน้าที่"]
FREE = ["somsri", "nok1987", "john.doe", "chiangrai2", "admin2", "th57-2569-00001", "บัวขาว"]


@pytest.mark.parametrize("name", RESERVED)
def test_reserved(name: str) -> None:
    assert is_reserved(name)


@pytest.mark.parametrize("name", FREE)
def test_free(name: str) -> None:
    assert not is_reserved(name)


def test_the_file_for_prosody_holds_every_centre() -> None:
    lines = {ln for ln in names_file_text().splitlines() if ln and not ln.startswith("#")}
    assert lines == set(reserved_names()) and len(lines) > 1000
    assert {c.slug for c in all_centres()} <= lines


def test_the_web_chat_never_hands_out_a_reserved_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # the first draw spells "w" + a reserved tail (".chiangrai" is not drawable, so force it)
    draws = itertools.chain(iter(["reserved"]), itertools.repeat("free"))
    monkeypatch.setattr(chat, "is_reserved", lambda user: next(draws) == "reserved")
    jid, _password = chat.new_credentials("citizens.example.org")
    assert jid.endswith("@citizens.example.org")
    assert next(draws) == "free"  # a second name was drawn after the reserved one


@pytest.mark.xmpp
def test_prosody_refuses_reserved_names_and_registers_others(stack) -> None:
    info = stack.info

    def register(user: str) -> tuple[bool, str]:
        conn = connect_tls(info["c2s_host"], info["c2s_port"], info["citizen_domain"],
                           info["ca_file"])
        try:
            return conn.register(user, uuid.uuid4().hex, info["citizen_domain"])
        finally:
            conn.close()

    for user in ("admin", "anonymous", "bot", "chiangrai", "moi", "somchai.chiangrai",
                 "th57-2569-000001", "Support", "ศูนย์ดำรงธรรม"):
        ok, answer = register(user)
        assert not ok, user
        assert "not-allowed" in answer and "reserved" in answer, (user, answer)
    ok, answer = register(f"somsri{uuid.uuid4().hex[:6]}")
    assert ok, answer
