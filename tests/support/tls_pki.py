"""A throwaway PKI for the TLS tests: CAs and a server certificate made per test (cryptography),
for the real PostgreSQL started with `tests.support.postgres.start_postgres(tls=...)`."""

from __future__ import annotations


def _certificate(subject: str, issuer_key, issuer_name, key, ca: bool):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256()), name


def two_cas() -> dict[str, bytes]:
    """Two CAs: `trusted` (what the client is given) and `other`, which signs the server's
    certificate (`staging-instance`, as Cloud SQL's names the instance, not the IP dialled)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = serialization.Encoding.PEM
    trusted_key, other_key, server_key = (ec.generate_private_key(ec.SECP256R1()) for _ in "abc")
    trusted, _ = _certificate("trusted-ca", trusted_key, None, trusted_key, True)
    other, other_name = _certificate("other-ca", other_key, None, other_key, True)
    server, _ = _certificate("staging-instance", other_key, other_name, server_key, False)
    return {
        "trusted_ca": trusted.public_bytes(pem),
        "other_ca": other.public_bytes(pem),
        "server_cert": server.public_bytes(pem),
        "server_key": server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    }
