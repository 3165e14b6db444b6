"""Field collection over OpenRosa: the organisation's ODK form key pair, the forms served to
devices, and submissions (plain or encrypted) turned into rows of an "odk" batch.

* ``odk_keypair_create``: an RSA-2048 pair; the public key goes into every form (devices
  encrypt submissions with it); the private PEM is sealed with the organisation key exactly
  like an identity, so it opens only while the server is unsealed.
* ``submission_receive``: puts the submission XML exactly as received (for an encrypted
  form: the manifest; ``submission.xml.enc`` arrives as one of the files) and every attachment
  through the evidence vault's ingest (custody ``ingest``, reason naming the submission and its
  batch; works sealed, as vault ingest does; ``OdkSubmission.xml_sha256`` = the vault item's
  SHA-256, ``xml_path`` empty), then imports the row (or quarantines it — testimony rows
  sealed) and links the XML and the attachments to the event and source it became. The
  decrypted content of an encrypted file (attachments and ``submission.xml``) is kept as a
  *working copy* of the encrypted original (``evidence_derive``, custody
  ``derivative_created``). An encrypted
  submission received while sealed is kept encrypted (``stored_encrypted``) and decrypted by
  ``odk_pending_process`` after unseal. A tampered one is rejected and recorded with its reason.
* ``openrosa_password_set`` / ``openrosa_password_revoke``: a user's *device password* for
  OpenRosa Digest authentication (RFC 7616); only its HA1 verifiers are stored
  (``OpenRosaCredential``), never the password, and it is never the account password.
* ``odk_files_to_vault``: moves what earlier versions kept under ``TEMOIN_HOME/odk/``
  (submission XML, sealed for testimony forms, and attachments) into the vault, checking each
  file's SHA-256 against the one recorded at reception, then deletes the file (idempotent).
* Persons named by testimony forms (the witness *pseudonym*) go through
  ``temoin.cases.services.person_create(identity=…)``: sealed, never in reports or logs.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from temoin.audit.services import audit_record
from temoin.cases import policy
from temoin.cases.models import Confidentiality, Source
from temoin.core import sealing
from temoin.core.intake import IntakeError, ParsedRow
from temoin.core.intake.odk import (
    build_xform,
    decrypt_submission,
    is_encrypted_manifest,
    parse_manifest,
    parse_submission,
    submission_to_row,
)
from temoin.core.intake.odk.digest import ha1
from temoin.core.intake.odk.form_definitions import FORM_DEFINITIONS, FORM_VERSION
from temoin.errors import Conflict, PermissionDenied, Problems
from temoin.intake.importer import BatchWriter
from temoin.intake.models import (
    ImportBatch,
    ImportedRecord,
    OdkAttachment,
    OdkKeyPair,
    OdkSubmission,
    OpenRosaCredential,
)
from temoin.intake.services import IMPORTER_VERSION
from temoin.intake.storage import vault_keep, vault_link, vault_read
from temoin.keys import keystore
from temoin.keys.selectors import active_keyring

TESTIMONY_FORMS = {"temoin_testimony"}
OPENROSA_REALM = "Temoin OpenRosa"
DEVICE_PASSWORD_MIN_LENGTH = 12


@dataclass(frozen=True)
class Outcome:
    """What the OpenRosa endpoint answers: HTTP status and a message for the device."""

    status: int
    message: str
    submission: OdkSubmission | None = None


def _odk_dir() -> Path:
    return Path(settings.TEMOIN_HOME) / "odk"


def _key_context(key_id: str) -> str:
    return f"intake.odk_key:{key_id}"


def _xml_context(instance_id: str) -> str:
    return f"intake.odk_xml:{instance_id}"


# ------------------------------------------------------------------ key pair
def odk_keypair_create(*, actor: Any) -> OdkKeyPair:
    """A new RSA key pair for encrypted forms (administrators); the old one stays usable for
    decrypting what was sent to it, but forms now carry the new public key."""
    if not policy.can_administer(actor):
        raise PermissionDenied("Seul un administrateur crée la clé des formulaires ODK.")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    key_id = hashlib.sha256(der).hexdigest()[:32]
    org = active_keyring()
    sealed = sealing.seal_identity(org.public_key, {"pem": pem.decode("ascii")},
                                   key_id=org.key_id, context=_key_context(key_id))
    with transaction.atomic():
        OdkKeyPair.objects.filter(active=True).update(active=False)
        pair = OdkKeyPair.objects.create(key_id=key_id, public_key_b64=base64.b64encode(der)
                                         .decode(), private_sealed=sealed, sealed_with=org.key_id)
        audit_record(actor=actor, action="intake.odk_key_create", target=pair,
                     details={"key_id": key_id})
    return pair


def active_keypair() -> OdkKeyPair | None:
    return OdkKeyPair.objects.filter(active=True).order_by("-pk").first()


def _private_pem(pair: OdkKeyPair) -> bytes | None:
    """The private PEM, or ``None`` while sealed."""
    keys = keystore.unsealed_keys()
    if keys is None:
        return None
    opened = sealing.open_identity(keys, bytes(pair.private_sealed), context=_key_context(
        pair.key_id))
    return str(opened["pem"]).encode("ascii")


# ------------------------------------------------------------------ device passwords
def openrosa_password_set(*, actor: Any, user: Any, password: str | None = None) -> str:
    """Set ``user``'s OpenRosa device password (themselves, or an administrator for anyone);
    ``None`` generates one (20 URL-safe characters, ~120 bits). Returns the password — shown
    once, stored only as its Digest verifiers. Refused: shorter than 12 characters, or equal
    to the account password (a seized HA1 must not give the account away)."""
    if not (actor.pk == user.pk or policy.can_administer(actor)):
        raise PermissionDenied("Seul un administrateur fixe le mot de passe d'appareil d'un autre.")
    generated = password is None
    password = secrets.token_urlsafe(15) if password is None else password
    problems = Problems(f"openrosa credential of user {user.pk}")
    if not policy.can_create(user):
        problems.add("user", "forbidden", "Ce compte ne peut pas envoyer de formulaires.")
    if len(password) < DEVICE_PASSWORD_MIN_LENGTH:
        problems.add("password", "too_short",
                     f"Au moins {DEVICE_PASSWORD_MIN_LENGTH} caractères.")
    elif not generated and user.check_password(password):
        problems.add("password", "same_as_account",
                     "Le mot de passe d'appareil doit différer du mot de passe du compte.")
    problems.raise_if_any()
    with transaction.atomic():
        credential, _ = OpenRosaCredential.objects.update_or_create(user=user, defaults={
            "realm": OPENROSA_REALM, "set_by": actor,
            "ha1_md5": ha1("MD5", user.get_username(), OPENROSA_REALM, password),
            "ha1_sha256": ha1("SHA-256", user.get_username(), OPENROSA_REALM, password)})
        audit_record(actor=actor, action="intake.openrosa_password_set", target=credential,
                     details={"user": user.pk, "generated": generated})
    return password


def openrosa_password_revoke(*, actor: Any, user: Any) -> bool:
    """Remove ``user``'s device password (Digest refused until a new one is set)."""
    if not (actor.pk == user.pk or policy.can_administer(actor)):
        raise PermissionDenied("Seul un administrateur révoque le mot de passe d'appareil d'un autre.")
    with transaction.atomic():
        deleted, _ = OpenRosaCredential.objects.filter(user=user).delete()
        if deleted:
            audit_record(actor=actor, action="intake.openrosa_password_revoke",
                         details={"user": user.pk})
    return bool(deleted)


