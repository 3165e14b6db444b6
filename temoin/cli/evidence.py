"""`temoin evidence …`: ingest, list, timeline, verify, export, shred, checkpoint, key.

Each command acts as a named user (``--user``, or ``TEMOIN_USER``; default: the only active
administrator) so the policy, the audit rows and the custody entries are the same as through
the API. Commands that read originals or sign (export, checkpoint, full verify, original) need
the keys: ``--unseal`` asks the passphrase (or reads ``TEMOIN_PASSPHRASE``). File names are
never printed; items are named by SHA-256.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from temoin.cli.context import cli_context

app = typer.Typer(help="Coffre de preuves : dépôt, registre de garde, vérification, export.",
                  no_args_is_help=True)
console = Console()
err = Console(stderr=True)
UserOption = typer.Option("", "--user", envvar="TEMOIN_USER", help="Act as this user.")
UnsealOption = typer.Option(False, "--unseal", help="Unseal the keys (passphrase asked or TEMOIN_PASSPHRASE).")


def _user(username: str) -> Any:
    from temoin.accounts.models import User
    from temoin.errors import NotFound

    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise NotFound(f"Utilisateur {username} introuvable ou inactif.")
        return user
    admins = list(User.objects.filter(role="administrator", is_active=True,
                                      organisation__is_host=True)[:2])
    if len(admins) != 1:
        raise NotFound("Plusieurs administrateurs (ou aucun) : précisez --user.")
    return admins[0]


def _unseal(user: Any) -> None:
    from temoin.keys.services import keys_unseal

    passphrase = os.environ.get("TEMOIN_PASSPHRASE") or typer.prompt("Phrase de passe", hide_input=True)
    keys_unseal(actor=user, passphrase=passphrase)


class _ProgressReader:
    """A binary stream that advances a rich progress bar as the vault reads it."""

    def __init__(self, handle: BinaryIO, progress: Progress, task: Any) -> None:
        self._handle, self._progress, self._task = handle, progress, task

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._progress.update(self._task, advance=len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        count = self._handle.readinto(buffer)  # type: ignore[attr-defined]  # files opened "rb" have it
        self._progress.update(self._task, advance=count)
        return int(count)


@app.command("ingest")
def ingest(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    event: list[str] = typer.Option([], "--event", help="Event reference (E-…), repeatable."),
    act: list[int] = typer.Option([], "--act", help="Act id, repeatable."),
    source: int = typer.Option(0, "--source", help="Source id."),
    reason: str = typer.Option(..., "--reason"),
    declared_sha256: str = typer.Option("", "--sha256", help="Hash declared by the sender."),
    field_record: list[Path] = typer.Option(
        [], "--field-record", exists=True, dir_okay=False, readable=True,
        help="Tella/ODK metadata record received with FILE (JSON, CSV, audit.csv, instance XML), repeatable."),
    user: str = UserOption,
) -> None:
    """Store FILE in the vault (encrypted, content-addressed) and link it. Works while sealed."""
    with cli_context():
        from temoin.cases.access import access_act_by_id, access_source_by_id
        from temoin.evidence import services
        from temoin.evidence.access import access_event_by_reference

        actor = _user(user)
        events = [access_event_by_reference(actor, ref) for ref in event]
        acts = [access_act_by_id(actor, a) for a in act]
        linked_source = access_source_by_id(actor, source) if source else None
        size = file.stat().st_size
        with open(file, "rb") as handle, Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), console=err, transient=True, disable=size < (8 << 20),
        ) as progress:
            task = progress.add_task("chiffrement", total=size)
            outcome = services.evidence_ingest(
                actor=actor, file=_ProgressReader(handle, progress, task), filename=file.name,
                reason=reason, events=events, acts=acts, source=linked_source,
                declared_sha256=declared_sha256 or None,
                field_records=[services.field_record_from(p.name, p.open("rb")) for p in field_record])
        state = "déjà présent (doublon reconnu)" if outcome.duplicate else "déposé"
        console.print(f"{outcome.item.sha256} {state} — {outcome.item.size} octets, "
                      f"{outcome.item.media_type}, entrée de garde {outcome.custody_seq}")
        for code in outcome.findings:
            console.print(f"  constat : {code}")
        for proof in outcome.proofs:
            console.print(f"  preuve jointe : {proof}")


@app.command("link")
def link(
    sha256: str,
    event: list[str] = typer.Option([], "--event", help="Event reference (E-…), repeatable."),
    act: list[int] = typer.Option([], "--act", help="Act id, repeatable."),
    source: list[int] = typer.Option([], "--source", help="Source id, repeatable."),
    reason: str = typer.Option(..., "--reason"),
    unlink: bool = typer.Option(False, "--unlink", help="Withdraw these links instead."),
    user: str = UserOption,
) -> None:
    """Attach an item to events, acts or sources (or detach it): custody entry and audit row."""
    with cli_context():
        from temoin.cases.access import access_act_by_id, access_source_by_id
        from temoin.evidence import services
        from temoin.evidence.access import access_event_by_reference, access_evidence_by_sha

        actor = _user(user)
        change = services.evidence_unlink if unlink else services.evidence_link
        item = change(actor=actor, item=access_evidence_by_sha(actor, sha256), reason=reason,
                      events=[access_event_by_reference(actor, ref) for ref in event],
                      acts=[access_act_by_id(actor, a) for a in act],
                      sources=[access_source_by_id(actor, s) for s in source])
        console.print(f"{item.sha256} {'détaché' if unlink else 'rattaché'} (entrée de garde ajoutée)")


@app.command("list")
def list_items(event: str = typer.Option("", "--event"), user: str = UserOption) -> None:
    """Items the user may see."""
    with cli_context():
        from temoin.evidence import selectors
        from temoin.evidence.access import access_event_by_reference

        actor = _user(user)
        filters = {"event": access_event_by_reference(actor, event).pk} if event else {}
        table = Table("sha256", "taille", "type", "évènements", "état")
        for item in selectors.evidence_list(actor, filters=filters):
            state = "détruit" if item.shredded else ("copie de travail" if item.derived_from_id else "original")
            table.add_row(item.sha256, str(item.size), item.media_type,
                          " ".join(e.reference for e in item.events.all()), state)
        console.print(table)


@app.command("timeline")
def timeline(sha256: str, user: str = UserOption) -> None:
    """Custody timeline of an item (from the custody log)."""
    with cli_context():
        from temoin.evidence import selectors

        table = Table("seq", "UTC", "action", "acteur", "rôle", "org.", "raison")
        for entry in selectors.custody_timeline(_user(user), sha256):
            table.add_row(str(entry["seq"]), entry["time_utc"], entry["action"], entry["actor"],
                          entry["role"], entry["organisation"], entry["reason"])
        console.print(table)


@app.command("verify")
def verify(sample: int = typer.Option(0, "--sample", help="Check N random items (0 = all)."),
           seed: int = typer.Option(0, "--seed"), user: str = UserOption,
           unseal: bool = UnsealOption) -> None:
    """Fixity: re-read items, re-check hashes and the custody log. Exit 1 on any problem."""
    with cli_context():
        from temoin.evidence import services

        actor = _user(user)
        if unseal:
            _unseal(actor)
        outcome = services.evidence_verify(actor=actor, sample=sample or None, seed=seed or None)
        for check in outcome.checked:
            if check["ok"]:
                console.print(f"OK      {check['sha256']}")
            else:
                console.print(f"ÉCHEC   {check['sha256']}: {'; '.join(check['problems'])}")
                console.print(f"        → {check['restore_hint']}")
        console.print(f"registre de garde : {'OK' if outcome.log_ok else 'ÉCHEC ' + outcome.log_problem}"
                      f" ({outcome.log_size} entrées)")
        for problem in outcome.storage_problems:
            console.print(f"stockage : {problem}")
        for sha in outcome.not_in_database:
            console.print(f"dans le coffre mais pas dans la base (redéposer le fichier pour la lier) : {sha}")
        if not outcome.full:
            console.print("clés scellées : seuls les chiffrés ont été vérifiés (--unseal pour tout relire)")
        console.print(f"{len(outcome.checked)} pièce(s) vérifiée(s), "
                      f"{sum(1 for c in outcome.checked if not c['ok'])} en échec")
        if not outcome.ok:
            raise typer.Exit(1)


@app.command("export")
def export(
    out: Path = typer.Option(..., "--out", help="Folder to create the package in."),
    recipient: str = typer.Option("courts", "--recipient"),
    reason: str = typer.Option(..., "--reason"),
    event: str = typer.Option("", "--event"),
    item: list[str] = typer.Option([], "--item", help="Item SHA-256, repeatable."),
    partner: str = typer.Option("", "--partner", help="Partner organisation short name."),
    on_consent: str = typer.Option("exclude", "--on-consent", help="exclude | refuse"),
    user: str = UserOption, unseal: bool = UnsealOption,
) -> None:
    """Build a court package (BagIt + standalone verifier) of an event's items."""
    with cli_context():
        from temoin.accounts.models import Organisation
        from temoin.evidence import selectors, services
        from temoin.evidence.access import access_event_by_reference, access_evidence_by_sha

        actor = _user(user)
        if unseal:
            _unseal(actor)
        organisation = Organisation.objects.filter(short_name=partner, is_host=False).first() if partner else None
        outcome = services.evidence_export(
            actor=actor, recipient_kind=recipient, reason=reason,
            destination=out / f"package-{event or 'items'}" if out.exists() else out,
            event=access_event_by_reference(actor, event) if event else None,
            items=[access_evidence_by_sha(actor, s) for s in item],
            recipient_organisation=organisation, refuse_on_consent=on_consent == "refuse")
        console.print(f"paquet : {outcome.path}")
        console.print(f"{len(outcome.items)} pièce(s), point de contrôle {outcome.checkpoint_size}")
        for excluded in outcome.excluded:
            console.print(f"exclue : {excluded['message']}")
        for original, copy in outcome.substituted.items():
            console.print(f"copie expurgée {copy} au lieu de {original}")
        vkey = selectors.custody_vkey()["vkey"]
        console.print(f"vérifier : python3 {outcome.path}/data/verify_package.py {outcome.path} "
                      f"--log-key '{vkey}'")


