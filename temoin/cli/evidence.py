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


@app.command("ingest")
def ingest(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    event: list[str] = typer.Option([], "--event", help="Event reference (E-…), repeatable."),
    act: list[int] = typer.Option([], "--act", help="Act id, repeatable."),
    source: int = typer.Option(0, "--source", help="Source id."),
    reason: str = typer.Option(..., "--reason"),
    declared_sha256: str = typer.Option("", "--sha256", help="Hash declared by the sender."),
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
                declared_sha256=declared_sha256 or None)
        state = "déjà présent (doublon reconnu)" if outcome.duplicate else "déposé"
        console.print(f"{outcome.item.sha256} {state} — {outcome.item.size} octets, "
                      f"{outcome.item.media_type}, entrée de garde {outcome.custody_seq}")
        for code in outcome.findings:
            console.print(f"  constat : {code}")


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
          authority: str = typer.Option(..., "--authority"), user: str = UserOption) -> None:
    """Crypto-shred an item (administrators): its data key is destroyed for good."""
    with cli_context():
        from temoin.evidence import services
        from temoin.evidence.access import access_evidence_by_sha

        actor = _user(user)
        item = services.evidence_shred(actor=actor, item=access_evidence_by_sha(actor, sha256),
                                       reason=reason, authority=authority)
        console.print(f"{item.sha256} détruit (clé effacée)")


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


@app.command("key")
def key() -> None:
    """Print the custody log's verification key (publish it out of band)."""
    with cli_context():
        from temoin.evidence import selectors

        console.print(selectors.custody_vkey()["vkey"], soft_wrap=True)
