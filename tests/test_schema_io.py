"""The JSON Schema subset (every accepted and rejected keyword, paths, round trips) and the dataset format."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from core.errors import FieldbenchError, SchemaError
from core.schema import (
    REJECTED_KEYWORDS,
    Field,
    Workflow,
    WorkflowDraft,
    check_json_schema,
    fields_from_dataset,
    fields_from_json_schema,
    load_schema_file,
    parse_schema_document,
    to_dataset_schema,
    to_json_schema,
    validate_json_schema,
)
from tests.test_schema import every_type


def schema(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def paths(s: Any) -> list[str]:
    return [p.path for p in validate_json_schema(s)]


# --------------------------------------------------------------------------- accepted keywords


@pytest.mark.parametrize(
    ("keyword", "document"),
    [
        (
            "type",
            schema(a={"type": "string"}, b={"type": "number"}, c={"type": "integer"}, d={"type": "boolean"}),
        ),
        ("properties", schema(o={"type": "object", "properties": {"x": {"type": "string"}}})),
        ("required", {**schema(a={"type": "string"}, b={"type": "string"}), "required": ["a", "b"]}),
        ("items", schema(tags={"type": "array", "items": {"type": "string"}})),
        (
            "enum",
            schema(
                s={"type": "string", "enum": ["a", "b"]},
                i={"type": "integer", "enum": [1, 2]},
                n={"type": "number", "enum": [1, 2.5]},
                b={"type": "boolean", "enum": [True]},
            ),
        ),
        ("description", {**schema(a={"type": "string", "description": "The number"}), "description": "root"}),
    ],
)
def test_each_accepted_keyword_is_valid(keyword: str, document: dict[str, Any]) -> None:
    assert validate_json_schema(document) == []
    assert fields_from_json_schema(document)


def test_reference_example_is_valid() -> None:
    reference = {
        "type": "object",
        "properties": {
            "invoice_number": {"type": "string"},
            "total_amount": {"type": "number"},
            "due_date": {"type": "string"},
            "line_items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string"},
                        "quantity": {"type": "integer"},
                        "unit_price": {"type": "number"},
                    },
                    "required": ["description", "quantity", "unit_price"],
                },
            },
        },
        "required": ["invoice_number", "total_amount", "line_items"],
    }
    fields = fields_from_json_schema(reference)
    assert [f.name for f in fields if f.required] == ["invoice_number", "total_amount", "line_items"]
    assert [f.required for f in fields[3].item_fields] == [True, True, True]
    assert fields[3].item_fields[1].type == "integer"


# --------------------------------------------------------------------------- rejected keywords

REJECTED_SAMPLES: dict[str, Any] = {
    "anyOf": [{"type": "string"}],
    "oneOf": [{"type": "string"}],
    "allOf": [{"type": "string"}],
    "not": {"type": "number"},
    "$ref": "#/definitions/x",
    "$defs": {"x": {"type": "string"}},
    "definitions": {"x": {"type": "string"}},
    "pattern": "^[0-9]+$",
    "format": "date",
    "minLength": 1,
    "maxLength": 5,
    "minimum": 0,
    "maximum": 10,
    "minItems": 1,
    "maxItems": 3,
    "additionalProperties": False,
    "default": "x",
    "const": "x",
}


def test_the_samples_cover_every_rejected_keyword() -> None:
    assert set(REJECTED_SAMPLES) == set(REJECTED_KEYWORDS)


@pytest.mark.parametrize("keyword", REJECTED_KEYWORDS)
def test_each_rejected_keyword_is_reported_with_its_path(keyword: str) -> None:
    nested = schema(
        line_items={
            "type": "array",
            "items": schema(qty={"type": "string", keyword: REJECTED_SAMPLES[keyword]}),
        }
    )
    problems = validate_json_schema(nested)
    path = f"$.properties.line_items.items.properties.qty.{keyword}"
    assert [p.path for p in problems] == [path]
    assert "not supported" in problems[0].reason
    at_root = {**schema(a={"type": "string"}), keyword: REJECTED_SAMPLES[keyword]}
    assert f"$.{keyword}" in paths(at_root)


def test_unknown_keywords_are_reported_and_annotations_tolerated() -> None:
    s = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Invoice",
        **schema(tags={"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
    }
    assert paths(s) == ["$.properties.tags.uniqueItems"]


# --------------------------------------------------------------------------- structural rules


@pytest.mark.parametrize(
    ("document", "path", "words"),
    [
        ([], "$", "JSON object"),
        ({"type": "array", "items": {"type": "string"}}, "$.type", "root schema must be an object"),
        ({"type": "object"}, "$.properties", "non-empty"),
        ({"type": "object", "properties": {}}, "$.properties", "non-empty"),
        (schema(a={"type": ["string", "null"]}), "$.properties.a.type", "union types"),
        (schema(a={"type": "date"}), "$.properties.a.type", "not supported"),
        (schema(a={"description": "no type"}), "$.properties.a", "no 'type'"),
        (schema(**{"1st": {"type": "string"}}), "$.properties['1st']", "not an identifier"),
        (schema(**{"total amount": {"type": "string"}}), "$.properties['total amount']", "not an identifier"),
        (schema(**{"class": {"type": "string"}}), "$.properties.class", "keyword"),
        ({**schema(a={"type": "string"}), "required": ["a", "b"]}, "$.required[1]", "'b' is not a property"),
        (schema(a={"type": "array"}), "$.properties.a", "needs 'items'"),
        (schema(a={"type": "array", "items": [{"type": "string"}]}), "$.properties.a.items", "single schema"),
        (
            schema(a={"type": "array", "items": {"type": "array", "items": {"type": "string"}}}),
            "$.properties.a.items.type",
            "arrays of arrays",
        ),
        (schema(a={"type": "object", "properties": {}}), "$.properties.a.properties", "non-empty"),
        (schema(a={"type": "object", "enum": [{}]}), "$.properties.a.enum", "scalar"),
        (
            schema(a={"type": "array", "items": {"type": "string"}, "enum": [[]]}),
            "$.properties.a.enum",
            "scalar",
        ),
        (schema(a={"type": "integer", "enum": [1, 1.5]}), "$.properties.a.enum[1]", "type integer"),
        (schema(a={"type": "integer", "enum": [True]}), "$.properties.a.enum[0]", "type integer"),
        (schema(a={"type": "number", "enum": ["1"]}), "$.properties.a.enum[0]", "type number"),
        (schema(a={"type": "string", "enum": [3]}), "$.properties.a.enum[0]", "type string"),
        (schema(a={"type": "boolean", "enum": ["yes"]}), "$.properties.a.enum[0]", "type boolean"),
        (schema(a={"type": "string", "enum": []}), "$.properties.a.enum", "at least one value"),
        (
            schema(a={"type": "string", "items": {"type": "string"}}),
            "$.properties.a.items",
            "only applies to arrays",
        ),
        (
            schema(a={"type": "string", "required": ["x"]}),
            "$.properties.a.required",
            "only applies to objects",
        ),
        (schema(a={"type": "string", "description": 5}), "$.properties.a.description", "Draft 7"),
        ({**schema(a={"type": "string"}), "required": "a"}, "$.required", "Draft 7"),
    ],
)
def test_structural_problems(document: Any, path: str, words: str) -> None:
    problems = validate_json_schema(document)
    assert path in [p.path for p in problems]
    assert words in next(p.reason for p in problems if p.path == path)


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    bad = {
        "type": "object",
        "anyOf": [{}],
        "properties": {
            "2x": {"type": ["string", "null"]},
            "line_items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"qty": {"type": "int"}, "price": {"type": "number", "minimum": 0}},
                    "required": ["sku"],
                },
            },
        },
        "required": ["missing"],
    }
    with pytest.raises(SchemaError) as info:
        check_json_schema(bad)
    got = {p.path for p in info.value.problems}
    assert got == {
        "$.anyOf",
        "$.properties['2x']",
        "$.properties['2x'].type",
        "$.properties.line_items.items.properties.qty.type",
        "$.properties.line_items.items.properties.price.minimum",
        "$.properties.line_items.items.required[0]",
        "$.required[0]",
    }
    with pytest.raises(SchemaError):
        fields_from_json_schema(bad)


# --------------------------------------------------------------------------- round trips


def test_fields_to_json_schema_to_fields_for_every_type() -> None:
    fields = every_type()
    generated = to_json_schema(fields)
    Draft7Validator.check_schema(generated)
    assert validate_json_schema(generated) == []
    assert fields_from_json_schema(generated) == fields


def test_generated_schema_shapes() -> None:
    generated = to_json_schema(every_type())
    props = generated["properties"]
    assert generated["required"] == ["invoice_number", "total"]
    assert props["issue_date"] == {"type": "string", "description": "Issued, as YYYY-MM-DD (date)"}
    assert props["priority"] == {"type": "integer", "enum": [1, 2, 3]}
    assert props["dates"]["items"] == {"type": "string", "description": "(date)"}
    assert props["line_items"]["items"]["required"] == ["description"]
    assert props["seller"]["properties"]["address"]["properties"]["city"] == {"type": "string"}
    assert "required" not in props["seller"]["properties"]["address"]


def test_dataset_format_round_trip_for_every_type() -> None:
    workflow = Workflow(name="All types", description="Every field type", fields=every_type())
    document = json.loads(json.dumps(to_dataset_schema(workflow)))
    draft = parse_schema_document(document)
    assert draft == WorkflowDraft(name="All types", description="Every field type", fields=every_type())
    line_items = next(f for f in document["fields"] if f["name"] == "line_items")
    assert isinstance(line_items["items"], list)
    assert next(f for f in document["fields"] if f["name"] == "tags")["items"] == {
        "type": "string",
        "description": "one tag",
    }


@pytest.mark.parametrize("name", ["invoice2data", "zugferd-dev"])
def test_dataset_schema_files_load_and_write_back_identically(datasets: Path, name: str) -> None:
    path = datasets / name / "schema.json"
    original = json.loads(path.read_text(encoding="utf-8"))
    draft = load_schema_file(path)
    assert draft.name == original["name"]
    assert [f.name for f in draft.fields] == [f["name"] for f in original["fields"]]
    assert to_dataset_schema(draft) == original
    # The dataset's json_schema alone gives the same fields, dates included.
    assert fields_from_json_schema(original["json_schema"]) == draft.fields


def test_zugferd_line_items_are_an_array_of_objects(datasets: Path) -> None:
    draft = load_schema_file(datasets / "zugferd-dev" / "schema.json")
    line_items = next(f for f in draft.fields if f.name == "line_items")
    assert [f.name for f in line_items.item_fields] == ["description", "quantity", "unit_price", "line_total"]
    assert {f.name: f.type for f in draft.fields}["issue_date"] == "date"


def test_sample_docs_schema_loads(sample_docs: Path) -> None:
    if not (sample_docs / "schema.json").is_file():
        pytest.skip("sample_docs/schema.json not written yet")
    draft = load_schema_file(sample_docs / "schema.json")
    assert draft.fields and draft.name


# --------------------------------------------------------------------------- reading files


def test_json_schema_file_is_named_by_title_or_file_name(tmp_path: Path) -> None:
    path = tmp_path / "my_invoices.json"
    path.write_text(json.dumps(schema(total={"type": "number"})), encoding="utf-8")
    assert load_schema_file(path).name == "my invoices"
    path.write_text(json.dumps({**schema(total={"type": "number"}), "title": "Invoices"}), encoding="utf-8")
    assert load_schema_file(str(path)).name == "Invoices"


def test_a_wrapped_json_schema_is_read() -> None:
    draft = load_schema_file({"name": "Wrapped", "json_schema": schema(total={"type": "number"})})
    assert draft.name == "Wrapped" and draft.fields == [Field(name="total", type="number")]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not JSON"),
        (b"name: invoices\nfields: []", "not JSON"),
        (b"{'type': 'object'}", "not JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"type": "object", "properties": {"a": {"type": "string", "format": "date"}}}', "format"),
    ],
)
def test_bad_imports_are_clear_schema_errors(content: bytes, words: str) -> None:
    with pytest.raises(SchemaError) as info:
        load_schema_file(content)
    assert words in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FieldbenchError, match="no such file"):
        load_schema_file(tmp_path / "nope.json")


def test_dataset_field_problems_have_paths() -> None:
    raw = [
        {"name": "a", "type": "text"},
        {"type": "string"},
        "b",
        {"name": "items", "type": "array", "items": [{"name": "q", "type": "float"}]},
        {"name": "e", "type": "enum"},
        {"name": "arr", "type": "array"},
    ]
    with pytest.raises(SchemaError) as info:
        fields_from_dataset(raw)
    assert [p.path for p in info.value.problems] == [
        "$.fields[0].type",
        "$.fields[1].name",
        "$.fields[2]",
        "$.fields[3].items[0].type",
        "$.fields[4].values",
        "$.fields[5].items",
    ]


def test_dataset_names_are_validated_like_ui_fields() -> None:
    with pytest.raises(SchemaError) as info:
        fields_from_dataset([{"name": "total"}, {"name": "total"}, {"name": "2x"}])
    assert [p.path for p in info.value.problems] == ["total", "2x"]
    with pytest.raises(SchemaError, match="no fields"):
        fields_from_dataset([])


def test_validation_does_not_modify_the_schema() -> None:
    document = to_json_schema(every_type())
    before = copy.deepcopy(document)
    validate_json_schema(document)
    fields_from_json_schema(document)
    assert document == before
