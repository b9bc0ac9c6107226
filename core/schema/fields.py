"""Fields and workflows: the one definition that gives the JSON Schema, the LLM response model and the form.

The models (``Field``, ``Workflow``, ``WorkflowDraft``) and their validation, every problem with its path.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import keyword
import math
import re
import uuid
from collections.abc import Iterable
from typing import Literal

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel
from pydantic import Field as PydField

from core.documents import DocumentSpec
from core.errors import SchemaError, SchemaProblem
from core.schema.limits import MAX_DESCRIPTION_CHARS, MAX_ENUM_VALUES, MAX_FIELD_DEPTH, MAX_FIELDS, MAX_NAME_CHARS

__all__ = [
    "FieldType",
    "ScalarType",
    "SCALAR_TYPES",
    "FIELD_TYPES",
    "ITEM_TYPES",
    "ITEM_NAME",
    "EnumValue",
    "Field",
    "Workflow",
    "WorkflowDraft",
    "is_identifier",
    "enum_json_type",
    "validate_fields",
    "check_fields",
    "check_thumbnail",
    "THUMBNAIL_TYPES",
    "validate_workflow",
    "check_workflow",
    "field_at",
    "split_path",
]

FieldType = Literal["string", "number", "integer", "boolean", "date", "enum", "array", "object"]
ScalarType = Literal["string", "number", "integer", "boolean", "date", "enum"]
SCALAR_TYPES: frozenset[str] = frozenset({"string", "number", "integer", "boolean", "date", "enum"})
FIELD_TYPES: tuple[str, ...] = ("string", "number", "integer", "boolean", "date", "enum", "object", "array")
# What an array may hold: one scalar type, or objects (e.g. line items with their columns).
ITEM_TYPES: tuple[str, ...] = ("string", "number", "integer", "boolean", "date", "enum", "object")

EnumValue = str | int | float | bool

# The name given to the element field of an array; it is never shown as a field of its own.
ITEM_NAME = "item"


class Field(BaseModel):
    """One field to extract.

    An ``array`` has ``items`` (a scalar field, or an ``object`` field whose ``properties`` are the item
    fields, e.g. line items); an ``object`` has ``properties``; an ``enum`` has ``values``.
    """

    name: str = PydField(description="Identifier: letters, digits and underscores, no leading digit.")
    type: FieldType = PydField(default="string", description="The value's type.")
    description: str = PydField(default="", description="What to extract, where it is, and in which format.")
    required: bool = PydField(default=False, description="Whether every document must have a value.")
    values: list[EnumValue] = PydField(default_factory=list, description="The allowed values of an enum.")
    items: Field | None = PydField(default=None, description="The element of an array.")
    properties: list[Field] = PydField(default_factory=list, description="The sub-fields of an object.")

    @property
    def is_scalar(self) -> bool:
        """True for string, number, integer, boolean, date and enum fields."""
        return self.type in SCALAR_TYPES

    @property
    def item_fields(self) -> list[Field]:
        """The sub-fields of an array of objects (e.g. a line item's columns); empty otherwise."""
        if self.type == "array" and self.items is not None and self.items.type == "object":
            return self.items.properties
        return []

    @property
    def sub_fields(self) -> list[Field]:
        """The fields under this one: an object's properties or an array of objects' item fields."""
        if self.type == "object":
            return self.properties
        return self.item_fields

    @property
    def has_sub_fields(self) -> bool:
        """True for objects and arrays of objects: the fields that have columns of their own."""
        return self.type == "object" or (
            self.type == "array" and self.items is not None and self.items.type == "object"
        )


class Workflow(BaseModel):
    """An extraction workflow: metadata, document specification, fields, and the version of the fields."""

    id: str = PydField(default_factory=lambda: str(uuid.uuid4()), description="UUID of the workflow.")
    name: str
    description: str = ""
    thumbnail: bytes | None = PydField(default=None, description="PNG or JPEG bytes shown in lists.")
    spec: DocumentSpec = PydField(default_factory=DocumentSpec)
    fields: list[Field] = PydField(default_factory=list)
    version: int = PydField(default=1, description="Version of the fields; every saved change adds one.")
    created_at: _dt.datetime = PydField(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc))
    updated_at: _dt.datetime | None = PydField(
        default=None,
        description="When it was last saved (None before its first save); a save from an older copy is refused.",
    )

    def field(self, name: str) -> Field:
        """The top-level field called ``name`` (KeyError when there is none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


class WorkflowDraft(BaseModel):
    """A workflow definition read from a file or drafted from a request, before it is saved."""

    name: str = PydField(default="", description="Name from the file (dataset name or schema title).")
    description: str = PydField(default="", description="Description from the file, if any.")
    fields: list[Field] = PydField(default_factory=list, description="The fields, validated.")


# --------------------------------------------------------------------------- validation


def is_identifier(name: str) -> bool:
    """Whether ``name`` can be a field name: a Python identifier that is not a keyword.

    >>> is_identifier("invoice_number"), is_identifier("2nd_total"), is_identifier("class")
    (True, False, False)
    """
    return name.isidentifier() and not keyword.iskeyword(name)


def enum_json_type(values: Iterable[EnumValue]) -> str | None:
    """The JSON Schema type shared by all enum ``values`` (None when they mix types or are empty).

    >>> [enum_json_type(v) for v in (["EUR", "USD"], [1, 2], [1, 2.5], [1, "a"])]
    ['string', 'integer', 'number', None]
    """
    kinds = set()
    for value in values:
        if isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            kinds.add("integer")
        elif isinstance(value, float):
            kinds.add("number")
        else:
            kinds.add("string")
    if kinds == {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 else None


def _field_path(parent: str, field: Field, index: int) -> str:
    label = field.name.strip() or f"#{index + 1}"
    return f"{parent}.{label}" if parent else label


def _validate_level(fields: list[Field], parent: str, problems: list[SchemaProblem]) -> None:
    seen: dict[str, int] = {}
    for index, field in enumerate(fields):
        path = _field_path(parent, field, index)
        name = field.name.strip()
        if not name:
            problems.append(SchemaProblem(path, "the field has no name"))
        elif not is_identifier(name):
            reason = (
                "is a Python keyword; choose another name"
                if keyword.iskeyword(name)
                else "is not an identifier: use letters, digits and underscores, not starting with a digit"
            )
            problems.append(SchemaProblem(path, f"name {name!r} {reason}"))
        if name:
            if name in seen:
                problems.append(SchemaProblem(path, f"duplicate field name {name!r} (also field #{seen[name] + 1})"))
            else:
                seen[name] = index
        _validate_type(field, path, problems)


def _validate_type(field: Field, path: str, problems: list[SchemaProblem]) -> None:
    if field.type == "enum":
        if not field.values:
            problems.append(SchemaProblem(path, "an enum needs at least one value"))
        elif enum_json_type(field.values) is None:
            problems.append(SchemaProblem(path, "enum values must all have one type (all text, or all numbers)"))
        elif len({json.dumps(v) for v in field.values}) != len(field.values):
            problems.append(SchemaProblem(path, "enum values repeat"))
    elif field.type == "object":
        if not field.properties:
            problems.append(SchemaProblem(path, "an object needs at least one property"))
        _validate_level(field.properties, path, problems)
    elif field.type == "array":
        if field.items is None:
            problems.append(SchemaProblem(path, "an array needs an item type"))
        elif field.items.type == "array":
            problems.append(SchemaProblem(path + "[]", "arrays of arrays are not supported; use an array of objects"))
        else:
            _validate_type(field.items, path + "[]", problems)


def _limit_problems(fields: list[Field]) -> tuple[list[SchemaProblem], bool]:
    """What exceeds ``core.schema.limits`` (walked without recursion), and whether fields nest too deep to
    be checked further."""
    problems: list[SchemaProblem] = []
    count = 0
    stack: list[tuple[Field, str, int, int]] = [(f, "", i, 1) for i, f in reversed(list(enumerate(fields)))]
    while stack:
        field, parent, index, depth = stack.pop()
        path = _field_path(parent, field, index)
        if depth > MAX_FIELD_DEPTH:
            return [SchemaProblem(path, f"fields nest more than {MAX_FIELD_DEPTH} levels deep")], True
        count += 1
        if len(field.name) > MAX_NAME_CHARS:
            problems.append(SchemaProblem(path[:MAX_NAME_CHARS] + "…", f"the name is longer than {MAX_NAME_CHARS}"))
        if len(field.description) > MAX_DESCRIPTION_CHARS:
            problems.append(
                SchemaProblem(
                    path,
                    f"the description has {len(field.description):,} characters, more than {MAX_DESCRIPTION_CHARS:,}",
                )
            )
        element = field.items if field.type == "array" and field.items is not None else field
        if len(element.values) > MAX_ENUM_VALUES:
            problems.append(SchemaProblem(path, f"{len(element.values):,} enum values, more than {MAX_ENUM_VALUES:,}"))
        if any(isinstance(v, float) and not math.isfinite(v) for v in element.values):
            problems.append(SchemaProblem(path, "enum values must be finite numbers (not NaN or infinity)"))
        below = element.properties if element.type == "object" else []
        stack.extend((sub, path + ("[]" if element is not field else ""), i, depth + 1) for i, sub in enumerate(below))
    if count > MAX_FIELDS:
        problems.insert(
            0, SchemaProblem("fields", f"{count:,} fields (sub-fields included) are more than {MAX_FIELDS:,}")
        )
    return problems, False


def validate_fields(fields: list[Field]) -> list[SchemaProblem]:
    """Every problem in a list of fields (as built in the UI or read from a file), all at once.

    Checks the limits of ``core.schema.limits`` (number of fields, nesting, name and description length,
    enum values), names (empty, not an identifier, a Python keyword, duplicated at the same level), enums
    without values or with mixed types, arrays without items and objects without properties, at every level.

    Args:
        fields: the top-level fields.

    Returns:
        The problems, each with a path such as ``line_items[].qty``; empty when the fields are valid.

    >>> validate_fields([Field(name="total", type="number"), Field(name="total")])
    [SchemaProblem(path='total', reason="duplicate field name 'total' (also field #1)")]
    """
    problems, too_deep = _limit_problems(fields)
    if not too_deep:
        _validate_level(fields, "", problems)
    return problems


def check_fields(fields: list[Field]) -> list[Field]:
    """``fields`` unchanged when valid; raises SchemaError with every problem otherwise."""
    problems = validate_fields(fields)
    if problems:
        raise SchemaError(problems, hint="Fix the fields listed and save again.")
    return fields


THUMBNAIL_MAX_SIDE = 512
THUMBNAIL_TYPES: list[str] = ["png", "jpg", "jpeg"]
"""File endings an uploader offers for a thumbnail (``check_thumbnail`` reads PNG and JPEG by their bytes)."""


def check_thumbnail(data: bytes) -> bytes:
    """A workflow thumbnail from PNG or JPEG bytes, scaled down to at most 512 pixels a side.

    Args:
        data: the uploaded bytes.

    Returns:
        The same bytes when the image is small enough, else a smaller image in the same format.

    Raises:
        SchemaError: the bytes are not a PNG or JPEG image, or cannot be decoded.
    """
    problem = SchemaProblem("thumbnail", "not a PNG or JPEG image")
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise SchemaError([problem], hint="Upload a .png or .jpg file.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format or "PNG"
            if max(image.size) <= THUMBNAIL_MAX_SIDE:
                return data
            image.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
            out = io.BytesIO()
            (image.convert("RGB") if fmt == "JPEG" else image).save(out, format=fmt)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise SchemaError(
            [SchemaProblem("thumbnail", f"the image cannot be decoded ({exc.__class__.__name__})")],
            hint="Upload an intact .png or .jpg file.",
        ) from exc


def validate_workflow(workflow: Workflow) -> list[SchemaProblem]:
    """Every problem that keeps ``workflow`` from being saved: no name, no fields, bad fields or thumbnail."""
    problems: list[SchemaProblem] = []
    if not workflow.name.strip():
        problems.append(SchemaProblem("name", "the workflow has no name"))
    if not workflow.fields:
        problems.append(SchemaProblem("fields", "the workflow has no fields; add at least one"))
    problems.extend(validate_fields(workflow.fields))
    if workflow.thumbnail is not None:
        try:
            check_thumbnail(workflow.thumbnail)
        except SchemaError as exc:
            problems.extend(exc.problems)
    return problems


def check_workflow(workflow: Workflow) -> Workflow:
    """``workflow`` unchanged when it can be saved; raises SchemaError with every problem otherwise."""
    problems = validate_workflow(workflow)
    if problems:
        raise SchemaError(problems, hint="Nothing was saved.")
    return workflow


_PATH_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """A value path as its steps: names and list indexes.

    >>> split_path("line_items[2].quantity")
    ['line_items', 2, 'quantity']
    """
    return [int(index) if index else name for name, index in _PATH_STEP.findall(path)]


def field_at(fields: list[Field], path: str) -> Field | None:
    """The field a value path points to: ``line_items[0].quantity`` is the item field ``quantity``,
    ``tags[2]`` the element field of ``tags``, ``address.city`` a property; None when there is none.

    >>> items = Field(name="line_items", type="array", items=Field(name="item", type="object",
    ...     properties=[Field(name="quantity", type="number")]))
    >>> field_at([items], "line_items[3].quantity").type, field_at([items], "line_items[0].price")
    ('number', None)
    """
    field: Field | None = None
    level = fields
    for step in split_path(path):
        if isinstance(step, int):
            if field is None or field.items is None:
                return None
            field = field.items
        else:
            field = next((f for f in level if f.name == step), None)
            if field is None:
                return None
        level = field.properties
    return field
