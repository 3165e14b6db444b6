"""OpenRosa over HTTP, as ODK Collect speaks it: Basic auth over HTTPS (enabled here by the
`openrosa_basic` fixture; the default is Digest only: test_openrosa_digest.py), form list,
XForm, manifest, HEAD + multipart submissions (plain, testimony, encrypted per the ODK spec,
tampered, received while sealed) → rows of an "odk" batch."""

from __future__ import annotations

import base64
import hashlib
from xml.etree import ElementTree

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.app.conftest import PASSPHRASE
from tests.core.intake.odk_spec_builder import build_encrypted_submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("openrosa_basic")]
PASSWORD = "motdepasse-123"
PHOTO = b"\xff\xd8\xff SYNTHETIC jpeg bytes " * 40


def auth(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def incident_xml(instance: str, *, date: str = "2019-03-23", killed: str = "4") -> bytes:
    return (
        '<?xml version="1.0"?><temoin_incident id="temoin_incident" version="1">'
        f"<incident_date>{date}</incident_date><location_name>SYNTHETIC-VILLAGE</location_name>"
        "<region>mopti</region><cercle>Bankass</cercle><act_types>killing looting</act_types>"
        f"<killed_min>{killed}</killed_min><killed_max>{killed}</killed_max>"
        "<description>SYNTHETIC account of an invented incident.</description>"
        "<photo>photo.jpg</photo>"
        f"<meta><instanceID>{instance}</instanceID></meta></temoin_incident>").encode()


def build_testimony_xml(instance: str, *, date: str = "2019-03-23") -> bytes:
    return (
        '<?xml version="1.0"?><temoin_testimony id="temoin_testimony" version="1">'
        "<consent_given>yes</consent_given><testimony>"
        "<witness_pseudonym>Pseudo-SYNTHETIQUE-Kadiatou</witness_pseudonym>"
        "<witness_sex>female</witness_sex>"
        f"<incident_date>{date}</incident_date><location_name>SYNTHETIC-VILLAGE</location_name>"
        "<act_types>killing</act_types><account>SYNTHETIC invented account.</account>"
        "</testimony>"
        f"<meta><instanceID>{instance}</instanceID></meta></temoin_testimony>").encode()


def post(client: Client, username: str, xml: bytes, files: dict[str, bytes] | None = None,
         *, name: str = "submission.xml"):  # type: ignore[no-untyped-def]
    data = {"xml_submission_file": SimpleUploadedFile(name, xml, "text/xml")}
    for index, (filename, content) in enumerate((files or {}).items()):
        data[f"file{index}"] = SimpleUploadedFile(filename, content,
                                                  "application/octet-stream")
    return client.post("/api/openrosa/submission", data, secure=True, **auth(username))


def test_form_list_form_and_manifest_with_openrosa_headers(world):
    client = Client()
    challenge = client.get("/api/openrosa/formList", secure=True)
    assert challenge.status_code == 401
    assert "Basic realm=" in challenge["WWW-Authenticate"]
    assert challenge["X-OpenRosa-Version"] == "1.0"
    assert client.get("/api/openrosa/formList", secure=True,
                      **auth("monitor", "wrong")).status_code == 401
    plain_http = client.get("/api/openrosa/formList", **auth("monitor"))
    assert plain_http.status_code == 403  # Basic only over HTTPS
    listing = client.get("/api/openrosa/formList", secure=True, **auth("monitor"))
    assert listing.status_code == 200 and listing["X-OpenRosa-Version"] == "1.0"
    ns = {"x": "http://openrosa.org/xforms/xformsList"}
    root = ElementTree.fromstring(listing.content)
    ids = [e.text for e in root.findall("x:xform/x:formID", ns)]
    assert ids == ["temoin_incident", "temoin_testimony"]
    url = root.find("x:xform/x:downloadUrl", ns).text
    assert url == "https://testserver/api/openrosa/forms/temoin_incident/form.xml"
    form = client.get("/api/openrosa/forms/temoin_incident/form.xml", secure=True,
                      **auth("monitor"))
    assert form.status_code == 200 and b"<h:html" in form.content
    expected = root.find("x:xform/x:hash", ns).text
    assert expected == "md5:" + hashlib.md5(form.content).hexdigest()
    assert b"base64RsaPublicKey" not in form.content  # no ODK key yet: plain form
    manifest = client.get("/api/openrosa/forms/temoin_incident/manifest", secure=True,
                          **auth("monitor"))
    assert manifest.status_code == 200 and b"manifest" in manifest.content
    assert client.get("/api/openrosa/formList", secure=True, **auth("viewer")).status_code == 403
    head = client.head("/api/openrosa/submission", secure=True, **auth("monitor"))
    assert head.status_code == 204 and head["X-OpenRosa-Accept-Content-Length"] == "10485760"


def test_plain_submission_with_attachment_becomes_an_event(world):
    from temoin.cases.models import Event
    from temoin.intake.models import ImportBatch, OdkSubmission

    response = post(Client(), "monitor", incident_xml("uuid:syn-1"), {"photo.jpg": PHOTO})
    assert response.status_code == 201, response.content
    assert b"submit_success" in response.content and response["X-OpenRosa-Version"] == "1.0"
    submission = OdkSubmission.objects.get()
    assert (submission.status, submission.form_id, submission.encrypted) == (
        "imported", "temoin_incident", False)
    attachment = submission.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PHOTO).hexdigest() and attachment.size == len(PHOTO)
    event = Event.objects.get(upstream_id="uuid:syn-1")
    assert event.created_by == world.monitor and event.review_status == "submitted"
    assert sorted(event.acts.values_list("act_type", flat=True)) == ["killing", "looting"]
    assert event.claims.get().count_min == 4
    batch = ImportBatch.objects.get(kind="odk")
    assert (batch.scope, batch.status, batch.rows, batch.new) == ("odk:temoin_incident", "open",
                                                                   1, 1)
    again = post(Client(), "monitor", incident_xml("uuid:syn-1"), {"photo.jpg": PHOTO})
    assert again.status_code == 202 and Event.objects.count() == 1
    other = post(Client(), "monitor", incident_xml("uuid:syn-1", killed="5"))
    assert other.status_code == 409
    bad = post(Client(), "monitor", incident_xml("uuid:syn-2", date="2019-02-30"))
    assert bad.status_code == 201 and b"quarantaine" in bad.content
    assert OdkSubmission.objects.get(instance_id="uuid:syn-2").status == "quarantined"
    garbage = post(Client(), "monitor", b"<not xml")
    assert garbage.status_code == 400


