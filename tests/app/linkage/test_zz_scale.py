import resource, time
from temoin.cases.bulk import ScenarioLoader
from temoin.core.scenario.generator import generate
from temoin.linkage import services, selectors
from tests.app.linkage.test_runs import scores
import pytest

@pytest.mark.parametrize("n", [4000])
def test_scale(world, n):
    scenario = generate(7, n_incidents=n)
    bundles = list(scenario.bundles())
    t = time.perf_counter()
    result = ScenarioLoader(actor=world.admin, organisation=world.host, keep_maps=True,
                   organisations={o.organisation_id: o for o in scenario.organisations()}).load(bundles, batch_incidents=200)
    load = time.perf_counter() - t
    truth = {}
    for b in bundles:
        links = {l.person_record_id: l.true_person_id for l in b.person_links}
        for p in b.persons:
            truth[(p.organisation_id, str(result.record_person[p.person_record_id]))] = links[p.person_record_id]
    t = time.perf_counter()
    run = services.linkage_run_start(actor=world.admin, kind="persons")
    total = time.perf_counter() - t
    p, r, np_, na = scores(run, truth)
    t = time.perf_counter(); q = selectors.review_queue(world.admin, run, limit=50); tq = time.perf_counter() - t
    t = time.perf_counter(); rows = selectors.linkage_capture_histories(world.admin, run, stratum="region"); th = time.perf_counter() - t
    print(f"SCALE incidents={n} records={run.input_count} load={load:.1f}s run_total={total:.1f}s input={run.metrics['seconds_input']}s core={run.metrics['seconds_linkage']}s P={p:.3f} R={r:.3f} pairs={run.metrics['candidate_pairs']} queue50={tq:.2f}s histories={th:.2f}s peak_rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f}MB")
    from temoin.linkage.models import CandidatePair
    pair = CandidatePair.objects.filter(run=run, review_rank=1).select_related("run", "left", "right").get()
    t = time.perf_counter(); d = services.linkage_decide(actor=world.admin, pair=pair, decision="accept"); td = time.perf_counter() - t
    t = time.perf_counter(); services.linkage_decision_undo(actor=world.admin, decision=d); tu = time.perf_counter() - t
    print(f"SCALE decide={td:.2f}s undo={tu:.2f}s")
