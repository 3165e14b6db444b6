"""Case endpoints. Each view parses input, calls one selector or service, renders."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.accounts.models import Organisation
from temoin.api.cases.serializers import (
    ActorSerializer,
    ActSerializer,
    EventListSerializer,
    PersonSerializer,
    SourceSerializer,
    TermSerializer,
)
from temoin.api.pagination import Pagination
from temoin.api.parsing import int_value
from temoin.cases import access, selectors, services
from temoin.cases.models import Actor, Term
from temoin.errors import NotFound, Problems

FILTER_PARAMS = [OpenApiParameter(name, str, description=name) for name in sorted(selectors.FILTERS)]


def _paginate(request: Request, view: APIView, queryset: Any, serializer: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        problems = Problems("request")
        problems.add("body", "body.not_object", "Un objet JSON est attendu.")
        problems.raise_if_any()
    return dict(request.data)


class EventListView(APIView):
    @extend_schema(parameters=FILTER_PARAMS, responses=EventListSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = {k: v for k, v in request.query_params.items() if k not in ("page", "page_size")}
        events = selectors.events_list(viewer=request.user, filters=filters)
        return _paginate(request, self, events, EventListSerializer)

    @extend_schema(request=dict, responses=EventListSerializer)
    def post(self, request: Request) -> Response:
        data = _body(request)
        reason = str(data.pop("reason", ""))
        event = services.event_create(actor=request.user, data=data, reason=reason)
        return Response(EventListSerializer(event).data, status=status.HTTP_201_CREATED)


def claim_data(claim: Any) -> dict[str, Any]:
    """One claim as a source states it; a withdrawn one says when and why."""
    return {"id": claim.pk, "kind": claim.kind, "source": claim.source_id,
            "source_title": claim.source.title, "reliability": claim.source.reliability,
            "count_min": claim.count_min, "count_max": claim.count_max,
            "count_best": claim.count_best, "qualifier": claim.qualifier,
            "remarks": claim.remarks, "withdrawn": claim.withdrawn_at is not None,
            "withdrawn_at": claim.withdrawn_at, "withdrawal_reason": claim.withdrawal_reason}


def history_data(target_type: str, target_id: int) -> list[dict[str, Any]]:
    return [{"number": h.number, "change": h.change, "actor": h.actor, "at": h.at,
             "reason": h.reason,
             "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in h.changes]}
            for h in selectors.record_history(target_type=target_type, target_id=target_id)]


def event_detail(viewer: Any, event: Any) -> dict[str, Any]:
    data = dict(EventListSerializer(event).data)
    data["description"] = event.description
    data["upstream_id"] = event.upstream_id
    data["upstream_meta"] = event.upstream_meta
    data["acts"] = ActSerializer(event.acts.all().order_by("pk"), many=True).data
    data["claims"] = [
        {"kind": s.kind, "low": s.low, "high": s.high,
         "by_source": [claim_data(c) for c in s.claims],
         "withdrawn": [claim_data(c) for c in s.withdrawn]}
        for s in selectors.event_claims(viewer=viewer, event=event)]
    sources = selectors.event_sources(viewer=viewer, event=event)
    data["sources"] = [
        {**SourceSerializer(s).data,
         "credibility": [i.credibility for i in s.information.filter(event=event)]}
        for s in sources]
    visible = access.visible_events(viewer).values("pk")
    data["links"] = [{"to": link.to_event.reference, "relation": link.relation}
                     for link in event.links_out.filter(to_event__in=visible)
                     .select_related("to_event")]
    return data


class EventDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        event = access.read_event(request.user, pk)
        return Response(event_detail(request.user, event))

    @extend_schema(request=dict)
    def patch(self, request: Request, pk: int) -> Response:
        event = access.access_event_by_id(request.user, pk)
        data = _body(request)
        reason = str(data.pop("reason", ""))
        event = services.event_update(actor=request.user, event=event, changes=data, reason=reason)
        return Response(event_detail(request.user, event))


class EventHistoryView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        event = access.read_event(request.user, pk)
        return Response(history_data("event", event.pk))


class EventRevertView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        event = access.access_event_by_id(request.user, pk)
        data = _body(request)
        number = int_value(data.get("number"), "number", record=f"revert of {event.reference}")
        services.version_revert(actor=request.user, target_type="event", target_id=event.pk,
                                number=number, reason=str(data.get("reason", "")))
        event.refresh_from_db()
        return Response(event_detail(request.user, event))


class EventActionView(APIView):
    """POST /events/{id}/{action}: transition, publish, share, unshare, assign, link."""

    @extend_schema(request=dict)
    def post(self, request: Request, pk: int, action: str) -> Response:
        event = access.access_event_by_id(request.user, pk)
        data = _body(request)
        user = request.user
        reason = str(data.get("reason", data.get("comment", "")))
        if action == "transition":
            services.event_transition(actor=user, event=event, to=str(data.get("to", "")),
                                      comment=reason)
        elif action == "publish":
            services.event_publish(actor=user, event=event, reason=reason)
        elif action in ("share", "unshare"):
            organisation = Organisation.objects.filter(
                short_name=data.get("organisation", "")).first()
            if organisation is None:
                raise NotFound("Organisation introuvable.")
            call = services.event_share if action == "share" else services.event_unshare
            call(actor=user, event=event, organisation=organisation, reason=reason)
        elif action == "link":
            other = access.access_event_by_id(user, data.get("to_event"))
            services.event_link(actor=user, from_event=event, to_event=other,
                                relation=str(data.get("relation", "")),
                                remarks=str(data.get("remarks", "")))
        elif action == "acts":
            act = services.act_create(actor=user, event=event, data=data.get("act", {}),
                                      reason=reason)
            return Response(ActSerializer(act).data, status=status.HTTP_201_CREATED)
        elif action == "claims":
            source = access.access_source_by_id(user, data.get("source"))
            services.claim_add(actor=user, event=event, source=source,
                               kind=str(data.get("kind", "")), count_min=data.get("count_min"),
                               count_max=data.get("count_max"),
                               qualifier=str(data.get("qualifier", "exact")),
                               remarks=str(data.get("remarks", "")))
        elif action == "information":
            source = access.access_source_by_id(user, data.get("source"))
            act = access.access_act_by_id(user, data["act"]) if data.get("act") else None
            services.information_add(actor=user, source=source, event=event, act=act,
                                     credibility=int_value(data.get("credibility"), "credibility", 6),
                                     remarks=str(data.get("remarks", "")))
        else:
            raise NotFound(f"Action inconnue : {action}.")
        event.refresh_from_db()
        return Response(event_detail(user, event))


class ActDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(ActSerializer(access.access_act_by_id(request.user, pk)).data)

    @extend_schema(request=dict)
    def patch(self, request: Request, pk: int) -> Response:
        act = access.access_act_by_id(request.user, pk)
        data = _body(request)
        reason = str(data.pop("reason", ""))
        act = services.act_update(actor=request.user, act=act, changes=data, reason=reason)
        return Response(ActSerializer(act).data)


class ActInvolvementView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        act = access.access_act_by_id(request.user, pk)
        data = _body(request)
        actor = Actor.objects.filter(code=data.get("actor")).first() if data.get("actor") else None
        if data.get("actor") and actor is None:
            raise NotFound("Acteur introuvable.")
        person = (access.access_person_by_id(request.user, data["person"])
                  if data.get("person") else None)
        source = (access.access_source_by_id(request.user, data["attributed_by"])
                  if data.get("attributed_by") else None)
        services.involvement_add(actor=request.user, act=act, degree=str(data.get("degree", "")),
                                 perpetrator_actor=actor, perpetrator_person=person,
                                 attributed_by=source, remarks=str(data.get("remarks", "")))
        act.refresh_from_db()
        return Response(ActSerializer(act).data, status=status.HTTP_201_CREATED)


class InvolvementRemoveView(APIView):
    """POST /involvements/{id}/remove/ {"reason"}: the act without it (kept in history)."""

    @extend_schema(request=dict, responses=ActSerializer)
    def post(self, request: Request, pk: int) -> Response:
        involvement = access.access_involvement_by_id(request.user, pk)
        act = involvement.act
        services.involvement_remove(actor=request.user, involvement=involvement,
                                    reason=str(_body(request).get("reason", "")))
        act.refresh_from_db()
        return Response(ActSerializer(act).data)


class ClaimDetailView(APIView):
    """GET a claim; PATCH {fields…, "reason"} corrects it (a new version)."""

    def get(self, request: Request, pk: int) -> Response:
        return Response(claim_data(access.access_claim_by_id(request.user, pk)))

    @extend_schema(request=dict)
    def patch(self, request: Request, pk: int) -> Response:
        claim = access.access_claim_by_id(request.user, pk)
        data = _body(request)
        reason = str(data.pop("reason", ""))
        claim = services.claim_update(actor=request.user, claim=claim, changes=data,
                                      reason=reason)
        return Response(claim_data(claim))


class ClaimWithdrawView(APIView):
    """POST /claims/{id}/withdraw/ {"reason"}: kept and shown as withdrawn, no longer counted."""

    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        claim = access.access_claim_by_id(request.user, pk)
        claim = services.claim_withdraw(actor=request.user, claim=claim,
                                        reason=str(_body(request).get("reason", "")))
        return Response(claim_data(claim))


class ClaimHistoryView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        claim = access.access_claim_by_id(request.user, pk)
        return Response(history_data("claim", claim.pk))


class ClaimRevertView(APIView):
    """POST /claims/{id}/revert/ {"number", "reason"} (restores a withdrawn claim too)."""

    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        claim = access.access_claim_by_id(request.user, pk)
        data = _body(request)
        number = int_value(data.get("number"), "number", record=f"revert of claim {claim.pk}")
        claim = services.version_revert(actor=request.user, target_type="claim",
                                        target_id=claim.pk, number=number,
                                        reason=str(data.get("reason", "")))
        return Response(claim_data(claim))


class PersonListView(APIView):
    def get(self, request: Request) -> Response:
        persons = access.visible_persons(request.user).order_by("pk")
        return _paginate(request, self, persons, PersonSerializer)

    @extend_schema(request=dict, responses=PersonSerializer)
    def post(self, request: Request) -> Response:
        data = _body(request)
        identity = data.pop("identity", None)
        reason = str(data.pop("reason", ""))
        person = services.person_create(actor=request.user, data=data, identity=identity,
                                        reason=reason)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(PersonSerializer(access.access_person_by_id(request.user, pk)).data)

    @extend_schema(request=dict)
    def patch(self, request: Request, pk: int) -> Response:
        person = access.access_person_by_id(request.user, pk)
        data = _body(request)
        identity = data.pop("identity", None)
        reason = str(data.pop("reason", ""))
        person = services.person_update(actor=request.user, person=person, changes=data,
                                        identity=identity, reason=reason)
        return Response(PersonSerializer(person).data)


class PersonIdentityView(APIView):
    """Decrypted identity; audited. POST so that the reason travels in the body, not the URL."""

    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        person = access.access_person_by_id(request.user, pk)
        reason = str(_body(request).get("reason", ""))
        identity = services.person_identity(viewer=request.user, person=person, reason=reason)
        return Response({"code": person.code, "identity": identity},
                        headers={"Cache-Control": "no-store"})


class PersonSearchView(APIView):
    """Exact name search through the blind index (POST: names never go in URLs)."""

    @extend_schema(request=dict)
    def post(self, request: Request) -> Response:
        data = _body(request)
        found = services.persons_find_by_name(viewer=request.user, name=str(data.get("name", "")),
                                              reason=str(data.get("reason", "")))
        return Response(PersonSerializer(found, many=True).data,
                        headers={"Cache-Control": "no-store"})


class SourceListView(APIView):
    def get(self, request: Request) -> Response:
        sources = access.visible_sources(request.user).order_by("pk")
        return _paginate(request, self, sources, SourceSerializer)

    @extend_schema(request=dict, responses=SourceSerializer)
    def post(self, request: Request) -> Response:
        data = _body(request)
        reason = str(data.pop("reason", ""))
        source = services.source_create(actor=request.user, data=data, reason=reason)
        return Response(SourceSerializer(source).data, status=status.HTTP_201_CREATED)


class SourceDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(SourceSerializer(access.read_source(request.user, pk)).data)

    @extend_schema(request=dict)
    def patch(self, request: Request, pk: int) -> Response:
        source = access.access_source_by_id(request.user, pk)
        data = _body(request)
        reason = str(data.pop("reason", ""))
        source = services.source_update(actor=request.user, source=source, changes=data,
                                        reason=reason)
        return Response(SourceSerializer(source).data)


class ActorListView(APIView):
    def get(self, request: Request) -> Response:
        return _paginate(request, self, Actor.objects.select_related("parent").order_by("code"),
                         ActorSerializer)


class VocabularyView(APIView):
    def get(self, request: Request, name: str) -> Response:
        terms = Term.objects.filter(vocabulary=name, active=True).order_by("level", "code")
        if not terms.exists():
            raise NotFound(f"Vocabulaire inconnu : {name}.")
        return Response(TermSerializer(terms, many=True).data)
