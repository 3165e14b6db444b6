"""Forms of the web pages. They parse and shape input; the services validate the records
(their ``ValidationFailed.fields`` are attached back to the fields here)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from temoin.cases.models import (
    ClaimKind,
    ClaimQualifier,
    Confidentiality,
    Credibility,
    GeoPrecision,
    Recipient,
    Reliability,
    ReviewStatus,
    Sex,
    ViolationStatus,
)
from temoin.web import vocab

REGIONS = ["Bamako", "Gao", "Kayes", "Kidal", "Koulikoro", "Ménaka", "Mopti", "Ségou",
           "Sikasso", "Taoudénit", "Tombouctou"]
SORTS = [("-date", _("Date (récent d'abord)")), ("date", _("Date (ancien d'abord)")),
         ("reference", _("Référence")), ("region", _("Région")), ("-updated", _("Modifié"))]


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code à 6 chiffres"), max_length=8, min_length=6,
                            widget=forms.TextInput(attrs={
                                "autocomplete": "one-time-code", "inputmode": "numeric",
                                "autofocus": True}))


class FastSelect(forms.Select):
    """A <select> rendered in Python: long vocabulary lists (hundreds of options) would
    otherwise go through one template render per option."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value])
                    if v is not None}
        options = format_html_join(
            "", "<option value=\"{}\"{}>{}</option>",
            ((code, mark_safe(" selected") if str(code) in selected else "", label)
             for code, label in self.choices))
        return format_html("<select{}>{}</select>", flatatt(final), options)


def _blank(choices: Any) -> list[tuple[Any, Any]]:
    return [("", "—"), *list(choices)]


