"""The API end to end over HTTP: a monitor's incident with acts, a source and claims; the error
shape; identities through their audited endpoint only; history and revert; token auth; schema."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from temoin.audit.models import AuditEntry
from temoin.cases.models import Event


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_monitor_records_an_incident(world):
    api = client_for(world.monitor)
    event = api.post("/api/events/", {
        "title": "Village incendié (synthétique)", "start": "fin mars 2022", "place_name": "Dioura",
        "admin1": "Mopti", "admin2": "Ténenkou", "latitude": 14.77, "longitude": -5.38,
        "geo_precision": "exact", "reason": "entretien téléphonique"}, format="json")
    assert event.status_code == 201, event.json()
    body = event.json()
    assert body["start"]["precision"] == "range"
    assert (body["start"]["earliest"], body["start"]["latest"]) == ("2022-03-21", "2022-03-31")
    event_id = body["id"]
    person = api.post("/api/persons/", {"sex": "female", "age_min": 30, "age_max": 40,
                                        "identity": {"given_name": "Awa", "family_name": "Sidibé"}},
                      format="json").json()
    assert person["code"].startswith("V-") and person["sealed_identity"] is True
    assert "Awa" not in str(person)
    source = api.post("/api/sources/", {"source_type": "witness_testimony",
                                        "title": "Témoin T-3 (synthétique)", "reliability": "C",
                                        "consent": ["internal"], "language": "ff"},
                      format="json").json()
    act = api.post(f"/api/events/{event_id}/acts/", {"act": {
        "act_type": "burning_of_dwellings", "victim_group": "habitants", "victim_count_min": 40,
        "victim_count_max": 60}}, format="json")
    assert act.status_code == 201, act.json()
    act2 = api.post(f"/api/events/{event_id}/acts/", {"act": {
        "act_type": "killing", "victim_person_id": person["id"]}}, format="json")
    assert act2.status_code == 201
    involvement = api.post(f"/api/acts/{act2.json()['id']}/involvements/", {
        "actor": "dan_na_ambassagou", "degree": "direct_perpetrator",
        "attributed_by": source["id"]}, format="json")
    assert involvement.status_code == 201, involvement.json()
    claim = api.post(f"/api/events/{event_id}/claims/", {
        "source": source["id"], "kind": "killed", "count_min": 1}, format="json")
    assert claim.status_code == 200, claim.json()
    detail = api.get(f"/api/events/{event_id}/").json()
    assert [a["act_type"] for a in detail["acts"]] == ["burning_of_dwellings", "killing"]
    assert detail["acts"][1]["victim"] == person["code"]
    assert detail["acts"][1]["involvements"][0]["actor"] == "dan_na_ambassagou"
    claim_id = detail["claims"][0]["by_source"][0]["id"]
    assert detail["claims"] == [{"kind": "killed", "low": 1, "high": 1, "by_source": [{
        "id": claim_id, "kind": "killed",
        "source": source["id"], "source_title": "Témoin T-3 (synthétique)", "reliability": "C",
        "count_min": 1, "count_max": 1, "count_best": None, "qualifier": "exact",
        "remarks": "", "withdrawn": False, "withdrawn_at": None, "withdrawal_reason": ""}],
        "withdrawn": []}]
    assert detail["sources"][0]["credibility"] == [6]


def test_error_shape_names_record_and_fields(world):
    before = Event.objects.count()
    response = client_for(world.analyst).post("/api/events/", {
        "title": "", "start": "2022-02-30", "latitude": 5.0, "longitude": 5.0}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["record"]) == ("validation_failed", "event (new)")
    assert {f: [p["code"] for p in problems] for f, problems in error["fields"].items()} == {
        "title": ["required"], "start": ["date.impossible"], "latitude": ["geo.outside_mali"]}
    assert Event.objects.count() == before


def test_identity_endpoint_audited_and_refused_for_partner(world):
    api = client_for(world.analyst)
    person = api.post("/api/persons/", {"identity": {"given_name": "Moussa", "family_name": "Maïga"}},
                      format="json").json()
    response = api.post(f"/api/persons/{person['id']}/identity/", {"reason": "vérification"},
                        format="json")
    assert response.status_code == 200
    assert response.json()["identity"] == {"given_name": "Moussa", "family_name": "Maïga"}
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.reason, entry.via) == ("person.identity_read", "vérification", "api")
    assert client_for(world.partner).post(f"/api/persons/{person['id']}/identity/", {},
                                          format="json").status_code == 404
    found = api.post("/api/persons/search/", {"name": "moussa maiga"}, format="json").json()
    assert [p["code"] for p in found] == [person["code"]]


def test_sealed_server_answers_409_with_code(world):
    api = client_for(world.admin)
    person = api.post("/api/persons/", {"identity": {"given_name": "Ali"}}, format="json").json()
    assert api.post("/api/keys/seal/", {}, format="json").json() == {"sealed": True}
    response = api.post(f"/api/persons/{person['id']}/identity/", {}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "keys.sealed")
    assert api.get("/api/keys/").json()["sealed"] is True
    written_sealed = api.post("/api/persons/", {"identity": {"given_name": "Mariam",
                                                             "family_name": "Coulibaly"}},
                              format="json")
    assert written_sealed.status_code == 201  # writing needs only the public key
    wrong = api.post("/api/keys/unseal/", {"passphrase": "mauvaise phrase de passe"}, format="json")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "keys.wrong_passphrase")
    from tests.app.conftest import PASSPHRASE

    assert api.post("/api/keys/unseal/", {"passphrase": PASSPHRASE}, format="json").json() == {
        "sealed": False, "reindexed": 1}
    assert client_for(world.analyst).post("/api/keys/seal/", {}, format="json").status_code == 404


def test_history_and_revert_over_http(world):
    api = client_for(world.analyst)
    event_id = api.post("/api/events/", {"title": "Avant (synthétique)", "start": "2020"},
                        format="json").json()["id"]
    api.patch(f"/api/events/{event_id}/", {"title": "Après (synthétique)", "reason": "typo"},
              format="json")
    history = api.get(f"/api/events/{event_id}/history/").json()
    assert [(h["number"], h["change"]) for h in history] == [(1, "create"), (2, "update")]
    assert history[1]["changes"] == [{"field": "title", "old": "Avant (synthétique)",
                                      "new": "Après (synthétique)"}]
    reverted = api.post(f"/api/events/{event_id}/revert/", {"number": 1, "reason": "retour"},
                        format="json").json()
    assert reverted["title"] == "Avant (synthétique)"


def test_token_auth_and_schema(world):
    token = Token.objects.create(user=world.viewer)
    api = APIClient()
    assert api.get("/api/events/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/events/").status_code == 200
    schema = api.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/events/" in schema.content


def test_audit_endpoints_admin_only(world):
    assert client_for(world.analyst).get("/api/audit/").status_code == 404
    verify = client_for(world.admin).get("/api/audit/verify/").json()
    assert verify["ok"] is True and verify["checked"] == AuditEntry.objects.count()


def test_reads_of_restricted_records_are_audited(world):
    api = client_for(world.analyst)
    internal = api.post("/api/events/", {"title": "Interne (synthétique)", "confidentiality": 1},
                        format="json").json()["id"]
    restricted = api.post("/api/events/", {"title": "Restreint (synthétique)",
                                           "confidentiality": 2}, format="json").json()["id"]
    source = api.post("/api/sources/", {"source_type": "ngo_report", "title": "S (synthétique)",
                                        "confidentiality": 2}, format="json").json()["id"]
    api.get(f"/api/events/{internal}/")
    api.get(f"/api/events/{restricted}/")
    api.get(f"/api/events/{restricted}/history/")
    api.get(f"/api/sources/{source}/")
    views = list(AuditEntry.objects.filter(action__in=["event.view", "source.view"])
                 .values_list("action", "target_id", "actor_username"))
    assert views == [("event.view", str(restricted), "analyst"),
                     ("event.view", str(restricted), "analyst"),
                     ("source.view", str(source), "analyst")]


def test_non_numeric_values_are_named_errors_not_crashes(world):
    api = client_for(world.analyst)
    event_id = api.post("/api/events/", {"title": "Nombres (synthétique)"}, format="json").json()["id"]
    source = api.post("/api/sources/", {"source_type": "media", "title": "Radio (synthétique)"},
                      format="json").json()["id"]
    bad = api.post(f"/api/events/{event_id}/information/", {"source": source,
                                                           "credibility": "très"}, format="json")
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["credibility"])
    revert = api.post(f"/api/events/{event_id}/revert/", {"number": "un"}, format="json")
    assert (revert.status_code, list(revert.json()["error"]["fields"])) == (400, ["number"])
    runs = api.post("/api/estimation/runs/", {"title": "x", "csv": "a,b,c,count\n1,0,0,1\n",
                                              "n_boot": "beaucoup"}, format="json")
    assert (runs.status_code, list(runs.json()["error"]["fields"])) == (400, ["n_boot"])
