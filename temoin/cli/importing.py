"""``temoin import``: ACLED, UCDP GED, spreadsheets, Uwazi and ODK exports into the case
database (thin interface over :mod:`temoin.intake.services`).

    temoin import acled FILE [--json] [--no-geocode] [--no-flag-deletions] [--user NAME]
    temoin import ucdp FILE
    temoin import table FILE --profile PROFILE.json [--dry-run]
    temoin import uwazi FILE --profile PROFILE.json
    temoin import odk EXPORT.csv|.zip
    temoin import batches [--kind acled]          temoin import batch ID
    temoin import quarantine list [--batch ID] [--all]
    temoin import quarantine show ID
    temoin import quarantine retry ID [--set column=value ...]
    temoin import odk-vault                       move files of earlier versions into the vault

Every command runs as a named user (``--user`` or ``TEMOIN_USER``; by default the only
active administrator), who must be an administrator or an analyst.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from temoin.cli.context import cli_context

app = typer.Typer(help="Importer des fichiers (ACLED, UCDP, tableurs, Uwazi, ODK).",
                  no_args_is_help=True)
quarantine_app = typer.Typer(help="Lignes en quarantaine : lister, voir, relancer.",
                             no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")

USER_OPTION = typer.Option(None, "--user", envvar="TEMOIN_USER",
                           help="who runs the import (administrator or analyst)")


def _console() -> Console:
    return Console(width=160)


def _actor(username: str | None) -> Any:
    from temoin.accounts.models import User
    from temoin.errors import NotFound, Problems

    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise NotFound(f"Utilisateur {username} introuvable.")
        return user
    admins = list(User.objects.filter(role="administrator", is_active=True,
                                      organisation__is_host=True)[:2])
    if len(admins) != 1:
        problems = Problems("import")
        problems.add("user", "required", "Indiquez --user (plusieurs administrateurs ou aucun).")
        problems.raise_if_any()
    return admins[0]


def _run(kind: str, path: Path, username: str | None, **options: Any) -> None:
    with cli_context():
        from temoin.intake.selectors import batch_detail
        from temoin.intake.services import batch_import, count_lines

        actor = _actor(username)
        total = count_lines(path) if path.suffix.casefold() in (".csv", ".txt", ".tsv") else None
        console = _console()
        with Progress(TextColumn(f"[bold]{kind}[/bold] {path.name}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=False) as progress:
            task = progress.add_task("rows", total=total)
            batch = batch_import(actor=actor, kind=kind, path=path,
                                 progress=lambda n: progress.advance(task, n), **options)
            progress.update(task, total=batch.rows, completed=batch.rows)
        _print_batch(console, batch_detail(batch))


def _print_batch(console: Console, data: dict[str, Any]) -> None:
    counts = data["counts"]
    table = Table(title=f"Lot {data['id']} — {data['kind']} — {data['status']}")
    for name in ("rows", "new", "updated", "unchanged", "quarantined", "flagged_deleted",
                 "warnings"):
        table.add_column(name, justify="right")
    table.add_row(*(str(counts[n]) for n in ("rows", "new", "updated", "unchanged",
                                             "quarantined", "flagged_deleted", "warnings")))
    console.print(table)
    console.print(f"fichier {data['file_name']} sha256 {data['file_sha256']} "
                  f"({data['file_size']} octets), {data['seconds']} s, {data['importer_version']}")
    report = data.get("report") or {}
    if report.get("changed_fields"):
        console.print("champs modifiés : " + ", ".join(
            f"{k} ×{v}" for k, v in report["changed_fields"].items()))
    if report.get("quarantine_reasons"):
        console.print("quarantaine : " + ", ".join(
            f"{k} ×{v}" for k, v in report["quarantine_reasons"].items()))
    if report.get("warnings"):
        console.print("avertissements : " + ", ".join(
            f"{k} ×{v}" for k, v in report["warnings"].items()))
    if report.get("unknown_actors"):
        top = list(report["unknown_actors"].items())[:10]
        console.print(f"acteurs inconnus ({len(report['unknown_actors'])}) : "
                      + "; ".join(f"{k} ×{v}" for k, v in top))


def _reliability(values: list[str]) -> dict[str, str]:
    mapping = {}
    for item in values:
        scale, _, letter = item.partition("=")
        mapping[scale] = letter.strip().upper()
    return mapping


@app.command("acled")
def acled(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="ACLED CSV (or --json)"),
    api_json: bool = typer.Option(False, "--json", help="the file is ACLED API JSON"),
    geocode: bool = typer.Option(True, help="check places with the installed gazetteer"),
    flag_deletions: bool = typer.Option(True, help="flag ids absent from this full export"),
    reliability: list[str] = typer.Option([], help="source_scale=LETTER (repeatable; '*=F')"),
    user: str | None = USER_OPTION,
) -> None:
    """Import an ACLED export: one Source + one candidate event per row."""
    _run("acled_json" if api_json else "acled", path, user, geocode=geocode,
         flag_deletions=flag_deletions, reliability_map=_reliability(reliability))


@app.command("ucdp")
def ucdp(
    path: Path = typer.Argument(..., exists=True, dir_okay=False),
    geocode: bool = typer.Option(True),
    flag_deletions: bool = typer.Option(True),
    user: str | None = USER_OPTION,
) -> None:
    """Import a UCDP GED CSV (low/best/high as one claim range)."""
    _run("ucdp", path, user, geocode=geocode, flag_deletions=flag_deletions)


def _load_profile(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


@app.command("table")
def table(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX"),
    profile: Path = typer.Option(..., exists=True, dir_okay=False, help="mapping profile JSON"),
    dry_run: bool = typer.Option(False, help="report what would happen; write nothing"),
    geocode: bool = typer.Option(True),
    source_type: str = typer.Option("other", help="source type vocabulary code"),
    user: str | None = USER_OPTION,
) -> None:
    """Import a spreadsheet through a saved column-mapping profile."""
    if dry_run:
        with cli_context():
            from temoin.intake.services import batch_dry_run

            report = batch_dry_run(actor=_actor(user), path=path, profile=_load_profile(profile))
            console = _console()
            console.print(f"essai à blanc : ok={report['ok']} lignes={report['rows']} "
                          f"lues={report['parsed']} quarantaine={report['quarantined']} "
                          f"nouvelles={report['new']} modifiées={report['updated']} "
                          f"inchangées={report['unchanged']}")
            for problem in report["problems"]:
                console.print(f"  problème : {problem}")
            for reason, count in report["quarantine_reasons"].items():
                console.print(f"  quarantaine {reason} ×{count}")
            if not report["ok"]:
                raise typer.Exit(1)
        return
    _run("table", path, user, profile=_load_profile(profile), geocode=geocode,
         source_type=source_type)


@app.command("uwazi")
def uwazi(
    path: Path = typer.Argument(..., exists=True, dir_okay=False),
    profile: Path = typer.Option(..., exists=True, dir_okay=False),
    geocode: bool = typer.Option(True),
    user: str | None = USER_OPTION,
) -> None:
    """Import an Uwazi CSV export through a mapping profile."""
    _run("uwazi", path, user, profile=_load_profile(profile), geocode=geocode)


@app.command("odk")
def odk(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="ODK Central/KoBo CSV or ZIP"),
    geocode: bool = typer.Option(True),
    user: str | None = USER_OPTION,
) -> None:
    """Import an ODK Central / KoBo export (CSV, or ZIP with media)."""
    _run("odk_export", path, user, geocode=geocode, flag_deletions=False)


@app.command("batches")
def batches(kind: str | None = typer.Option(None), limit: int = typer.Option(30),
            user: str | None = USER_OPTION) -> None:
    """List import batches, newest first."""
    with cli_context():
        from temoin.intake.selectors import batch_summary, batches_list

        actor = _actor(user)
        table = Table(title="Lots d'import")
        for column in ("id", "kind", "status", "file", "by", "rows", "new", "updated",
                       "unchanged", "quarantined", "flagged", "seconds"):
            table.add_column(column)
        for batch in batches_list(viewer=actor, kind=kind)[:limit]:
            d = batch_summary(batch)
            c = d["counts"]
            table.add_row(str(d["id"]), d["kind"], d["status"], d["file_name"], d["created_by"],
                          str(c["rows"]), str(c["new"]), str(c["updated"]), str(c["unchanged"]),
                          str(c["quarantined"]), str(c["flagged_deleted"]), str(d["seconds"]))
        _console().print(table)


@app.command("batch")
def batch_show(batch_id: int, user: str | None = USER_OPTION) -> None:
    """Show one batch: counts, file hash, settings and report."""
    with cli_context():
        from temoin.intake.access import access_batch_by_id
        from temoin.intake.selectors import batch_detail

        _print_batch(_console(), batch_detail(access_batch_by_id(_actor(user), batch_id)))


@quarantine_app.command("list")
def quarantine_list(batch: int | None = typer.Option(None), all_rows: bool = typer.Option(
        False, "--all", help="also rows already imported or still failing"),
        user: str | None = USER_OPTION) -> None:
    """List quarantined rows (open ones by default)."""
    with cli_context():
        from temoin.intake import selectors

        rows = selectors.quarantine_list(viewer=_actor(user), batch_id=batch,
                                         status=None if all_rows else "open")
        table = Table(title="Quarantaine")
        for column in ("id", "batch", "row", "upstream id", "field", "reason", "status", "sealed"):
            table.add_column(column)
        for row in rows[:500]:
            table.add_row(str(row.pk), str(row.batch_id), str(row.row_number), row.upstream_id,
                          row.field, row.reason_code, row.status, "oui" if row.sealed else "")
        _console().print(table)


@quarantine_app.command("show")
def quarantine_show(row_id: int, user: str | None = USER_OPTION) -> None:
    """Show one quarantined row: reason, message and the verbatim cells (unless sealed)."""
    with cli_context():
        from temoin.intake.access import access_quarantined_row_by_id
        from temoin.intake.selectors import quarantined_row_view

        data = quarantined_row_view(access_quarantined_row_by_id(_actor(user), row_id),
                                    with_raw=True)
        console = _console()
        for key in ("id", "batch", "row_number", "upstream_id", "field", "reason_code", "message",
                    "status", "attempts"):
            console.print(f"{key}: {data[key]}")
        if data["sealed"]:
            console.print("ligne scellée (formulaire de témoignage) ; colonnes : "
                          + ", ".join(data["field_names"]))
        else:
            for key, value in (data.get("raw") or {}).items():
                console.print(f"  {key} = {value!r}")


@quarantine_app.command("retry")
def quarantine_retry(row_id: int,
                     fix: list[str] = typer.Option([], "--set", help="column=value (repeatable)"),
                     user: str | None = USER_OPTION) -> None:
    """Apply fixes to the verbatim row and run it again through the batch's parser."""
    fixes = {}
    for item in fix:
        column, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--set attend colonne=valeur, pas {item!r}")
        fixes[column] = value
    with cli_context():
        from temoin.intake import services
        from temoin.intake.access import access_quarantined_row_by_id

        actor = _actor(user)
        row = services.quarantine_retry(actor=actor, row=access_quarantined_row_by_id(
            actor, row_id), fixes=fixes)
        _console().print(f"ligne {row.pk} : {row.status}"
                         + ("" if row.status == "imported" else f" ({row.reason_code}: {row.message})"))
        if row.status != "imported":
            raise typer.Exit(1)


