"""``temoin estimate``: multiple systems estimation from a CSV (thin interface over
:mod:`temoin.core.estimation`).

    temoin estimate run TABLE.csv [--stratum-column region] [--method loglinear --method dga]
                                  [--plot out.png|out.svg] [--json out.json]
    temoin estimate check TABLE.csv --model "[12,3]"

The CSV is a list-overlap table (0/1 list columns + ``count``) or capture histories (one row
per individual, 0/1 list columns), as in ``../shared/data/mse/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from temoin.core.estimation import EstimationResult

# The estimation core (scipy, numba) is imported inside the commands: `temoin` starts fast.


app = typer.Typer(help="Multiple systems estimation: how many victims no list documented.",
                  no_args_is_help=True)

VERDICTS = {0: "estimable", 1: "MLE does not exist", 2: "not identifiable",
            3: "MLE does not exist and not identifiable"}


def _console() -> Console:
    return Console(width=140)


@app.command("run")
def run(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV table or histories"),
    stratum_column: str | None = typer.Option(None, help="column naming the stratum"),
    ignore_column: list[str] = typer.Option([], help="non-list column to ignore (repeatable)"),
    method: list[str] = typer.Option(["loglinear", "dga", "lcmcr"],
                                     help="loglinear, dga, lcmcr (repeatable)"),
    n_boot: int = typer.Option(200, help="bootstrap replicates for the log-linear interval"),
    lcmcr_samples: int = typer.Option(1000, help="LCMCR draws kept per chain"),
    lcmcr_burn_in: int = typer.Option(10_000, help="LCMCR burn-in sweeps"),
    lcmcr_thinning: int = typer.Option(10, help="LCMCR thinning"),
    lcmcr_chains: int = typer.Option(4, help="LCMCR chains (for R-hat)"),
    lcmcr_k: int = typer.Option(5, "--lcmcr-k", help="LCMCR maximum number of latent classes"),
    seed: int = typer.Option(1234, help="random seed"),
    plot: Path | None = typer.Option(None, help="write a .png or .svg plot"),
    json_out: Path | None = typer.Option(None, "--json", help="write results as JSON"),
) -> None:
    """Estimate the total (documented + undocumented) with several methods."""
    console = _console()
    from temoin.core.estimation import EstimationError, LcmcrSettings, read_overlap_csv
    from temoin.core.estimation.compare import compare_strata
    from temoin.core.estimation.plots import plot_results

    lcmcr = LcmcrSettings(K=lcmcr_k, samples=lcmcr_samples, burn_in=lcmcr_burn_in,
                          thinning=lcmcr_thinning, chains=lcmcr_chains, seed=seed)
    try:
        tables = read_overlap_csv(path, stratum_column=stratum_column,
                                  ignore_columns=ignore_column)
        report = compare_strata(tables, methods=method, n_boot=n_boot, lcmcr=lcmcr, seed=seed)
    except EstimationError as error:
        console.print(f"[red]error ({error.code}):[/red] {error.message}")
        raise typer.Exit(code=2) from None
    for stratum in report.strata:
        title = str(stratum.stratum) if stratum.stratum is not None else path.name
        _print_results(console, title, list(stratum.results))
        for failure in stratum.failures:
            console.print(f"[red]{failure.method} refused[/red] ({failure.code}): "
                          f"{failure.message}")
    for family, total in report.totals.items():
        _print_results(console, f"TOTAL over strata ({family})", [total])
    for family, reason in report.total_failures.items():
        console.print(f"[red]total for {family} not computed:[/red] {reason}")
    all_results = report.all_results()
    payload = {"file": path.name, **report.to_dict()}
    if plot is not None and all_results:
        plot_results(all_results, plot, title=path.name)
        console.print(f"plot written to {plot}")
    if json_out is not None:
        json_out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        console.print(f"results written to {json_out}")


@app.command("check")
def check(
    path: Path = typer.Argument(..., exists=True, dir_okay=False),
    model: str = typer.Option(..., help="log-linear model such as '[12,13,23]'"),
    stratum_column: str | None = typer.Option(None),
) -> None:
    """Say whether a log-linear model's MLE exists and is identifiable on these data."""
    console = _console()
    from temoin.core.estimation import EstimationError, check_extended_mle, read_overlap_csv
    from temoin.core.estimation.loglinear.models import LogLinearModel

    try:
        tables = read_overlap_csv(path, stratum_column=stratum_column)
        for name, table in tables.items():
            verdict = check_extended_mle(table, LogLinearModel.parse(model, table.n_lists))
            console.print(f"{name or path.name}: {model} -> {verdict} ({VERDICTS[verdict]})")
    except EstimationError as error:
        console.print(f"[red]error ({error.code}):[/red] {error.message}")
        raise typer.Exit(code=2) from None


def _print_results(console: Console, title: str, results: list[EstimationResult]) -> None:
    table = Table(title=title)
    for column in ("method", "documented", "estimate", "95 % interval", "kind", "details"):
        table.add_column(column)
    for result in results:
        interval = (f"{result.interval.low:,.0f} – {result.interval.high:,.0f}"
                    if result.interval else "—")
        details = ", ".join(f"{key}={_short(value)}" for key, value in result.diagnostics.items()
                            if key in ("model", "rhat", "ess", "mode", "top_models",
                                       "chain_medians"))
        table.add_row(result.method, f"{result.n_observed:,}", f"{result.estimate:,.1f}",
                      interval, result.interval.kind if result.interval else "", details)
    console.print(table)
    for result in results:
        for warning in result.warnings:
            style = "bold red" if warning.code in ("two_lists", "not_converged") else "yellow"
            console.print(f"[{style}]{result.method}: {warning.code}[/{style}] {warning.message}")


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return f"{value[0].get('graph', '')} ({value[0].get('weight', 0):.2f})"
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


@app.command("record")
def record(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV table or histories"),
    title: str = typer.Option(..., help="title of the stored run"),
    stratum_column: str | None = typer.Option(None, help="column naming the stratum"),
    method: list[str] = typer.Option(["loglinear", "dga", "lcmcr"], help="repeatable"),
    n_boot: int = typer.Option(200),
    seed: int = typer.Option(1234),
    user: str = typer.Option(..., help="the analyst or administrator running it"),
) -> None:
    """Run and STORE an estimation in the database (frozen input, settings, results, plot)."""
    from temoin.cli.context import cli_context

    with cli_context():
        from temoin.accounts.models import User
        from temoin.estimation.services import estimation_run_from_csv

        actor = User.objects.get(username=user)
        stored = estimation_run_from_csv(
            actor=actor, title=title, csv_bytes=path.read_bytes(), name=path.name,
            stratum_column=stratum_column, methods=method, n_boot=n_boot, seed=seed)
        console = _console()
        console.print(f"Estimation n° {stored.pk} enregistrée ({stored.status}, "
                      f"{stored.seconds:.1f} s, entrée sha256 {stored.input_sha256[:12]}…).")
        if stored.failure:
            console.print(f"[red]{stored.failure}[/red]")
            raise typer.Exit(1)
