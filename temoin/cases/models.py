"""The case database on the HURIDOCS Events Standard Formats (ESF).

Event ─< Act >─ Person (victim)          an act is done to one person or to a group with a count
   │      └─< Involvement >─ Actor / Person (perpetrator, degree, attributed by a Source)
   ├─< Information >─ Source ─ Person (witness / source)   credibility 1–6, reliability A–F
   ├─< Claim (casualty figures per source: min–max, qualifier) — never one invented number
   ├─< EventLink (chain of events)
   └─< EventShare (to partner organisations), EventAssignment (to monitors/analysts)

Uncertainty is data: dates are ranges with a precision, places carry a geo precision,
sources a reliability and each piece of information a credibility. Identifying fields of a
person live only in ``Person.identity_blob`` (sealed with the organisation key); the rest of
the system sees the pseudonymous ``code`` (V-0042).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidentiality(models.IntegerChoices):
    PUBLIC = 0, _("Public")
    INTERNAL = 1, _("Interne")
    RESTRICTED = 2, _("Restreint")
    STRICTLY_CONFIDENTIAL = 3, _("Strictement confidentiel")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumis")
    IN_REVIEW = "in_review", _("En révision")
    VERIFIED = "verified", _("Vérifié")
    CONTESTED = "contested", _("Contesté")
    UNFOUNDED = "unfounded", _("Non fondé")


class ViolationStatus(models.TextChoices):
    ALLEGED = "alleged", _("Allégation")
    CORROBORATED = "corroborated", _("Corroboré")
    ESTABLISHED = "established", _("Établi")
    NOT_ESTABLISHED = "not_established", _("Non établi")


class GeoPrecision(models.TextChoices):
    EXACT = "exact", _("Lieu exact")
    NEAR = "near", _("À proximité")
    COMMUNE = "commune", _("Commune")
    CERCLE = "cercle", _("Cercle")
    REGION = "region", _("Région")
    COUNTRY = "country", _("Pays")
    UNKNOWN = "unknown", _("Inconnu")


class Reliability(models.TextChoices):
    A = "A", _("A — entièrement fiable")
    B = "B", _("B — habituellement fiable")
    C = "C", _("C — assez fiable")
    D = "D", _("D — pas habituellement fiable")
    E = "E", _("E — non fiable")
    F = "F", _("F — fiabilité impossible à évaluer")


class Credibility(models.IntegerChoices):
    CONFIRMED = 1, _("1 — confirmé par d'autres sources")
    PROBABLY_TRUE = 2, _("2 — probablement vrai")
    POSSIBLY_TRUE = 3, _("3 — possiblement vrai")
    DOUBTFUL = 4, _("4 — douteux")
    IMPROBABLE = 5, _("5 — improbable")
    CANNOT_BE_JUDGED = 6, _("6 — impossible à évaluer")


class Recipient(models.TextChoices):
    """To whom a source's information may go (the consent record)."""

    INTERNAL = "internal", _("Usage interne")
    PARTNERS = "named_partners", _("Partenaires nommés")
    UN_MECHANISMS = "un_mechanisms", _("Mécanismes de l'ONU")
    COURTS = "courts", _("Juridictions")
    MEDIA = "media", _("Médias")
    PUBLIC = "public", _("Public")


class ClaimKind(models.TextChoices):
    KILLED = "killed", _("Tués")
    INJURED = "injured", _("Blessés")
    ABDUCTED = "abducted", _("Enlevés")
    DISAPPEARED = "disappeared", _("Disparus")
    DETAINED = "detained", _("Détenus")
    SEXUAL_VIOLENCE = "sexual_violence", _("Victimes de violences sexuelles")
    DISPLACED = "displaced", _("Déplacés")


class ClaimQualifier(models.TextChoices):
    EXACT = "exact", _("Exactement")
    AT_LEAST = "at_least", _("Au moins")
    ABOUT = "about", _("Environ")
    AT_MOST = "at_most", _("Au plus")
    RANGE = "range", _("Entre")


class Sex(models.TextChoices):
    FEMALE = "female", _("Femme")
    MALE = "male", _("Homme")
    OTHER = "other", _("Autre")
    UNKNOWN = "unknown", _("Inconnu")


