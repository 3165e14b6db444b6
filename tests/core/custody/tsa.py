"""A local RFC 3161 time-stamping authority for tests: OpenSSL ``ts -reply`` signs for real.

Certificates (a synthetic root and TSA certificates) are made with ``cryptography``; the
signature on each response is made by the OpenSSL command-line tool, an independent
implementation.  Nothing here touches the network.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OPENSSL = shutil.which("openssl")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_root(common_name: str = "Synthetic Test Root") -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


class LocalTsa:
    """A TSA in a temporary directory; ``critical_eku=False`` makes a deliberately bad certificate."""

    def __init__(self, directory: Path, *, name: str = "synthetic-tsa", critical_eku: bool = True,
                 root: tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None = None) -> None:
        assert OPENSSL is not None, "openssl is required for the local TSA"
        self.name = name
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.root_key, self.root = root or make_root()
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder().subject_name(_name(f"Synthetic TSA {name}")).issuer_name(self.root.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=critical_eku)
            .sign(self.root_key, hashes.SHA256())
        )
        (directory / "tsa.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (directory / "tsa.crt").write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        (directory / "root.crt").write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        (directory / "serial").write_text("01\n")
        (directory / "tsa.cnf").write_text(
            "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\n"
            f"dir = {directory}\nserial = $dir/serial\ncrypto_device = builtin\n"
            "signer_cert = $dir/tsa.crt\ncerts = $dir/root.crt\nsigner_key = $dir/tsa.key\n"
            "signer_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\n"
            "digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\n"
            "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n"
        )

    def request(self, query: bytes) -> bytes:
        (self.directory / "query.tsq").write_bytes(query)
        subprocess.run(
            [str(OPENSSL), "ts", "-reply", "-config", str(self.directory / "tsa.cnf"),
             "-queryfile", str(self.directory / "query.tsq"), "-out", str(self.directory / "reply.tsr")],
            check=True, capture_output=True,
        )
        return (self.directory / "reply.tsr").read_bytes()
