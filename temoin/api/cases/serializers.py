"""Output shapes of case records. Inputs are plain JSON handed to the services, which
validate everything at once; these serializers only render."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from temoin.cases.models import Act, Actor, Event, Person, Source, Term
from temoin.cases.services.events import stored_date


def _date(record: Any, prefix: str, lang: str = "fr") -> dict[str, Any] | None:
    value = stored_date(record, prefix)
    if value is None:
        return None
    return {**value.to_dict(), "display": value.display(lang)}


class PlaceMixin(serializers.Serializer):
    place = serializers.SerializerMethodField()

    def get_place(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.place_name, "admin1": obj.admin1, "admin2": obj.admin2,
                "admin3": obj.admin3, "country": obj.country, "latitude": obj.latitude,
                "longitude": obj.longitude, "geo_precision": obj.geo_precision,
                "geonameid": obj.geonameid}


class EventListSerializer(PlaceMixin, serializers.ModelSerializer):
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "reference", "title", "start", "end", "place", "violation_status",
                  "review_status", "confidentiality", "published", "synthetic"]

    def get_start(self, obj: Event) -> dict[str, Any] | None:
        return _date(obj, "start")

    def get_end(self, obj: Event) -> dict[str, Any] | None:
        return _date(obj, "end")


class ActSerializer(PlaceMixin, serializers.ModelSerializer):
    victim = serializers.SerializerMethodField()
    start = serializers.SerializerMethodField()
    involvements = serializers.SerializerMethodField()

    class Meta:
        model = Act
        fields = ["id", "event", "act_type", "victim", "named_victims", "victim_group", "victim_count_min",
                  "victim_count_max", "victims_unknown", "start", "place", "methods", "consequences",
                  "status_at_end", "confidentiality", "involvements"]

    named_victims = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    def get_victim(self, obj: Act) -> str | None:
        return obj.victim_person.code if obj.victim_person_id else None

    def get_start(self, obj: Act) -> dict[str, Any] | None:
        return _date(obj, "start")

    def get_involvements(self, obj: Act) -> list[dict[str, Any]]:
        return [{"id": i.pk, "actor": i.actor.code if i.actor_id else None,
                 "person": i.person.code if i.person_id else None, "degree": i.degree,
                 "attributed_by": i.attributed_by_id}
                for i in obj.involvements.select_related("actor", "person")]


class SourceSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    consent_partners = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ["id", "source_type", "title", "origin", "source_text", "source_scale", "url",
                  "content", "person", "reliability", "language",
                  "date_received", "consent", "consent_partners", "confidentiality",
                  "upstream_id", "synthetic"]

    def get_person(self, obj: Source) -> str | None:
        return obj.person.code if obj.person_id else None

    def get_consent_partners(self, obj: Source) -> list[str]:
        return [o.short_name for o in obj.consent_partners.all()]


class PersonSerializer(serializers.ModelSerializer):
    """Never the identity: that has its own audited endpoint."""

    sealed_identity = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "code", "sex", "age_min", "age_max", "occupation", "locality",
                  "death_earliest", "death_latest", "death_precision", "confidentiality",
                  "sealed_identity", "synthetic"]

    def get_sealed_identity(self, obj: Person) -> bool:
        return bool(obj.identity_blob)


class ActorSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Actor
        fields = ["id", "code", "parent", "kind", "label_en", "label_fr", "aliases"]


class TermSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["code", "parent_code", "level", "label_en", "label_fr", "source", "version"]