def test_testimony_person_is_sealed_and_quarantined_rows_are_sealed(world):
    from temoin.audit.models import AuditEntry
    from temoin.cases.models import Person, Source
    from temoin.cases.services import person_identity
    from temoin.intake.models import ImportBatch, OdkSubmission, QuarantinedRow

    response = post(Client(), "monitor", build_testimony_xml("uuid:tem-1"))
    assert response.status_code == 201, response.content
    source = Source.objects.get(upstream_id="uuid:tem-1")
    assert source.source_type == "witness_testimony" and source.confidentiality == 2
    person = Person.objects.get(pk=source.person_id)
    assert person.identity_blob and person.sex == "female"
    assert person_identity(viewer=world.admin, person=person)["other_names"] == \
        "Pseudo-SYNTHETIQUE-Kadiatou"
    submission = OdkSubmission.objects.get(instance_id="uuid:tem-1")
    assert (submission.xml_path, submission.xml_sealed) == ("", False)  # in the vault
    from django.conf import settings

    assert not [p for p in settings.TEMOIN_HOME.rglob("*")
                if p.is_file() and b"Kadiatou" in p.read_bytes()]  # nothing in clear
    bad = post(Client(), "monitor", build_testimony_xml("uuid:tem-2", date="2019-13-01"))
    assert bad.status_code == 201
    row = QuarantinedRow.objects.get()
    assert row.raw is None and row.raw_sealed and row.reason_code == "bad_date"
    assert "testimony/witness_pseudonym" in row.field_names
    assert "Kadiatou" not in row.message
    batch = ImportBatch.objects.get(scope="odk:temoin_testimony")
    assert "Kadiatou" not in str(batch.report)
    assert not any("Kadiatou" in str(e.details) for e in AuditEntry.objects.all())


def _key_pair(world):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    from temoin.intake.models import OdkKeyPair

    analyst = APIClient()
    analyst.force_authenticate(world.analyst)
    assert analyst.post("/api/imports/odk/key/").status_code == 403
    assert analyst.get("/api/imports/odk/key/").json() == {"key_id": None, "public_key": None}
    api = APIClient()
    api.force_authenticate(world.admin)
    created = api.post("/api/imports/odk/key/")
    assert created.status_code == 201
    pair = OdkKeyPair.objects.get(active=True)
    assert created.json() == {"key_id": pair.key_id, "public_key": pair.public_key_b64}
    assert b"BEGIN" not in bytes(pair.private_sealed)  # the PEM is sealed, not stored clear
    public = serialization.load_der_public_key(base64.b64decode(pair.public_key_b64))
    return pair, public


