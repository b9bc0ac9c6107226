"""Fields as table rows, for the Define page's editors: rows in and out, table edits, nested edits.

The page's ``st.data_editor`` shows one row per field (name, type, items, description, required, values);
the sub-fields of objects and arrays of objects are edited in a second table. Everything here is plain data,
so it is tested without Streamlit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from core.errors import SchemaError, SchemaProblem
from core.schema.fields import FIELD_TYPES, ITEM_NAME, ITEM_TYPES, EnumValue, Field

__all__ = [
    "ROW_COLUMNS",
    "fields_to_rows",
    "fields_from_rows",
    "apply_table_edits",
    "edited_fields",
    "with_sub_fields",
    "set_sub_fields",
    "set_description",
    "field_paths",
    "with_descriptions",
]

ROW_COLUMNS: tuple[str, ...] = ("name", "type", "items", "description", "required", "values")


def _values_text(values: list[EnumValue]) -> str:
    return ", ".join(json.dumps(v) if isinstance(v, bool) else str(v) for v in values)


def fields_to_rows(fields: list[Field]) -> list[dict[str, Any]]:
    """One row per field for a table editor: name, type, items (an array's item type), description, required,
    values (an enum's values, comma-separated).

    >>> fields_to_rows([Field(name="currency", type="enum", values=["EUR", "USD"])])[0]["values"]
    'EUR, USD'
    """
    rows = []
    for field in fields:
        values = field.values
        item_type = ""
        if field.type == "array" and field.items is not None:
            item_type = field.items.type
            values = field.items.values
        rows.append(
            {
                "name": field.name,
                "type": field.type,
                "items": item_type,
                "description": field.description,
                "required": field.required,
                "values": _values_text(values),
            }
        )
    return rows


def _cell(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _parse_values(text: str, previous: list[EnumValue]) -> list[EnumValue]:
    text = text.strip()
    if not text:
        return []
    parsed: list[EnumValue]
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError:
            loaded = None
        if isinstance(loaded, list):
            return [v for v in loaded if isinstance(v, (str, int, float, bool))]
    parsed = [part.strip() for part in text.split(",") if part.strip()]
    # Keep typed values (numbers, booleans) when the text still says the same thing.
    if previous and [str(p) for p in parsed] == _values_text(previous).split(", "):
        return list(previous)
    return parsed


def fields_from_rows(rows: Iterable[Mapping[str, Any]], previous: list[Field] | None = None) -> list[Field]:
    """Fields from table-editor rows (the inverse of ``fields_to_rows``).

    Sub-fields (an object's properties, the item fields of an array of objects) are not in the rows; they are
    kept from ``previous``, matched by name, or by position when a row was renamed. Empty rows are dropped.

    Args:
        rows: dicts with the ``ROW_COLUMNS`` keys (missing cells, None and NaN count as empty).
        previous: the fields before the edit.

    Returns:
        The fields; not validated (``validate_fields`` reports empty or duplicate names).

    Raises:
        SchemaError: a row has a type or item type that does not exist.
    """
    previous = previous or []
    rows = [dict(r) for r in rows]
    names = {str(_cell(r, "name") or "").strip() for r in rows}
    by_name = {f.name: f for f in previous}
    problems: list[SchemaProblem] = []
    fields: list[Field] = []
    for index, row in enumerate(rows):
        name = str(_cell(row, "name") or "").strip()
        description = str(_cell(row, "description") or "").strip()
        type_ = str(_cell(row, "type") or "").strip()
        if not name and not description and not type_:
            continue
        type_ = type_ or "string"
        path = name or f"#{index + 1}"
        if type_ not in FIELD_TYPES:
            problems.append(SchemaProblem(path, f"unknown type {type_!r}; use one of {', '.join(FIELD_TYPES)}"))
            continue
        old = by_name.get(name)
        if old is None and index < len(previous) and previous[index].name not in names:
            old = previous[index]  # renamed in place: keep its sub-fields
        values_text = str(_cell(row, "values") or "")
        field = Field(name=name, type=type_, description=description, required=bool(_cell(row, "required")))
        if type_ == "enum":
            field.values = _parse_values(values_text, old.values if old else [])
        elif type_ == "object":
            field.properties = list(old.sub_fields) if old else []
        elif type_ == "array":
            item_type = str(_cell(row, "items") or "").strip() or "string"
            if item_type not in ITEM_TYPES:
                problems.append(
                    SchemaProblem(path, f"unknown item type {item_type!r}; use one of {', '.join(ITEM_TYPES)}")
                )
                continue
            old_item = old.items if old is not None and old.type == "array" else None
            item = Field(name=ITEM_NAME, type=item_type)
            if old_item is not None and old_item.type == item_type:
                item.description = old_item.description
            if item_type == "enum":
                item.values = _parse_values(values_text, old_item.values if old_item else [])
            elif item_type == "object":
                item.properties = list(old.sub_fields) if old else []
            field.items = item
        fields.append(field)
    if problems:
        raise SchemaError(problems)
    return fields


def with_sub_fields(field: Field, sub_fields: list[Field]) -> Field:
    """A copy of ``field`` (an object or array of objects) with ``sub_fields`` as its properties or items.

    Raises:
        SchemaError: the field has no sub-fields (a scalar, or an array of scalars).
    """
    if field.type == "object":
        return field.model_copy(update={"properties": list(sub_fields)})
    if field.type == "array" and field.items is not None and field.items.type == "object":
        items = field.items.model_copy(update={"properties": list(sub_fields)})
        return field.model_copy(update={"items": items})
    raise SchemaError([SchemaProblem(field.name or "field", f"a {field.type} field has no sub-fields")])


def apply_table_edits(rows: list[dict[str, Any]], edits: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """``rows`` after a table editor's edits: ``edited_rows`` {position: {column: value}}, ``added_rows``
    [{column: value}] and ``deleted_rows`` [position] (the edit state ``st.data_editor`` keeps).

    Positions refer to the rows as given; edits are applied, then rows added, then rows deleted.

    >>> apply_table_edits([{"name": "a"}, {"name": "b"}], {"edited_rows": {"0": {"name": "x"}},
    ...     "added_rows": [{"name": "c"}], "deleted_rows": [1]})
    [{'name': 'x'}, {'name': 'c'}]
    """
    result = [dict(row) for row in rows]
    if not edits:
        return result
    for position, changes in dict(edits.get("edited_rows") or {}).items():
        index = int(position)
        if 0 <= index < len(result):
            result[index].update(changes)
    for added in edits.get("added_rows") or []:
        result.append({column: added.get(column) for column in ROW_COLUMNS if column in added})
    deleted = {int(p) for p in edits.get("deleted_rows") or []}
    return [row for index, row in enumerate(result) if index not in deleted]


def set_sub_fields(fields: list[Field], name: str, sub_fields: list[Field]) -> list[Field]:
    """``fields`` with the sub-fields of the field called ``name`` replaced (see ``with_sub_fields``).

    Raises:
        SchemaError: there is no such field, or it has no sub-fields.
    """
    if not any(f.name == name for f in fields):
        raise SchemaError([SchemaProblem(name, "no such field")])
    return [with_sub_fields(f, sub_fields) if f.name == name else f for f in fields]


def set_description(fields: list[Field], path: str, description: str) -> list[Field]:
    """``fields`` with a new description for the field at ``path`` (``total`` or ``line_items.quantity``).

    Raises:
        SchemaError: no field has this path.

    >>> set_description([Field(name="total")], "total", "The total, as a plain number")[0].description
    'The total, as a plain number'
    """
    head, _, rest = path.partition(".")
    out: list[Field] = []
    found = False
    for field in fields:
        if field.name == head and not found:
            found = True
            if rest:
                if not field.has_sub_fields:
                    raise SchemaError([SchemaProblem(path, "no such field")])
                field = with_sub_fields(field, set_description(field.sub_fields, rest, description))
            else:
                field = field.model_copy(update={"description": description})
        out.append(field)
    if not found:
        raise SchemaError([SchemaProblem(path, "no such field")])
    return out


def field_paths(fields: list[Field], parent: str = "") -> list[tuple[str, Field]]:
    """Every field and sub-field with its path (``total``, ``line_items.quantity``), parents first.

    These are the paths ``set_description`` and ``with_descriptions`` take.

    >>> items = Field(name="items", type="array", items=Field(name="item", type="object",
    ...     properties=[Field(name="qty", type="integer")]))
    >>> [path for path, _ in field_paths([Field(name="total"), items])]
    ['total', 'items', 'items.qty']
    """
    paths: list[tuple[str, Field]] = []
    for field in fields:
        path = f"{parent}.{field.name}" if parent else field.name
        paths.append((path, field))
        paths += field_paths(field.sub_fields, path)
    return paths


def with_descriptions(fields: list[Field], descriptions: Mapping[str, str]) -> list[Field]:
    """``fields`` with new descriptions by path (see ``field_paths``); paths whose text is unchanged are kept.

    Raises:
        SchemaError: a path names no field.

    >>> fields = with_descriptions([Field(name="total", description="sum")], {"total": "The total, as a number"})
    >>> fields[0].description
    'The total, as a number'
    """
    current = dict(field_paths(fields))
    missing = [path for path in descriptions if path not in current]
    if missing:
        raise SchemaError([SchemaProblem(path, "no such field") for path in missing])
    for path, description in descriptions.items():
        if current[path].description != description:
            fields = set_description(fields, path, description)
    return fields


def edited_fields(
    fields: list[Field],
    edits: Mapping[str, Any] | None = None,
    open_field: str | None = None,
    sub_edits: Mapping[str, Any] | None = None,
) -> list[Field]:
    """The fields after an edit of their table and, optionally, of one field's sub-field table.

    Args:
        fields: the fields the tables were drawn from.
        edits: the field table's edit state (see ``apply_table_edits``).
        open_field: the name of the object or array of objects whose sub-fields have their own table.
        sub_edits: that table's edit state (its rows are the field's sub-fields).

    Returns:
        The edited fields (not validated).

    Raises:
        SchemaError: a row has an unknown type.
    """
    edited = fields_from_rows(apply_table_edits(fields_to_rows(fields), edits), previous=fields)
    field = next((f for f in edited if f.name == open_field and f.has_sub_fields), None)
    if field is None or not sub_edits:
        return edited
    rows = apply_table_edits(fields_to_rows(field.sub_fields), sub_edits)
    return set_sub_fields(edited, field.name, fields_from_rows(rows, previous=field.sub_fields))
