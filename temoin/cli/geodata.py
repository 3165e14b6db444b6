"""``temoin geodata``: install the GeoNames Mali dump and geoBoundaries regions/cercles into
``TEMOIN_HOME/geodata``, show what is installed, and try the geocoder.

    temoin geodata install [--from DIR]     DIR laid out like ../shared/data (or flat)
    temoin geodata status
    temoin geodata geocode NAME [--admin1 Mopti] [--admin2 Bankass]

Without ``--from`` the files are downloaded from the official sources (GeoNames' ML.zip,
geoBoundaries gbOpen MLI ADM1/ADM2); that path is not tested here (no internet).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.console import Console

from temoin.cli.context import setup_django

app = typer.Typer(help="Gazetteer and boundaries for geocoding.", no_args_is_help=True)


@app.command("install")
def install(source: Path | None = typer.Option(None, "--from", exists=True, file_okay=False,
                                               help="folder with the files (no download)")) -> None:
    """Install the gazetteer files (checked by loading them before they replace anything)."""
    setup_django()
    from temoin.intake import geodata

    console = Console(width=140)
    if source is None:
        with tempfile.TemporaryDirectory() as work:
            console.print(f"téléchargement : {geodata.GEONAMES_URL}")
            for url in geodata.GEOBOUNDARIES_URLS.values():
                console.print(f"téléchargement : {url}")
            result = geodata.install_from(geodata.download(workdir=Path(work)))
    else:
        result = geodata.install_from(source)
    for name, size in sorted(result.files.items()):
        console.print(f"{name}: {size} octets")
    console.print(f"{result.places} lieux installés dans {result.folder}")
    console.print(f"attribution : {geodata.ATTRIBUTION}")


@app.command("status")
def status() -> None:
    setup_django()
    from temoin.intake import geodata

    folder = geodata.geodata_dir()
    if not geodata.installed():
        Console().print(f"non installé ({folder}) : temoin geodata install --from DIR")
        raise typer.Exit(1)
    Console().print(f"installé : {folder}")


@app.command("geocode")
def geocode(name: str, admin1: str | None = typer.Option(None),
            admin2: str | None = typer.Option(None),
            admin3: str | None = typer.Option(None, help="commune")) -> None:
    """Geocode one place name with the installed gazetteer (ranked candidates)."""
    setup_django()
    from temoin.intake import geodata

    gazetteer = geodata.gazetteer()
    console = Console(width=160)
    if gazetteer is None:
        console.print("gazetteer non installé : temoin geodata install --from DIR")
        raise typer.Exit(1)
    result = gazetteer.geocode(name, admin1, admin2, admin3=admin3)
    console.print(f"{result.status}: {result.reason}")
    for c in result.candidates:
        console.print(f"  {c.place.geonameid} {c.place.name} ({c.place.cercle}, {c.place.region}) "
                      f"{c.place.latitude:.4f},{c.place.longitude:.4f} {c.confidence:.2f} "
                      f"{c.confidence_label} — {'; '.join(c.reasons)}")
    if not result.found:
        raise typer.Exit(1)
