"""The date parser's problems in the viewer's language (the core reports codes and English
text; the web layer shows its own translated message), and French partial dates accepted."""

from __future__ import annotations

import re

import pytest

from temoin.cases.models import Event
from tests.web.conftest import signed_in

BASE = {"geo_precision": "unknown", "violation_status": "alleged", "confidentiality": "1",
        "act_count": "0"}

CASES = [
    ("31/02/2022", "date.impossible", "Date « 31/02/2022 » impossible",
     "Date “31/02/2022” is impossible"),
    ("27/03/22", "date.ambiguous_year", "écrivez l’année avec quatre chiffres",
     "write the year with four digits"),
    ("n’importe quand", "date.unparseable", "non comprise ; écrivez par ex.",
     "not understood; write for example"),
    ("2099-01-01", "date.future", "est dans le futur", "is in the future"),
    ("1750", "date.out_of_range", "l’année doit être comprise entre 1800 et 9998",
     "the year must be between 1800 and 9998"),
    ("2022-05-03 au 2022-05-01", "date.reversed_range", "la fin précède le début",
     "the end comes before the start"),
]


def _error(html: str) -> str:
    match = re.search(r'id="id_start-error">([^<]+)</p>', html)
    assert match, "no error next to the date field"
    return match.group(1)


@pytest.mark.parametrize(("text", "code", "french", "english"), CASES)
def test_date_problems_in_french_then_english(world, text, code, french, english):
    from temoin.core.dates import DateError, parse_partial_date

    with pytest.raises(DateError) as raised:  # the core's code is what the web layer maps
        parse_partial_date(text, today=__import__("datetime").date(2026, 1, 1))
    assert raised.value.code == code
    client = signed_in(world, "analyst")
    data = {**BASE, "title": "[SYNTHÉTIQUE] date", "start": text}
    response = client.post("/evenements/nouveau/", data)
    assert response.status_code == 400
    message = _error(response.content.decode())
    assert french in message.replace("&#x27;", "’").replace("&rsquo;", "’")
    assert raised.value.message not in message  # never the core's English text in French
    client.post("/langue/", {"language": "en", "next": "/"})
    message = _error(client.post("/evenements/nouveau/", data).content.decode())
    assert english in message.replace("&#x27;", "'").replace("&rsquo;", "’")
    assert Event.objects.count() == 0


def test_end_before_start_is_reported_on_the_end_field(world):
    client = signed_in(world, "analyst")
    data = {**BASE, "title": "[SYNTHÉTIQUE] période", "start": "mars 2022", "end": "2021"}
    html = client.post("/evenements/nouveau/", data).content.decode()
    assert re.search(r'id="id_end-error">La date de fin précède la date de début.</p>', html)


@pytest.mark.parametrize(("text", "precision", "earliest", "latest"), [
    ("March 2022", "month", "2022-03-01", "2022-03-31"),
    ("mars 2022", "month", "2022-03-01", "2022-03-31"),
    ("vers le 27 mars 2022", "approximate", None, None),
    ("around 2022-03-27", "approximate", None, None),
    ("début mars 2022", "range", "2022-03-01", "2022-03-10"),
    ("du 3 au 5 mars 2022", "range", "2022-03-03", "2022-03-05"),
])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_partial_dates_accepted_in_either_language(world, language, text, precision,
                                                    earliest, latest):
    client = signed_in(world, "analyst")
    client.post("/langue/", {"language": language, "next": "/"})
    title = f"[SYNTHÉTIQUE] {text} {language}"
    response = client.post("/evenements/nouveau/", {**BASE, "title": title, "start": text})
    assert response.status_code == 302
    event = Event.objects.get(title=title)
    assert event.start_precision == precision and event.start_text == text
    if earliest:
        assert (event.start_earliest.isoformat(), event.start_latest.isoformat()) == \
            (earliest, latest)