# ------------------------------------------------------------------ forms
def form_ids() -> tuple[str, ...]:
    return tuple(FORM_DEFINITIONS)


def form_title(form_id: str) -> str:
    definition = FORM_DEFINITIONS[form_id]
    return f"{definition['title_fr']} / {definition['title_en']}"


@lru_cache(maxsize=16)
def _xform_cached(form_id: str, public_key: str | None, submission_url: str) -> bytes:
    return build_xform(form_id, public_key=public_key, submission_url=submission_url).encode()


def form_xml(form_id: str, *, submission_url: str) -> bytes:
    """The XForm (pyxform) for a device, with the active public key when there is one."""
    pair = active_keypair()
    return _xform_cached(form_id, pair.public_key_b64 if pair else None, submission_url)


# ------------------------------------------------------------------ submissions
def _odk_batch(actor: Any, form_id: str) -> ImportBatch:
    today = timezone.now().date()
    batch = ImportBatch.objects.filter(kind="odk", scope=f"odk:{form_id}", created_by=actor,
                                       status=ImportBatch.Status.OPEN,
                                       started_at__date=today).first()
    if batch is None:
        batch = ImportBatch.objects.create(
            kind="odk", scope=f"odk:{form_id}", file_name=f"{form_id} {today.isoformat()}",
            importer_version=IMPORTER_VERSION, status=ImportBatch.Status.OPEN, created_by=actor,
            settings={"form_version": FORM_VERSION, "sealed_raw": form_id in TESTIMONY_FORMS,
                      "source_type": "witness_testimony" if form_id in TESTIMONY_FORMS
                      else "other",
                      "confidentiality": int(Confidentiality.RESTRICTED if form_id in
                                             TESTIMONY_FORMS else Confidentiality.INTERNAL)})
        audit_record(actor=actor, action="intake.batch_start", target=batch,
                     details={"kind": "odk", "form": form_id})
    return batch