@app.command("shred")
def shred(sha256: str, reason: str = typer.Option(..., "--reason"),
          authority: str = typer.Option(..., "--authority"),
          with_derivatives: bool = typer.Option(
              False, "--with-derivatives", help="Also shred every working copy of the item."),
          user: str = UserOption) -> None:
    """Crypto-shred an item (administrators): its data key is destroyed for good.

    Refused while the item has working copies, which are listed, unless --with-derivatives."""
    with cli_context():
        from temoin.evidence import services
        from temoin.evidence.access import access_evidence_by_sha

        actor = _user(user)
        item = services.evidence_shred(actor=actor, item=access_evidence_by_sha(actor, sha256),
                                       reason=reason, authority=authority,
                                       with_derivatives=with_derivatives)
        console.print(f"{item.sha256} détruit (clé effacée)")
        for copy in item.derivatives.filter(shredded=True).order_by("pk"):
            console.print(f"  copie de travail {copy.sha256} détruite avec l'original")


@app.command("checkpoint")
def checkpoint(user: str = UserOption, unseal: bool = UnsealOption) -> None:
    """Sign a checkpoint of the custody log now and print it with the verification key."""
    with cli_context():
        from temoin.evidence import services

        actor = _user(user)
        if unseal:
            _unseal(actor)
        note = services.evidence_checkpoint(actor=actor)
        sys.stdout.write(note["checkpoint"])
        console.print(f"vkey : {note['vkey']}")
        for stamp in note.get("timestamps", []):  # TEMOIN_TSA_URLS; failures: `timestamp --pending`
            console.print(f"horodatage {stamp['tsa_url']} : {stamp['status']} {stamp['gen_time'] or stamp['error']}",
                          soft_wrap=True)


