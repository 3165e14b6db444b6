"""Parsing XML from devices safely: no DTDs, no entities, bounded size (defusedxml)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from temoin.core.intake.errors import SubmissionError

__all__ = ["MAX_XML_BYTES", "local_name", "parse_untrusted_xml"]

MAX_XML_BYTES = 20 * 1024 * 1024


def parse_untrusted_xml(data: bytes, *, what: str) -> ElementTree.Element:
    """Parse XML that came from outside; refuse DTDs, entities and input over the size cap."""
    if len(data) > MAX_XML_BYTES:
        raise SubmissionError(f"{what} is larger than {MAX_XML_BYTES} bytes")
    try:
        return fromstring(data, forbid_dtd=True)  # type: ignore[no-any-return]  # defusedxml is untyped
    except DefusedXmlException as error:
        raise SubmissionError(
            f"{what} declares a DTD or entities, which are not accepted"
        ) from error
    except (ElementTree.ParseError, ValueError) as error:
        raise SubmissionError(f"{what} is not well-formed XML ({error})") from error


def local_name(tag: str) -> str:
    """Tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]
