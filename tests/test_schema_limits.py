"""What a schema may hold (``core.schema.limits``) and strict schema JSON: each case is one readable line in
``schema check`` and ``workflow create`` (exit 1, no traceback), and nothing is saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import core.cli as cli
from core.errors import DocumentError, SchemaError
from core.schema import (
    MAX_DESCRIPTION_CHARS,
    MAX_FIELD_DEPTH,
    MAX_FIELDS,
    Field,
    Workflow,
    check_workflow,
    fields_from_dataset,
    load_schema_file,
    to_json_schema,
    validate_fields,
    validate_json_schema,
)
from core.store import Store


def _nested_json_schema(levels: int) -> dict[str, object]:
    node: dict[str, object] = {"type": "string"}
    for _ in range(levels):
        node = {"type": "object", "properties": {"a": node}}
    return {"type": "object", "properties": {"top": node}}


CASES: dict[str, tuple[str, str]] = {
    # name: (file content, what the one line says)
    "deep": (json.dumps(_nested_json_schema(250)), "nests more than 64 levels deep"),
    "brackets": ("[" * 100_000 + "]" * 100_000, "nests more than 64 levels deep"),
    "fields_too_deep": (json.dumps(_nested_json_schema(MAX_FIELD_DEPTH)), "fields nest more than 10 levels deep"),
    "duplicate": (
        '{"type": "object", "properties": {"total": {"type": "number"}, "total": {"type": "string"}}}',
        "the key 'total' appears twice in one object",
    ),
    "infinite": (
        '{"type": "object", "properties": {"n": {"type": "number", "enum": [1e999999]}}}',
        "1e999999 is too large to be a number",
    ),
    "nan": ('{"type": "object", "properties": {"n": {"type": "number", "enum": [NaN]}}}', "NaN is not a JSON number"),
    "huge_integer": (
        '{"type": "object", "properties": {"n": {"type": "integer", "enum": [' + "9" * 5000 + "]}}}",
        "a number of 5000 characters",
    ),
    "many_fields": (
        json.dumps({"type": "object", "properties": {f"f{i}": {"type": "string"} for i in range(MAX_FIELDS + 1)}}),
        f"{MAX_FIELDS + 1:,} fields (sub-fields included) are more than {MAX_FIELDS:,}",
    ),
    "long_description": (
        json.dumps({"type": "object", "properties": {"n": {"type": "string", "description": "x" * 5000}}}),
        f"the description has 5,000 characters, more than {MAX_DESCRIPTION_CHARS:,}",
    ),
}


@pytest.fixture(autouse=True)
def only_these_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("core.cli.schema_cmd", "core.cli.workflow_cmd"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_schema_check_gives_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content, words = CASES[case]
    path = tmp_path / f"{case}.json"
    path.write_text(content, encoding="utf-8")
    assert cli.main(["schema", "check", str(path)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and words in out[0], out


@pytest.mark.parametrize("case", sorted(CASES))
def test_workflow_create_refuses_and_saves_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, words = CASES[case]
    path = tmp_path / f"{case}.json"
    path.write_text(content, encoding="utf-8")
    assert cli.main(["workflow", "create", "--schema", str(path)]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("fieldbench: error: invalid schema") and words in err[0], err
    store = Store.open()
    try:
        assert store.workflows.list() == []
    finally:
        store.close()


def test_limits_hold_for_fields_built_in_code() -> None:
    # Deeper than Python's recursion limit: reported, not a RecursionError.
    field = Field(name="leaf")
    for _ in range(3000):
        field = Field(name="node", type="object", properties=[field])
    problems = validate_fields([field])
    assert [p.reason for p in problems] == [f"fields nest more than {MAX_FIELD_DEPTH} levels deep"]
    with pytest.raises(SchemaError, match="nest more than"):
        check_workflow(Workflow(name="deep", fields=[field]))

    wide = [Field(name=f"f{i}") for i in range(MAX_FIELDS + 1)]
    assert "more than 1,000" in validate_fields(wide)[0].reason
    assert validate_fields(wide[:MAX_FIELDS]) == []

    enum = Field(name="rate", type="enum", values=[1.5, float("inf")])
    assert [p.reason for p in validate_fields([enum])] == ["enum values must be finite numbers (not NaN or infinity)"]
    long_name = Field(name="n" * 101)
    assert "longer than 100" in validate_fields([long_name])[0].reason


def test_at_the_limits_a_schema_is_valid() -> None:
    fields = [Field(name=f"f{i}", description="d" * MAX_DESCRIPTION_CHARS) for i in range(MAX_FIELDS)]
    assert validate_fields(fields) == []
    deepest = load_schema_file(json.dumps(_nested_json_schema(MAX_FIELD_DEPTH - 1)).encode())
    assert deepest.fields[0].name == "top"


def test_parsed_json_is_checked_for_depth_before_any_recursion() -> None:
    deep: object = "leaf"
    for _ in range(5000):
        deep = {"type": "object", "properties": {"a": deep}}
    assert "nests more than 64" in validate_json_schema(deep)[0].reason
    rows: object = {"name": "leaf"}
    for _ in range(5000):
        rows = {"name": "a", "type": "object", "properties": [rows]}
    with pytest.raises(SchemaError, match="nests more than 64"):
        fields_from_dataset([rows])


def test_exported_schemas_are_strict_json() -> None:
    fields = load_schema_file(json.dumps(_nested_json_schema(2)).encode()).fields
    text = json.dumps(to_json_schema(fields), allow_nan=False)  # raises on NaN or Infinity
    assert load_schema_file(text.encode()).fields == fields


def test_a_schema_file_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="not a regular file"):
        load_schema_file("/dev/zero")
    big = tmp_path / "big.json"
    with open(big, "wb") as out:
        out.truncate(64 * 1024 * 1024)
    with pytest.raises(DocumentError, match="more than the limit of 5.0 MB"):
        load_schema_file(big)
