"""The XLSForm sheets of Témoin's field forms, bilingual French/English, as plain data.

Two forms: ``temoin_incident`` (a monitor's incident report) and ``temoin_testimony`` (a
testimony interview, consent first). French is the default language. Choice codes for act
types are Témoin's act-type vocabulary codes. The testimony form records a *pseudonym*,
never the witness's name or contact: those stay in the organisation's protected register.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORM_DEFINITIONS", "FORM_VERSION"]

FORM_VERSION = "2026112701"
EN, FR = "label::English (en)", "label::Français (fr)"
HINT_EN, HINT_FR = "hint::English (en)", "hint::Français (fr)"
Row = dict[str, Any]


def _q(type_: str, name: str, en: str, fr: str, **extra: str) -> Row:
    row: Row = {"type": type_, "name": name, EN: en, FR: fr}
    row.update(extra)
    return row


def _c(list_name: str, name: str, en: str, fr: str) -> Row:
    return {"list_name": list_name, "name": name, EN: en, FR: fr}


_ACT_TYPES = [
    ("killing", "Killing", "Meurtre"),
    ("summary_execution", "Summary execution", "Exécution sommaire"),
    ("massacre", "Massacre or mass killing", "Massacre ou tuerie de masse"),
    ("physical_assault", "Physical assault", "Agression physique"),
    ("torture", "Torture", "Torture"),
    ("ill_treatment", "Ill-treatment", "Mauvais traitements"),
    ("sexual_violence", "Sexual violence", "Violences sexuelles"),
    ("abduction", "Abduction, kidnapping", "Enlèvement"),
    ("enforced_disappearance", "Enforced disappearance", "Disparition forcée"),
    ("arbitrary_detention", "Arbitrary detention", "Détention arbitraire"),
    ("looting", "Looting, theft", "Pillage, vol"),
    ("livestock_theft", "Livestock theft", "Vol de bétail"),
    ("destruction_of_property", "Destruction of property", "Destruction de biens"),
    ("burning_of_dwellings", "Burning of houses or granaries", "Incendie de maisons ou greniers"),
    ("forced_displacement", "Forced displacement", "Déplacement forcé"),
    ("attack_on_civilians", "Attack on civilians", "Attaque contre des civils"),
    ("attack_on_schools", "Attack on a school", "Attaque contre une école"),
    ("attack_on_health_care", "Attack on health care", "Attaque contre les soins de santé"),
    ("other", "Other", "Autre"),
]
_REGIONS = [
    ("bamako", "Bamako", "Bamako"), ("kayes", "Kayes", "Kayes"),
    ("koulikoro", "Koulikoro", "Koulikoro"), ("sikasso", "Sikasso", "Sikasso"),
    ("segou", "Ségou", "Ségou"), ("mopti", "Mopti", "Mopti"),
    ("tombouctou", "Timbuktu", "Tombouctou"), ("gao", "Gao", "Gao"), ("kidal", "Kidal", "Kidal"),
    ("menaka", "Ménaka", "Ménaka"), ("taoudenit", "Taoudénit", "Taoudénit"),
    ("other", "Other / new region", "Autre / nouvelle région"),
]  # fmt: skip
_PERPETRATORS = [
    ("state_forces", "Malian state forces", "Forces de l'État malien"),
    ("foreign_forces", "Foreign forces", "Forces étrangères"),
    ("jihadist_group", "Jihadist armed group", "Groupe armé djihadiste"),
    ("militia", "Militia or self-defence group", "Milice ou groupe d'autodéfense"),
    ("armed_movement", "Armed movement (north)", "Mouvement armé (nord)"),
    ("unknown", "Unknown", "Inconnu"),
    ("other", "Other", "Autre"),
]
_SOURCE_TYPES = [
    ("victim", "Victim", "Victime"), ("direct_witness", "Direct witness", "Témoin direct"),
    ("relative", "Relative of a victim", "Proche d'une victime"),
    ("community_leader", "Community leader", "Responsable communautaire"),
    ("media", "Media or social media", "Médias ou réseaux sociaux"),
    ("other", "Other", "Autre"),
]  # fmt: skip
_YES_NO = [("yes", "Yes", "Oui"), ("no", "No", "Non")]
_DATE_PRECISION = [
    ("day", "Exact day", "Jour exact"), ("week", "Within a week", "À la semaine près"),
    ("month", "Within a month", "Au mois près"), ("year", "Year only", "Année seulement"),
]  # fmt: skip

_COMMON_CHOICES: list[Row] = [
    *(_c("act_types", *item) for item in _ACT_TYPES),
    *(_c("regions", *item) for item in _REGIONS),
    *(_c("perpetrators", *item) for item in _PERPETRATORS),
    *(_c("yes_no", *item) for item in _YES_NO),
    *(_c("date_precision", *item) for item in _DATE_PRECISION),
]

_INCIDENT_SURVEY: list[Row] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    _q(
        "note",
        "intro",
        "Incident report. Write only what you know; say when you are unsure.",
        "Rapport d'incident. N'écrivez que ce que vous savez ; dites-le quand vous n'êtes pas sûr.",
    ),
    _q(
        "date",
        "incident_date",
        "Date of the incident",
        "Date de l'incident",
        required="yes",
        constraint=". <= today()",
    ),
    _q(
        "select_one date_precision",
        "date_precision",
        "How precise is this date?",
        "Quelle est la précision de cette date ?",
        required="yes",
    ),
    _q(
        "text",
        "location_name",
        "Village or place",
        "Village ou lieu",
        required="yes",
        **{
            HINT_EN: "As people there write it, e.g. Ogossagou-Peulh",
            HINT_FR: "Comme on l'écrit sur place, ex. Ogossagou-Peulh",
        },
    ),
    _q("select_one regions", "region", "Region", "Région", required="yes"),
    _q("text", "cercle", "Cercle", "Cercle"),
    _q("text", "commune", "Commune", "Commune"),
    _q(
        "geopoint",
        "gps",
        "GPS position (only if you are at the place)",
        "Position GPS (seulement si vous êtes sur le lieu)",
    ),
    _q(
        "select_multiple act_types",
        "act_types",
        "What happened?",
        "Que s'est-il passé ?",
        required="yes",
    ),
    _q(
        "select_one perpetrators",
        "perpetrator_type",
        "Who is said to be responsible?",
        "Qui serait responsable ?",
        required="yes",
    ),
    _q(
        "text",
        "perpetrator_description",
        "Describe them (uniforms, vehicles, language…)",
        "Décrivez-les (tenues, véhicules, langue…)",
    ),
    _q(
        "integer",
        "killed_min",
        "Number of people killed (at least)",
        "Nombre de personnes tuées (au moins)",
        constraint=". >= 0",
    ),
    _q(
        "integer",
        "killed_max",
        "Number of people killed (at most)",
        "Nombre de personnes tuées (au plus)",
        constraint=". >= ${killed_min}",
        relevant="${killed_min} != ''",
    ),
    _q("integer", "injured", "Number of people injured", "Nombre de blessés", constraint=". >= 0"),
    _q(
        "text",
        "description",
        "What happened, in your words",
        "Ce qui s'est passé, avec vos mots",
        required="yes",
        appearance="multiline",
    ),
    _q(
        "select_one source_types",
        "source_type",
        "How do you know?",
        "Comment le savez-vous ?",
        required="yes",
    ),
    _q("image", "photo", "Photo (optional)", "Photo (facultatif)"),
    _q("file", "document", "Document (optional)", "Document (facultatif)"),
]

_TESTIMONY_SURVEY: list[Row] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    _q("date", "interview_date", "Date of the interview", "Date de l'entretien", required="yes"),
    _q(
        "select_one interview_modes",
        "interview_mode",
        "Interview by",
        "Entretien par",
        required="yes",
    ),
    _q(
        "select_one yes_no",
        "consent_informed",
        "Has the person been told why we record this, who will see it, and that they may stop?",
        "La personne a-t-elle été informée du but, de qui verra ces informations, et qu'elle peut arrêter ?",
        required="yes",
    ),
    _q(
        "note",
        "no_consent",
        "Without informed consent, stop here and save the form.",
        "Sans consentement éclairé, arrêtez-vous ici et enregistrez le formulaire.",
        relevant="${consent_informed} = 'no'",
    ),
    {
        "type": "begin_group",
        "name": "testimony",
        "relevant": "${consent_informed} = 'yes'",
        EN: "Testimony",
        FR: "Témoignage",
    },
    _q(
        "select_one yes_no",
        "consent_recording",
        "May we record the audio?",
        "Pouvons-nous enregistrer l'audio ?",
        required="yes",
    ),
    _q(
        "select_one yes_no",
        "consent_sharing",
        "May the account be shared (without name) with UN or justice bodies?",
        "Le récit peut-il être partagé (sans nom) avec l'ONU ou la justice ?",
        required="yes",
    ),
    _q(
        "text",
        "witness_pseudonym",
        "Pseudonym or code of the person (never the real name)",
        "Pseudonyme ou code de la personne (jamais le vrai nom)",
        required="yes",
    ),
    _q(
        "select_one source_types",
        "witness_role",
        "The person is…",
        "La personne est…",
        required="yes",
    ),
    _q("select_one sexes", "witness_sex", "Sex", "Sexe"),
    _q("select_one age_ranges", "witness_age_range", "Age range", "Tranche d'âge"),
    _q("date", "incident_date", "Date of the events", "Date des faits", required="yes"),
    _q(
        "select_one date_precision",
        "date_precision",
        "How precise is this date?",
        "Quelle est la précision de cette date ?",
        required="yes",
    ),
    _q(
        "text",
        "location_name",
        "Village or place of the events",
        "Village ou lieu des faits",
        required="yes",
    ),
    _q("select_one regions", "region", "Region", "Région", required="yes"),
    _q("text", "cercle", "Cercle", "Cercle"),
    _q(
        "select_multiple act_types",
        "act_types",
        "What did the person see or suffer?",
        "Qu'a vu ou subi la personne ?",
        required="yes",
    ),
    _q(
        "select_one perpetrators",
        "perpetrator_type",
        "Who does the person say was responsible?",
        "Qui la personne désigne-t-elle comme responsable ?",
    ),
    _q(
        "text",
        "perpetrator_description",
        "How the person describes them",
        "Comment la personne les décrit",
    ),
    _q(
        "integer",
        "victims_min",
        "Number of victims the person knows of (at least)",
        "Nombre de victimes connues de la personne (au moins)",
        constraint=". >= 0",
    ),
    _q(
        "integer",
        "victims_max",
        "Number of victims (at most)",
        "Nombre de victimes (au plus)",
        constraint=". >= ${victims_min}",
        relevant="${victims_min} != ''",
    ),
    _q(
        "text",
        "account",
        "The account, in the person's words",
        "Le récit, avec les mots de la personne",
        required="yes",
        appearance="multiline",
    ),
    _q("select_multiple risks", "risks", "Risks to the person", "Risques pour la personne"),
    _q("select_multiple needs", "needs", "Needs for referral", "Besoins d'orientation"),
    _q(
        "audio",
        "recording",
        "Audio recording",
        "Enregistrement audio",
        relevant="${consent_recording} = 'yes'",
    ),
    _q(
        "text",
        "interviewer_notes",
        "Interviewer's notes",
        "Notes de l'enquêteur",
        appearance="multiline",
    ),
    {"type": "end_group", "name": "testimony"},
]

_TESTIMONY_CHOICES: list[Row] = [
    *_COMMON_CHOICES,
    *(_c("source_types", *item) for item in _SOURCE_TYPES),
    _c("interview_modes", "in_person", "In person", "En personne"),
    _c("interview_modes", "phone", "Phone", "Téléphone"),
    _c("interview_modes", "video", "Video call", "Appel vidéo"),
    _c("sexes", "female", "Female", "Femme"),
    _c("sexes", "male", "Male", "Homme"),
    _c("sexes", "not_said", "Prefers not to say", "Préfère ne pas dire"),
    _c("age_ranges", "under_18", "Under 18", "Moins de 18 ans"),
    _c("age_ranges", "18_29", "18–29", "18–29 ans"),
    _c("age_ranges", "30_49", "30–49", "30–49 ans"),
    _c("age_ranges", "50_plus", "50 or more", "50 ans ou plus"),
    _c("risks", "none", "None known", "Aucun connu"),
    _c("risks", "threats", "Has received threats", "A reçu des menaces"),
    _c("risks", "reprisals_feared", "Fears reprisals", "Craint des représailles"),
    _c("risks", "displaced", "Displaced", "Déplacée"),
    _c("needs", "none", "None", "Aucun"),
    _c("needs", "medical", "Medical", "Médical"),
    _c("needs", "psychosocial", "Psychosocial", "Psychosocial"),
    _c("needs", "legal", "Legal", "Juridique"),
    _c("needs", "protection", "Protection", "Protection"),
]

FORM_DEFINITIONS: dict[str, dict[str, Any]] = {
    "temoin_incident": {
        "title_en": "Incident report",
        "title_fr": "Rapport d'incident",
        "survey": _INCIDENT_SURVEY,
        "choices": [*_COMMON_CHOICES, *(_c("source_types", *item) for item in _SOURCE_TYPES)],
    },
    "temoin_testimony": {
        "title_en": "Testimony interview",
        "title_fr": "Entretien de témoignage",
        "survey": _TESTIMONY_SURVEY,
        "choices": _TESTIMONY_CHOICES,
    },
}