@app.command("odk-key")
def odk_key(user: str | None = USER_OPTION) -> None:
    """Create the RSA key pair of encrypted ODK forms (private half sealed with the org key)."""
    with cli_context():
        from temoin.intake.odk import odk_keypair_create

        pair = odk_keypair_create(actor=_actor(user))
        _console().print(f"clé ODK {pair.key_id} créée ; les formulaires servis la contiennent.")


@app.command("odk-password")
def odk_password(target: str = typer.Argument(..., help="compte qui enverra les formulaires"),
                 revoke: bool = typer.Option(False, "--revoke"),
                 user: str | None = USER_OPTION) -> None:
    """Set (generated, shown once) or revoke the OpenRosa device password of an account:
    ODK Collect / KoboCollect / Tella authenticate with it (HTTP Digest)."""
    with cli_context():
        from temoin.intake.odk import openrosa_password_revoke, openrosa_password_set

        actor, account = _actor(user), _actor(target)
        if revoke:
            done = openrosa_password_revoke(actor=actor, user=account)
            _console().print("révoqué" if done else "aucun mot de passe d'appareil")
            return
        password = openrosa_password_set(actor=actor, user=account)
        _console().print(f"mot de passe d'appareil de {account.get_username()} : {password}")
        _console().print("(affiché une seule fois ; seuls ses condensés HA1 sont conservés)")


