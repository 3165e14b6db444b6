"""Test helpers for the vault: a real SealedBox key wrapper and a seeded synthetic corpus.

Everything here is synthetic (labelled so): generated images, texts and binaries; no real
person, place or event.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from nacl.public import PrivateKey, SealedBox
from PIL import ExifTags, Image

from temoin.core.custody import CustodyLog, FileLogStore, NoteSigner
from temoin.core.vault import Actor, LocalFileStorage, Vault

ORIGIN = "temoin.example/custody"  # synthetic log origin
ANALYST = Actor(id="p-0001", role="analyst", organisation="synthetic-org")


class SealedBoxKeyWrapper:
    """KeyWrapper over PyNaCl SealedBox (X25519): what temoin.core.sealing will provide."""

    def __init__(self, private_key: PrivateKey) -> None:
        self._private = private_key
        self._seal = SealedBox(private_key.public_key)
        self._open = SealedBox(private_key)

    def wrap(self, data_key: bytes) -> bytes:
        return bytes(self._seal.encrypt(data_key))

    def unwrap(self, wrapped: bytes) -> bytes:
        return bytes(self._open.decrypt(wrapped))


def make_vault(root: Path, *, private_key: PrivateKey | None = None, signer: NoteSigner | None = None,
               chunk_size: int = 4096, recover: bool = True) -> Vault:
    """A vault with file storage and a file custody log under ``root``."""
    log = CustodyLog(FileLogStore(root / "log"), origin=ORIGIN, signer=signer)
    return Vault(
        storage=LocalFileStorage(root / "store"),
        key_wrapper=SealedBoxKeyWrapper(private_key or PrivateKey(b"\x01" * 32)),
        log=log,
        system="test-host",
        lock_path=root / "vault.lock",
        chunk_size=chunk_size,
        recover=recover,
    )


def synthetic_jpeg(seed: int, *, gps: bool = True, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small noisy JPEG with synthetic EXIF (camera, time) and optional GPS."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SyntheticCam"
    exif[ExifTags.Base.Model] = f"S-{seed}"
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: "2024:03:05 10:11:12"}
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (14.0, 30.0, 0.0),
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (4.0, 12.0, 36.0),
        }
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def synthetic_png(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("L", (32, 32), bytes(rng.randrange(256) for _ in range(32 * 32)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def synthetic_corpus(seed: int, count: int) -> list[tuple[str, bytes]]:
    """(filename, bytes) pairs of mixed types; sizes straddle chunk boundaries."""
    rng = random.Random(seed)
    corpus: list[tuple[str, bytes]] = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            corpus.append((f"photo-{i}.jpg", synthetic_jpeg(seed * 1000 + i)))
        elif kind == 1:
            corpus.append((f"scan-{i}.png", synthetic_png(seed * 1000 + i)))
        elif kind == 2:
            text = f"Synthetic testimony transcript {i}. Données synthétiques, aucune personne réelle.\n" * rng.randrange(1, 200)
            corpus.append((f"note-{i}.txt", text.encode()))
        elif kind == 3:
            corpus.append((f"doc-{i}.pdf", b"%PDF-1.4\n" + rng.randbytes(rng.randrange(10, 9000)) + b"\n%%EOF\n"))
        else:
            size = rng.choice([1, 4095, 4096, 4097, 8192, 12289, rng.randrange(1, 20000)])
            corpus.append((f"blob-{i}.bin", rng.randbytes(size)))
    return corpus
