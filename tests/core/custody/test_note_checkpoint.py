"""Signed notes (C2SP / golang.org/x/mod/sumdb/note known answers), checkpoints, witnesses."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import pytest

from temoin.core.custody.checkpoint import (
    Checkpoint,
    Witness,
    cosign_note,
    sign_checkpoint,
    verify_checkpoint,
)
from temoin.core.custody.errors import (
    CheckpointError,
    CustodyError,
    InconsistentCheckpointError,
    KeyFormatError,
    NoteError,
    SignatureError,
)
from temoin.core.custody.merkle import MerkleTree
from temoin.core.custody.note import (
    ALG_COSIGNATURE_V1,
    NoteSigner,
    NoteVerifier,
    add_signatures,
    open_note,
)

# Known answers from golang.org/x/mod/sumdb/note/note_test.go (BSD licence), used as data.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_SIG = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"


def test_go_known_answer_signature_is_reproduced_byte_for_byte() -> None:
    signer = NoteSigner.from_skey(PETER_SKEY)
    assert signer.vkey() == PETER_VKEY
    assert signer.skey() == PETER_SKEY
    note = add_signatures(TEXT, [signer.sign(TEXT)])
    assert note.decode() == TEXT + "\n" + PETER_SIG


def test_go_known_answer_two_signatures_open() -> None:
    peter = NoteVerifier.from_vkey(PETER_VKEY)
    enoch = NoteVerifier.from_vkey(ENOCH_VKEY)
    data = (TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode()
    only_peter = open_note(data, [peter])
    assert only_peter.text == TEXT
    assert [s.name for s in only_peter.verified] == ["PeterNeumann"]
    assert [s.name for s in only_peter.unverified] == ["EnochRoot"]
    both = open_note(data, [peter, enoch])
    assert [s.name for s in both.verified] == ["PeterNeumann", "EnochRoot"]


def test_every_mangling_of_the_verifier_key_is_refused() -> None:
    refused = 0
    raw = PETER_VKEY.encode()
    for i in range(len(raw)):
        mangled = bytearray(raw)
        mangled[i] = (mangled[i] + 1) % 128
        with pytest.raises(KeyFormatError):
            NoteVerifier.from_vkey(mangled.decode("ascii"))
        refused += 1
    for i in range(len(raw)):
        for j in range(i + 1, len(raw) + 1):
            if (i, j) != (0, len(raw)):
                with pytest.raises(CustodyError):
                    NoteVerifier.from_vkey(raw[i:j].decode())
                refused += 1
    assert refused == len(raw) + len(raw) * (len(raw) + 1) // 2 - 1


@pytest.mark.parametrize(
    "bad",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG.replace("JnAM=", "JnAN="),  # non-canonical base64 padding bits
    ],
)
def test_malformed_notes_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        open_note(bad.encode(), [NoteVerifier.from_vkey(PETER_VKEY)])


def test_every_single_byte_change_of_a_signed_note_is_detected() -> None:
    peter = NoteVerifier.from_vkey(PETER_VKEY)
    data = (TEXT + "\n" + PETER_SIG).encode()
    rng = random.Random(1)
    for position in range(len(data)):
        mutated = bytearray(data)
        mutated[position] ^= rng.randrange(1, 256)
        try:
            opened = open_note(bytes(mutated), [peter])
        except CustodyError:
            continue
        assert not opened.verified, f"byte {position} change was not detected"


def _log(size: int) -> MerkleTree:
    tree = MerkleTree()
    for i in range(size):
        tree.append(f"synthetic entry {i}".encode())
    return tree


def test_checkpoint_round_trip_and_format() -> None:
    root = bytes(range(32))
    checkpoint = Checkpoint(origin="temoin.example/log", size=20852163, root=root, extensions=("ext line",))
    assert checkpoint.body() == (
        "temoin.example/log\n20852163\n" + base64.b64encode(root).decode() + "\next line\n"
    )
    assert Checkpoint.parse(checkpoint.body()) == checkpoint
    for bad in ["a\n01\nAA==\n", "a\n1\n", "a\n-1\n" + base64.b64encode(root).decode() + "\n", "a\n1\nAAAA\n"]:
        with pytest.raises(CheckpointError):
            Checkpoint.parse(bad)


def test_cosignature_message_and_witness_quorum() -> None:
    log_key = NoteSigner.generate("temoin.example/log")
    w1 = NoteSigner.generate("partner-a.example/w", algorithm=ALG_COSIGNATURE_V1)
    w2 = NoteSigner.generate("partner-b.example/w", algorithm=ALG_COSIGNATURE_V1)
    tree = _log(10)
    note = sign_checkpoint(Checkpoint("temoin.example/log", 10, tree.root()), log_key)
    witness_a = Witness(w1, logs=[log_key.verifier], clock=lambda: 1700000000)
    witness_b = Witness(w2, logs=[log_key.verifier], clock=lambda: 1700000001)
    cosigned = witness_b.cosign(witness_a.cosign(note, consistency_proof=[]), consistency_proof=[])
    verified = verify_checkpoint(
        cosigned, log_key.verifier, witnesses=[w1.verifier, w2.verifier], quorum=2
    )
    assert verified.checkpoint.size == 10
    assert verified.cosigned_by == {"partner-a.example/w": 1700000000, "partner-b.example/w": 1700000001}
    with pytest.raises(CheckpointError, match="1 witness cosignatures, 2 required"):
        verify_checkpoint(witness_a.cosign(note, consistency_proof=[]), log_key.verifier,
                          witnesses=[w1.verifier, w2.verifier], quorum=2)
    # A cosignature made by the right key over another checkpoint is refused.
    other = sign_checkpoint(Checkpoint("temoin.example/log", 9, tree.root(9)), log_key)
    stolen = w1.sign(Checkpoint("temoin.example/log", 9, tree.root(9)).body(), timestamp=5)
    with pytest.raises(SignatureError):
        verify_checkpoint(cosign_note(note, stolen), log_key.verifier, witnesses=[w1.verifier])
    assert other != note


def test_witness_refuses_rollback_fork_and_bad_proof_and_keeps_state(tmp_path: Path) -> None:
    log_key = NoteSigner.generate("temoin.example/log")
    witness_key = NoteSigner.generate("partner.example/w", algorithm=ALG_COSIGNATURE_V1)
    state = tmp_path / "witness.json"
    witness = Witness(witness_key, logs=[log_key.verifier], state_path=state, clock=lambda: 1)
    tree = _log(20)
    witness.cosign(sign_checkpoint(Checkpoint("temoin.example/log", 8, tree.root(8)), log_key), consistency_proof=[])
    grown = sign_checkpoint(Checkpoint("temoin.example/log", 13, tree.root(13)), log_key)
    witness.cosign(grown, consistency_proof=tree.consistency_proof(8, 13))
    assert witness.last_seen("temoin.example/log") == (13, tree.root(13))

    rollback = sign_checkpoint(Checkpoint("temoin.example/log", 12, tree.root(12)), log_key)
    with pytest.raises(InconsistentCheckpointError, match="older than 13"):
        witness.cosign(rollback, consistency_proof=[])
    forked = MerkleTree()
    for i in range(14):
        forked.append(b"rewritten history" if i == 5 else f"synthetic entry {i}".encode())
    fork_note = sign_checkpoint(Checkpoint("temoin.example/log", 14, forked.root()), log_key)
    with pytest.raises(InconsistentCheckpointError):
        witness.cosign(fork_note, consistency_proof=forked.consistency_proof(13, 14))
    same_size_fork = sign_checkpoint(Checkpoint("temoin.example/log", 13, _log(12).root()), log_key)
    with pytest.raises(InconsistentCheckpointError):
        witness.cosign(same_size_fork, consistency_proof=[])
    forged = sign_checkpoint(Checkpoint("temoin.example/log", 20, tree.root(20)), NoteSigner.generate("temoin.example/log"))
    with pytest.raises(SignatureError):
        witness.cosign(forged, consistency_proof=tree.consistency_proof(13, 20))
    assert Witness(witness_key, logs=[log_key.verifier], state_path=state).last_seen("temoin.example/log") == (
        13,
        tree.root(13),
    )


def test_checkpoint_signed_by_wrong_key_or_without_log_signature_is_refused() -> None:
    log_key = NoteSigner.generate("temoin.example/log")
    impostor = NoteSigner.generate("temoin.example/log")
    note = sign_checkpoint(Checkpoint("temoin.example/log", 1, _log(1).root()), impostor)
    with pytest.raises(SignatureError, match="not signed by log key"):
        verify_checkpoint(note, log_key.verifier)
    with pytest.raises(CheckpointError, match="origin"):
        verify_checkpoint(sign_checkpoint(Checkpoint("other", 1, _log(1).root()), log_key),
                          log_key.verifier, origin="temoin.example/log")