def submission_receive(*, actor: Any, xml: bytes, files: dict[str, bytes]) -> Outcome:
    """One OpenRosa submission (``xml_submission_file`` + other parts)."""
    if not policy.can_create(actor):
        raise PermissionDenied("Vous ne pouvez pas envoyer de soumission.")
    encrypted = is_encrypted_manifest(xml)
    try:
        if encrypted:
            manifest = parse_manifest(xml)
            form_id, instance_id = manifest.form_id, manifest.instance_id
        else:
            plain = parse_submission(xml)
            form_id, instance_id = plain.form_id, plain.instance_id
    except IntakeError as error:
        return Outcome(400, f"{getattr(error, 'code', 'submission_invalid')}: {error}")
    if form_id not in FORM_DEFINITIONS:
        return Outcome(400, f"submission_invalid: formulaire inconnu {form_id!r}")
    xml_sha = hashlib.sha256(xml).hexdigest()
    existing = OdkSubmission.objects.filter(instance_id=instance_id).first()
    if existing is not None:
        if existing.xml_sha256 == xml_sha:
            return Outcome(202, "Déjà reçu.", existing)
        return Outcome(409, f"instanceID {instance_id} déjà reçu avec un autre contenu.")
    with transaction.atomic():
        batch = _odk_batch(actor, form_id)
    # the bytes as received, before anything reads them further: the vault hashes them
    # (SHA-256 = xml_sha256) and logs the custody entry; nothing is written in clear
    received = vault_keep(actor=actor, file=xml, filename="submission.xml",
                          reason=f"soumission ODK {instance_id} ({form_id}, lot d'import "
                                 f"{batch.pk}) : XML reçu" + (" (manifeste chiffré)"
                                                              if encrypted else ""))
    kept = {name: vault_keep(actor=actor, file=content, filename=name,
                             reason=f"soumission ODK {instance_id} ({form_id}) : pièce jointe")
            for name, content in files.items()}
    with transaction.atomic():
        submission = OdkSubmission.objects.create(
            instance_id=instance_id[:120], form_id=form_id, encrypted=encrypted, batch=batch,
            submitted_by=actor, status=OdkSubmission.Status.STORED_ENCRYPTED, xml_sha256=xml_sha,
            xml_path="", xml_sealed=False)
        for name, item in kept.items():
            OdkAttachment.objects.create(submission=submission, name=name[:255],
                                         sha256=item.sha256, size=item.size, stored_path="")
        audit_record(actor=actor, action="intake.odk_receive", target=submission, details={
            "form": form_id, "encrypted": encrypted, "attachments": len(files),
            "xml_sha256": xml_sha, "xml_custody_seq": received.custody_seq})
        if encrypted:
            outcome = _decrypt_and_import(actor, submission, xml, files)
        else:
            outcome = _import_plain(actor, submission, xml)
    return outcome


