"""Our service provider's key pair: made once per connection, the private key stored
encrypted. The certificate goes into our metadata (identity providers that encrypt
assertions or check signed requests need it); self-signed is what SAML expects."""

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

VALID_FOR = dt.timedelta(days=3650)


def new_key_pair(common_name: str) -> tuple[str, str]:
    """(private key PEM, certificate PEM): RSA 3072, self-signed, valid for ten years."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + VALID_FOR)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certificate_body(pem: str) -> str:
    """The base64 of a PEM certificate without its armour, as metadata carries it."""
    lines = [line.strip() for line in pem.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


def pem_from_body(body: str) -> str:
    """A PEM certificate from metadata's base64 (whitespace anywhere), checked to parse."""
    compact = "".join(body.split())
    lines = [compact[i : i + 64] for i in range(0, len(compact), 64)]
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
    x509.load_pem_x509_certificate(pem.encode("ascii"))  # ValueError when it is not one
    return pem