class FilterForm(forms.Form):
    """The facets shared by the list, the map, the dashboard and the exports."""

    q = forms.CharField(label=_("Recherche"), required=False)
    date_from = forms.DateField(label=_("Du"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Au"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ChoiceField(label=_("Région"), required=False,
                               choices=_blank((r, r) for r in REGIONS))
    cercle = forms.CharField(label=_("Cercle"), required=False)
    act_type = forms.ChoiceField(label=_("Type d'acte"), required=False, widget=FastSelect)
    perpetrator = forms.ChoiceField(label=_("Auteur présumé"), required=False,
                                    widget=FastSelect)
    status = forms.ChoiceField(label=_("Statut de révision"), required=False,
                               choices=_blank(ReviewStatus.choices))
    reliability = forms.ChoiceField(label=_("Fiabilité minimale des sources"), required=False,
                                    choices=_blank(Reliability.choices))
    confidentiality = forms.ChoiceField(label=_("Confidentialité"), required=False,
                                        choices=_blank(Confidentiality.choices))
    sort = forms.ChoiceField(label=_("Tri"), required=False, choices=SORTS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Two levels are enough to filter: a filter on a term includes its descendants.
        self.fields["act_type"].choices = vocab.term_choices("act_types", max_level=1)
        self.fields["perpetrator"].choices = vocab.actor_choices()
        self.fields["cercle"].widget.attrs["list"] = "cercles"


class EventForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    start = forms.CharField(label=_("Date de début"), required=False, max_length=120,
                            help_text=_("Ex. « 27/03/2022 », « mars 2022 », "
                                        "« vers le 27 mars 2022 »"))
    end = forms.CharField(label=_("Date de fin"), required=False, max_length=120)
    place_name = forms.CharField(label=_("Lieu"), required=False, max_length=200,
                                 widget=forms.TextInput(attrs={"list": "places",
                                                               "data-autocomplete": "places"}))
    admin1 = forms.ChoiceField(label=_("Région"), required=False,
                               choices=_blank((r, r) for r in REGIONS))
    admin2 = forms.CharField(label=_("Cercle"), required=False, max_length=100,
                             widget=forms.TextInput(attrs={"list": "cercles"}))
    admin3 = forms.CharField(label=_("Commune"), required=False, max_length=100)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    geo_precision = forms.ChoiceField(label=_("Précision du lieu"),
                                      choices=GeoPrecision.choices, initial=GeoPrecision.UNKNOWN)
    violation_status = forms.ChoiceField(label=_("Qualification"),
                                         choices=ViolationStatus.choices)
    confidentiality = forms.TypedChoiceField(label=_("Confidentialité"), coerce=int,
                                             choices=Confidentiality.choices,
                                             initial=Confidentiality.INTERNAL)
    coarsen_place_when_published = forms.BooleanField(
        label=_("Publier le lieu au niveau du cercle seulement"), required=False)

    def event_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in ("start", "end"):
            if not data.get(key):
                data.pop(key, None)
        return data


class ActForm(forms.Form):
    act_type = forms.ChoiceField(label=_("Type d'acte"), required=False, widget=FastSelect)
    victim_group = forms.CharField(label=_("Victimes (groupe)"), required=False,
                                   max_length=300)
    victim_count_min = forms.IntegerField(label=_("Nombre min."), required=False, min_value=0)
    victim_count_max = forms.IntegerField(label=_("Nombre max."), required=False, min_value=0)
    victim_given_name = forms.CharField(label=_("Prénom de la victime (scellé)"),
                                        required=False, max_length=120,
                                        widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                      "data-nodraft": "1"}))
    victim_family_name = forms.CharField(label=_("Nom de la victime (scellé)"),
                                         required=False, max_length=120,
                                         widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                       "data-nodraft": "1"}))
    victim_sex = forms.ChoiceField(label=_("Sexe"), required=False, choices=_blank(Sex.choices))
    perpetrator = forms.ChoiceField(label=_("Auteur présumé"), required=False,
                                    widget=FastSelect)
    degree = forms.ChoiceField(label=_("Degré d'implication"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["act_type"].choices = vocab.term_choices("act_types")
        self.fields["perpetrator"].choices = vocab.actor_choices()
        self.fields["degree"].choices = vocab.term_choices("involvement_degrees")

    @property
    def used(self) -> bool:
        return bool(self.is_bound and self.is_valid() and any(
            v not in (None, "") for v in self.cleaned_data.values()))


class ActEditForm(forms.Form):
    act_type = forms.ChoiceField(label=_("Type d'acte"), widget=FastSelect)
    victim_group = forms.CharField(label=_("Victimes (groupe)"), required=False, max_length=300)
    victim_count_min = forms.IntegerField(label=_("Nombre min."), required=False, min_value=0)
    victim_count_max = forms.IntegerField(label=_("Nombre max."), required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["act_type"].choices = vocab.term_choices("act_types", blank=False)


class SourceForm(forms.Form):
    source_type = forms.ChoiceField(label=_("Type de source"), required=False,
                                    widget=FastSelect)
    source_title = forms.CharField(label=_("Titre de la source"), required=False,
                                   max_length=300)
    origin = forms.CharField(label=_("Origine"), required=False, max_length=200)
    reliability = forms.ChoiceField(label=_("Fiabilité (A–F)"), choices=Reliability.choices,
                                    initial=Reliability.F, required=False)
    credibility = forms.TypedChoiceField(label=_("Crédibilité (1–6)"), coerce=int,
                                         choices=Credibility.choices, initial=6,
                                         required=False, empty_value=6)
    consent = forms.MultipleChoiceField(label=_("Consentement : l'information peut aller à"),
                                        choices=Recipient.choices, required=False,
                                        initial=[Recipient.INTERNAL],
                                        widget=forms.CheckboxSelectMultiple)
    claim_kind = forms.ChoiceField(label=_("Bilan annoncé"), required=False,
                                   choices=_blank(ClaimKind.choices))
    claim_qualifier = forms.ChoiceField(label=_("Qualificatif"), choices=ClaimQualifier.choices,
                                        required=False)
    claim_min = forms.IntegerField(label=_("Min."), required=False, min_value=0)
    claim_max = forms.IntegerField(label=_("Max."), required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_type"].choices = vocab.term_choices("source_types")

    @property
    def used(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("source_title"))


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Nouveau statut"), choices=ReviewStatus.choices)
    comment = forms.CharField(label=_("Commentaire"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class RevertForm(forms.Form):
    number = forms.IntegerField(min_value=1)
    reason = forms.CharField(label=_("Raison"), max_length=500)
