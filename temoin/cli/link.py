"""``temoin link``: record linkage on the case database (thin interface over
:mod:`temoin.linkage`).

    temoin link persons [--train-from-decisions] [--max-pairs N] [--unseal] [--blind] --as USER
    temoin link events  [--train-from-decisions] --as USER
    temoin link status RUN
    temoin link review RUN [--top 20]
    temoin link decide PAIR accept|reject|unsure [--comment TEXT]
    temoin link undo DECISION
    temoin link export RUN --out histories.csv [--stratum region|year|region_year]

The acting user (``--as``, or ``TEMOIN_USER``) must be an administrator or an analyst to run
and decide, a reviewer at least to read. Names are never printed: pairs show codes (V-0042).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from temoin.cli.context import cli_context

app = typer.Typer(help="Record linkage: the same victim on several lists, the same incident "
                       "in several reports.", no_args_is_help=True)
console = Console(width=160)
AS_USER = typer.Option("admin", "--as", envvar="TEMOIN_USER", help="acting username")


def _user(username: str) -> Any:
    from temoin.accounts.models import User

    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        console.print(f"[red]utilisateur inconnu ou inactif :[/red] {username}")
        raise typer.Exit(code=2) from None


def _fail(error: Any) -> None:
    console.print(f"[red]erreur ({error.code}) :[/red] {error.message}")
    raise typer.Exit(code=1 if error.code != "validation_failed" else 2)


def _unseal(user: Any) -> None:
    from temoin.keys.services import keys_unseal

    passphrase = os.environ.get("TEMOIN_PASSPHRASE") or typer.prompt(
        "Phrase de passe des clés", hide_input=True)
    keys_unseal(actor=user, passphrase=passphrase)


def _run(kind: str, username: str, train_from_decisions: bool, max_pairs: int | None,
         unseal: bool, blind: bool, model_from: int | None,
         settings: dict[str, object] | None = None) -> None:
    with cli_context():
        from temoin.errors import TemoinError
        from temoin.linkage import selectors, services

        user = _user(username)
        try:
            earlier = None if model_from is None else selectors.access_run_by_id(user, model_from)
            if unseal and not blind:
                _unseal(user)
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(),
                          console=console, transient=True) as bar:
                task = bar.add_task(f"liaison {kind}", total=1.0)

                def progress(stage: str, fraction: float) -> None:
                    bar.update(task, completed=fraction, description=f"liaison {kind} : {stage}")

                run = services.linkage_run_start(
                    actor=user, kind=kind, use_names=False if blind else None,
                    train_from_decisions=train_from_decisions, max_pairs=max_pairs,
                    settings=settings, model_from=earlier, progress=progress)
        except TemoinError as error:
            _fail(error)
        _print_status(run)


@app.command("persons")
def persons(train_from_decisions: bool = typer.Option(False, help="use reviewed pairs"),
            max_pairs: int | None = typer.Option(None, help="pairs sampled to estimate u"),
            unseal: bool = typer.Option(False, help="unseal the keys (TEMOIN_PASSPHRASE) to "
                                                    "use names, in memory only"),
            blind: bool = typer.Option(False, help="blind index only, even when unsealed"),
            model_from: int | None = typer.Option(None, help="reuse the settings and trained "
                                                             "model of this earlier run"),
            blocking: str = typer.Option("default", help="blocking rules: default, or scale "
                                                         "(bounded blocks for very large lists)"),
            username: str = AS_USER) -> None:
    """Link person records (victims) across the source lists."""
    from temoin.core.linkage.settings import PERSON_BLOCKING_PROFILES

    if blocking not in PERSON_BLOCKING_PROFILES:
        console.print(f"[red]linkage.blocking[/red]: --blocking {blocking!r} : "
                      f"{' ou '.join(sorted(PERSON_BLOCKING_PROFILES))}.")
        raise typer.Exit(2)
    settings = None if blocking == "default" else {
        "blocking": [list(rule) for rule in PERSON_BLOCKING_PROFILES[blocking]]}
    _run("persons", username, train_from_decisions, max_pairs, unseal, blind, model_from,
         settings)


@app.command("events")
def events(train_from_decisions: bool = typer.Option(False, help="use reviewed pairs"),
           max_pairs: int | None = typer.Option(None, help="pairs sampled to estimate u"),
           model_from: int | None = typer.Option(None, help="reuse this earlier run's model"),
           username: str = AS_USER) -> None:
    """Link event reports into incidents (event coreference)."""
    _run("events", username, train_from_decisions, max_pairs, False, False, model_from)


def _print_status(run: Any) -> None:
    table = Table(title=f"Liaison {run.pk} ({run.kind})", show_header=False)
    metrics = run.metrics or {}
    for label, value in [
        ("statut", f"{run.status} ({run.stage}, {run.progress:.0%})"),
        ("résultat du moteur", run.core_status or "-"),
        ("identités", run.identity_mode), ("enregistrements", run.input_count),
        ("empreinte de l'entrée", run.input_sha256[:16] + "…" if run.input_sha256 else "-"),
        ("individus (groupes)", metrics.get("clusters", "-")),
        ("groupes de ≥ 2", metrics.get("multi_record_clusters", "-")),
        ("paires candidates", metrics.get("candidate_pairs", "-")),
        ("file de revue", metrics.get("review_queue", "-")),
        ("décisions utilisées", metrics.get("labels_used", "-")),
        ("durée", f"{run.seconds:.1f} s"),
        ("versions", ", ".join(f"{k} {v}" for k, v in sorted(run.versions.items()))),
    ]:
        table.add_row(label, str(value))
    console.print(table)
    for text in run.hidden:
        console.print(f"[yellow]masqué :[/yellow] {text}")
    for message in (run.manifest or {}).get("messages", []):
        console.print(f"· {message}")
    if run.failure:
        console.print(f"[red]échec :[/red] {run.failure}")


@app.command("status")
def status(run_id: int = typer.Argument(..., metavar="RUN"), username: str = AS_USER) -> None:
    """Status, progress and metrics of a run."""
    with cli_context():
        from temoin.errors import TemoinError
        from temoin.linkage import selectors
        try:
            run = selectors.access_run_by_id(_user(username), run_id)
        except TemoinError as error:
            _fail(error)
        _print_status(run)


@app.command("review")
def review(run_id: int = typer.Argument(..., metavar="RUN"),
           top: int = typer.Option(20, help="pairs to show"), username: str = AS_USER) -> None:
    """The review queue: pairs whose decision would change the result most, first."""
    with cli_context():
        from temoin.errors import TemoinError
        from temoin.linkage import selectors
        user = _user(username)
        try:
            run = selectors.access_run_by_id(user, run_id)
            items = selectors.review_queue(user, run, limit=top)
        except TemoinError as error:
            _fail(error)
        table = Table(title=f"File de revue — liaison {run.pk}")
        for column in ("paire", "rang", "gauche", "droite", "p", "poids", "lié", "indices",
                       "champs (niveau, poids)"):
            table.add_column(column)
        for item in items:
            left, right = item["left"], item["right"]
            fields = "; ".join(
                f"{f['comparison']}: {f['level']}"
                + (f" ({f['match_weight']:+.1f})" if f["match_weight"] is not None else "")
                for f in item["fields"])
            table.add_row(str(item["id"]), str(item["rank"]),
                          f"{left.get('code', left['record'])} [{left['list']}]",
                          f"{right.get('code', right['record'])} [{right['list']}]",
                          f"{item['match_probability']:.3f}", f"{item['match_weight']:+.2f}",
                          "oui" if item["currently_linked"] else "non",
                          " ".join(item["flags"]) + (" même-index-aveugle"
                                                     if item.get("same_blind_name") else ""),
                          fields)
        console.print(table)
        if run.kind == "persons":
            console.print(f"[yellow]{selectors.QUEUE_HIDDEN}[/yellow]")


@app.command("decide")
def decide(pair_id: int = typer.Argument(..., metavar="PAIR"),
           decision: str = typer.Argument(..., metavar="accept|reject|unsure"),
           comment: str = typer.Option("", help="why"), username: str = AS_USER) -> None:
    """Decide on a pair; the run's clusters are recomputed at once."""
    with cli_context():
        from temoin.errors import TemoinError
        from temoin.linkage import selectors, services
        user = _user(username)
        try:
            pair = selectors.access_pair_by_id(user, pair_id)
            row = services.linkage_decide(actor=user, pair=pair, decision=decision,
                                          comment=comment)
            pair = selectors.access_pair_by_id(user, pair_id)
        except TemoinError as error:
            _fail(error)
        linked = pair.left.cluster_id == pair.right.cluster_id
        console.print(f"décision {row.pk} : {decision} sur la paire {pair.pk} "
                      f"({'liés' if linked else 'séparés'} désormais)")


