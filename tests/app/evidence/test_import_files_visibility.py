"""Import source files in the vault (ingested unlinked, referenced by an import batch by
SHA-256): administrators and analysts of the organisation see them, not only whoever ran the
import; reviewers, monitors, viewers and partners do not; other unlinked files stay with
their depositor. SYNTHETIC bytes."""

from __future__ import annotations

from typing import Any

import pytest

from temoin.errors import NotFound
from temoin.evidence.access import access_evidence_by_sha, visible_evidence
from temoin.intake.models import ImportBatch
from temoin.intake.storage import vault_keep


def _kept_batch_file(actor: Any, content: bytes) -> str:
    kept = vault_keep(actor=actor, file=content, filename="acled-synthetique.csv",
                      reason="lot d'import de test : fichier source")
    # the batch row as ``intake.services`` leaves it once the file is in the vault
    ImportBatch.objects.create(kind="acled", scope="acled", file_name="acled-synthetique.csv",
                               file_sha256=kept.sha256, file_size=kept.size,
                               importer_version="test", created_by=actor)
    return kept.sha256


@pytest.mark.parametrize(("role", "sees"), [
    ("admin", True), ("analyst", True), ("reviewer", False), ("monitor", False),
    ("viewer", False), ("partner", False)])
def test_import_file_of_a_colleague(case: Any, role: str, sees: bool) -> None:
    world = case.world
    sha = _kept_batch_file(world.admin, b"event_id_cnty,notes\nSYN1,synthetique\n")
    viewer = getattr(world, role)
    assert visible_evidence(viewer).filter(sha256=sha).exists() is sees
    if sees:
        assert access_evidence_by_sha(viewer, sha).sha256 == sha
    else:
        with pytest.raises(NotFound):
            access_evidence_by_sha(viewer, sha)


def test_importer_still_sees_own_file_and_other_unlinked_files_stay_private(case: Any) -> None:
    world = case.world
    sha = _kept_batch_file(world.analyst, b"id,notes\nSYN2,synthetique\n")
    assert access_evidence_by_sha(world.analyst, sha).sha256 == sha
    assert access_evidence_by_sha(world.admin, sha).sha256 == sha
    # an unlinked file no batch refers to (e.g. an ODK attachment waiting for its record)
    loose = vault_keep(actor=world.analyst, file=b"piece jointe synthetique",
                       reason="soumission de test : pièce jointe")
    assert visible_evidence(world.analyst).filter(sha256=loose.sha256).exists()
    assert not visible_evidence(world.admin).filter(sha256=loose.sha256).exists()


def test_batch_of_another_organisation_is_not_enough(case: Any) -> None:
    world = case.world
    kept = vault_keep(actor=world.monitor, file=b"id\nSYN3\n", reason="lot de test")
    ImportBatch.objects.create(kind="acled", scope="acled", file_sha256=kept.sha256,
                               importer_version="test", created_by=world.partner)
    assert not visible_evidence(world.analyst).filter(sha256=kept.sha256).exists()
    assert visible_evidence(world.monitor).filter(sha256=kept.sha256).exists()
