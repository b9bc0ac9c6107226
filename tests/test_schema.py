"""Fields and workflows: validation, thumbnails, the runtime response model, and editor rows."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from pydantic import ValidationError

from core.errors import SchemaError
from core.schema import (
    Field,
    Workflow,
    check_fields,
    check_thumbnail,
    check_workflow,
    response_model,
    validate_fields,
    validate_workflow,
)


def every_type() -> list[Field]:
    """One field of every type, with nested arrays of objects and objects in objects."""
    return [
        Field(name="invoice_number", type="string", description="The number", required=True),
        Field(name="total", type="number", description="Total", required=True),
        Field(name="pages", type="integer"),
        Field(name="paid", type="boolean"),
        Field(name="issue_date", type="date", description="Issued, as YYYY-MM-DD"),
        Field(name="currency", type="enum", values=["EUR", "USD"]),
        Field(name="priority", type="enum", values=[1, 2, 3]),
        Field(name="tags", type="array", items=Field(name="item", type="string", description="one tag")),
        Field(name="dates", type="array", items=Field(name="item", type="date")),
        Field(name="kinds", type="array", items=Field(name="item", type="enum", values=["a", "b"])),
        Field(
            name="seller",
            type="object",
            properties=[
                Field(name="name", required=True),
                Field(
                    name="address",
                    type="object",
                    properties=[Field(name="city"), Field(name="zip", type="string")],
                ),
            ],
        ),
        Field(
            name="line_items",
            type="array",
            description="Every line",
            items=Field(
                name="item",
                type="object",
                properties=[
                    Field(name="description", required=True),
                    Field(name="qty", type="integer"),
                    Field(name="unit_price", type="number"),
                    Field(name="discounts", type="array", items=Field(name="item", type="number")),
                    Field(
                        name="taxes",
                        type="array",
                        items=Field(name="item", type="object", properties=[Field(name="rate", type="number")]),
                    ),
                ],
            ),
        ),
    ]


# --------------------------------------------------------------------------- validate_fields


def test_valid_fields_have_no_problems() -> None:
    assert validate_fields(every_type()) == []
    assert check_fields(every_type()) == every_type()


@pytest.mark.parametrize(
    ("fields", "path", "words"),
    [
        ([Field(name="")], "#1", "no name"),
        ([Field(name="  ")], "#1", "no name"),
        ([Field(name="2nd_total")], "2nd_total", "not an identifier"),
        ([Field(name="total amount")], "total amount", "not an identifier"),
        ([Field(name="class")], "class", "keyword"),
        ([Field(name="a"), Field(name="a")], "a", "duplicate"),
        ([Field(name="e", type="enum")], "e", "at least one value"),
        ([Field(name="e", type="enum", values=["a", 1])], "e", "one type"),
        ([Field(name="e", type="enum", values=["a", "a"])], "e", "repeat"),
        ([Field(name="arr", type="array")], "arr", "item type"),
        ([Field(name="obj", type="object")], "obj", "at least one property"),
        (
            [Field(name="arr", type="array", items=Field(name="item", type="array", items=Field(name="x")))],
            "arr[]",
            "arrays of arrays",
        ),
        (
            [
                Field(
                    name="line_items",
                    type="array",
                    items=Field(name="item", type="object", properties=[Field(name="qty"), Field(name="qty")]),
                )
            ],
            "line_items[].qty",
            "duplicate",
        ),
        ([Field(name="o", type="object", properties=[Field(name="for")])], "o.for", "keyword"),
    ],
)
def test_field_problems_name_the_field(fields: list[Field], path: str, words: str) -> None:
    problems = validate_fields(fields)
    assert [p.path for p in problems] == [path]
    assert words in problems[0].reason


def test_same_name_at_different_levels_is_fine() -> None:
    fields = [Field(name="name"), Field(name="seller", type="object", properties=[Field(name="name")])]
    assert validate_fields(fields) == []


def test_all_problems_are_reported_at_once() -> None:
    fields = [Field(name=""), Field(name="x y"), Field(name="e", type="enum"), Field(name="o", type="object")]
    with pytest.raises(SchemaError) as info:
        check_fields(fields)
    assert len(info.value.problems) == 4
    assert "and 3 more" in str(info.value)


# --------------------------------------------------------------------------- thumbnails and workflows


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_small_png_and_jpeg_thumbnails_are_kept_as_they_are(fmt: str) -> None:
    data = image_bytes(fmt)
    assert check_thumbnail(data) == data


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_large_thumbnails_are_scaled_down_in_their_format(fmt: str) -> None:
    data = image_bytes(fmt, (2000, 1000))
    small = check_thumbnail(data)
    with Image.open(io.BytesIO(small)) as image:
        assert image.format == fmt
        assert image.size == (512, 256)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"%PDF-1.7\n...",
        image_bytes("GIF"),
        image_bytes("BMP"),
        image_bytes("PNG")[:40],
    ],
)
def test_anything_but_an_intact_png_or_jpeg_is_rejected(data: bytes) -> None:
    with pytest.raises(SchemaError) as info:
        check_thumbnail(data)
    assert info.value.problems[0].path == "thumbnail"


def test_workflow_validation_collects_name_fields_and_thumbnail() -> None:
    workflow = Workflow(name=" ", fields=[Field(name="1x")], thumbnail=b"GIF89a")
    paths = [p.path for p in validate_workflow(workflow)]
    assert paths == ["name", "1x", "thumbnail"]
    with pytest.raises(SchemaError):
        check_workflow(workflow)
    assert [p.path for p in validate_workflow(Workflow(name="Empty"))] == ["fields"]
    good = Workflow(name="Invoices", fields=every_type(), thumbnail=image_bytes("PNG"))
    assert check_workflow(good) is good


# --------------------------------------------------------------------------- response_model


def good_payload() -> dict:
    return {
        "invoice_number": "INV-1",
        "total": 12.5,
        "pages": 2,
        "paid": False,
        "issue_date": "2024-03-01",
        "currency": "EUR",
        "priority": 2,
        "tags": ["a", "b"],
        "dates": ["2024-01-01"],
        "kinds": ["b"],
        "seller": {"name": "ACME", "address": {"city": "Berlin", "zip": None}},
        "line_items": [
            {
                "description": "Widget",
                "qty": 3,
                "unit_price": 1.5,
                "discounts": [0.5],
                "taxes": [{"rate": 19}],
            },
            {"description": "Service"},
        ],
    }


def test_response_model_accepts_a_good_payload_with_typed_values() -> None:
    Model = response_model(every_type())
    result = Model.model_validate(good_payload())
    assert result.issue_date == dt.date(2024, 3, 1)  # type: ignore[attr-defined]
    assert result.line_items[0].qty == 3  # type: ignore[attr-defined]
    assert result.line_items[1].unit_price is None  # type: ignore[attr-defined]
    assert result.seller.address.city == "Berlin"  # type: ignore[attr-defined]
    assert Model.model_validate_json(result.model_dump_json()) == result


def test_optional_fields_may_be_missing_or_null() -> None:
    Model = response_model(every_type())
    result = Model.model_validate({"invoice_number": "1", "total": 3, "paid": None})
    assert result.paid is None and result.line_items is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"total": "twelve"}, "total"),
        ({"total": True}, "total"),
        ({"pages": 1.5}, "pages"),
        ({"invoice_number": 5}, "invoice_number"),
        ({"invoice_number": None}, "invoice_number"),
        ({"currency": "GBP"}, "currency"),
        ({"priority": 4}, "priority"),
        ({"issue_date": "2024-02-30"}, "issue_date"),
        ({"issue_date": "yesterday"}, "issue_date"),
        ({"tags": "a, b"}, "tags"),
        ({"kinds": ["c"]}, "kinds"),
        ({"line_items": [{"qty": 1}]}, "line_items"),
        ({"line_items": [{"description": "x", "qty": "many"}]}, "line_items"),
        ({"seller": {"address": {}}}, "seller"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_response_model_rejects_bad_payloads(change: dict, where: str) -> None:
    Model = response_model(every_type())
    with pytest.raises(ValidationError) as info:
        Model.model_validate({**good_payload(), **change})
    assert where in str(info.value)


def test_missing_required_field_is_rejected() -> None:
    payload = good_payload()
    del payload["total"]
    with pytest.raises(ValidationError, match="total"):
        response_model(every_type()).model_validate(payload)


def test_extra_keys_can_be_ignored_for_llm_answers() -> None:
    Model = response_model(every_type(), extra="ignore")
    assert not hasattr(Model.model_validate({**good_payload(), "note": "x"}), "note")


def test_names_that_shadow_pydantic_attributes_still_work() -> None:
    Model = response_model([Field(name="json", required=True), Field(name="model_name"), Field(name="copy")])
    result = Model.model_validate({"json": "a", "model_name": "b", "copy": "c"})
    assert result.model_dump() == {"json": "a", "model_name": "b", "copy": "c"}
    assert set(Model.model_json_schema()["properties"]) == {"json", "model_name", "copy"}


def test_response_model_refuses_invalid_fields() -> None:
    with pytest.raises(SchemaError):
        response_model([Field(name="a"), Field(name="a")])
