"""`temoin witness …`: a partner organisation co-signs a Témoin custody log's checkpoints.

The witness keeps, in its state folder, its cosigner key, the log key it pinned, and the last
checkpoint it co-signed. ``check`` fetches (or reads from files, for an air-gapped partner) the
log's latest signed checkpoint and the consistency proof from that last checkpoint; it verifies
the log's signature with the pinned key and that the new tree extends the old one, then adds
its ``cosignature/v1`` line, prints the co-signed note and posts it back. A log that rewrote its
history is refused loudly (exit status 2) and the conflicting signed checkpoint is kept in
``refused/`` as evidence.

This command needs no database and no Django: only the custody core (``cryptography``).

Exit status: 0 co-signed; 1 usage or state problem; 2 history rewritten (inconsistent);
3 the checkpoint or proof does not verify; 4 the log could not be reached or refused the
cosignature (the cosignature is still printed and kept).
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from temoin.core.custody import (
    ALG_COSIGNATURE_V1,
    Checkpoint,
    CheckpointError,
    CustodyError,
    InconsistentCheckpointError,
    NoteSigner,
    NoteVerifier,
    Witness,
)
from temoin.core.custody.note import parse_note
from temoin.core.custody.witnessing import FORMAT, WitnessRequest

app = typer.Typer(help="Témoin partenaire : cosigner les points de contrôle d'un registre de garde.",
                  no_args_is_help=True)
StateOption = typer.Option(..., "--state", help="Witness state folder (key, pinned log key, last checkpoint).")
CHECKPOINT_PATH = "/api/evidence/witness/checkpoint/"
COSIGNATURE_PATH = "/api/evidence/witness/cosignature/"
TIMEOUT = 30.0
MAX_ANSWER = 1 << 20

EXIT_USAGE, EXIT_REWRITTEN, EXIT_INVALID, EXIT_UNREACHABLE = 1, 2, 3, 4


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _fail(code: int, message: str) -> typer.Exit:
    _say(message)
    return typer.Exit(code)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _signer(state: Path) -> NoteSigner:
    path = state / "witness.skey"
    if not path.exists():
        raise _fail(EXIT_USAGE, f"no witness key in {state}: run `temoin witness init --state {state} --name …`")
    return NoteSigner.from_skey(path.read_text(encoding="utf-8").strip())


def _pinned_log_key(state: Path, given: str) -> NoteVerifier:
    """The pinned log key; the first ``--log-key`` pins it, a different one later is refused."""
    path = state / "log.vkey"
    try:
        wanted = NoteVerifier.from_vkey(given.strip()) if given else None
    except CustodyError as exc:
        raise _fail(EXIT_USAGE, f"--log-key: {exc.message}") from exc
    if path.exists():
        pinned = NoteVerifier.from_vkey(path.read_text(encoding="utf-8").strip())
        if wanted is not None and wanted.vkey() != pinned.vkey():
            raise _fail(EXIT_INVALID, f"REFUSED: --log-key differs from the key pinned in {path} "
                                      f"({pinned.vkey()}). A log never changes its key silently.")
        return pinned
    if wanted is None:
        raise _fail(EXIT_USAGE, "first check: give the log's published key with --log-key "
                                "(obtained out of band, e.g. `temoin evidence key` read over the phone)")
    if wanted.algorithm == ALG_COSIGNATURE_V1:
        raise _fail(EXIT_USAGE, "--log-key is a cosigner key, not a log key")
    path.write_text(wanted.vkey() + "\n", encoding="utf-8")
    return wanted


def _http(url: str, *, body: bytes | None = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers,
                                     method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 — scheme checked by caller
            status, raw = response.status, response.read(MAX_ANSWER)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(MAX_ANSWER)
    except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
        raise _fail(EXIT_UNREACHABLE, f"log unreachable at {url}: {getattr(exc, 'reason', exc)}") from exc
    try:
        return status, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(EXIT_UNREACHABLE, f"{url} answered HTTP {status} without JSON") from exc


def _base(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise _fail(EXIT_USAGE, f"{url!r} is not an http(s) address")
    return url.rstrip("/")


class _RolledBack(Exception):
    """The log's latest checkpoint is smaller than the one this witness co-signed."""


def _fetch(url: str, from_size: int) -> WitnessRequest:
    status, answer = _http(f"{_base(url)}{CHECKPOINT_PATH}?{urllib.parse.urlencode({'from': from_size})}")
    error = answer.get("error") if isinstance(answer, dict) else None
    if status == 409 and isinstance(error, dict) and error.get("code") == "witness.from_beyond_checkpoint":
        raise _RolledBack(str(error.get("message", "")))
    if status != 200 or not isinstance(answer, dict):
        raise _fail(EXIT_UNREACHABLE, f"the log answered HTTP {status}: {answer}")
    try:
        return WitnessRequest.from_json(answer)
    except CustodyError as exc:
        raise _fail(EXIT_INVALID, f"REFUSED: malformed answer from the log: {exc.message}") from exc