class Place(models.Model):
    """Where: admin levels, a point, and how precise the point is."""

    place_name = models.CharField(max_length=200, blank=True)
    admin1 = models.CharField(max_length=100, blank=True, db_index=True)
    admin2 = models.CharField(max_length=100, blank=True, db_index=True)
    admin3 = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="ML")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geo_precision = models.CharField(
        max_length=10, choices=GeoPrecision.choices, default=GeoPrecision.UNKNOWN
    )
    geonameid = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class Term(models.Model):
    """A term of a hierarchical, bilingual vocabulary (loaded from versioned data files)."""

    vocabulary = models.CharField(max_length=60)
    code = models.CharField(max_length=80)
    parent_code = models.CharField(max_length=80, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    label_en = models.CharField(max_length=300)
    label_fr = models.CharField(max_length=300)
    source = models.CharField(max_length=60, blank=True)
    version = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code")
        ]


class Actor(models.Model):
    """An armed group, force or unit (hierarchy unit → force), with the names sources use."""

    code = models.CharField(max_length=80, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    kind = models.CharField(max_length=30)
    label_en = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200)
    aliases = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.code


class Event(Place):
    reference = models.CharField(max_length=24, unique=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="events")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    start_earliest = models.DateField(null=True, blank=True, db_index=True)
    start_latest = models.DateField(null=True, blank=True)
    start_precision = models.CharField(max_length=12, default="unknown")
    start_text = models.CharField(max_length=120, blank=True)
    end_earliest = models.DateField(null=True, blank=True)
    end_latest = models.DateField(null=True, blank=True)
    end_precision = models.CharField(max_length=12, default="unknown")
    end_text = models.CharField(max_length=120, blank=True)
    violation_status = models.CharField(max_length=20, choices=ViolationStatus.choices,
                                        default=ViolationStatus.ALLEGED)
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices,
                                     default=ReviewStatus.DRAFT, db_index=True)
    confidentiality = models.PositiveSmallIntegerField(
        choices=Confidentiality.choices, default=Confidentiality.INTERNAL, db_index=True
    )
    coarsen_place_when_published = models.BooleanField(default=False)
    published = models.BooleanField(default=False)
    synthetic = models.BooleanField(default=False)
    upstream_id = models.CharField(max_length=80, blank=True, db_index=True)
    upstream_meta = models.JSONField(
        default=dict, blank=True,
        help_text="What an import kept of the upstream coding: kind, upstream id, date and "
                  "place precision codes (ACLED time_precision/geo_precision, UCDP "
                  "date_prec/where_prec), tags. Never edited by hand.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["confidentiality", "start_earliest"])]

    def __str__(self) -> str:
        return self.reference


class Person(models.Model):
    """One record, many roles. Identifying fields are sealed; the rest is usable sealed."""

    code = models.CharField(max_length=16, unique=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="persons")
    identity_blob = models.BinaryField(null=True, blank=True)
    key_id = models.CharField(max_length=32, blank=True)
    blind_name = models.CharField(max_length=64, blank=True, db_index=True)
    blind_pending = models.BooleanField(default=False)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    occupation = models.CharField(max_length=120, blank=True)
    locality = models.CharField(max_length=200, blank=True)
    death_earliest = models.DateField(null=True, blank=True)
    death_latest = models.DateField(null=True, blank=True)
    death_precision = models.CharField(max_length=12, default="unknown")
    confidentiality = models.PositiveSmallIntegerField(
        choices=Confidentiality.choices, default=Confidentiality.RESTRICTED
    )
    synthetic = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.code


class Act(Place):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="acts")
    act_type = models.CharField(max_length=80, db_index=True)
    victim_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="victim_of")
    victim_group = models.CharField(max_length=300, blank=True)
    named_victims = models.ManyToManyField(Person, blank=True, related_name="named_in")
    victim_count_min = models.PositiveIntegerField(null=True, blank=True)
    victim_count_max = models.PositiveIntegerField(null=True, blank=True)
    victims_unknown = models.BooleanField(
        default=False, help_text="The source names no victim (e.g. an imported ACLED event).")
    start_earliest = models.DateField(null=True, blank=True)
    start_latest = models.DateField(null=True, blank=True)
    start_precision = models.CharField(max_length=12, blank=True)
    start_text = models.CharField(max_length=120, blank=True)
    methods = models.JSONField(default=list)
    consequences = models.TextField(blank=True)
    status_at_end = models.CharField(max_length=80, blank=True)
    confidentiality = models.PositiveSmallIntegerField(
        choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # the act-type filter is "events having an act of these types": a covering index
        indexes = [models.Index(fields=["act_type", "event"], name="act_type_event")]


class Source(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="sources")
    source_type = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    origin = models.CharField(max_length=200, blank=True, db_index=True,
                              help_text="Who produced it: an NGO, a radio, ACLED, a witness code…")
    source_text = models.TextField(
        blank=True, help_text="Who the upstream record says reported it (ACLED `source`).")
    source_scale = models.CharField(
        max_length=120, blank=True,
        help_text="Upstream scale of that reporting (ACLED `source_scale`: Local, National…).")
    url = models.URLField(max_length=2000, blank=True)
    content = models.TextField(blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="source_of")
    reliability = models.CharField(max_length=1, choices=Reliability.choices,
                                   default=Reliability.F, db_index=True)
    language = models.CharField(max_length=8, blank=True)
    date_received = models.DateField(null=True, blank=True)
    consent = models.JSONField(default=list)
    consent_partners = models.ManyToManyField("accounts.Organisation", blank=True,
                                              related_name="consented_sources")
    confidentiality = models.PositiveSmallIntegerField(
        choices=Confidentiality.choices, default=Confidentiality.RESTRICTED
    )
    upstream_id = models.CharField(max_length=80, blank=True, db_index=True)
    synthetic = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Information(models.Model):
    """What one source says about one event (or one act of it)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="information")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="information")
    act = models.ForeignKey(Act, null=True, blank=True, on_delete=models.CASCADE,
                            related_name="information")
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices,
                                                   default=Credibility.CANNOT_BE_JUDGED)
    remarks = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "event", "act"],
                                               name="information_unique")]


class Claim(models.Model):
    """A casualty figure as one source states it.

    A claim is never deleted: a figure entered by mistake is *withdrawn* (who, when, why)
    and stays visible as withdrawn; figures, ranges and facts count only current claims
    (``withdrawn_at`` null). Corrections are versioned (``Version`` rows, target "claim")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="claims")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(max_length=20, choices=ClaimKind.choices)
    count_min = models.PositiveIntegerField()
    count_max = models.PositiveIntegerField(null=True, blank=True)
    count_best = models.PositiveIntegerField(
        null=True, blank=True, help_text="The source's best estimate within min–max (UCDP best).")
    qualifier = models.CharField(max_length=10, choices=ClaimQualifier.choices,
                                 default=ClaimQualifier.EXACT)
    remarks = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    withdrawal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Involvement(models.Model):
    act = models.ForeignKey(Act, on_delete=models.CASCADE, related_name="involvements")
    actor = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="involvements")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="perpetrator_in")
    degree = models.CharField(max_length=40)
    attributed_by = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="attributions")
    remarks = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["actor", "act"], name="involvement_actor_act")]