@app.command("odk-pending")
def odk_pending(user: str | None = USER_OPTION) -> None:
    """Unseal (passphrase from TEMOIN_PASSPHRASE or asked) and import the encrypted
    submissions received while the server was sealed."""
    import os

    with cli_context():
        from temoin.intake.odk import odk_pending_process
        from temoin.keys.services import keys_unseal

        actor = _actor(user)
        passphrase = os.environ.get("TEMOIN_PASSPHRASE") or typer.prompt(
            "Phrase de passe", hide_input=True)
        keys_unseal(actor=actor, passphrase=passphrase)
        counts = odk_pending_process(actor=actor)
        _console().print(", ".join(f"{k}: {v}" for k, v in counts.items()))


@app.command("odk-vault")
def odk_vault(user: str | None = USER_OPTION) -> None:
    """Move the ODK submission XML and attachments that earlier versions kept under
    TEMOIN_HOME/odk/ into the evidence vault (administrators; idempotent). Sealed testimony
    XML moves only when unsealed: set TEMOIN_PASSPHRASE, else it is counted "sealed"."""
    import os

    with cli_context():
        from temoin.intake.odk import odk_files_to_vault
        from temoin.keys.services import keys_unseal

        actor = _actor(user)
        passphrase = os.environ.get("TEMOIN_PASSPHRASE")
        if passphrase:
            keys_unseal(actor=actor, passphrase=passphrase)
        counts = odk_files_to_vault(actor=actor)
        _console().print(", ".join(f"{k}: {v}" for k, v in counts.items()))
        if counts["sealed"] or counts["missing"] or counts["mismatch"]:
            raise typer.Exit(1)
