"""The `temoin` command: init, serve, demo, user, keys, audit, check (and the analysis tools).

Every command that writes goes through the domain services, so the CLI leaves the same audit
rows as the API and the web pages.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from temoin.cli import admin_commands, keys_commands
from temoin.cli.context import cli_context

app = typer.Typer(help="Témoin — documentation indépendante des droits humains.",
                  no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True)

app.command("init")(admin_commands.init)
app.command("serve")(admin_commands.serve)
app.command("demo")(admin_commands.demo)
app.command("check")(admin_commands.check)
app.command("backup")(admin_commands.backup)
app.add_typer(admin_commands.user_app, name="user")
app.add_typer(admin_commands.audit_app, name="audit")
app.add_typer(keys_commands.app, name="keys")

# Domain sub-commands, each in its own module: temoin estimate | link | import | geodata | evidence
for _module, _name in (("estimate", "estimate"), ("link", "link"), ("importing", "import"),
                       ("geodata", "geodata"), ("evidence", "evidence"), ("witness", "witness"),
                       ("facts", "facts")):
    try:
        _sub = __import__(f"temoin.cli.{_module}", fromlist=["app"])
    except ModuleNotFoundError as _missing:  # a domain whose CLI is not written yet
        if _missing.name != f"temoin.cli.{_module}":
            raise
        continue
    app.add_typer(_sub.app, name=_name)


def main() -> None:
    from temoin.errors import TemoinError

    try:
        app()
    except TemoinError as exc:
        err.print(f"[red]{exc.code}[/red]: {exc.message}")
        sys.exit(2)


__all__ = ["app", "main", "cli_context"]
