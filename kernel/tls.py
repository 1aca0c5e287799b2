"""A local certificate authority and server certificate, so TLS is on from the first run.

Operators with real certificates replace `server.crt`/`server.key` (see README)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kernel.files import write_private

VALID_DAYS = 825


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Damrongdham Chat (local)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def ensure_certificates(certs_dir: Path, hostnames: list[str]) -> tuple[Path, Path, Path]:
    """Create (once) a CA and a server certificate for `hostnames`.

    Returns (ca_cert, server_cert, server_key). An existing server certificate is kept
    unless it lacks one of the hostnames or expires within 30 days.
    """
    certs_dir.mkdir(parents=True, exist_ok=True)
    ca_crt, ca_key = certs_dir / "ca.crt", certs_dir / "ca.key"
    srv_crt, srv_key = certs_dir / "server.crt", certs_dir / "server.key"
    now = dt.datetime.now(dt.UTC)

    new_ca = not (ca_crt.exists() and ca_key.exists())
    if new_ca:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Damrongdham Chat local CA"))
            .issuer_name(_name("Damrongdham Chat local CA"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        write_private(ca_key, _pem_key(key))
        ca_crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    if (
        not new_ca  # a server certificate from an earlier CA would not verify against this one
        and srv_crt.exists()
        and srv_key.exists()
        and _still_good(srv_crt, hostnames, now)
    ):
        return ca_crt, srv_crt, srv_key

    ca_cert = x509.load_pem_x509_certificate(ca_crt.read_bytes())
    ca_private = serialization.load_pem_private_key(ca_key.read_bytes(), password=None)
    assert isinstance(ca_private, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = [x509.DNSName(h) for h in hostnames]
    sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hostnames[0]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [x509.ExtendedKeyUsageOID.SERVER_AUTH, x509.ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .sign(ca_private, hashes.SHA256())
    )
    write_private(srv_key, _pem_key(key))
    srv_crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return ca_crt, srv_crt, srv_key


def _still_good(path: Path, hostnames: list[str], now: dt.datetime) -> bool:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    if cert.not_valid_after_utc - now < dt.timedelta(days=30):
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return set(hostnames) <= set(san.get_values_for_type(x509.DNSName))
