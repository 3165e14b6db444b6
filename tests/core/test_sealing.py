"""Tests for temoin.core.sealing (sealed identities).

All names below are SYNTHETIC test data, not real people.  Argon2id runs with the
minimum cost (``fast=True``) except in one test of the default parameters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import pickle
import sqlite3
import struct
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.sealing import (
    InvalidInput,
    KeyHolder,
    KeyringRecord,
    RecoveryFailed,
    SealedError,
    SealingError,
    Tampered,
    UnsealedKeys,
    WrongKey,
    WrongPassphrase,
    blind_index,
    blob_key_id,
    change_passphrase,
    fingerprint,
    generate_keyring,
    keys_from_secret,
    normalise_for_index,
    open_identity,
    recover_keys,
    rewrap_identity,
    rotate_keyring,
    seal_identity,
    split_keys,
    unseal,
)

PASSPHRASE = "synthetic custodian passphrase"
SYNTHETIC: dict[str, str | int | None] = {
    "given_name": "Aminata",
    "family_name": "Maïga",
    "alias": "Tanti Ami",
    "phone": "+223 70 00 00 00",
    "age": 34,
    "notes": None,
}  # synthetic


@pytest.fixture(scope="module")
def keyring() -> tuple[KeyringRecord, UnsealedKeys]:
    return generate_keyring(PASSPHRASE, fast=True, created_at="2026-11-27T09:00:00Z")


@pytest.fixture()
def record(keyring: tuple[KeyringRecord, UnsealedKeys]) -> KeyringRecord:
    return keyring[0]


@pytest.fixture()
def keys(keyring: tuple[KeyringRecord, UnsealedKeys]) -> UnsealedKeys:
    return keyring[1]


def seal(
    record: KeyringRecord,
    identity: dict[str, str | int | None] = SYNTHETIC,
    context: str = "person:1",
) -> bytes:
    return seal_identity(record.public_key, identity, key_id=record.key_id, context=context)


# ------------------------------------------------------------------------- keyring


def test_generate_and_unseal_round_trip(record: KeyringRecord, keys: UnsealedKeys) -> None:
    assert record.key_id == fingerprint(record.public_key)
    assert len(record.key_id) == 16 and int(record.key_id, 16) >= 0
    assert record.version == 1 and record.created_at == "2026-11-27T09:00:00Z"
    again = unseal(record, PASSPHRASE)
    assert again.key_id == keys.key_id
    assert bytes(again.private_key) == bytes(keys.private_key)
    assert again.blind_index_key == keys.blind_index_key
    assert len(again.blind_index_key) == 32
    assert again.public_key == record.public_key


def test_fingerprint_known_answer() -> None:
    public_key = bytes(range(32))
    expected = hashlib.sha256(b"temoin.keyid.v1\x00" + public_key).hexdigest()[:16]
    assert fingerprint(public_key) == expected


def test_default_argon2_parameters_are_stored_and_used() -> None:
    record, keys = generate_keyring(PASSPHRASE)
    _, _, opslimit, memlimit, _ = struct.unpack_from(">4sBIQ16s", record.sealed_secrets)
    assert (opslimit, memlimit) == (3, 256 * 1024 * 1024)
    assert bytes(unseal(record, PASSPHRASE).private_key) == bytes(keys.private_key)


def test_fast_parameters_are_the_minimum(record: KeyringRecord) -> None:
    magic, fmt, opslimit, memlimit, _ = struct.unpack_from(">4sBIQ16s", record.sealed_secrets)
    assert (magic, fmt, opslimit, memlimit) == (b"TMKS", 1, 1, 8192)


def test_wrong_passphrase(record: KeyringRecord) -> None:
    with pytest.raises(WrongPassphrase) as info:
        unseal(record, PASSPHRASE + "x")
    assert info.value.code == "keys.wrong_passphrase"
    assert PASSPHRASE not in str(info.value)


def test_passphrase_unicode_normalisation() -> None:
    composed = "témoin témoin témoin"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    record, _ = generate_keyring(composed, fast=True)
    assert unseal(record, decomposed).key_id == record.key_id


@pytest.mark.parametrize("weak", ["", "short", "           x  "])
def test_weak_passphrase_refused(weak: str) -> None:
    with pytest.raises(InvalidInput) as info:
        generate_keyring(weak, fast=True)
    assert info.value.code == "keys.weak_passphrase"


def test_record_dict_round_trip_and_json(record: KeyringRecord) -> None:
    data = record.to_dict()
    assert set(data) == {"key_id", "public_key", "sealed_secrets", "created_at", "version"}
    assert base64.b64decode(data["public_key"]) == record.public_key  # type: ignore[arg-type]
    assert KeyringRecord.from_dict(json.loads(json.dumps(data))) == record


def test_record_holds_no_usable_secret(record: KeyringRecord, keys: UnsealedKeys) -> None:
    stored = json.dumps(record.to_dict()).encode() + record.sealed_secrets
    for secret in (bytes(keys.private_key), keys.blind_index_key):
        for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
            assert form not in stored


def test_record_with_edited_key_id_is_refused(record: KeyringRecord) -> None:
    data = record.to_dict()
    data["key_id"] = "0" * 16
    with pytest.raises(Tampered):
        KeyringRecord.from_dict(data)


@pytest.mark.parametrize(
    "data",
    [
        {"key_id": "x"},
        {"key_id": "x", "public_key": "!!", "sealed_secrets": "", "created_at": "", "version": 1},
    ],
)
def test_bad_record_dicts(data: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        KeyringRecord.from_dict(data)


def test_every_sealed_secrets_byte_flip_is_refused(record: KeyringRecord) -> None:
    for index in range(len(record.sealed_secrets)):
        mutated = bytearray(record.sealed_secrets)
        mutated[index] ^= 0x01
        forged = KeyringRecord(
            record.key_id, record.public_key, bytes(mutated), record.created_at, 1
        )
        with pytest.raises((WrongPassphrase, Tampered)):
            unseal(forged, PASSPHRASE)


def test_huge_argon2_parameters_in_a_forged_record_are_refused(record: KeyringRecord) -> None:
    head = struct.pack(">4sBIQ", b"TMKS", 1, 1, 1 << 40)
    forged = KeyringRecord(
        record.key_id, record.public_key, head + record.sealed_secrets[len(head) :], "x", 1
    )
    with pytest.raises(Tampered):
        unseal(forged, PASSPHRASE)


def test_sealed_secrets_of_another_keyring_with_same_passphrase(record: KeyringRecord) -> None:
    other, _ = generate_keyring(PASSPHRASE, fast=True)
    forged = KeyringRecord(record.key_id, record.public_key, other.sealed_secrets, "x", 1)
    with pytest.raises(WrongPassphrase):  # the public key is associated data
        unseal(forged, PASSPHRASE)


def test_change_passphrase(record: KeyringRecord, keys: UnsealedKeys) -> None:
    changed = change_passphrase(record, keys, "a brand new synthetic passphrase", fast=True)
    assert (changed.key_id, changed.public_key, changed.version) == (
        record.key_id,
        record.public_key,
        record.version,
    )
    assert changed.sealed_secrets != record.sealed_secrets
    with pytest.raises(WrongPassphrase):
        unseal(changed, PASSPHRASE)
    assert (
        unseal(changed, "a brand new synthetic passphrase").blind_index_key == keys.blind_index_key
    )


def test_change_passphrase_with_foreign_keys(record: KeyringRecord) -> None:
    _, other = generate_keyring(PASSPHRASE, fast=True)
    with pytest.raises(WrongKey):
        change_passphrase(record, other, "a brand new synthetic passphrase", fast=True)


def test_unsealed_keys_never_print_or_pickle(keys: UnsealedKeys) -> None:
    text = repr(keys) + str(keys)
    assert keys.key_id in text
    assert bytes(keys.private_key).hex() not in text and keys.blind_index_key.hex() not in text
    with pytest.raises(TypeError):
        pickle.dumps(keys)


def test_wipe(record: KeyringRecord) -> None:
    keys = unseal(record, PASSPHRASE)
    blob = seal(record)
    keys.wipe()
    assert keys.is_wiped
    with pytest.raises(SealedError) as info:
        open_identity(keys, blob, context="person:1")
    assert info.value.code == "keys.sealed"
    with pytest.raises(SealedError):
        _ = keys.blind_index_key
    assert bytes(keys._blind_index_key) == bytes(32)


# ---------------------------------------------------------------------- identities


def test_seal_open_round_trip(record: KeyringRecord, keys: UnsealedKeys) -> None:
    blob = seal(record)
    assert blob[:5] == b"TMID\x01"
    assert blob_key_id(blob) == record.key_id
    assert open_identity(keys, blob, context="person:1") == SYNTHETIC


def test_sealing_is_randomised(record: KeyringRecord) -> None:
    assert seal(record) != seal(record)


def test_blob_contains_no_plaintext(record: KeyringRecord) -> None:
    blob = seal(record)
    for value in ("Aminata", "Maïga", "Maiga", "Tanti Ami", "+223 70 00 00 00", "given_name"):
        for form in (value.encode(), value.encode("utf-16-le"), value.lower().encode()):
            assert form not in blob


def test_blob_length_hides_name_length(record: KeyringRecord) -> None:
    short = seal(record, {"family_name": "Ba"})
    longer = seal(record, {"family_name": "Ba" + "x" * 40})
    assert len(short) == len(longer)


def test_open_while_sealed(record: KeyringRecord) -> None:
    with pytest.raises(SealedError) as info:
        open_identity(None, seal(record))
    assert info.value.code == "keys.sealed"


def test_open_with_other_organisation_key(record: KeyringRecord) -> None:
    _, other = generate_keyring(PASSPHRASE, fast=True)
    with pytest.raises(WrongKey) as info:
        open_identity(other, seal(record), context="person:1")
    assert info.value.code == "keys.wrong_key"


def test_open_with_wrong_context(record: KeyringRecord, keys: UnsealedKeys) -> None:
    with pytest.raises(Tampered):
        open_identity(keys, seal(record, context="person:1"), context="person:2")


def test_every_byte_flip_of_a_blob_is_tampered(record: KeyringRecord, keys: UnsealedKeys) -> None:
    blob = seal(record)
    for index in range(len(blob)):
        for bit in (0x01, 0x80):
            mutated = bytearray(blob)
            mutated[index] ^= bit
            with pytest.raises(Tampered) as info:
                open_identity(keys, bytes(mutated), context="person:1")
            assert info.value.code == "keys.tampered"


@pytest.mark.parametrize("cut", [1, 16, 100])
def test_truncated_or_extended_blob(record: KeyringRecord, keys: UnsealedKeys, cut: int) -> None:
    blob = seal(record)
    with pytest.raises(Tampered):
        open_identity(keys, blob[:-cut], context="person:1")
    with pytest.raises(Tampered):
        open_identity(keys, blob + b"\x00" * cut, context="person:1")


@pytest.mark.parametrize("junk", [b"", b"TMID", b"x" * 300])
def test_junk_is_tampered(keys: UnsealedKeys, junk: bytes) -> None:
    with pytest.raises(Tampered):
        open_identity(keys, junk)


def test_seal_refuses_mismatched_key_id(record: KeyringRecord) -> None:
    with pytest.raises(WrongKey):
        seal_identity(record.public_key, SYNTHETIC, key_id="0123456789abcdef")


@pytest.mark.parametrize(
    "identity",
    [{"family_name": 3.5}, {"family_name": True}, {"family_name": b"Ba"}, {"": "x"}, {5: "x"}],
)
def test_seal_refuses_bad_identity(record: KeyringRecord, identity: dict[object, object]) -> None:
    with pytest.raises(InvalidInput) as info:
        seal(record, identity)  # type: ignore[arg-type]
    assert "Ba" not in str(info.value) and "3.5" not in str(info.value)


# ------------------------------------------------------------------------ rotation


def test_rotation_rewraps_and_keeps_blind_index_key(
    record: KeyringRecord, keys: UnsealedKeys
) -> None:
    blob = seal(record)
    new_record, new_keys = rotate_keyring(keys, "rotated synthetic passphrase", fast=True)
    assert new_record.key_id != record.key_id and new_record.version == 2
    assert new_keys.blind_index_key == keys.blind_index_key
    assert unseal(new_record, "rotated synthetic passphrase").key_id == new_record.key_id

    moved = rewrap_identity(
        blob, keys, new_record.public_key, new_record.key_id, context="person:1"
    )
    assert blob_key_id(moved) == new_record.key_id
    assert moved[-60:] == blob[-60:]  # ciphertext untouched
    assert open_identity(new_keys, moved, context="person:1") == SYNTHETIC
    with pytest.raises(WrongKey):
        open_identity(keys, moved, context="person:1")
    with pytest.raises(WrongKey):
        open_identity(new_keys, blob, context="person:1")


def test_rewrap_checks_context_when_given(record: KeyringRecord, keys: UnsealedKeys) -> None:
    new_record, _ = rotate_keyring(keys, "rotated synthetic passphrase", fast=True)
    with pytest.raises(Tampered):
        rewrap_identity(
            seal(record), keys, new_record.public_key, new_record.key_id, context="person:2"
        )


def test_rewrap_refuses_wrong_new_key_id(record: KeyringRecord, keys: UnsealedKeys) -> None:
    new_record, _ = rotate_keyring(keys, "rotated synthetic passphrase", fast=True)
    with pytest.raises(WrongKey):
        rewrap_identity(seal(record), keys, new_record.public_key, record.key_id)


# ------------------------------------------------------------------------ recovery


@pytest.mark.parametrize(("threshold", "shares"), [(2, 3), (3, 5)])
def test_every_k_subset_recovers_and_every_k_minus_1_subset_fails(
    record: KeyringRecord, keys: UnsealedKeys, threshold: int, shares: int
) -> None:
    mnemonics = split_keys(keys, threshold=threshold, shares=shares)
    assert len(mnemonics) == shares
    for subset in itertools.combinations(mnemonics, threshold):
        recovered = recover_keys(record, list(subset))
        assert bytes(recovered.private_key) == bytes(keys.private_key)
        assert recovered.blind_index_key == keys.blind_index_key
    for subset in itertools.combinations(mnemonics, threshold - 1):
        with pytest.raises(RecoveryFailed) as info:
            recover_keys(record, list(subset))
        assert info.value.code == "keys.recovery_failed"


def test_exhaustive_subsets_4_of_7(record: KeyringRecord, keys: UnsealedKeys) -> None:
    mnemonics = split_keys(keys, threshold=4, shares=7)
    for enough in itertools.combinations(mnemonics, 4):
        assert recover_keys(record, list(enough)).key_id == record.key_id
    for too_few in itertools.combinations(mnemonics, 3):
        with pytest.raises(RecoveryFailed):
            recover_keys(record, list(too_few))


def test_recovery_error_never_quotes_share_words(record: KeyringRecord, keys: UnsealedKeys) -> None:
    mnemonics = split_keys(keys, threshold=3, shares=5)
    with pytest.raises(RecoveryFailed) as info:
        recover_keys(record, mnemonics[:2])
    words = set(" ".join(mnemonics).split())
    assert not words & set(str(info.value).replace(",", " ").split())
    assert "too few shares" in str(info.value)


def test_mistyped_share(record: KeyringRecord, keys: UnsealedKeys) -> None:
    mnemonics = split_keys(keys, threshold=2, shares=3)
    words = mnemonics[0].split()
    words[5] = "academic" if words[5] != "academic" else "acid"
    with pytest.raises(RecoveryFailed):
        recover_keys(record, [" ".join(words), mnemonics[1]])


def test_share_passphrase(record: KeyringRecord, keys: UnsealedKeys) -> None:
    mnemonics = split_keys(keys, threshold=2, shares=3, passphrase="share pass")
    assert recover_keys(record, mnemonics[:2], passphrase="share pass").key_id == record.key_id
    with pytest.raises(RecoveryFailed) as info:
        recover_keys(record, mnemonics[:2], passphrase="wrong")
    assert info.value.code == "keys.recovery_mismatch"


def test_old_shares_do_not_open_rotated_keyring(keys: UnsealedKeys) -> None:
    mnemonics = split_keys(keys, threshold=2, shares=3)
    new_record, _ = rotate_keyring(keys, "rotated synthetic passphrase", fast=True)
    with pytest.raises(RecoveryFailed) as info:
        recover_keys(new_record, mnemonics[:2])
    assert info.value.code == "keys.recovery_mismatch"


@pytest.mark.parametrize(("threshold", "shares"), [(0, 3), (4, 3), (1, 3), (2, 17)])
def test_bad_thresholds(keys: UnsealedKeys, threshold: int, shares: int) -> None:
    with pytest.raises(InvalidInput) as info:
        split_keys(keys, threshold=threshold, shares=shares)
    assert info.value.code == "keys.bad_threshold"


def test_one_of_one_is_allowed(record: KeyringRecord, keys: UnsealedKeys) -> None:
    [single] = split_keys(keys, threshold=1, shares=1)
    assert recover_keys(record, [single]).key_id == record.key_id


# --------------------------------------------------------------------- blind index


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Maïga", "MAIGA"),
        ("Maïga", " maiga "),
        ("Traoré", "traore"),
        ("N'Diaye", "Ndiaye"),
        ("N’Diaye", "NDIAYE"),
        ("Ould-Ahmed", "ould  ahmed"),
        ("Ag Ghaly", "ag-ghaly"),
        ("Kɔnɛ", "Kone"),
        ("Ɲɛnɛ", "nyene"),
        ("Ŋaara", "naara"),
        ("Cœur", "coeur"),
    ],
)
def test_normalise_equivalences(a: str, b: str) -> None:
    assert normalise_for_index(a) == normalise_for_index(b)


def test_normalise_exact_values() -> None:
    assert normalise_for_index("  Aïssata   Ould-Mohamed  ") == "aissata ould mohamed"
    assert normalise_for_index("N'Diaye") == "ndiaye"
    assert normalise_for_index("Ɲɛ́ŋɔ") == "nyeno"


def test_blind_index_known_answer(keys: UnsealedKeys) -> None:
    expected = hmac.new(
        keys.blind_index_key, b"temoin.blind.v1\x00family_name\x00maiga", hashlib.sha256
    ).hexdigest()
    assert blind_index(keys.blind_index_key, "family_name", "Maïga") == expected


def test_blind_index_equalities(keys: UnsealedKeys) -> None:
    key = keys.blind_index_key
    values = {blind_index(key, "family_name", v) for v in ("Maïga", "MAIGA", " maiga ")}
    assert len(values) == 1
    assert blind_index(key, "family_name", "Maïga") != blind_index(key, "given_name", "Maïga")
    _, other = generate_keyring(PASSPHRASE, fast=True)
    assert blind_index(key, "family_name", "Maïga") != blind_index(
        other.blind_index_key, "family_name", "Maïga"
    )
    assert blind_index(key, "family_name", "Maïga") != blind_index(key, "family_name", "Maïgas")


@pytest.mark.parametrize(
    ("field", "value"),
    [("family_name", ""), ("family_name", " - ' "), ("Family", "x"), ("a\x00b", "x"), ("", "x")],
)
def test_blind_index_refuses(keys: UnsealedKeys, field: str, value: str) -> None:
    with pytest.raises(InvalidInput):
        blind_index(keys.blind_index_key, field, value)


def test_blind_index_refuses_short_key() -> None:
    with pytest.raises(InvalidInput):
        blind_index(b"short", "family_name", "x")


# ---------------------------------------------------------------------- properties

identity_values = st.one_of(st.none(), st.integers(), st.text(max_size=40))
identities = st.dictionaries(st.text(min_size=1, max_size=20), identity_values, max_size=6)


@settings(max_examples=60, deadline=None)
@given(identities, st.text(max_size=20))
def test_any_identity_round_trips(
    keyring: tuple[KeyringRecord, UnsealedKeys], identity: dict[str, str | int | None], context: str
) -> None:
    record, keys = keyring
    blob = seal_identity(record.public_key, identity, key_id=record.key_id, context=context)
    assert open_identity(keys, blob, context=context) == identity


@given(st.text(max_size=40))
def test_normalise_is_idempotent(value: str) -> None:
    once = normalise_for_index(value)
    assert normalise_for_index(once) == once
    assert once == once.strip() and "  " not in once


@settings(deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèïàç", min_size=1, max_size=20))
def test_blind_index_ignores_case(keyring: tuple[KeyringRecord, UnsealedKeys], name: str) -> None:
    key = keyring[1].blind_index_key
    assert blind_index(key, "family_name", name) == blind_index(key, "family_name", name.upper())


def test_errors_share_one_base() -> None:
    for error in (SealedError, WrongPassphrase, WrongKey, Tampered, RecoveryFailed, InvalidInput):
        assert issubclass(error, SealingError)
    assert SealingError("keys.custom", "message").code == "keys.custom"
    assert Tampered().code == "keys.tampered"


def test_public_names_exist_and_core_stays_pure() -> None:
    import subprocess
    import sys

    import temoin.core.sealing as sealing

    assert all(hasattr(sealing, name) for name in sealing.__all__)
    code = (
        "import sys, temoin.core.sealing, temoin.core.dates, temoin.core.auditchain;"
        "sys.exit(int(any(m == 'django' or m.startswith('django.') for m in sys.modules)))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_seizure_drill_on_a_raw_sqlite_file(tmp_path: Path, record: KeyringRecord) -> None:
    """Plant synthetic canary names, store only what Témoin stores, grep the raw file."""
    canaries = [f"Canary{i}Synthétique Maïgà{i}" for i in range(20)]  # synthetic
    database = tmp_path / "seized.sqlite3"
    unsealed = unseal(record, PASSPHRASE)
    with sqlite3.connect(database) as connection:
        connection.execute("create table keyring (data text)")
        connection.execute("create table person (id text, blob blob, name_index text)")
        connection.execute("insert into keyring values (?)", (json.dumps(record.to_dict()),))
        for i, name in enumerate(canaries):
            context = f"person:{i}"
            blob = seal_identity(
                record.public_key, {"family_name": name}, key_id=record.key_id, context=context
            )
            index = blind_index(unsealed.blind_index_key, "family_name", name)
            connection.execute("insert into person values (?, ?, ?)", (context, blob, index))
        connection.execute("create table control (plain text)")
        connection.execute("insert into control values (?)", (canaries[0],))
    raw = database.read_bytes()
    hits = []
    for name in canaries:
        forms = {name, name.lower(), name.upper(), normalise_for_index(name)}
        for form in forms:
            for encoded in (form.encode(), form.encode("utf-16-le")):
                if encoded in raw:
                    hits.append((name, encoded))
    # The control row proves the search finds plaintext; nothing else may be found.
    assert hits == [(canaries[0], canaries[0].encode())]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_mutations_of_a_rewrapped_blob_are_tampered(
    keyring: tuple[KeyringRecord, UnsealedKeys], data: st.DataObject
) -> None:
    record, keys = keyring
    new_record, new_keys = rotate_keyring(keys, "rotated synthetic passphrase", fast=True)
    blob = rewrap_identity(seal(record), keys, new_record.public_key, new_record.key_id)
    assert open_identity(new_keys, blob, context="person:1") == SYNTHETIC
    index = data.draw(st.integers(0, len(blob) - 1))
    mask = data.draw(st.integers(1, 255))
    mutated = bytearray(blob)
    mutated[index] ^= mask
    with pytest.raises(Tampered):
        open_identity(new_keys, bytes(mutated), context="person:1")


def test_lone_surrogates_are_refused_cleanly(record: KeyringRecord) -> None:
    with pytest.raises(InvalidInput):
        seal(record, {"family_name": "Ma\ud800ga"})
    with pytest.raises(InvalidInput):
        seal(record, context="person:\ud800")
    # The normaliser treats a lone surrogate as punctuation: no crash.
    assert blind_index(bytes(32), "family_name", "Ma\ud800ga") == blind_index(
        bytes(32), "family_name", "ma ga"
    )


# -------------------------------------------------------------------------- holder


def test_key_holder_states(record: KeyringRecord) -> None:
    holder = KeyHolder()
    assert not holder.is_unsealed
    with pytest.raises(SealedError):
        _ = holder.keys
    with pytest.raises(WrongPassphrase):
        holder.unseal(record, "not the synthetic passphrase")
    assert not holder.is_unsealed
    assert holder.unseal(record, PASSPHRASE) == record.key_id
    keys = holder.keys
    assert open_identity(holder.keys, seal(record), context="person:1") == SYNTHETIC
    holder.seal()
    assert keys.is_wiped and not holder.is_unsealed
    holder.seal()  # idempotent


def test_key_holder_expires() -> None:
    now = [100.0]
    holder = KeyHolder(max_unsealed_seconds=60, clock=lambda: now[0])
    record, keys = generate_keyring(PASSPHRASE, fast=True)
    holder.put(keys)
    now[0] = 160.0
    assert holder.keys is keys
    now[0] = 160.5
    with pytest.raises(SealedError):
        _ = holder.keys
    assert keys.is_wiped


def test_key_holder_put_replaces_and_wipes_previous(record: KeyringRecord) -> None:
    holder = KeyHolder()
    first = unseal(record, PASSPHRASE)
    second = unseal(record, PASSPHRASE)
    holder.put(first)
    holder.put(second)
    assert first.is_wiped and holder.keys is second
    with pytest.raises(WrongKey):
        holder.put(first)


def test_non_latin_names_are_indexed_not_dropped(keys: UnsealedKeys) -> None:
    key = keys.blind_index_key
    # Synthetic names in Arabic and Tifinagh script: kept, not reduced to "".
    assert normalise_for_index("  محمد   علي ") == "محمد علي"
    assert normalise_for_index("ⵎⵓⵙⴰ") == "ⵎⵓⵙⴰ"
    assert blind_index(key, "family_name", "محمد") != blind_index(key, "family_name", "علي")


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=10), st.text(max_size=10))
def test_context_must_match(
    keyring: tuple[KeyringRecord, UnsealedKeys], written: str, read: str
) -> None:
    record, keys = keyring
    blob = seal(record, context=written)
    if written == read:
        assert open_identity(keys, blob, context=read) == SYNTHETIC
    else:
        with pytest.raises(Tampered):
            open_identity(keys, blob, context=read)


def test_keys_from_secret(record: KeyringRecord, keys: UnsealedKeys) -> None:
    secret = bytes(keys.private_key) + keys.blind_index_key
    rebuilt = keys_from_secret(record, secret)
    assert (rebuilt.key_id, rebuilt.version, rebuilt.blind_index_key) == (
        record.key_id,
        record.version,
        keys.blind_index_key,
    )
    with pytest.raises(InvalidInput):
        keys_from_secret(record, secret[:32])
    with pytest.raises(WrongKey):
        keys_from_secret(record, bytes(32) + keys.blind_index_key)
