"""``temoin facts``: the dashboard's per-event facts and monthly cells (decision 0003).

    temoin facts check      recompute in a rolled-back transaction; exit 1 if any row differs
    temoin facts rebuild    recompute everything (after a restore, or to repair drift); audited

Every write path of the application refreshes the facts of the events it touches; these
commands exist for what bypasses them (a restore from an old backup, a manual SQL fix).
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from temoin.cli.context import cli_context

app = typer.Typer(help="Faits du tableau de bord : check, rebuild.", no_args_is_help=True)
console = Console()


@app.command("check")
def check() -> None:
    """Rows that differ from a fresh computation, per table (exit 1 when any does)."""
    with cli_context():
        from temoin.cases import facts

        differing = facts.drift()
        table = Table(title="temoin facts check")
        table.add_column("table")
        table.add_column("lignes différentes", justify="right")
        for name, count in differing.items():
            table.add_row(name, str(count))
        console.print(table)
        if any(differing.values()):
            console.print("[red]Écart[/red] : lancez `temoin facts rebuild`.")
            sys.exit(1)
        console.print("[green]OK[/green] : les faits sont à jour.")


@app.command("rebuild")
def rebuild() -> None:
    """Recompute the facts of every event and the monthly cells (one audit row)."""
    with cli_context():
        from django.db import transaction

        from temoin.audit.services import audit_record
        from temoin.cases import facts

        with transaction.atomic():
            events = facts.rebuild()
            audit_record(actor=None, action="cases.facts_rebuild",
                         details={"events": events})
        console.print(f"[green]OK[/green] : faits recalculés pour {events} évènements.")