@app.command("undo")
def undo(decision_id: int = typer.Argument(..., metavar="DECISION"),
         username: str = AS_USER) -> None:
    """Undo a decision; the run's clusters are recomputed."""
    with cli_context():
        from temoin.errors import TemoinError
        from temoin.linkage import selectors, services
        user = _user(username)
        try:
            decision = selectors.access_decision_by_id(user, decision_id)
            services.linkage_decision_undo(actor=user, decision=decision)
        except TemoinError as error:
            _fail(error)
        console.print(f"décision {decision_id} annulée")


@app.command("export")
def export(run_id: int = typer.Argument(..., metavar="RUN"),
           out: Path = typer.Option(..., help="CSV of capture histories"),
           stratum: str | None = typer.Option(None, help="region, year or region_year"),
           username: str = AS_USER) -> None:
    """Capture histories (one row per linked individual, 0/1 per list) for `temoin estimate`."""
    with cli_context():
        from temoin.errors import TemoinError
        from temoin.linkage import selectors
        user = _user(username)
        try:
            run = selectors.access_run_by_id(user, run_id)
            rows = selectors.linkage_capture_histories(user, run, stratum=stratum)
        except TemoinError as error:
            _fail(error)
        lists = sorted({name for row in rows for name in row["lists"]})
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*lists, *(["stratum"] if stratum else [])])
            for row in rows:
                bits = ["1" if name in row["lists"] else "0" for name in lists]
                writer.writerow([*bits, *([row["stratum"]] if stratum else [])])
        console.print(f"{len(rows)} individus, {len(lists)} listes → {out}")
