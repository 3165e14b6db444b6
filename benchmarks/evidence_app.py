"""Benchmark: evidence ingest through the app (service and HTTP upload) against the bare core
vault and ``sha256sum`` on the same file, in the same run; peak RSS per path.

    .venv/bin/python benchmarks/evidence_app.py --sizes-mib 64 256

A throw-away TEMOIN_HOME (SQLite) is initialised once (organisation, administrator, keys,
one event). Each measurement runs in a fresh process (so ``ru_maxrss`` is its own):
  * ``sha256sum``                  the named baseline
  * ``core``  Vault.ingest(Path)   the core alone (hash + encrypt + store + log)
  * ``service``  evidence_ingest   + sealed file name, row, links, audit row (server sealed)
  * ``api``  POST /api/evidence/   + Django's multipart parsing to a temporary file
Ratio = sha256sum time / time. Synthetic random data.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _setup() -> None:
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from temoin.accounts.services import organisation_create, user_create
    from temoin.cases.services import event_create, vocabularies_load
    from temoin.keys import keystore
    from temoin.keys.services import keys_init

    vocabularies_load(actor=None)
    org = organisation_create(actor=None, name="Bench (synthétique)", short_name="BENCH",
                              kind="ngo", is_host=True)
    admin = user_create(actor=None, username="bench", password="bench-password-1",
                        organisation=org, role="administrator")
    keys_init(actor=None, passphrase="phrase de passe du banc d'essai")
    keystore.forget()  # measure the sealed server: ingest needs only the public key
    event = event_create(actor=admin, data={"title": "Bench (SYNTHÉTIQUE)", "confidentiality": 1})
    print(json.dumps({"event": event.pk}))


def _measure(mode: str, path: Path, event_id: int) -> None:
    _django()
    from temoin.accounts.models import User
    from temoin.cases.models import Event

    admin = User.objects.get(username="bench")
    event = Event.objects.get(pk=event_id)
    started = time.perf_counter()
    if mode == "core":
        from temoin.core.vault import Actor
        from temoin.evidence.vaultsetup import open_vault

        open_vault().ingest(path, actor=Actor("u-bench", "administrator", "BENCH"), reason="bench")
    elif mode == "service":
        from temoin.evidence.services import evidence_ingest

        evidence_ingest(actor=admin, file=path, reason="bench", events=[event])
    else:  # a real WSGI request whose body streams from disk (as waitress hands it over)
        from django.core.handlers.wsgi import WSGIHandler
        from rest_framework.authtoken.models import Token

        token = Token.objects.get_or_create(user=admin)[0].key
        body = path.with_suffix(".multipart")
        boundary = "temoinbenchboundary"
        with open(body, "wb") as out, open(path, "rb") as source:
            for name, value in (("events", str(event.pk)), ("reason", "bench")):
                out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n'
                      f"Content-Type: application/octet-stream\r\n\r\n".encode())
            while chunk := source.read(1 << 20):
                out.write(chunk)
            out.write(f"\r\n--{boundary}--\r\n".encode())
        started = time.perf_counter()  # the request only, not the body preparation
        statuses: list[str] = []
        with open(body, "rb") as stream:
            environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/evidence/", "SERVER_NAME": "localhost",
                       "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": stream,
                       "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                       "CONTENT_LENGTH": str(body.stat().st_size), "HTTP_AUTHORIZATION": f"Token {token}",
                       "HTTP_HOST": "localhost", "REMOTE_ADDR": "127.0.0.1"}
            b"".join(WSGIHandler()(environ, lambda status, headers: statuses.append(status)))
        body.unlink()
        assert statuses[0].startswith("201"), statuses
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _child(env: dict[str, str], *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True,
                         text=True, check=True, cwd=REPO).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mib", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--mode", default="")
    parser.add_argument("--file", default="")
    parser.add_argument("--event", type=int, default=0)
    args = parser.parse_args()
    if args.mode == "setup":
        _setup()
        return
    if args.mode:
        _measure(args.mode, Path(args.file), args.event)
        return
    with tempfile.TemporaryDirectory(prefix="temoin-bench-evidence-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "TEMOIN_HOME": str(work / "home"),
               "DJANGO_SETTINGS_MODULE": "config.settings.test", "FILE_UPLOAD_TEMP_DIR": tmp}
        env.pop("DATABASE_URL", None)
        event = int(_child(env, "--mode", "setup")["event"])
        print(f"{'size MiB':>8} {'path':>10} {'seconds':>8} {'MiB/s':>8} {'ratio':>6} {'peak RSS MiB':>12}")
        for size in args.sizes_mib:
            for mode in ("sha256sum", "core", "service", "api"):
                path = work / f"input-{size}-{mode}.bin"  # distinct bytes: never a duplicate
                with open(path, "wb") as out:
                    for _ in range(size):
                        out.write(os.urandom(1 << 20))
                subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # page cache
                if mode == "sha256sum":
                    started = time.perf_counter()
                    subprocess.run(["sha256sum", str(path)], capture_output=True, check=True)
                    base = time.perf_counter() - started
                    result = {"seconds": base, "peak_rss_mib": float("nan")}
                else:
                    result = _child(env, "--mode", mode, "--file", str(path), "--event", str(event))
                seconds = result["seconds"]
                print(f"{size:>8} {mode:>10} {seconds:>8.2f} {size / seconds:>8.0f} "
                      f"{base / seconds:>6.2f} {result['peak_rss_mib']:>12.0f}", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()
