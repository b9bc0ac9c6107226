"""The runtime pydantic model of a workflow's fields: what the LLM must answer and what feedback must match."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model
from pydantic import Field as PydField

from core.schema.fields import Field, check_fields

__all__ = ["response_model", "value_type"]


def _no_bool(value: Any) -> Any:
    # pydantic's lax mode turns True into 1.0; for an amount or a count that is a wrong answer, not a value.
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


_NUMBER = Annotated[float, BeforeValidator(_no_bool)]
_INTEGER = Annotated[int, BeforeValidator(_no_bool)]


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"_+", name) if part) or "Field"


def _python_type(field: Field, model_name: str, extra: Literal["forbid", "ignore"], all_optional: bool = False) -> Any:
    if field.type == "string":
        return str
    if field.type == "number":
        return _NUMBER
    if field.type == "integer":
        return _INTEGER
    if field.type == "boolean":
        return bool
    if field.type == "date":
        return _dt.date
    if field.type == "enum":
        return Literal.__getitem__(tuple(field.values)) if field.values else str
    if field.type == "object":
        return _build_model(field.properties, model_name, extra, all_optional)
    assert field.items is not None  # validated before: an array always has items
    return list[_python_type(field.items, model_name + "Item", extra, all_optional)]  # type: ignore[misc]


def _build_model(
    fields: list[Field], name: str, extra: Literal["forbid", "ignore"], all_optional: bool = False
) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for field in fields:
        python_type = _python_type(field, name + _camel(field.name), extra, all_optional)
        # Names that would shadow BaseModel attributes (json, copy, model_*) or look private get an alias.
        attr = field.name
        alias: str | None = None
        if attr.startswith("_") or attr.startswith("model_") or hasattr(BaseModel, attr):
            attr, alias = f"f_{attr.lstrip('_')}_{len(definitions)}", field.name
        info = PydField(description=field.description or None, alias=alias)
        if field.required and not all_optional:
            definitions[attr] = (python_type, info)
        else:
            info = PydField(default=None, description=field.description or None, alias=alias)
            definitions[attr] = (python_type | None, info)
    config = ConfigDict(extra=extra, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)
    model: type[BaseModel] = create_model(name, __config__=config, **definitions)
    return model


def response_model(
    fields: list[Field], name: str = "Extraction", *, extra: Literal["forbid", "ignore"] = "forbid"
) -> type[BaseModel]:
    """The pydantic model of one extraction result: what the LLM must answer and what feedback must match.

    Required fields are required; optional ones accept null and default to None. Dates are ``datetime.date``,
    enums ``Literal`` of their values, arrays of objects lists of nested models, numbers and integers reject
    booleans.

    Args:
        fields: the workflow's fields (validated first).
        name: the model's class name.
        extra: ``forbid`` rejects unknown keys (feedback), ``ignore`` drops them.

    Returns:
        A pydantic model class.

    Raises:
        SchemaError: the fields are invalid.

    >>> Model = response_model([Field(name="total", type="number", required=True)])
    >>> Model.model_validate({"total": "12.5"}).total
    12.5
    """
    check_fields(fields)
    return _build_model(fields, name, extra)


def value_type(field: Field, model_name: str, *, all_optional: bool = False) -> Any:
    """The Python type of one field's value, as in ``response_model`` (unknown keys of objects ignored).

    Args:
        field: the field.
        model_name: the class name for an object's model (arrays of objects append ``Item``).
        all_optional: every sub-field nullable, required or not (a page batch may not show them all).

    >>> value_type(Field(name="when", type="date"), "When")
    <class 'datetime.date'>
    """
    return _python_type(field, model_name, "ignore", all_optional)