def _decrypt_and_import(actor: Any, submission: OdkSubmission, manifest: bytes,
                        files: dict[str, bytes]) -> Outcome:
    pair = active_keypair()
    pem = _private_pem(pair) if pair is not None else None
    if pem is None:
        return Outcome(201, "Reçu chiffré : il sera déchiffré quand les clés seront descellées.",
                       submission)
    try:
        decrypted = decrypt_submission(manifest, files, pem)
    except IntakeError as error:
        code = getattr(error, "code", "decryption_failed")
        submission.status = OdkSubmission.Status.REJECTED
        submission.reason_code, submission.message = code, str(error)[:2000]
        submission.save(update_fields=["status", "reason_code", "message"])
        audit_record(actor=actor, action="intake.odk_reject", target=submission,
                     details={"reason": code})
        return Outcome(400, f"{code}: {error}", submission)
    by_name = {a.name.removesuffix(".enc"): a for a in submission.attachments.all()}
    for name, content in decrypted.attachments.items():
        attachment = by_name.get(name)
        if attachment is not None:
            attachment.plain_sha256 = hashlib.sha256(content).hexdigest()
            attachment.save(update_fields=["plain_sha256"])
            if not attachment.stored_path:  # the encrypted original is in the vault
                _keep_decrypted(actor, submission, attachment, name, content)
    xml_name = parse_manifest(manifest).encrypted_xml_file.removesuffix(".enc")
    xml_file = by_name.get(xml_name)
    if xml_file is not None:  # the decrypted form data, a working copy of submission.xml.enc
        xml_file.plain_sha256 = hashlib.sha256(decrypted.submission_xml).hexdigest()
        xml_file.save(update_fields=["plain_sha256"])
        if not xml_file.stored_path:
            _keep_decrypted(actor, submission, xml_file, xml_name, decrypted.submission_xml,
                            what="XML déchiffré")
    return _import_plain(actor, submission, decrypted.submission_xml)


def _keep_decrypted(actor: Any, submission: OdkSubmission, attachment: OdkAttachment,
                    name: str, content: bytes, *, what: str = "pièce jointe déchiffrée") -> None:
    """The decrypted attachment as a working copy of its encrypted original in the vault."""
    import io

    from temoin.evidence.models import EvidenceItem
    from temoin.evidence.services import evidence_derive

    original = EvidenceItem.objects.get(sha256=attachment.sha256)
    evidence_derive(actor=actor, original=original, file=io.BytesIO(content), filename=name,
                    operation={"name": "odk_decrypt", "tool": "temoin.core.intake.odk",
                               "tool_version": IMPORTER_VERSION},
                    reason=f"soumission ODK {submission.instance_id} : {what}")


def link_attachments(*, actor: Any, submission: OdkSubmission) -> int:
    """Link the submission's XML and attachments in the vault (originals and decrypted
    copies) to the event and source the submission became; returns how many were linked."""
    record = ImportedRecord.objects.filter(scope=submission.batch.scope,
                                           upstream_id=submission.instance_id).first()
    if record is None or record.event_id is None:
        return 0
    event = record.event
    sources = [record.source] if record.source_id is not None else []
    shas = [submission.xml_sha256] if not submission.xml_path else []
    shas += [sha for a in submission.attachments.filter(stored_path="")
             for sha in (a.sha256, a.plain_sha256) if sha]
    for sha in dict.fromkeys(shas):
        vault_link(actor=actor, sha256=sha, events=[event], sources=sources,
                   reason=f"soumission ODK {submission.instance_id}")
    return len(set(shas))


def _import_plain(actor: Any, submission: OdkSubmission, xml: bytes) -> Outcome:
    try:
        plain = parse_submission(xml)
    except IntakeError as error:
        submission.status = OdkSubmission.Status.REJECTED
        submission.reason_code = getattr(error, "code", "submission_invalid")
        submission.message = str(error)[:2000]
        submission.save(update_fields=["status", "reason_code", "message"])
        return Outcome(400, f"{submission.reason_code}: {error}", submission)
    testimony = submission.form_id in TESTIMONY_FORMS
    batch = submission.batch
    result = submission_to_row(plain, claimed_by=f"ODK {submission.form_id}")
    result = replace(result, row_number=batch.rows + 1)  # type: ignore[type-var]
    writer = BatchWriter(batch=batch, actor=actor, gazetteer=None, origin="ODK",
                         source_type="witness_testimony" if testimony else "other",
                         seal_raw=testimony,
                         confidentiality=Confidentiality.RESTRICTED if testimony
                         else Confidentiality.INTERNAL)
    writer.write_chunk([result])
    if isinstance(result, ParsedRow):
        submission.status = OdkSubmission.Status.IMPORTED
        if testimony:
            _witness(actor, plain.fields, submission.instance_id, batch.scope)
        link_attachments(actor=actor, submission=submission)
    else:
        submission.status = OdkSubmission.Status.QUARANTINED
        submission.reason_code, submission.message = result.reason_code, result.message
    submission.save(update_fields=["status", "reason_code", "message"])
    report = {**batch.report, **{k: v for k, v in writer.finish_report().items()
                                 if k != "unknown_actors"}}
    ImportBatch.objects.filter(pk=batch.pk).update(report=report)
    return Outcome(201, "Soumission reçue." if submission.status == "imported"
                   else f"Soumission reçue, mise en quarantaine ({submission.reason_code}).",
                   submission)


