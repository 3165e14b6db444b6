"""DuckDB spill directory: private by default, removed after the run (SYNTHETIC data)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from temoin.core.linkage import LinkageSettings, link_persons
from temoin.core.linkage.backends import TEMP_PREFIX, open_backend, resident_mb
from temoin.core.linkage.errors import InvalidSettingsError
from temoin.core.linkage.synthetic import synthetic_lists


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Own system temp directory and working directory: nothing else writes there."""
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    monkeypatch.chdir(work)
    return tmp_path


def _private_dirs() -> set[str]:
    root = Path(tempfile.gettempdir())
    return {p.name for p in root.iterdir() if p.name.startswith(TEMP_PREFIX)}


def _cwd_entries() -> list[Path]:
    return list(Path.cwd().iterdir())


def _spill(backend_connection: object) -> None:
    """Force DuckDB to write to its temp directory (an ORDER BY larger than the memory limit)."""
    connection = backend_connection
    connection.execute("SET memory_limit = '64MB'")  # type: ignore[attr-defined]
    connection.execute(  # type: ignore[attr-defined]
        "CREATE TABLE big AS SELECT range AS i, md5(range::VARCHAR) AS h FROM range(2000000)"
    )
    connection.execute("SELECT * FROM big ORDER BY h").fetchall()  # type: ignore[attr-defined]


def test_default_spill_directory_is_private_and_removed() -> None:
    assert _private_dirs() == set()
    with open_backend(LinkageSettings()) as backend:
        assert backend.connection is not None and backend.temp_directory is not None
        directory = backend.temp_directory
        assert Path(directory).name.startswith(TEMP_PREFIX)
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
        setting = backend.connection.execute("SELECT current_setting('temp_directory')").fetchone()
        assert setting is not None and setting[0] == directory
        _spill(backend.connection)
        assert any(Path(directory).iterdir())  # the spill really went there
    assert not Path(directory).exists()
    assert _cwd_entries() == []  # no .tmp in the working directory
    assert _private_dirs() == set()


def test_spill_directory_removed_after_an_error() -> None:
    assert _private_dirs() == set()
    with pytest.raises(RuntimeError, match="boom"), open_backend(LinkageSettings()) as backend:
        directory = backend.temp_directory
        assert directory is not None and Path(directory).is_dir()
        raise RuntimeError("boom")
    assert not Path(directory).exists()
    assert _private_dirs() == set()


def test_link_persons_leaves_no_spill_anywhere() -> None:
    assert _private_dirs() == set()
    lists = synthetic_lists(persons=80, lists=3, seed=3)
    run = link_persons(
        lists.records,
        # a budget for the whole process, well above what it holds now (≈ 1 GB under xdist)
        settings=LinkageSettings(memory_limit_mb=int(resident_mb() or 0) + 1000, u_max_pairs=2e4),
    )
    assert run.status == "ok"
    assert _cwd_entries() == []
    assert _private_dirs() == set()


def test_link_persons_error_mid_run_removes_spill() -> None:
    assert _private_dirs() == set()
    lists = synthetic_lists(persons=80, lists=3, seed=3)
    bad_model = {"comparisons": [], "probability_two_random_records_match": 0.01}
    with pytest.raises(InvalidSettingsError):
        link_persons(lists.records, settings=LinkageSettings(), model=bad_model)
    assert _cwd_entries() == []
    assert _private_dirs() == set()


def test_explicit_temp_directory_is_honoured_and_kept(tmp_path: Path) -> None:
    chosen = tmp_path / "spill"
    chosen.mkdir()
    assert _private_dirs() == set()
    with open_backend(LinkageSettings(temp_directory=str(chosen))) as backend:
        assert backend.connection is not None
        setting = backend.connection.execute("SELECT current_setting('temp_directory')").fetchone()
        assert setting is not None and setting[0] == str(chosen)
        assert _private_dirs() == set()  # no private directory made
        _spill(backend.connection)
    assert chosen.is_dir()


def test_out_of_memory_becomes_a_memory_limit_error() -> None:
    from temoin.core.linkage.backends import memory_errors
    from temoin.core.linkage.errors import MemoryLimitError

    settings = LinkageSettings(memory_limit_mb=64, threads=1)
    with pytest.raises(MemoryLimitError) as caught, open_backend(settings) as backend:
        assert backend.connection is not None
        with memory_errors(settings):
            # One list of 50M integers: an aggregate state that cannot spill.
            backend.connection.execute("SELECT list(range) FROM range(50000000)").fetchall()
    assert caught.value.code == "memory_limit_exceeded"
    assert "memory_limit_mb=64" in caught.value.message
    assert _private_dirs() == set()