class Intervention(models.Model):
    """Someone who acted on behalf of victims (ESF intervention): a lawyer, a leader, a CNDH
    visit, a complaint filed — the "intervening party" role of a person."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="interventions")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="interventions")
    intervening_organisation = models.CharField(max_length=200, blank=True)
    intervention_type = models.CharField(max_length=80, blank=True)
    date = models.DateField(null=True, blank=True)
    remarks = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class EventLink(models.Model):
    """Chain of events: how two events relate."""

    class Relation(models.TextChoices):
        CAUSED = "caused", _("A causé")
        FOLLOWED = "followed", _("A suivi")
        PART_OF = "part_of", _("Fait partie de")
        RELATED = "related", _("Lié à")
        RETALIATION = "retaliation", _("Représailles à")

    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_out")
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    remarks = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_event", "to_event", "relation"],
                                               name="eventlink_unique")]


class EventShare(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="shared_events")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "organisation"],
                                               name="eventshare_unique")]


class EventAssignment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="assignments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"],
                                               name="eventassignment_unique")]


class Version(models.Model):
    """One saved state of an event, act, person, source, claim or involvement (history,
    diffs, revert). A removed involvement's last state is its ``remove`` version."""

    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    number = models.PositiveIntegerField()
    data = models.JSONField()
    change = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_type", "target_id", "number"]
        constraints = [models.UniqueConstraint(fields=["target_type", "target_id", "number"],
                                               name="version_unique")]


class SearchEntry(models.Model):
    """The accent-folded text of one event, act or source, for the full-text backends."""

    doc_type = models.CharField(max_length=10)
    doc_id = models.BigIntegerField()
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doc_type", "doc_id"],
                                               name="searchentry_unique")]


class Counter(models.Model):
    """Sequences for human-readable references (E-2022-00042, V-0042)."""

    name = models.CharField(max_length=20, unique=True)
    value = models.BigIntegerField(default=0)