def test_encrypted_submission_decrypted_and_tampered_one_rejected(world):
    from temoin.cases.models import Event
    from temoin.intake.models import OdkSubmission

    pair, public = _key_pair(world)
    form = Client().get("/api/openrosa/forms/temoin_incident/form.xml", secure=True,
                        **auth("monitor"))
    assert pair.public_key_b64.encode() in form.content  # the form now encrypts
    built = build_encrypted_submission(public, form_id="temoin_incident", version="1",
                                       instance_id="uuid:enc-1",
                                       submission_xml=incident_xml("uuid:enc-1"),
                                       media=[("photo.jpg", PHOTO)])
    response = post(Client(), "monitor", built.manifest, built.files)
    assert response.status_code == 201, response.content
    submission = OdkSubmission.objects.get(instance_id="uuid:enc-1")
    assert submission.encrypted and submission.status == "imported"
    photo = submission.attachments.get(name="photo.jpg.enc")
    assert photo.plain_sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert photo.sha256 == hashlib.sha256(built.files["photo.jpg.enc"]).hexdigest()
    assert Event.objects.filter(upstream_id="uuid:enc-1").exists()

    forged = build_encrypted_submission(public, form_id="temoin_incident", version="1",
                                        instance_id="uuid:enc-2",
                                        submission_xml=incident_xml("uuid:enc-2"),
                                        media=[("photo.jpg", PHOTO)])
    tampered = dict(forged.files)
    tampered["photo.jpg.enc"] = tampered["photo.jpg.enc"][:-16] + bytes(16)
    rejected = post(Client(), "monitor", forged.manifest, tampered)
    assert rejected.status_code == 400
    record = OdkSubmission.objects.get(instance_id="uuid:enc-2")
    assert record.status == "rejected" and record.reason_code in ("signature_mismatch",
                                                                  "decryption_failed")
    assert record.reason_code.encode() in rejected.content
    assert not Event.objects.filter(upstream_id="uuid:enc-2").exists()


def test_encrypted_submission_received_while_sealed_is_imported_after_unseal(world):
    from temoin.cases.models import Event
    from temoin.intake.models import OdkSubmission
    from temoin.intake.odk import odk_pending_process
    from temoin.keys import keystore
    from temoin.keys.services import keys_unseal

    _, public = _key_pair(world)
    keystore.forget()  # the server is sealed
    built = build_encrypted_submission(public, form_id="temoin_incident", version="1",
                                       instance_id="uuid:enc-3",
                                       submission_xml=incident_xml("uuid:enc-3"), media=[])
    response = post(Client(), "monitor", built.manifest, built.files)
    assert response.status_code == 201 and "déchiffré".encode() in response.content
    submission = OdkSubmission.objects.get(instance_id="uuid:enc-3")
    assert submission.status == "stored_encrypted"
    assert not Event.objects.filter(upstream_id="uuid:enc-3").exists()
    keys_unseal(actor=world.admin, passphrase=PASSPHRASE)
    from rest_framework.test import APIClient

    viewer = APIClient()
    viewer.force_authenticate(world.viewer)
    assert viewer.post("/api/imports/odk/pending/").status_code == 403
    api = APIClient()
    api.force_authenticate(world.admin)
    answer = api.post("/api/imports/odk/pending/")
    assert answer.status_code == 200
    assert answer.json() == {"imported": 1, "quarantined": 0, "rejected": 0}
    assert odk_pending_process(actor=world.admin) == {"imported": 0, "quarantined": 0,
                                                      "rejected": 0}
    submission.refresh_from_db()
    assert submission.status == "imported"
    assert Event.objects.filter(upstream_id="uuid:enc-3").exists()


def test_sealed_testimony_row_retries_only_when_unsealed(world):
    from temoin.cases.models import Source
    from temoin.errors import Conflict
    from temoin.intake.models import OdkSubmission, QuarantinedRow
    from temoin.intake.selectors import quarantined_row_view
    from temoin.intake.services import quarantine_retry
    from temoin.keys import keystore
    from temoin.keys.services import keys_unseal

    assert post(Client(), "monitor", build_testimony_xml("uuid:tem-9", date="2019-13-01")
                ).status_code == 201
    row = QuarantinedRow.objects.get()
    view = quarantined_row_view(row, with_raw=True)
    assert view["sealed"] is True and "raw" not in view
    keystore.forget()
    with pytest.raises(Conflict) as sealed:
        quarantine_retry(actor=world.analyst, row=row, fixes={"testimony/incident_date": "x"})
    assert sealed.value.code == "keys.sealed"
    keys_unseal(actor=world.admin, passphrase=PASSPHRASE)
    fixed = quarantine_retry(actor=world.analyst, row=row,
                             fixes={"testimony/incident_date": "2019-12-01"})
    assert fixed.status == "imported" and fixed.raw is None  # still sealed at rest
    source = Source.objects.get(upstream_id="uuid:tem-9")
    assert source.person is not None and source.person.identity_blob
    assert (source.source_type, source.confidentiality) == ("witness_testimony", 2)
    assert OdkSubmission.objects.get(instance_id="uuid:tem-9").status == "imported"
