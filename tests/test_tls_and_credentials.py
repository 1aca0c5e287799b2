"""Local TLS certificates, generated passwords and the credentials file."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from casestore.centres import centre_slugs
from kernel.tls import ensure_certificates
from provisioning.credentials import COLUMNS, Credential, read_credentials, write_credentials
from provisioning.passwords import ALPHABET, GROUP_LEN, GROUPS, entropy_bits, generate_password

HOSTS = ["d.example", "citizens.d.example", "anon.d.example", "rooms.d.example", "bot.d.example"]


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _dns_names(cert: x509.Certificate) -> set[str]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- TLS ----------------------------------------------------------------------------------


def test_creates_ca_and_server_certificate(tmp_path: Path) -> None:
    ca, crt, key = ensure_certificates(tmp_path / "certs", HOSTS)
    assert (ca, crt, key) == (
        tmp_path / "certs" / "ca.crt",
        tmp_path / "certs" / "server.crt",
        tmp_path / "certs" / "server.key",
    )
    server = _cert(crt)
    assert _dns_names(server) == set(HOSTS)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert _cert(ca).extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_server_certificate_verifies_against_the_ca(tmp_path: Path) -> None:
    ca, crt, _key = ensure_certificates(tmp_path, HOSTS)
    _cert(crt).verify_directly_issued_by(_cert(ca))


def test_verification_fails_against_another_ca(tmp_path: Path) -> None:
    ensure_certificates(tmp_path / "a", HOSTS)
    ca_b, _crt, _key = ensure_certificates(tmp_path / "b", HOSTS)
    with pytest.raises(InvalidSignature):
        _cert(tmp_path / "a" / "server.crt").verify_directly_issued_by(_cert(ca_b))


def test_server_key_matches_certificate(tmp_path: Path) -> None:
    _ca, crt, key = ensure_certificates(tmp_path, HOSTS)
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert private.public_key() == _cert(crt).public_key()


def test_key_files_are_private(tmp_path: Path) -> None:
    ensure_certificates(tmp_path, HOSTS)
    assert _mode(tmp_path / "ca.key") == 0o600
    assert _mode(tmp_path / "server.key") == 0o600


def test_second_call_keeps_the_files(tmp_path: Path) -> None:
    paths = ensure_certificates(tmp_path, HOSTS)
    before = {p: p.read_bytes() for p in (*paths, tmp_path / "ca.key")}
    assert ensure_certificates(tmp_path, list(reversed(HOSTS))) == paths
    assert {p: p.read_bytes() for p in before} == before


def test_subset_of_hosts_keeps_the_files(tmp_path: Path) -> None:
    _ca, crt, _key = ensure_certificates(tmp_path, HOSTS)
    before = crt.read_bytes()
    ensure_certificates(tmp_path, HOSTS[:2])
    assert crt.read_bytes() == before


def test_new_hostname_reissues_the_server_certificate(tmp_path: Path) -> None:
    ca, crt, key = ensure_certificates(tmp_path, HOSTS)
    ca_before, crt_before, key_before = ca.read_bytes(), crt.read_bytes(), key.read_bytes()

    ensure_certificates(tmp_path, [*HOSTS, "web.d.example"])

    assert ca.read_bytes() == ca_before  # same CA: clients keep trusting it
    assert crt.read_bytes() != crt_before and key.read_bytes() != key_before
    assert _dns_names(_cert(crt)) == {*HOSTS, "web.d.example"}
    _cert(crt).verify_directly_issued_by(_cert(ca))
    assert _mode(key) == 0o600


def test_lost_ca_reissues_the_server_certificate(tmp_path: Path) -> None:
    ca, crt, _key = ensure_certificates(tmp_path, HOSTS)
    ca.unlink()
    (tmp_path / "ca.key").unlink()

    ensure_certificates(tmp_path, HOSTS)

    _cert(crt).verify_directly_issued_by(_cert(ca))


# -- passwords ----------------------------------------------------------------------------


def test_password_entropy_is_at_least_128_bits() -> None:
    assert entropy_bits() >= 128
    assert len(set(ALPHABET)) == len(ALPHABET)  # no letter counted twice


def test_password_shape() -> None:
    password = generate_password()
    groups = password.split("-")
    assert len(groups) == GROUPS
    assert all(len(g) == GROUP_LEN and set(g) <= set(ALPHABET) for g in groups)


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1lI5S8B") & set(ALPHABET)


def test_passwords_are_unique_and_not_names() -> None:
    passwords = [generate_password() for _ in range(1000)]
    assert len(set(passwords)) == 1000
    slugs = set(centre_slugs())
    assert len(slugs) == 76
    assert not slugs & {p.lower() for p in passwords}
    # Slugs longer than a group cannot occur in a random password; a 3-letter slug like
    # "nan" can by pure chance (about 1 in 10,000 passwords), so only long ones are checked.
    long_slugs = [s for s in slugs if len(s) > GROUP_LEN]
    assert long_slugs
    assert not [p for p in passwords for s in long_slugs if s in p.lower()]


# -- credentials file ---------------------------------------------------------------------


def _creds() -> dict[str, Credential]:
    rows = [
        Credential("loei", "loei@d.example", "pa,ss\"word'1", "loei@rooms.d.example"),
        Credential(
            "chiangrai", "chiangrai@d.example", generate_password(), "chiangrai@rooms.d.example"
        ),
        Credential(
            "chiangrai", "somchai.chiangrai@d.example", generate_password(),
            "chiangrai@rooms.d.example",
        ),
    ]
    return {c.jid: c for c in rows}


def test_credentials_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "credentials.csv"
    creds = _creds()
    write_credentials(path, creds)
    assert read_credentials(path) == creds


def test_credentials_header_and_order(tmp_path: Path) -> None:
    path = tmp_path / "credentials.csv"
    write_credentials(path, _creds())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "slug,jid,password,room"
    assert tuple(lines[0].split(",")) == COLUMNS
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["chiangrai", "chiangrai@d.example"],
        ["chiangrai", "somchai.chiangrai@d.example"],
        ["loei", "loei@d.example"],
    ]


def test_credentials_file_is_0600_even_over_an_old_0644_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.csv"
    path.write_text("slug,jid,password,room\n", encoding="utf-8")
    path.chmod(0o644)
    write_credentials(path, _creds())
    assert _mode(path) == 0o600
    assert len(read_credentials(path)) == 3


def test_absent_credentials_file_is_empty(tmp_path: Path) -> None:
    assert read_credentials(tmp_path / "nope.csv") == {}


def test_repr_hides_the_password() -> None:
    cred = Credential("loei", "loei@d.example", "TopSecret-Value", "loei@rooms.d.example")
    assert "TopSecret-Value" not in repr(cred)
    assert "TopSecret-Value" not in str(cred)
    assert "TopSecret-Value" not in repr({"loei": cred})
    assert "loei@d.example" in repr(cred)


@pytest.mark.parametrize(
    "content",
    [
        "slug,jid,pass,room\nloei,loei@d.example,x,loei@rooms.d.example\n",
        "jid,slug,password,room\n",
        "loei,loei@d.example,x,loei@rooms.d.example\n",
        "slug,jid,password,room\nloei,loei@d.example\n",
        "slug,jid,password,room\nloei,loei@d.example,x,loei@rooms.d.example,extra\n",
        "slug,jid,password,room\nloei,loei@d.example,x,r\nloei,loei@d.example,y,r\n",
    ],
)
def test_damaged_credentials_file_raises(tmp_path: Path, content: str) -> None:
    path = tmp_path / "credentials.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError):
        read_credentials(path)
