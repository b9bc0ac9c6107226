"""Usage on a page: a chart over time with every period of the range on its axis, and the table of the figures
with readable column names and rounded numbers (the Usage page and the workflow dashboard)."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from core.usage import GroupBy, Period, UsageRow, period_label, period_starts

__all__ = ["usage_chart", "usage_table"]

BAR_COLOR = "#4c78a8"  # Altair's first colour: one series looks like the first group of a grouped chart

# The figures of a UsageRow as the table names and rounds them (seconds and credits are sums of fractions).
COLUMNS = {
    "period": st.column_config.TextColumn("Period"),
    "group": st.column_config.TextColumn("Group"),
    "runs": st.column_config.NumberColumn("Runs"),
    "documents": st.column_config.NumberColumn("Documents"),
    "pages": st.column_config.NumberColumn("Pages"),
    "errors": st.column_config.NumberColumn("Failed runs"),
    "seconds": st.column_config.NumberColumn("Seconds", format="%.1f"),
    "prompt_tokens": st.column_config.NumberColumn("Prompt tokens"),
    "completion_tokens": st.column_config.NumberColumn("Completion tokens"),
    "llm_cost": st.column_config.NumberColumn("LLM cost (USD)", format="%.4f"),
    "credits": st.column_config.NumberColumn("Credits", format="%.0f"),
}


def _frame(rows: list[UsageRow], period: Period) -> pd.DataFrame:
    frame = pd.DataFrame([r.model_dump() for r in rows])
    frame["period"] = [period_label(r.period, period) for r in rows]
    return frame


def usage_chart(
    rows: list[UsageRow], period: Period, since: date, until: date, metric: str, by: GroupBy | None = None
) -> None:
    """Bars of ``metric`` per period from ``since`` to ``until``: one band per period (empty ones too), so one
    busy day is one bar among the range's days and every day is named once on the axis."""
    axis = [period_label(start, period) for start in period_starts(period, since, until)]
    chart = (
        alt.Chart(_frame(rows, period))
        .mark_bar()
        .encode(
            x=alt.X(
                "period:O",
                title=period.capitalize(),
                scale=alt.Scale(domain=axis),
                axis=alt.Axis(labelAngle=-45, labelOverlap=True),
            ),
            y=alt.Y(f"sum({metric}):Q", title=metric.capitalize()),
            color=alt.Color("group:N", title=by.capitalize()) if by else alt.value(BAR_COLOR),
            tooltip=["period:O", "group:N", "documents:Q", "pages:Q", "credits:Q", "errors:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")


def usage_table(rows: list[UsageRow], period: Period, by: GroupBy | None = None) -> None:
    """The figures per period (and group), named for people and rounded."""
    frame = _frame(rows, period)
    if by is None:
        frame = frame.drop(columns=["group"])
    config = {**COLUMNS, "group": st.column_config.TextColumn(by.capitalize() if by else "Group")}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
