"""Usage: documents, pages and credits over time by workflow, source or engine; the monthly quota; CSV."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from core.config import get_settings
from core.usage import GROUPS, METRICS, PERIODS, GroupBy, quota_status, usage_csv, usage_over_time, usage_summary
from pages._usage_view import usage_chart, usage_table
from pages._widgets import get_store, show_errors

st.title("Usage")
st.caption(
    "Every processing run counts: from this app, notebooks, the fieldbench command and scripts that call the "
    "library (source api). Credits follow the cost model in the settings (FIELDBENCH_CREDITS_PER_PAGE, "
    "FIELDBENCH_CREDITS_PER_DOCUMENT); failed runs cost nothing."
)

with show_errors():
    settings = get_settings()
    store = get_store()

    quota = quota_status(store, settings)
    st.progress(min(quota.fraction, 1.0), text=f"Monthly page quota: {quota.pages} of {quota.quota} pages")
    if quota.level == "exceeded":
        st.error(quota.message)
    elif quota.level == "warning":
        st.warning(quota.message)

    left, middle, right, far = st.columns([1, 1, 2, 1])
    period = left.selectbox("Period", PERIODS, key="usage_period")
    groups: list[GroupBy | None] = [None, *GROUPS]
    by = middle.selectbox("Group by", groups, format_func=lambda g: g or "nothing", key="usage_by")
    today = date.today()
    picked = right.date_input("Dates", value=(today - timedelta(days=30), today), key="usage_dates")
    metric = far.selectbox("Chart", METRICS, format_func=str.capitalize, key="usage_metric")
    # While the user picks a range, date_input briefly returns only its start.
    dates = list(picked) if isinstance(picked, (list, tuple)) else [picked]
    since = dates[0] if dates else None
    until = dates[1] if len(dates) > 1 else None

    summary = usage_summary(store, since=since, until=until, settings=settings)
    cols = st.columns(5)
    cols[0].metric("Documents", summary.documents, help=f"{summary.unique_documents} distinct")
    cols[1].metric("Pages", summary.pages)
    cols[2].metric(
        "Credits",
        f"{summary.credits:,.0f}",
        help=f"{settings.credits_per_page:g} per page + {settings.credits_per_document:g} per document",
    )
    cols[3].metric("Failed runs", summary.errors)
    cost = "–" if summary.llm_cost is None else f"${summary.llm_cost:,.4f}"
    cols[4].metric(
        "LLM tokens", f"{summary.prompt_tokens + summary.completion_tokens:,}", help=f"estimated cost {cost}"
    )

    rows = usage_over_time(store, period, since=since, until=until, by=by, settings=settings)
    if not rows:
        st.info("No processing runs in this range yet. Process a document on the Extract page to see usage here.")
    else:
        usage_chart(rows, period, since or rows[0].period, until or today, metric, by)
        if summary.by_source or summary.by_engine:
            a, b = st.columns(2)
            a.bar_chart(pd.Series(summary.by_source, name="documents"), horizontal=True, x_label="documents by source")
            b.bar_chart(pd.Series(summary.by_engine, name="documents"), horizontal=True, x_label="documents by engine")
        usage_table(rows, period, by)
        st.download_button(
            "Download CSV",
            usage_csv(rows),
            file_name=f"fieldbench-usage-{period}.csv",
            mime="text/csv",
            key="usage_csv",
        )
