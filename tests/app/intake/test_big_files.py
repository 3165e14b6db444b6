"""A 1 GB file among the bad inputs: refused with the reason, nothing written."""

from __future__ import annotations

import pytest

from temoin.intake.errors import IntakeFileRefused
from tests.core.intake.synthetic import synthetic_row, write_acled_csv

pytestmark = pytest.mark.django_db


def test_a_1gb_file_of_zeros_is_refused_before_a_batch_exists(world, tmp_path):
    from temoin.cases.models import Event
    from temoin.evidence.models import EvidenceItem
    from temoin.intake.models import ImportBatch
    from temoin.intake.services import batch_import

    path = write_acled_csv(tmp_path / "big.csv", [synthetic_row(n) for n in (1, 2, 3)])
    with open(path, "r+b") as handle:
        handle.truncate(1 << 30)  # sparse: 1 GB to read, a few KB on disk
    with pytest.raises(IntakeFileRefused) as refused:
        batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    assert "big.csv" in str(refused.value) and "binary content" in str(refused.value)
    assert ImportBatch.objects.count() == 0 and Event.objects.count() == 0
    assert EvidenceItem.objects.count() == 0  # not even kept: refused before the vault
