"""`temoin keys …`: the key ceremonies. Passphrases are read from the terminal (or
``TEMOIN_PASSPHRASE`` for automation) and never echoed or logged."""

from __future__ import annotations

import json
import os
import urllib.request

import typer
from rich.console import Console

from temoin.cli.context import cli_context

app = typer.Typer(help="Clés de l'organisation : init, unseal, seal, rotate, split, recover.",
                  no_args_is_help=True)
console = Console()


def _passphrase(prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get("TEMOIN_PASSPHRASE")
    if value:
        return value
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)


@app.command("init")
def init() -> None:
    """Create the organisation key pair, sealed by a custodian passphrase."""
    with cli_context():
        from temoin.keys.services import keys_init

        record = keys_init(actor=None, passphrase=_passphrase("Phrase de passe", confirm=True))
        console.print(f"Clé créée : [bold]{record.key_id}[/bold]")


@app.command("status")
def status() -> None:
    with cli_context():
        from temoin.keys.selectors import keys_status

        s = keys_status()
        console.print(f"initialisée={s.initialised} clé={s.key_id} retirées={s.retired_key_ids}")


@app.command("unseal")
def unseal(
    server: str = typer.Option("", help="URL of a running Témoin to unseal (e.g. http://127.0.0.1:8000)."),
    token: str = typer.Option("", envvar="TEMOIN_API_TOKEN", help="An administrator's API token."),
) -> None:
    """Check the passphrase; with --server, unseal that running server (keys stay in its memory)."""
    passphrase = _passphrase("Phrase de passe")
    if server:
        request = urllib.request.Request(
            server.rstrip("/") + "/api/keys/unseal/", method="POST",
            data=json.dumps({"passphrase": passphrase}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local URL)
            console.print(json.loads(response.read()))
        return
    with cli_context():
        from temoin.keys.services import keys_unseal

        keys = keys_unseal(actor=None, passphrase=passphrase)
        console.print(f"Phrase de passe correcte pour la clé {keys.key_id} "
                      "(les clés restent dans ce processus seulement).")


@app.command("seal")
def seal(server: str = typer.Option(""), token: str = typer.Option("", envvar="TEMOIN_API_TOKEN")) -> None:
    """Forget the unsealed keys on a running server."""
    if not server:
        console.print("Rien à sceller dans ce processus : indiquez --server.")
        raise typer.Exit(1)
    request = urllib.request.Request(
        server.rstrip("/") + "/api/keys/seal/", method="POST", data=b"{}",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        console.print(json.loads(response.read()))


@app.command("rotate")
def rotate() -> None:
    """New key pair; every sealed identity re-wrapped (needs the current passphrase)."""
    with cli_context():
        from temoin.cases.services import identities_rotate
        from temoin.keys.services import keys_unseal

        keys_unseal(actor=None, passphrase=_passphrase("Phrase de passe actuelle"))
        new = os.environ.get("TEMOIN_NEW_PASSPHRASE") or typer.prompt(
            "Nouvelle phrase de passe", hide_input=True, confirmation_prompt=True)
        count = identities_rotate(actor=None, passphrase=new)
        console.print(f"{count} identités ré-enveloppées avec la nouvelle clé.")


@app.command("split")
def split(threshold: int = typer.Option(3), shares: int = typer.Option(5)) -> None:
    """Print k-of-n recovery shares (SLIP-39 words). Give one to each custodian."""
    with cli_context():
        from temoin.keys.services import keys_split, keys_unseal

        keys_unseal(actor=None, passphrase=_passphrase("Phrase de passe"))
        for number, words in enumerate(keys_split(actor=None, threshold=threshold,
                                                  shares=shares), start=1):
            console.print(f"[bold]Part {number}/{shares}[/bold] : {words}")


@app.command("recover")
def recover(share_file: list[str] = typer.Argument(..., help="Files, one share each.")) -> None:
    """Recover the keys from k shares and set a new passphrase."""
    mnemonics = [open(path, encoding="utf-8").read().strip() for path in share_file]
    with cli_context():
        from temoin.keys.services import keys_recover

        new = os.environ.get("TEMOIN_NEW_PASSPHRASE") or typer.prompt(
            "Nouvelle phrase de passe", hide_input=True, confirmation_prompt=True)
        keys_recover(actor=None, mnemonics=mnemonics, new_passphrase=new)
        console.print("Clés récupérées ; nouvelle phrase de passe enregistrée.")
