"""The branch's own certificates (``kiosk tls make``): a small certificate authority kept on the
host, and the host's certificate signed by it for the names and addresses the satellites and
desk tablets use. They trust the authority's certificate (``ca.pem``, public: copy it to them);
the two private keys stay on the host, 0600, in the secrets folder.

The authority is made once and kept (a second ``make`` signs a new host certificate with it, so
what already trusts it goes on trusting); the host's certificate lasts :data:`HOST_DAYS`, within
what browsers accept for a certificate their users installed an authority for.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

CA_DAYS = 3650
HOST_DAYS = 825


class TlsError(ValueError):
    """A name or an address that cannot go in a certificate; the message says which."""


@dataclass(frozen=True)
class Made:
    ca_cert: Path
    ca_key: Path
    cert: Path
    key: Path
    names: tuple[str, ...]
    new_ca: bool
    expires: datetime


def _private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def _public(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chmod(path, 0o644)


def _alt_names(names: list[str]) -> list[object]:
    from cryptography import x509

    out: list[object] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            label = name.rstrip(".").lower()
            if (
                not label
                or label.rsplit(".", 1)[-1].isdigit()
                or not all(
                    part and len(part) <= 63 and part.replace("-", "").isalnum() and part.isascii()
                    for part in label.split(".")
                )
            ):
                raise TlsError(
                    f'--name: "{name[:70]}" is neither an IP address nor a host name'
                ) from None
            out.append(x509.DNSName(label))
    return out


def make(
    names: list[str], certs: Path, secrets: Path, branch: str, now: datetime | None = None
) -> Made:
    """Make (or keep) the authority, then a host certificate for ``names`` (IP addresses and
    host names), its files in ``certs`` (public) and ``secrets`` (the keys, 0600).

    Raises:
        TlsError: a name that is neither an address nor a host name, or no name at all.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if not names:
        raise TlsError("--name: give at least one address or host name the satellites use")
    alt = _alt_names(names)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    ca_cert_path, ca_key_path = certs / "ca.pem", secrets / "ca.key"
    pem = serialization.Encoding.PEM
    new_ca = not (ca_cert_path.exists() and ca_key_path.exists())
    if new_ca:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Totem {branch} branch CA")])
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        _private(ca_key_path, ca_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))  # fmt: skip
        _public(ca_cert_path, ca_cert.public_bytes(pem))
    else:
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        ca_key = loaded
    key = ec.generate_private_key(ec.SECP256R1())
    expires = now + timedelta(days=HOST_DAYS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(expires)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)  # type: ignore[arg-type]
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = certs / "branch.pem", secrets / "branch.key"
    _private(key_path, key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))  # fmt: skip
    _public(cert_path, cert.public_bytes(pem))
    return Made(ca_cert_path, ca_key_path, cert_path, key_path, tuple(names), new_ca, expires)


def local_addresses() -> list[str]:
    """This machine's host name and its non-loopback IPv4 addresses (the default names)."""
    import socket

    found = [socket.gethostname()]
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(info[4][0])
            if not ipaddress.ip_address(address).is_loopback and address not in found:
                found.append(address)
    except OSError:
        pass
    return found