@app.command("key")
def key() -> None:
    """Print the custody log's verification key (publish it out of band)."""
    with cli_context():
        from temoin.evidence import selectors

        console.print(selectors.custody_vkey()["vkey"], soft_wrap=True)


# --- time-stamps and witnesses (docs/readme/witness.md) ------------------------------------
@app.command("timestamp")
def timestamp(pending: bool = typer.Option(False, "--pending",
                                           help="Retry every checkpoint lacking a token."),
              user: str = UserOption) -> None:
    """Ask the configured TSAs (TEMOIN_TSA_URLS) for tokens; exit 1 if any failed."""
    with cli_context():
        from temoin.evidence import services

        results = services.checkpoint_timestamp(actor=_user(user), pending=pending)
        for r in results:
            state = f"OK {r.gen_time}" if r.status == "granted" else f"ÉCHEC {r.error}"
            console.print(f"point de contrôle {r.size} — {r.tsa_url} : {state}", soft_wrap=True)
        if not results:
            console.print("rien à horodater (chaque point de contrôle a déjà ses jetons)")
        if any(r.status != "granted" for r in results):
            raise typer.Exit(1)


@app.command("checkpoints")
def checkpoints(user: str = UserOption) -> None:
    """Recent checkpoints with their time-stamps and witness cosignatures."""
    with cli_context():
        from temoin.evidence import selectors

        for row in selectors.checkpoint_status(_user(user)):
            console.print(f"taille {row['size']}  racine {row['root'][:16]}…  {row['published_at']}")
            for t in row["timestamps"]:
                console.print(f"    horodatage {t['tsa_url']}: {t['status']} {t['gen_time'] or t['error']}",
                              soft_wrap=True)
            for c in row["cosignatures"]:
                console.print(f"    cosigné par {c['witness']} à {c['cosigned_at']}")


