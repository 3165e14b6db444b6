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


class EvidenceUploadForm(forms.Form):
    """A file for the vault, attached to the event (or one of its acts) and optionally to
    one of its sources. The reason enters the permanent custody log."""

    file = forms.FileField(label=_("Fichier"))
    attach_to = forms.ChoiceField(label=_("Rattacher à"))
    source = forms.ChoiceField(label=_("Source (facultatif)"), required=False)
    reason = forms.CharField(label=_("Raison (entre dans le registre de garde ; jamais de nom)"),
                             max_length=500)
    declared_sha256 = forms.RegexField(
        label=_("SHA-256 annoncé par l’expéditeur (facultatif)"), required=False,
        regex=r"^[0-9a-fA-F]{64}$", max_length=64,
        error_messages={"invalid": _("64 caractères hexadécimaux.")})

    def __init__(self, *args: Any, event: Any, acts: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attach_to"].choices = [("event", _("l’évènement %(ref)s") % {
            "ref": event.reference})] + [
            (f"act-{act.pk}", _("l’acte n° %(n)s (%(type)s)") % {
                "n": act.pk, "type": getattr(act, "type_label", act.act_type)})
            for act in acts]
        self.fields["source"].choices = _blank((str(s.pk), s.title) for s in sources)


class OriginalForm(forms.Form):
    reason = forms.CharField(label=_("Raison de l’accès (registre de garde)"), max_length=500)


IMPORT_KINDS = [("acled", _("ACLED (CSV, avec ou sans ligne HXL)")),
                ("acled_json", _("ACLED (JSON de l’API)")),
                ("ucdp", _("UCDP GED (CSV)")),
                ("table", _("Tableau CSV/XLSX avec un profil de correspondance")),
                ("uwazi", _("Export CSV d’Uwazi avec un profil")),
                ("odk_export", _("Export ODK Central / KoBo (CSV ou ZIP)"))]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de fichier"), choices=IMPORT_KINDS)
    file = forms.FileField(label=_("Fichier"))
    saved_profile = forms.ChoiceField(label=_("Profil enregistré (tableaux, Uwazi)"),
                                      required=False)
    profile = forms.CharField(label=_("… ou profil JSON"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    geocode = forms.BooleanField(label=_("Géocoder les lieux (si le répertoire est installé)"),
                                 required=False, initial=True)
    flag_deletions = forms.BooleanField(
        label=_("Export complet : signaler les enregistrements disparus en amont"),
        required=False, initial=True)

    def __init__(self, *args: Any, profiles: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["saved_profile"].choices = _blank(profiles)


class QuarantineRetryForm(forms.Form):
    """One text field per column of the verbatim row (built from the row)."""

    def __init__(self, *args: Any, raw: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, (name, value) in enumerate(raw.items()):
            self.fields[f"c{index}"] = forms.CharField(
                label=name, required=False, initial="" if value is None else str(value))
        self.columns = list(raw)

    def fixes(self, raw: dict[str, Any]) -> dict[str, str]:
        out = {}
        for index, name in enumerate(self.columns):
            value = self.cleaned_data.get(f"c{index}", "")
            if value != ("" if raw[name] is None else str(raw[name])):
                out[name] = value
        return out


class InvolvementForm(forms.Form):
    act = forms.ChoiceField(label=_("Acte"))
    perpetrator = forms.ChoiceField(label=_("Auteur présumé"), widget=FastSelect)
    degree = forms.ChoiceField(label=_("Degré d’implication"))
    attributed_by = forms.ChoiceField(label=_("Attribué par la source"), required=False)
    remarks = forms.CharField(label=_("Remarques"), required=False, max_length=500)

    def __init__(self, *args: Any, acts: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["act"].choices = [(str(a.pk), _("n° %(n)s — %(type)s") % {
            "n": a.pk, "type": a.type_label}) for a in acts]
        self.fields["perpetrator"].choices = vocab.actor_choices()  # a choice, never a default
        self.fields["degree"].choices = vocab.term_choices("involvement_degrees")
        self.fields["attributed_by"].choices = _blank((str(s.pk), s.title) for s in sources)


class EventSourceForm(SourceForm):
    """A new source for an existing event (the create form's source block, claim included)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_title"].required = True


class CredibilityForm(forms.Form):
    source = forms.IntegerField(widget=forms.HiddenInput)
    credibility = forms.TypedChoiceField(label=_("Crédibilité"), coerce=int,
                                         choices=Credibility.choices)


class ClaimForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"))
    kind = forms.ChoiceField(label=_("Bilan"), choices=ClaimKind.choices)
    qualifier = forms.ChoiceField(label=_("Qualificatif"), choices=ClaimQualifier.choices)
    count_min = forms.IntegerField(label=_("Min."), min_value=0)
    count_max = forms.IntegerField(label=_("Max."), required=False, min_value=0)

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(str(s.pk), s.title) for s in sources]


class SourceEditForm(forms.Form):
    source_type = forms.ChoiceField(label=_("Type de source"), widget=FastSelect)
    title = forms.CharField(label=_("Titre"), max_length=300)
    origin = forms.CharField(label=_("Origine"), required=False, max_length=200)
    reliability = forms.ChoiceField(label=_("Fiabilité (A–F)"), choices=Reliability.choices)
    consent = forms.MultipleChoiceField(label=_("Consentement : l'information peut aller à"),
                                        choices=Recipient.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_type"].choices = vocab.term_choices("source_types", blank=False)


class WorkingCopyForm(forms.Form):
    """A working copy (redaction, transcript, translation, clip) stored beside its original."""

    file = forms.FileField(label=_("Fichier de la copie de travail"))
    operation = forms.CharField(label=_("Opération (ex. floutage des visages, transcription)"),
                                max_length=200)
    tool = forms.CharField(label=_("Outil"), required=False, max_length=120)
    tool_version = forms.CharField(label=_("Version de l’outil"), required=False,
                                   max_length=60)
    redacted = forms.BooleanField(label=_("Copie caviardée (peut aller aux destinataires non "
                                          "judiciaires)"), required=False)
    reason = forms.CharField(label=_("Raison (registre de garde ; jamais de nom)"),
                             max_length=500)


class InvolvementRemoveForm(forms.Form):
    """Remove one perpetrator of an act (kept in its history, with the reason)."""

    involvement = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Raison du retrait"), max_length=500)


class ClaimCorrectForm(forms.Form):
    """Correct the figures of one claim (a new version; the earlier figures stay in history)."""

    claim = forms.IntegerField(widget=forms.HiddenInput)
    qualifier = forms.ChoiceField(label=_("Qualificatif"), choices=ClaimQualifier.choices)
    count_min = forms.IntegerField(label=_("Min."), min_value=0)
    count_max = forms.IntegerField(label=_("Max."), required=False, min_value=0)
    reason = forms.CharField(label=_("Raison de la correction"), max_length=500)


class ClaimWithdrawForm(forms.Form):
    """Withdraw one claim: it stays on the event, marked withdrawn, and is no longer counted."""

    claim = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Raison du retrait"), max_length=500)
