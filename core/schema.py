"""Fields and workflows: the one definition from which the JSON Schema, the LLM response model and the form come."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Literal, Union

from pydantic import BaseModel, Field as PydField

from core.spec import DocumentSpec

__all__ = ["FieldType", "ScalarType", "SCALAR_TYPES", "Field", "Workflow"]

FieldType = Literal["string", "number", "integer", "boolean", "date", "enum", "array", "object"]
ScalarType = Literal["string", "number", "integer", "boolean", "date", "enum"]
SCALAR_TYPES: frozenset[str] = frozenset({"string", "number", "integer", "boolean", "date", "enum"})

EnumValue = Union[str, int, float, bool]


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


class Workflow(BaseModel):
    """An extraction workflow: metadata, document specification, fields, and the version of the fields."""

    id: str = PydField(default_factory=lambda: str(uuid.uuid4()), description="UUID of the workflow.")
    name: str
    description: str = ""
    thumbnail: bytes | None = PydField(default=None, description="PNG or JPEG bytes shown in lists.")
    spec: DocumentSpec = PydField(default_factory=DocumentSpec)
    fields: list[Field] = PydField(default_factory=list)
    version: int = PydField(default=1, description="Version of the fields; every saved change adds one.")
    created_at: datetime = PydField(default_factory=lambda: datetime.now(timezone.utc))

    def field(self, name: str) -> Field:
        """The top-level field called ``name`` (KeyError when there is none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)
