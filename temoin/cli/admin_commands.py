"""`temoin init | serve | demo | check | user … | audit …`."""

from __future__ import annotations

import os
import secrets
import sys

import typer
from rich.console import Console
from rich.table import Table

from temoin.cli.context import cli_context

console = Console()
user_app = typer.Typer(help="Utilisateurs : create, list, set-role, deactivate.",
                       no_args_is_help=True)
audit_app = typer.Typer(help="Journal d'audit : verify, tail.", no_args_is_help=True)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def init(
    org_name: str = typer.Option("Organisation hôte", help="Name of the documenting organisation."),
    org_short: str = typer.Option("HOTE", help="Its short name."),
    admin: str = typer.Option("admin", help="Username of the first administrator."),
    password: str = typer.Option("", envvar="TEMOIN_ADMIN_PASSWORD",
                                 help="Administrator password (generated when empty)."),
    passphrase: str = typer.Option("", envvar="TEMOIN_PASSPHRASE",
                                   help="Key passphrase (asked when empty)."),
) -> None:
    """Create the database, load vocabularies, the first administrator and the keys."""
    with cli_context():
        from temoin.accounts.models import Organisation, Role
        from temoin.accounts.services import organisation_create, user_create
        from temoin.cases.services import vocabularies_load
        from temoin.keys.models import Keyring
        from temoin.keys.services import keys_init

        _migrate()
        counts = vocabularies_load(actor=None)
        console.print(f"Vocabulaires chargés : {sum(counts.values())} termes.")
        org = Organisation.objects.filter(is_host=True).first() or organisation_create(
            actor=None, name=org_name, short_name=org_short, kind="ngo", is_host=True)
        from temoin.accounts.models import User

        if not User.objects.filter(username=admin).exists():
            password = password or secrets.token_urlsafe(12)
            user_create(actor=None, username=admin, password=password, organisation=org,
                        role=Role.ADMINISTRATOR)
            console.print(f"Administrateur : [bold]{admin}[/bold] / mot de passe : "
                          f"[bold]{password}[/bold]")
        if not Keyring.objects.exists():
            passphrase = passphrase or typer.prompt("Phrase de passe des clés", hide_input=True,
                                                    confirmation_prompt=True)
            record = keys_init(actor=None, passphrase=passphrase)
            console.print(f"Clés de l'organisation créées ({record.key_id}), scellées par la "
                          "phrase de passe.")


def _serve(host: str, port: int) -> None:
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    call_command("collectstatic", interactive=False, verbosity=0)
    from config.wsgi import application  # after collectstatic: whitenoise indexes files at start
    console.print(f"Témoin sur [bold]http://{host}:{port}/[/bold] (Ctrl-C pour arrêter)")
    waitress_serve(application, host=host, port=port, threads=8, ident="temoin")


def serve(
    host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
    unseal: bool = typer.Option(False, help="Ask for the key passphrase and unseal at start."),
) -> None:
    """Serve Témoin (waitress, static files by whitenoise: no CDN, works offline)."""
    with cli_context():
        if unseal:
            from temoin.cases.services import persons_reindex_pending
            from temoin.keys.services import keys_unseal

            keys_unseal(actor=None, passphrase=os.environ.get("TEMOIN_PASSPHRASE")
                        or typer.prompt("Phrase de passe", hide_input=True))
            persons_reindex_pending(actor=None)
        _serve(host, port)


def demo(
    events: int = typer.Option(300, help="Synthetic incidents to generate."),
    seed: int = typer.Option(2022),
    host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
    no_serve: bool = typer.Option(False, "--no-serve", help="Load the demo, do not serve."),
) -> None:
    """Init + SYNTHETIC Mali scenario + demo users + serve. Prints the logins."""
    passphrase = os.environ.get("TEMOIN_PASSPHRASE", "démo-seulement-pas-secret")
    os.environ["TEMOIN_PASSPHRASE"] = passphrase
    with cli_context():
        from temoin.cases.demo import demo_load

        _migrate()
        result = demo_load(events=events, seed=seed, passphrase=passphrase)
        table = Table(title="Témoin — démonstration (données SYNTHÉTIQUES)")
        for column in ("rôle", "utilisateur", "mot de passe"):
            table.add_column(column)
        for role, username, password in result.logins:
            table.add_row(role, username, password)
        console.print(table)
        console.print(f"{result.events} évènements, {result.persons} personnes, "
                      f"{result.sources} sources synthétiques. Clés descellées pour la démo "
                      f"(phrase de passe : {passphrase}).")
        if not no_serve:
            _serve(host, port)


def check() -> None:
    """Integrity: audit chain, key status, orphans, identities awaiting their blind index."""
    with cli_context():
        from temoin.audit.selectors import audit_verify
        from temoin.cases.selectors import integrity_report
        from temoin.keys.selectors import keys_status

        verdict = audit_verify()
        status = keys_status()
        report = integrity_report()
        table = Table(title="temoin check")
        table.add_column("contrôle")
        table.add_column("résultat")
        table.add_row("chaîne d'audit", "OK" if verdict.ok else
                      f"ÉCHEC {verdict.chain.problem or verdict.head_problem} "
                      f"à {verdict.chain.first_bad_sequence}")
        table.add_row("entrées d'audit vérifiées", str(verdict.chain.checked))
        table.add_row("clés", "non initialisées" if not status.initialised else
                      f"{status.key_id} ({'scellées' if status.sealed else 'descellées'})")
        for name, value in report.items():
            table.add_row(name, str(value))
        console.print(table)
        if not verdict.ok or report.get("identités sous une clé inconnue", 0):
            sys.exit(1)


