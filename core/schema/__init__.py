"""Fields and workflows: the field model, the runtime pydantic model, JSON Schema and dataset files, editor rows.

Modules: ``fields`` (Field, Workflow, validation), ``model`` (the runtime response model), ``subset`` (the
Draft 7 subset validator), ``json_schema`` and ``dataset`` (the two file formats), ``files`` (reading either),
``limits`` (what a schema may hold, strict JSON), ``rows`` (the Define page's table rows), ``drafts`` (editing a
workflow before it is saved).
"""

from core.schema.dataset import dataset_consistency, fields_from_dataset, fields_to_dataset, to_dataset_schema
from core.schema.drafts import file_slug, has_unsaved_changes, with_added_fields, with_imported
from core.schema.fields import (
    FIELD_TYPES,
    ITEM_NAME,
    ITEM_TYPES,
    SCALAR_TYPES,
    THUMBNAIL_TYPES,
    EnumValue,
    Field,
    FieldType,
    ScalarType,
    Workflow,
    WorkflowDraft,
    check_fields,
    check_thumbnail,
    check_workflow,
    enum_json_type,
    field_at,
    is_identifier,
    split_path,
    validate_fields,
    validate_workflow,
)
from core.schema.files import load_schema_file, parse_schema_document
from core.schema.json_schema import fields_from_json_schema, to_json_schema
from core.schema.limits import MAX_DESCRIPTION_CHARS, MAX_FIELD_DEPTH, MAX_FIELDS, loads_strict
from core.schema.model import response_model, value_type
from core.schema.rows import (
    ROW_COLUMNS,
    apply_table_edits,
    edited_fields,
    field_paths,
    fields_from_rows,
    fields_to_rows,
    set_description,
    set_sub_fields,
    with_descriptions,
    with_sub_fields,
)
from core.schema.subset import ACCEPTED_KEYWORDS, REJECTED_KEYWORDS, check_json_schema, validate_json_schema

__all__ = [
    "ACCEPTED_KEYWORDS",
    "FIELD_TYPES",
    "ITEM_NAME",
    "ITEM_TYPES",
    "MAX_DESCRIPTION_CHARS",
    "MAX_FIELDS",
    "MAX_FIELD_DEPTH",
    "REJECTED_KEYWORDS",
    "ROW_COLUMNS",
    "SCALAR_TYPES",
    "THUMBNAIL_TYPES",
    "EnumValue",
    "Field",
    "FieldType",
    "ScalarType",
    "Workflow",
    "WorkflowDraft",
    "apply_table_edits",
    "check_fields",
    "check_json_schema",
    "check_thumbnail",
    "check_workflow",
    "dataset_consistency",
    "edited_fields",
    "enum_json_type",
    "field_at",
    "field_paths",
    "file_slug",
    "fields_from_dataset",
    "fields_from_json_schema",
    "fields_from_rows",
    "fields_to_dataset",
    "fields_to_rows",
    "has_unsaved_changes",
    "is_identifier",
    "load_schema_file",
    "loads_strict",
    "parse_schema_document",
    "response_model",
    "set_description",
    "set_sub_fields",
    "split_path",
    "to_dataset_schema",
    "to_json_schema",
    "validate_fields",
    "validate_json_schema",
    "validate_workflow",
    "value_type",
    "with_added_fields",
    "with_descriptions",
    "with_imported",
    "with_sub_fields",
]
