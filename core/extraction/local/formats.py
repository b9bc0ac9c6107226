"""The output format a description asks for, applied to a chosen text value: digits only, without spaces, in
capitals or small letters (``FieldCues.formats``, ``FieldCues.no_spaces``).
"""

from __future__ import annotations

import dataclasses
import re

from core.extraction.local.cues import FieldCues
from core.extraction.local.selection import Pick

__all__ = ["formatted"]


def formatted(pick: Pick, cues: FieldCues) -> Pick:
    """The pick with its text value in the description's format (other values and empty picks unchanged).

    >>> from core.extraction.local.cues import read_cues
    >>> from core.schema import Field
    >>> cues = read_cues(Field(name="tax_no", description="The tax number, digits only."))
    >>> formatted(Pick("201/113/40209"), cues).value
    '20111340209'
    """
    value = pick.value
    if not isinstance(value, str) or not value:
        return pick
    if "digits" in cues.formats:
        value = re.sub(r"\D", "", value) or value
    elif cues.no_spaces and "as_printed" not in cues.formats:
        value = re.sub(r"\s+", "", value)
    if "upper" in cues.formats:
        value = value.upper()
    elif "lower" in cues.formats:
        value = value.lower()
    return pick if value == pick.value else dataclasses.replace(pick, value=value)