@app.command("witness-add")
def witness_add(partner: str = typer.Argument(..., help="Partner organisation short name."),
                vkey: str = typer.Argument(..., help="The witness's public key line."),
                reason: str = typer.Option(..., "--reason"), user: str = UserOption) -> None:
    """Register a partner's witness key (administrators; audited)."""
    with cli_context():
        from temoin.accounts.models import Organisation
        from temoin.evidence import services

        organisation = Organisation.objects.filter(short_name=partner).first()
        row = services.witness_key_add(actor=_user(user), organisation=organisation, vkey=vkey,
                                       reason=reason)
        console.print(f"témoin enregistré : {row.name} ({row.organisation.short_name})", soft_wrap=True)


@app.command("witness-files")
def witness_files(out: Path = typer.Argument(..., help="Folder to write checkpoint.note and proof.json in."),
                  from_size: int = typer.Option(0, "--from", help="Size the witness last co-signed.")) -> None:
    """For an air-gapped witness: the latest checkpoint and the consistency proof, as files."""
    with cli_context():
        import json

        from temoin.evidence import selectors

        request = selectors.witness_request(from_size=from_size)
        out.mkdir(parents=True, exist_ok=True)
        (out / "checkpoint.note").write_text(request["checkpoint"], encoding="utf-8")
        (out / "proof.json").write_text(json.dumps(
            {"from_size": request["from_size"], "consistency_proof": request["consistency_proof"]},
            indent=1) + "\n", encoding="utf-8")
        console.print(f"taille {request['size']} depuis {request['from_size']} : {out}/checkpoint.note, "
                      f"{out}/proof.json")


@app.command("cosignature")
def cosignature(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Import a co-signed checkpoint brought back by a witness (verified before it is stored)."""
    with cli_context():
        from temoin.evidence import services

        outcome = services.witness_cosignature_accept(note=file.read_bytes(), via="cli")
        console.print(f"point de contrôle {outcome.checkpoint.size} : cosignatures nouvelles "
                      f"{outcome.accepted or '—'}, déjà connues {outcome.already or '—'}")