@audit_app.command("verify")
def audit_verify_command() -> None:
    """Recompute the hash chain; exit 1 on any edited, deleted, inserted or reordered row."""
    with cli_context():
        from temoin.audit.selectors import audit_verify

        verdict = audit_verify()
        if verdict.ok:
            console.print(f"[green]OK[/green] : {verdict.chain.checked} entrées, chaîne intacte.")
            return
        console.print(f"[red]ÉCHEC[/red] : {verdict.chain.problem or verdict.head_problem} "
                      f"(séquence {verdict.chain.first_bad_sequence}) — "
                      f"{verdict.chain.detail if hasattr(verdict.chain, 'detail') else ''}")
        sys.exit(1)


@audit_app.command("tail")
def audit_tail(count: int = typer.Option(20)) -> None:
    with cli_context():
        from temoin.audit.selectors import audit_search

        table = Table()
        for column in ("seq", "quand", "qui", "via", "action", "cible", "raison"):
            table.add_column(column)
        for e in audit_search()[:count]:
            table.add_row(str(e.sequence), e.at.isoformat(timespec="seconds"),
                          e.actor_username or "-", e.via, e.action,
                          f"{e.target_type}:{e.target_id}", e.reason[:40])
        console.print(table)


@user_app.command("create")
def user_create_command(
    username: str, role: str = typer.Option(...),
    organisation: str = typer.Option("", help="Short name; the host organisation by default."),
    password: str = typer.Option("", envvar="TEMOIN_USER_PASSWORD"),
) -> None:
    with cli_context():
        from temoin.accounts.models import Organisation
        from temoin.accounts.services import user_create

        org = (Organisation.objects.get(short_name=organisation) if organisation
               else Organisation.objects.get(is_host=True))
        password = password or secrets.token_urlsafe(12)
        user_create(actor=None, username=username, password=password, organisation=org, role=role)
        console.print(f"{username} ({role}, {org.short_name}) — mot de passe : {password}")


@user_app.command("list")
def user_list() -> None:
    with cli_context():
        from temoin.accounts.models import User

        table = Table()
        for column in ("utilisateur", "rôle", "organisation", "actif"):
            table.add_column(column)
        for u in User.objects.select_related("organisation").order_by("username"):
            table.add_row(u.username, u.role, u.organisation.short_name if u.organisation else "-",
                          "oui" if u.is_active else "non")
        console.print(table)


@user_app.command("set-role")
def user_set_role_command(username: str, role: str) -> None:
    with cli_context():
        from temoin.accounts.models import User
        from temoin.accounts.services import user_set_role

        user_set_role(actor=None, user=User.objects.get(username=username), role=role)
        console.print(f"{username} : {role}")


@user_app.command("deactivate")
def user_deactivate_command(username: str, reason: str = typer.Option(...)) -> None:
    with cli_context():
        from temoin.accounts.models import User
        from temoin.accounts.services import user_deactivate

        user_deactivate(actor=None, user=User.objects.get(username=username), reason=reason)
        console.print(f"{username} désactivé.")


def backup(out_dir: str = typer.Argument(..., help="Folder to write the backup into.")) -> None:
    """Consistent copy of the database (SQLite online backup, or pg_dump) and the media folder.

    Identities stay sealed in the copy: a stolen backup holds ciphertext and pseudonyms only.
    """
    import shutil
    import sqlite3
    import subprocess
    from datetime import UTC, datetime
    from pathlib import Path

    with cli_context():
        from django.conf import settings
        from django.db import connection

        from temoin.audit.services import audit_record

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = Path(out_dir) / f"temoin-backup-{stamp}"
        target.mkdir(parents=True, exist_ok=False)
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            source = sqlite3.connect(str(db["NAME"]))
            dest = sqlite3.connect(str(target / "temoin.sqlite3"))
            with dest:
                source.backup(dest)
            source.close()
            dest.close()
        else:
            url = os.environ["DATABASE_URL"]
            with open(target / "temoin.pgdump", "wb") as handle:
                subprocess.run(["pg_dump", "--format=custom", url], check=True, stdout=handle)
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.copytree(media, target / "media")
        vault = Path(settings.TEMOIN_HOME) / "vault"
        if vault.exists():
            # wrapped data keys stay out of backups: a restored copy must not bring back
            # items that were crypto-shredded since (their ciphertext alone is unreadable)
            shutil.copytree(vault, target / "vault",
                            ignore=lambda folder, names: ["keys"] if Path(folder).name == "objects"
                            else [])
        from django.db import transaction

        with transaction.atomic():
            audit_record(actor=None, action="backup.create", details={"folder": target.name})
        console.print(f"Sauvegarde : {target}")