def _witness(actor: Any, fields: dict[str, str], instance_id: str, scope: str) -> None:
    """The witness of a testimony: a Person whose pseudonym is a sealed identity."""
    from temoin.cases.services import person_create, source_update

    def field(name: str) -> str | None:
        return next((v for k, v in fields.items() if (k == name or k.endswith("/" + name)) and v),
                    None)

    pseudonym = field("witness_pseudonym")
    sex = field("witness_sex")
    data: dict[str, Any] = {"sex": sex if sex in ("female", "male", "other") else "unknown"}
    person = person_create(actor=actor, data=data,
                           identity={"other_names": pseudonym} if pseudonym else None,
                           reason="témoin d'une soumission ODK")
    record = ImportedRecord.objects.filter(scope=scope, upstream_id=instance_id).first()
    if record is not None and record.source_id is not None:
        source_update(actor=actor, source=Source.objects.get(pk=record.source_id),
                      changes={"person_id": person.pk}, reason="témoin de la soumission")


def after_retry(*, actor: Any, batch: ImportBatch, raw: dict[str, Any], instance_id: str) -> None:
    """A quarantined submission imported by a retry: its witness and its status."""
    form_id = batch.scope.split(":", 1)[-1]
    if form_id in TESTIMONY_FORMS:
        _witness(actor, {str(k): str(v) for k, v in raw.items()}, instance_id, batch.scope)
    OdkSubmission.objects.filter(instance_id=instance_id).update(
        status=OdkSubmission.Status.IMPORTED, reason_code="", message="")
    submission = OdkSubmission.objects.filter(instance_id=instance_id).first()
    if submission is not None:
        link_attachments(actor=actor, submission=submission)


def odk_pending_process(*, actor: Any) -> dict[str, int]:
    """Decrypt and import the submissions received while sealed (run after unseal)."""
    if not policy.can_administer(actor) and not policy.can_share(actor):
        raise PermissionDenied("Seuls les administrateurs et les analystes traitent l'attente.")
    if keystore.unsealed_keys() is None:
        raise Conflict("Les clés sont scellées.", code="keys.sealed")
    counts = {"imported": 0, "quarantined": 0, "rejected": 0}
    pending = OdkSubmission.objects.filter(status=OdkSubmission.Status.STORED_ENCRYPTED)
    for submission in pending.select_related("submitted_by").order_by("pk"):
        reason = f"déchiffrement de la soumission ODK {submission.instance_id}"
        manifest = Path(submission.xml_path).read_bytes() if submission.xml_path else \
            vault_read(viewer=actor, sha256=submission.xml_sha256, reason=reason)
        files = {a.name: Path(a.stored_path).read_bytes() if a.stored_path  # before the vault
                 else vault_read(viewer=actor, sha256=a.sha256, reason=reason)
                 for a in submission.attachments.all()}
        with transaction.atomic():
            _decrypt_and_import(submission.submitted_by, submission, manifest, files)
        submission.refresh_from_db()
        if submission.status in counts:
            counts[submission.status] += 1
    return counts


def read_submission_xml(submission: OdkSubmission, *, viewer: Any, reason: str) -> bytes | None:
    """The XML as received: from the vault (an audited ``access``), or from a file an earlier
    version kept under ``TEMOIN_HOME/odk/`` (opened when sealed). ``None`` while sealed."""
    if keystore.unsealed_keys() is None:
        return None
    if not submission.xml_path:
        return vault_read(viewer=viewer, sha256=submission.xml_sha256, reason=reason)
    data = Path(submission.xml_path).read_bytes()
    if not submission.xml_sealed:
        return data
    keys = keystore.unsealed_keys()
    assert keys is not None
    opened = sealing.open_identity(keys, data, context=_xml_context(submission.instance_id))
    return base64.b64decode(str(opened["xml_b64"]))


# ------------------------------------------------------------------ files of earlier versions
def _legacy_file(path_text: str) -> Path | None:
    """A file an earlier version kept under ``TEMOIN_HOME/odk/`` (``None`` elsewhere)."""
    path = Path(path_text)
    try:
        path.resolve().relative_to(_odk_dir().resolve())
    except ValueError:
        return None
    return path


