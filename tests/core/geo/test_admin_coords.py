"""Point-in-polygon, stated-region checks and coordinate validation (real boundaries)."""

from __future__ import annotations

from pathlib import Path

import pytest

from temoin.core.geo import AdminBoundaries, CoordinateError, GazetteerFileError, check_coordinates
from temoin.core.intake import ParsedRow, iter_acled


@pytest.fixture(scope="module")
def boundaries(shared_data: Path) -> AdminBoundaries:
    return AdminBoundaries.load(shared_data / "boundaries")


def test_locate(boundaries: AdminBoundaries) -> None:
    assert boundaries.locate(14.49, -4.19).admin2 == "Mopti"
    assert boundaries.locate(12.65, -8.0).admin1 == "Bamako"
    assert boundaries.locate(16.27, -0.04).admin1 == "Gao"
    outside = boundaries.locate(48.85, 2.35)
    assert (outside.admin1, outside.admin2) == (None, None)
    with pytest.raises(CoordinateError):
        boundaries.locate(float("nan"), 1.0)


def test_stated_region_disagreement(boundaries: AdminBoundaries) -> None:
    check = boundaries.check_stated(14.49, -4.19, admin1="Gao")
    assert check.agrees is False and check.found == "Mopti"
    assert check.distance_km is not None and 300 < check.distance_km < 450
    assert "outside stated region Gao" in check.reason
    agree = boundaries.check_stated(14.49, -4.19, admin1="Mopti", admin2="Mopti")
    assert agree.agrees is True and agree.level == 2
    new_region = boundaries.check_stated(15.92, 2.40, admin1="Ménaka")
    assert new_region.agrees is True and new_region.stated == "Menaka"
    unknown = boundaries.check_stated(14.49, -4.19, admin1="Atlantis")
    assert unknown.agrees is None and "no polygon" in unknown.reason


def test_real_acled_rows_include_disagreements(
    boundaries: AdminBoundaries, shared_data: Path
) -> None:
    path = shared_data / "acled" / "acled_mali_hdx_hxl_1997-2020-07.csv"
    checks = []
    for row in iter_acled(path):
        assert isinstance(row, ParsedRow)
        location = row.event.location
        assert location.latitude is not None and location.longitude is not None
        checks.append(boundaries.check_stated(location.latitude, location.longitude,
                                              admin1=location.admin1, admin2=location.admin2))  # fmt: skip
    disagreements = sum(check.agrees is False for check in checks)
    assert 0 < disagreements < len(checks) * 0.05
    assert sum(check.agrees is None for check in checks) == 0


def test_coordinate_checks(boundaries: AdminBoundaries) -> None:
    assert check_coordinates(14.49, -4.19).status == "ok"
    assert check_coordinates(14.49, -4.19, boundaries=boundaries).ok
    swapped = check_coordinates(-4.19, 14.49, boundaries=boundaries)
    assert swapped.status == "swapped" and swapped.suggested == (14.49, -4.19)
    assert check_coordinates(48.85, 2.35, boundaries=boundaries).status == "outside_mali"
    assert check_coordinates(0, 0).status == "zero"
    assert check_coordinates("x", "1").status == "invalid"
    assert check_coordinates(None, None).status == "missing"
    assert check_coordinates(95, 1).status == "invalid"
    # near the border, inside the bounding box but outside the polygon (Mauritania side)
    assert check_coordinates(16.5, -11.0).status == "ok"
    assert (
        check_coordinates(16.5, -11.0, boundaries=boundaries, tolerance_km=1).status
        == "outside_mali"
    )


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(GazetteerFileError):
        AdminBoundaries.load(tmp_path)
