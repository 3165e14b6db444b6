"""From linkage to estimation: capture histories by stratum become an estimation run."""

from __future__ import annotations

import pytest

from temoin.estimation.models import EstimationRun
from temoin.linkage import selectors, services


def test_estimation_run_from_a_linkage_run(world, loaded):
    run = services.linkage_run_start(actor=world.analyst, kind="persons",
                                     settings={"alternative_clusterings": 3})
    rows = selectors.linkage_capture_histories(world.analyst, run)
    estimation = services.linkage_estimation_run(actor=world.analyst, run=run,
                                                 title="[SYNTHÉTIQUE] victimes", stratum=None,
                                                 methods=["loglinear"], n_boot=0)
    assert estimation.input_kind == "linkage_run" and estimation.status in ("done", "failed")
    table = estimation.inputs["None"]
    assert table["n_observed"] == len(rows)
    assert table["lists"] == run.input_description["lists"]
    draws = selectors.linkage_capture_history_draws(world.analyst, run, stratum="region")
    assert len(draws) == 3 and all(len(d) >= len(rows) * 0.8 for d in draws)
    with pytest.raises(Exception) as refused:
        services.linkage_estimation_run(actor=world.reviewer, run=run, title="x")
    assert refused.value.code == "permission_denied"
    assert EstimationRun.objects.count() == 1
