"""Fieldbench's Streamlit entry: page config, navigation, run. Pages live in pages/, the logic in core/."""

import streamlit as st

st.set_page_config(page_title="Fieldbench", page_icon=":material/table_view:", layout="wide")

pages = [
    st.Page("pages/dashboard.py", title="Dashboard", icon=":material/dashboard:", default=True),
    st.Page("pages/define.py", title="Define", icon=":material/edit_note:"),
    st.Page("pages/documents.py", title="Documents", icon=":material/description:"),
    st.Page("pages/extract.py", title="Extract", icon=":material/document_scanner:"),
    st.Page("pages/runs.py", title="Runs", icon=":material/history:"),
    st.Page("pages/annotate.py", title="Annotate", icon=":material/ink_highlighter:"),
    st.Page("pages/review.py", title="Review", icon=":material/fact_check:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/classify.py", title="Classify", icon=":material/category:"),
    st.Page("pages/usage.py", title="Usage", icon=":material/bar_chart:"),
]

st.navigation(pages).run()
