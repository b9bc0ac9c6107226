"""Schema from a plain-language request, for the user to review (never saved): with an LLM when one is
configured, else (or when it fails) with the offline parser of ``core.request_parser``.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel
from pydantic import Field as PydField

from core.config import get_settings
from core.errors import FieldbenchError, SchemaError, SchemaProblem
from core.guide.describe import build_description
from core.guide.request import identifier, parse_request, unique_names
from core.llm.client import structured_completion
from core.schema import ITEM_NAME, Field, validate_fields
from core.vocabulary.words import name_words

__all__ = ["Draft", "draft_schema", "draft_fields", "parse_request"]

log = logging.getLogger(__name__)


class Draft(BaseModel):
    """Fields drafted from a request, with where they came from."""

    fields: list[Field] = PydField(description="The drafted fields, for review; nothing is saved.")
    source: Literal["offline", "llm"] = PydField(description="Who drafted them.")
    note: str | None = PydField(default=None, description="E.g. 'drafted offline because the LLM failed: ...'.")


# ---- LLM drafting ----------------------------------------------------------------------------------------


class _DraftColumn(BaseModel):
    name: str = PydField(description="snake_case identifier")
    type: Literal["string", "number", "integer", "boolean", "date", "enum"]
    description: str = PydField(description="What the value is, its printed labels, where it is, output format.")
    values: list[str] = PydField(default_factory=list, description="Allowed values when type is enum.")


class _DraftField(_DraftColumn):
    type: Literal["string", "number", "integer", "boolean", "date", "enum", "array", "object"]  # type: ignore[assignment]
    item_type: Literal["string", "number", "integer", "boolean", "date", "enum", "object"] | None = PydField(
        default=None, description="For arrays: the type of one element ('object' for table rows)."
    )
    properties: list[_DraftColumn] = PydField(
        default_factory=list, description="Columns of an array of objects, or the parts of an object."
    )


class _DraftAnswer(BaseModel):
    fields: list[_DraftField]


_SYSTEM = (
    "You design extraction schemas for business documents. From the user's request, list the fields to "
    "extract. "
    "Names are snake_case identifiers. Types: amounts, prices, totals and quantities are number; counts are "
    "integer; dates are date; yes/no questions are boolean; a fixed set of options is enum with its values; "
    "identifiers such as invoice numbers are string. Repeated rows such as line items are an array with "
    "item_type object and their columns as properties. Each description says what the value is, the labels "
    "it is printed under (English, German, French), where it usually is on the page and the output format "
    "(dates returned as YYYY-MM-DD, amounts as a plain number with a dot as decimal separator)."
)


def _from_llm(column: _DraftColumn | _DraftField) -> Field:
    name = identifier(name_words(column.name))
    f = Field(name=name, type=column.type, description=column.description.strip())
    if column.type == "enum":
        f.values = list(dict.fromkeys(v for v in column.values if str(v).strip()))
        if not f.values:
            f.type = "string"
    if isinstance(column, _DraftField) and column.type in ("array", "object"):
        props = unique_names([_from_llm(c) for c in column.properties])
        if column.type == "object":
            f.properties = props
        elif column.item_type == "object" or props:
            f.items = Field(name=ITEM_NAME, type="object", properties=props)
        else:
            f.items = Field(name=ITEM_NAME, type=column.item_type or "string")
    if not f.description:
        f.description = build_description(f)
    return f


def _llm_draft(request: str) -> list[Field]:
    answer = structured_completion(
        _DraftAnswer,
        [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": request}],
    )
    fields = unique_names([_from_llm(f) for f in answer.parsed.fields])
    if not fields:
        raise SchemaError([SchemaProblem("request", "the LLM proposed no fields")])
    problems = validate_fields(fields)
    if problems:
        raise SchemaError(problems)
    return fields


def draft_schema(request: str, llm: bool = True) -> Draft:
    """Draft fields from a request, with the LLM when one is configured, else (or when it fails) offline.

    Args:
        request: what to extract, in plain language.
        llm: try the configured LLM first (ignored when none is configured).

    Returns:
        A Draft: the fields, ``source`` ("offline" or "llm") and a ``note`` saying why the LLM was not used
        when it failed.

    Raises:
        SchemaError: the request is empty or names no field.
    """
    offline = parse_request(request)  # validates the request first, so an empty one never reaches the LLM
    if not llm:
        return Draft(fields=offline, source="offline")
    if not get_settings().llm_configured:
        return Draft(fields=offline, source="offline")
    try:
        return Draft(fields=_llm_draft(request), source="llm")
    except FieldbenchError as err:
        log.warning("drafting offline because the LLM failed: %s", err)
        return Draft(fields=offline, source="offline", note=f"drafted offline because the LLM failed: {err}")


def draft_fields(request: str, llm: bool = True) -> list[Field]:
    """The fields of :func:`draft_schema` (for callers that do not need to know who drafted them).

    >>> [f.name for f in draft_fields("invoice number and all tracking numbers", llm=False)]
    ['invoice_number', 'tracking_numbers']
    """
    return draft_schema(request, llm=llm).fields