def _from_files(checkpoint: Path, proof: Path) -> WitnessRequest:
    try:
        data = json.loads(proof.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        note = checkpoint.read_text(encoding="utf-8")
        parsed = Checkpoint.parse(parse_note(note.encode("utf-8"))[0])
        return WitnessRequest.from_json({
            "format": FORMAT, "origin": parsed.origin, "size": parsed.size, "checkpoint": note,
            "from_size": data.get("from_size"), "consistency_proof": data.get("consistency_proof")})
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(EXIT_USAGE, f"cannot read {checkpoint} / {proof}: {exc}") from exc
    except CustodyError as exc:
        raise _fail(EXIT_INVALID, f"REFUSED: {exc.message}") from exc


def _keep_refused(state: Path, request: WitnessRequest) -> Path:
    folder = state / "refused"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stamp}-size-{request.checkpoint.size}.json"
    path.write_text(json.dumps(request.to_json(), indent=1) + "\n", encoding="utf-8")
    return path


@app.command("init")
def init(state: Path = StateOption,
         name: str = typer.Option(..., "--name", help="Witness key name, e.g. witness.cndh-ml.example")) -> None:
    """Create a cosigner key; print its public key line for the log's administrator."""
    state.mkdir(parents=True, exist_ok=True)
    path = state / "witness.skey"
    if path.exists():
        raise _fail(EXIT_USAGE, f"{path} already exists: a witness keeps one key (see `temoin witness key`)")
    try:
        signer = NoteSigner.generate(name, algorithm=ALG_COSIGNATURE_V1)
    except CustodyError as exc:
        raise _fail(EXIT_USAGE, f"--name: {exc.message}") from exc
    _write_private(path, signer.skey() + "\n")
    typer.echo(signer.vkey())
    _say(f"private key written to {path} (keep it secret, back it up offline)")


@app.command("key")
def key(state: Path = StateOption) -> None:
    """Print this witness's public key line."""
    typer.echo(_signer(state).vkey())


@app.command("check")
def check(
    url: str = typer.Argument("", help="The Témoin server (https://…); omit with --checkpoint."),
    state: Path = StateOption,
    log_key: str = typer.Option("", "--log-key", help="The log's published vkey (pinned at first use)."),
    checkpoint: Path | None = typer.Option(None, "--checkpoint", help="Offline: signed checkpoint note file."),
    proof: Path | None = typer.Option(None, "--proof", help="Offline: consistency proof JSON file."),
    post: bool = typer.Option(True, "--post/--no-post", help="Post the cosignature to URL."),
) -> None:
    """Verify the log's latest checkpoint against the last one seen; co-sign it if consistent."""
    if (checkpoint is None) != (proof is None):
        raise _fail(EXIT_USAGE, "--checkpoint and --proof go together")
    if checkpoint is None and not url:
        raise _fail(EXIT_USAGE, "give the server URL, or --checkpoint and --proof")
    signer = _signer(state)
    log = _pinned_log_key(state, log_key)
    witness = Witness(signer, logs=[log], state_path=state / "state.json")
    last = witness.last_seen(log.name)
    last_size = last[0] if last else 0
    try:
        request = (_from_files(checkpoint, proof) if checkpoint is not None and proof is not None
                   else _fetch(url, last_size))
    except _RolledBack as exc:  # the log now shows fewer entries than already co-signed
        kept = _keep_refused(state, _fetch(url, 0))
        _say("!" * 78)
        _say(f"REFUSED — HISTORY REWRITTEN / HISTORIQUE RÉÉCRIT: the log's latest checkpoint is smaller "
             f"than size {last_size} co-signed before ({exc}). Entries were lost or rolled back "
             f"(an old backup restored?). Keep {kept} and the state folder.")
        _say("!" * 78)
        raise typer.Exit(EXIT_REWRITTEN) from exc
    if request.from_size != last_size:
        raise _fail(EXIT_INVALID, f"REFUSED: the proof starts at size {request.from_size}, this witness "
                                  f"last co-signed size {last_size}: ask for a proof from {last_size}")
    try:
        cosigned = witness.cosign(request.note, consistency_proof=list(request.proof))
    except InconsistentCheckpointError as exc:
        kept = _keep_refused(state, request)
        _say("!" * 78)
        _say(f"REFUSED — HISTORY REWRITTEN / HISTORIQUE RÉÉCRIT: {exc.message}")
        _say(f"The log {log.name} signed a checkpoint that does not extend the one this witness "
             f"co-signed (size {last_size}). Keep {kept} and the state folder: together they prove it.")
        _say("!" * 78)
        raise typer.Exit(EXIT_REWRITTEN) from exc
    except (CheckpointError, CustodyError) as exc:
        raise _fail(EXIT_INVALID, f"REFUSED: {exc.message}") from exc
    size = request.checkpoint.size
    (state / "checkpoints").mkdir(exist_ok=True)
    (state / "checkpoints" / f"{size}.note").write_bytes(cosigned)
    sys.stdout.write(cosigned.decode("utf-8"))
    _say(f"co-signed {log.name} size {size}" + (" (first checkpoint seen: trusted on first use)"
                                                 if last is None else f", consistent with size {last_size}"))
    if url and post:
        status, answer = _http(f"{_base(url)}{COSIGNATURE_PATH}",
                               body=json.dumps({"checkpoint": cosigned.decode("utf-8")}).encode())
        if status not in (200, 201):
            raise _fail(EXIT_UNREACHABLE, f"the log refused the cosignature (HTTP {status}): {answer}")
        _say(f"cosignature accepted by the log: {answer}")