# --- Precomputed facts for the dashboard and the map (kept in step by temoin.cases.facts) ----
class FactFilterColumns(models.Model):
    """The event's columns that access policy and list filters read, copied into every fact
    row under the *same names* as on ``Event``, so the Q of
    ``selectors.event_conditions`` applies to a fact table unchanged (``pk`` → ``event``).

    No grouping indexes on the fact tables: unfiltered and place/status-filtered figures
    come from ``FactCell``; other filters first narrow to a list of event ids, which the
    unique indexes leading with ``event`` look up (a grouping index would make SQLite's
    planner scan it instead)."""

    confidentiality = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING,
                                   db_constraint=False, db_index=False, related_name="+")
    review_status = models.CharField(max_length=20)
    published = models.BooleanField(default=False)
    start_earliest = models.DateField(null=True)
    start_latest = models.DateField(null=True)
    month = models.CharField(max_length=7, blank=True)  # "YYYY-MM" of start_earliest, or ""
    admin1 = models.CharField(max_length=100, blank=True)
    admin2 = models.CharField(max_length=100, blank=True)

    class Meta:
        abstract = True


class EventFact(FactFilterColumns):
    """One row per event: its filter columns, place, and the first act type / armed actor
    (the map's colour)."""

    event = models.OneToOneField(Event, primary_key=True, on_delete=models.CASCADE,
                                 related_name="+")
    geo_precision = models.CharField(max_length=10)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    first_act_type = models.CharField(max_length=80, blank=True)
    first_actor_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["month", "admin1", "admin2", "confidentiality", "created_by"],
                         name="eventfact_place"),
            # the map's newest points: read in index order, never sorted, never the table
            models.Index(fields=["start_earliest", "event", "geo_precision", "latitude",
                                 "longitude", "confidentiality", "created_by", "admin1",
                                 "admin2", "review_status", "published", "start_latest",
                                 "first_act_type", "first_actor_id"], name="eventfact_points"),
        ]


class ClaimFact(FactFilterColumns):
    """Per event, casualty kind and clearance level 0–3: the lowest and highest figure given
    by the sources at or below that level of confidentiality, and how many are open-ended
    ("at least")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, db_index=False,
                              related_name="+")  # the unique constraint leads with it
    kind = models.CharField(max_length=20)
    level = models.PositiveSmallIntegerField()
    low = models.PositiveIntegerField()
    high = models.PositiveIntegerField()
    open = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "kind", "level"],
                                               name="claimfact_unique")]


class ActTypeFact(FactFilterColumns):
    """Per event and act type: number of acts and victims (low: minimum or 1; high: maximum,
    else minimum, else 1)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, db_index=False,
                              related_name="+")
    act_type = models.CharField(max_length=80)
    acts = models.PositiveIntegerField()
    low = models.PositiveIntegerField()
    high = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "act_type"],
                                               name="acttypefact_unique")]


class ActorFact(FactFilterColumns):
    """Per event and armed actor: victims of the acts attributed to it, counted once per
    involvement (as the dashboard's join of acts and involvements does)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, db_index=False,
                              related_name="+")
    actor = models.ForeignKey(Actor, on_delete=models.DO_NOTHING, db_constraint=False,
                              db_index=False, related_name="+")
    low = models.PositiveIntegerField()
    high = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "actor"],
                                               name="actorfact_unique")]


class FactCell(models.Model):
    """The facts summed per cell of the columns access and the cheap filters read (month,
    region, cercle, confidentiality, creator, review status, published), so an unfiltered or
    place/status-filtered dashboard reads thousands of cells instead of 100k events.

    ``family`` says what is summed and ``dim`` along which value: ``e`` events (``n``);
    ``c`` claims, ``dim`` = "kind:level" (``n`` events with figures, ``low``, ``high``,
    ``open_n``); ``a`` act types and ``p`` armed actors (id), without month (``n`` events,
    ``low``, ``high``); ``m`` map areas, ``dim`` = geo precision, without month (``n``,
    ``points`` with coordinates). ``temoin.cases.facts`` adds and subtracts each event's
    contribution in the same statement set that refreshes its facts."""

    family = models.CharField(max_length=1)
    dim = models.CharField(max_length=100)
    month = models.CharField(max_length=7)
    admin1 = models.CharField(max_length=100)
    admin2 = models.CharField(max_length=100)
    confidentiality = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING,
                                   db_constraint=False, db_index=False, related_name="+")
    review_status = models.CharField(max_length=20)
    published = models.BooleanField()
    n = models.BigIntegerField(default=0)
    low = models.BigIntegerField(default=0)
    high = models.BigIntegerField(default=0)
    open_n = models.BigIntegerField(default=0)
    points = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["family", "dim", "month", "admin1", "admin2", "confidentiality",
                    "created_by", "review_status", "published"], name="factcell_unique")]