def _remove_if_unused(path: Path) -> bool:
    """Delete a moved file unless another row still names it (files were shared by hash)."""
    text = str(path)
    if OdkSubmission.objects.filter(xml_path=text).exists() or \
            OdkAttachment.objects.filter(stored_path=text).exists():
        return False
    path.unlink(missing_ok=True)
    return True


def _link_moved(actor: Any, submission: OdkSubmission, sha256: str) -> None:
    record = ImportedRecord.objects.filter(scope=submission.batch.scope,
                                           upstream_id=submission.instance_id).first()
    if record is not None and record.event_id is not None:
        vault_link(actor=actor, sha256=sha256, events=[record.event],
                   sources=[record.source] if record.source_id is not None else [],
                   reason=f"soumission ODK {submission.instance_id}")


def odk_files_to_vault(*, actor: Any) -> dict[str, int]:
    """Move the submission XML and attachments that earlier versions kept under
    ``TEMOIN_HOME/odk/`` into the evidence vault (administrators). Each file's SHA-256 must
    equal the one recorded when it was received (a sealed testimony XML is opened first, so
    the vault holds the bytes as received and their hash matches). The custody entry
    ``ingest`` names the submission, its batch and the reception date; the row then points to
    the vault (``xml_path``/``stored_path`` emptied), is linked to the event and source it
    became, an ``intake.odk_to_vault`` audit row records it, and the file is deleted.
    Idempotent: moved rows are skipped. Sealed XML needs the keys unsealed (else counted
    ``sealed``); a missing or altered file is counted and left as it is."""
    if not policy.can_administer(actor):
        raise PermissionDenied("Seul un administrateur déplace les fichiers ODK dans le coffre.")
    counts = {"xml": 0, "attachments": 0, "deleted": 0, "sealed": 0, "missing": 0,
              "mismatch": 0}
    keys = keystore.unsealed_keys()
    for submission in OdkSubmission.objects.exclude(xml_path="").select_related("batch") \
            .order_by("pk"):
        path = _legacy_file(submission.xml_path)
        if path is None or not path.is_file():
            counts["missing"] += 1
            continue
        data = path.read_bytes()
        if submission.xml_sealed:
            if keys is None:
                counts["sealed"] += 1
                continue
            opened = sealing.open_identity(keys, data,
                                           context=_xml_context(submission.instance_id))
            data = base64.b64decode(str(opened["xml_b64"]))
        if hashlib.sha256(data).hexdigest() != submission.xml_sha256:
            counts["mismatch"] += 1
            continue
        received = submission.received_at.date().isoformat()
        kept = vault_keep(actor=actor, file=data, filename="submission.xml", reason=(
            f"soumission ODK {submission.instance_id} ({submission.form_id}, lot d'import "
            f"{submission.batch_id}) : XML reçu le {received}, déplacé de "
            f"TEMOIN_HOME/odk/{path.name} vers le coffre"))
        with transaction.atomic():
            was_sealed = submission.xml_sealed
            submission.xml_path, submission.xml_sealed = "", False
            submission.save(update_fields=["xml_path", "xml_sealed"])
            audit_record(actor=actor, action="intake.odk_to_vault", target=submission, details={
                "file": "xml", "sha256": kept.sha256, "custody_seq": kept.custody_seq,
                "was_sealed": was_sealed})
            _link_moved(actor, submission, kept.sha256)
        counts["xml"] += 1
        counts["deleted"] += _remove_if_unused(path)
    for attachment in OdkAttachment.objects.exclude(stored_path="").select_related(
            "submission__batch").order_by("pk"):
        path = _legacy_file(attachment.stored_path)
        if path is None or not path.is_file():
            counts["missing"] += 1
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != attachment.sha256:
            counts["mismatch"] += 1
            continue
        submission = attachment.submission
        kept = vault_keep(actor=actor, file=data, filename=attachment.name, reason=(
            f"soumission ODK {submission.instance_id} ({submission.form_id}) : pièce jointe "
            f"reçue le {submission.received_at.date().isoformat()}, déplacée de "
            f"TEMOIN_HOME/odk/{path.name} vers le coffre"))
        with transaction.atomic():
            attachment.stored_path = ""
            attachment.save(update_fields=["stored_path"])
            audit_record(actor=actor, action="intake.odk_to_vault", target=submission, details={
                "file": "attachment", "sha256": kept.sha256, "custody_seq": kept.custody_seq})
            _link_moved(actor, submission, kept.sha256)
        counts["attachments"] += 1
        counts["deleted"] += _remove_if_unused(path)
    return counts
