"""Witness exchange format (strict JSON) and the log-side acceptance of cosignatures."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temoin.core.custody import (
    ALG_COSIGNATURE_V1,
    CheckpointError,
    CustodyLog,
    InconsistentCheckpointError,
    MemoryLogStore,
    NoteSigner,
    SignatureError,
    Witness,
)
from temoin.core.custody.note import NoteSignature, add_signatures, parse_note
from temoin.core.custody.witnessing import WitnessRequest, accepted_cosignatures

ORIGIN = "temoin.synthetic/custody"
LOG = NoteSigner.generate(ORIGIN)
W1 = NoteSigner.generate("w1.synthetic.example", algorithm=ALG_COSIGNATURE_V1)
W2 = NoteSigner.generate("w2.synthetic.example", algorithm=ALG_COSIGNATURE_V1)


def grown_log(count: int) -> CustodyLog:
    log = CustodyLog(MemoryLogStore(), origin=ORIGIN, signer=LOG, clock=lambda: "2026-11-27T00:00:00.000000Z")
    for number in range(count):
        log.append(action="ingest", item_sha256=f"{number:064x}", actor="u-1", role="analyst",
                   organisation="SYN", system="synthetic")
    return log


def test_request_round_trips_and_a_witness_follows_it() -> None:
    log = grown_log(5)
    first = WitnessRequest(log.checkpoint(), 0, ())
    witness = Witness(W1, logs=[LOG.verifier], clock=lambda: 1_800_000_000)
    witness.cosign(WitnessRequest.from_json(first.to_json()).note, consistency_proof=[])
    for number in range(5, 12):
        log.append(action="ingest", item_sha256=f"{number:064x}", actor="u-1", role="analyst",
                   organisation="SYN", system="synthetic")
    second = WitnessRequest(log.checkpoint(), 5, tuple(log.consistency_proof(5, 12)))
    data = second.to_json()
    assert (data["format"], data["origin"], data["size"], data["from_size"], len(data["consistency_proof"])) == (
        "temoin-witness-request/v1", ORIGIN, 12, 5, 5)
    parsed = WitnessRequest.from_json(data)
    assert parsed == second
    cosigned = witness.cosign(parsed.note, consistency_proof=list(parsed.proof))
    assert witness.last_seen(ORIGIN) == (12, log.root(12))
    assert parse_note(cosigned)[1][-1].name == W1.name


@pytest.mark.parametrize(("change", "message"), [
    ({"format": "other"}, "format"),
    ({"from_size": -1}, "from_size must be"),
    ({"from_size": True}, "from_size must be"),
    ({"from_size": 13}, "beyond the checkpoint size"),
    ({"size": 11}, "size or origin differ"),
    ({"origin": "other.example/custody"}, "size or origin differ"),
    ({"consistency_proof": "AAAA"}, "list of base64"),
    ({"consistency_proof": ["AAAA"]}, "not 32 bytes"),
    ({"consistency_proof": ["not base64!"]}, "not valid base64"),
    ({"checkpoint": 5}, "signed note text"),
])
def test_request_parsing_is_strict(change: dict[str, object], message: str) -> None:
    log = grown_log(12)
    data = {**WitnessRequest(log.checkpoint(), 5, tuple(log.consistency_proof(5, 12))).to_json(), **change}
    with pytest.raises(CheckpointError, match=message):
        WitnessRequest.from_json(data)


def test_log_accepts_registered_cosignatures_only_on_its_own_checkpoint() -> None:
    log = grown_log(3)
    note = log.checkpoint()
    body = parse_note(note)[0]
    cosigned = Witness(W2, logs=[LOG.verifier], clock=lambda: 7).cosign(
        Witness(W1, logs=[LOG.verifier], clock=lambda: 5).cosign(note, consistency_proof=[]),
        consistency_proof=[])
    accepted = accepted_cosignatures(cosigned, log_verifier=LOG.verifier, stored_body=body,
                                     witnesses=[W1.verifier, W2.verifier])
    assert [(a.witness.name, a.timestamp) for a in accepted] == [(W1.name, 5), (W2.name, 7)]
    only_w2 = accepted_cosignatures(cosigned, log_verifier=LOG.verifier, stored_body=body,
                                    witnesses=[W2.verifier])
    assert [a.witness.name for a in only_w2] == [W2.name]
    with pytest.raises(CheckpointError, match="no cosignature by a registered witness"):
        accepted_cosignatures(note, log_verifier=LOG.verifier, stored_body=body, witnesses=[W1.verifier])
    with pytest.raises(CheckpointError, match="differs from the one this log signed"):
        accepted_cosignatures(cosigned, log_verifier=LOG.verifier, stored_body=body.replace("\n3\n", "\n4\n"),
                              witnesses=[W1.verifier])
    text, signatures = parse_note(cosigned)
    bad = [*signatures[:-1], NoteSignature(signatures[-1].name, signatures[-1].key_id,
                                           signatures[-1].signature[:-1]
                                           + bytes([signatures[-1].signature[-1] ^ 1]))]
    with pytest.raises(SignatureError):
        accepted_cosignatures(add_signatures(text, bad), log_verifier=LOG.verifier, stored_body=body,
                              witnesses=[W1.verifier, W2.verifier])


def _entry(log: CustodyLog, tag: str) -> None:
    log.append(action="ingest", item_sha256=tag * 64, actor="u-1", role="analyst",
               organisation="SYN", system="synthetic")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seen=st.integers(1, 40), grown=st.integers(0, 40), kept=st.integers(0, 39), regrown=st.integers(1, 50))
def test_witness_accepts_every_honest_growth_and_refuses_every_rewrite(seen: int, grown: int, kept: int,
                                                                        regrown: int) -> None:
    """Honest: size seen -> seen+grown is co-signed. Rewrite: the first ``kept`` < seen entries
    kept, the rest replaced by other entries up to any size: refused, state unchanged."""
    kept = min(kept, seen - 1)
    honest = grown_log(seen)
    witness = Witness(W1, logs=[LOG.verifier], clock=lambda: 1)
    witness.cosign(honest.checkpoint(), consistency_proof=[])
    for _ in range(grown):
        _entry(honest, "a")
    request = WitnessRequest(honest.checkpoint(), seen, tuple(honest.consistency_proof(seen, honest.size)))
    witness.cosign(request.note, consistency_proof=list(request.proof))
    assert witness.last_seen(ORIGIN) == (seen + grown, honest.root())
    forked = grown_log(seen + grown)
    # same first ``kept`` entries (grown_log is deterministic), then a different history
    rewritten = CustodyLog(MemoryLogStore(), origin=ORIGIN, signer=LOG, clock=lambda: "2026-11-27T00:00:00.000000Z")
    for seq in range(kept):
        rewritten.append_entries([forked.entry(seq)])
    for _ in range(regrown):
        _entry(rewritten, "b")
    old = seen + grown
    proof = rewritten.consistency_proof(old, rewritten.size) if rewritten.size >= old else []
    with pytest.raises(InconsistentCheckpointError):
        witness.cosign(rewritten.checkpoint(), consistency_proof=proof)
    assert witness.last_seen(ORIGIN) == (old, honest.root())
