"""The Define page's fields: the field table, the sub-field table of one object or array of objects, and the
field guide beside them (readiness, findings, suggested descriptions applied with one click)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from core.config import get_settings
from core.guide.examples import examples
from core.guide.review import FieldReview, GuideReport, review_workflow
from core.schema import FIELD_TYPES, ITEM_TYPES, ROW_COLUMNS, Field, Workflow, fields_to_rows, set_description
from pages._define_state import S, current, current_fields, description_key, key, open_field, replace_draft
from pages._widgets import plain, show_errors

__all__ = ["field_guide", "fields_editor"]

SEVERITY_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}
OPEN_BELOW_SCORE = 75  # one warning costs 25 (core.guide.review.PENALTIES): a field with more than that is opened
# The field table without descriptions (each has an editor of its own below it), so Required and Values fit; the
# sub-field table, narrower in use, shows its descriptions last, widest.
TABLE_COLUMNS = ("name", "type", "items", "required", "values")
SUB_TABLE_COLUMNS = (*TABLE_COLUMNS, "description")
CHARS_PER_LINE = 90  # about what one line of a description editor holds in the wide layout's left column
LINE_HEIGHT = 24  # pixels per line of text in an editor
MIN_EDITOR_HEIGHT = 68  # pixels: Streamlit's smallest text area, two lines


def _table(fields: list[Field], table_key: str, columns: tuple[str, ...]) -> None:
    frame = pd.DataFrame(fields_to_rows(fields), columns=list(ROW_COLUMNS))
    # object columns: the editor adds rows with empty cells, which a bool column cannot hold
    frame = frame.astype({"required": object, "name": str, "description": str, "values": str})
    # no choice rather than an invalid one; object dtype, as an empty list would become a float column
    frame["items"] = pd.Series([item or None for item in frame["items"]], index=frame.index, dtype=object)
    st.data_editor(
        frame,
        key=table_key,
        num_rows="dynamic",
        hide_index=True,
        column_order=columns,
        column_config={
            "name": st.column_config.TextColumn("Name", help="letters, digits and underscores", required=True),
            "type": st.column_config.SelectboxColumn("Type", options=FIELD_TYPES, default="string", required=True),
            "items": st.column_config.SelectboxColumn(
                "Items", options=ITEM_TYPES, help="what an array holds; object = a table with its own columns"
            ),
            "description": st.column_config.TextColumn("Description", width="large"),
            "required": st.column_config.CheckboxColumn("Required", default=False),
            "values": st.column_config.TextColumn("Values", help="an enum's values, comma-separated"),
        },
    )


def fields_editor(edited: Workflow) -> None:
    """The field table and, for one object or array of objects chosen below it, its sub-field table."""
    st.caption("One row per field. Add rows at the bottom; select rows and press Delete to remove them.")
    _table(S.define_draft.fields, key("fields"), TABLE_COLUMNS)
    main = current_fields(with_sub_fields=False)
    _description_editors(main)
    nested = [f.name for f in main if f.has_sub_fields]
    if not nested:
        st.caption("Fields of type object, or arrays of objects (e.g. line items), get their own columns here.")
        return
    options: list[str | None] = [None, *nested]
    opened = open_field(main)
    open_name = opened.name if opened is not None else None
    choice = st.selectbox(
        "Sub-fields of",
        options,
        index=options.index(open_name),
        format_func=lambda n: "—" if n is None else n,
        key=key("sub_pick"),
    )
    if choice != open_name:
        # Keep every edit made so far (the open sub-fields included), then open the other field's table.
        S.define_sub = choice
        replace_draft(edited)
    if opened is not None:
        label = "Items of" if opened.type == "array" else "Properties of"
        st.markdown(f"**{label} {plain(opened.name)}**")
        _table(opened.sub_fields, key("subfields"), SUB_TABLE_COLUMNS)


def _description_editors(fields: list[Field]) -> None:
    """One editor per field for its description, the key lever for accuracy, shown in full."""
    st.markdown("**Descriptions**: what to extract, where it is on the page, and in which format.")
    seen: set[str] = set()
    for field in fields:
        if not field.name or field.name in seen:
            continue  # a row without a name, or a second one of a name: the problems below name it
        seen.add(field.name)
        lines = max(len(field.description) // CHARS_PER_LINE + 1, 2)
        st.text_area(
            f"{plain(field.name)} ({field.type})",
            field.description,
            key=description_key(field.name),
            height=max(lines * LINE_HEIGHT, MIN_EDITOR_HEIGHT),
        )


@st.cache_data(max_entries=64, show_spinner=False)
def _review(fields_json: str, llm: bool) -> dict[str, Any]:
    fields = [Field.model_validate(f) for f in json.loads(fields_json)]
    return review_workflow(fields, llm=llm).model_dump(mode="json")


def _field_review(review: FieldReview, position: int, fields: list[Field]) -> None:
    with st.expander(f"{plain(review.name)} — {review.score}/100", expanded=review.score < OPEN_BELOW_SCORE):
        if review.understood:
            st.caption(plain(review.understood))
        for finding in review.findings:  # findings quote descriptions; suggestions may come from the LLM
            st.markdown(f"{SEVERITY_ICONS.get(finding.severity, '')} {plain(finding.message)}")
        suggestion = review.llm_suggestion or review.suggestion
        if suggestion:
            st.markdown(f"**Suggested description:** {plain(suggestion)}")
            if st.button("Apply suggestion", key=key(f"apply_{position}_{review.name}")):
                with show_errors():
                    edited = set_description(fields, review.name, suggestion)
                    replace_draft(current().model_copy(update={"fields": edited}), f"Applied to {plain(review.name)}.")
        elif not review.findings:
            st.caption("Nothing to improve.")


def field_guide(fields: list[Field]) -> None:
    """How ready the descriptions are, what to improve, suggested rewrites (by the LLM when asked)."""
    st.subheader("Field guide")
    if not fields:
        st.info("Add fields to see how ready their descriptions are.")
        return
    fields_json = json.dumps([f.model_dump(mode="json") for f in fields], sort_keys=True)
    llm_ready = get_settings().llm_configured
    use_llm = llm_ready and S.get("define_llm_review") == fields_json
    report = GuideReport.model_validate(_review(fields_json, use_llm))
    st.metric("Readiness", f"{report.score}/100")
    if report.note:
        st.caption(plain(report.note))
    for finding in report.findings:
        st.warning(plain(finding.message), icon=SEVERITY_ICONS.get(finding.severity))
    reviews = [r for top in report.fields for r in top.walk()]
    for position, review in enumerate(reviews):
        _field_review(review, position, fields)
    needs_help = any(r.suggestion for r in reviews)
    if (
        llm_ready
        and needs_help
        and not use_llm
        and st.button("Ask the LLM for better descriptions", key=key("llm_review"))
    ):
        S.define_llm_review = fields_json
        st.rerun()
    with st.expander("Best-practice examples"):
        kind = st.selectbox("Type", FIELD_TYPES, key=key("example_type"))
        for example in examples(kind):
            st.markdown(f"- {example}")
