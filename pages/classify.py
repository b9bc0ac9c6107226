"""Classify: define a document classifier, add samples per label, train, classify, route to extraction."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from core.classify import (
    REVIEW_THRESHOLD,
    TrainingReport,
    add_samples,
    classify_and_extract,
    data_check,
    import_folder,
    load_classifier_model,
    parse_pages,
    result_row,
    train,
)
from core.documents import DocumentSpec
from core.store import Store
from core.store.classifiers import Classifier
from pages._widgets import ProgressBar, document_uploader, get_store, plain, show_errors, spec_inputs

NEW = "__new__"
NOTICE = "classify_notice"  # what the last action did, shown after the rerun it needs
FIRST_N = "first_n"
PAGE_CHOICES = {"first": "First page", FIRST_N: "First N pages", "all": "All pages"}


def _relevant_pages(pages: int | None, *, key: str) -> int | None:
    """Inputs for the pages a classifier reads (``first``, ``all`` or the first N), starting from ``pages``."""
    current = "all" if pages is None else "first" if pages == 1 else FIRST_N
    choices = list(PAGE_CHOICES)
    choice = st.radio(
        "Relevant pages",
        choices,
        index=choices.index(current),
        format_func=PAGE_CHOICES.__getitem__,
        horizontal=True,
        key=f"{key}_choice",
    )
    start = pages if pages is not None and pages > 1 else 2
    n = st.number_input("N (for the first N pages)", min_value=1, value=start, step=1, key=f"{key}_n")
    return parse_pages(int(n) if choice == FIRST_N else choice)


def _create(store: Store) -> None:
    with st.form("classify_create"):
        name = st.text_input("Name", key="classify_new_name")
        labels = st.text_area("Labels, one per line", key="classify_new_labels", placeholder="invoice\nletter")
        pages = _relevant_pages(1, key="classify_new_pages")
        spec = spec_inputs(DocumentSpec(), key="classify_new_spec", compact=True)
        if st.form_submit_button("Create classifier"):
            try:
                classifier = Classifier(
                    name=name.strip(),
                    labels=[line.strip() for line in labels.splitlines() if line.strip()],
                    pages=pages,
                    spec=spec,
                )
            except ValidationError as exc:  # pydantic names the bad label or page count
                reasons = "; ".join(e["msg"] for e in exc.errors())
                st.error(
                    plain(f"Cannot create the classifier: {reasons}. Change the name or the labels and try again.")
                )
                return
            store.classifiers.add(classifier)
            st.session_state["classify_selected"] = classifier.id
            st.rerun()


def _report(report: TrainingReport) -> None:
    acc = "unknown" if report.accuracy is None else f"{report.accuracy:.1%}"
    c1, c2, c3 = st.columns(3)
    c1.metric("Cross-validated accuracy", acc, help=f"{report.folds} folds, stratified")
    c2.metric("Samples", sum(report.samples.values()))
    c3.metric("Version", report.version or "–")
    table = pd.DataFrame(
        [
            {"label": label, "samples": m.samples, "accuracy": m.accuracy, "precision": m.precision}
            for label, m in report.per_class.items()
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "accuracy": st.column_config.ProgressColumn("accuracy", min_value=0.0, max_value=1.0, format="percent"),
            "precision": st.column_config.NumberColumn("precision", format="percent"),
        },
    )
    st.caption("Confusion matrix: rows are the true labels, columns the predicted ones (held-out predictions).")
    st.dataframe(pd.DataFrame(report.confusion, index=report.labels, columns=report.labels))
    if report.warnings:  # label names come from the user; the last warning says why it is unreliable, once
        (st.warning if report.unreliable else st.info)(plain(" ".join(report.warnings)))


def _training_data(store: Store, classifier: Classifier) -> None:
    hard = st.checkbox("Difficult task (similar-looking classes)", key="classify_hard")
    check = data_check(store, classifier, hard=hard)
    st.markdown(f"**Recommendation.** {check.recommendation}")
    st.dataframe(
        pd.DataFrame([c.model_dump() for c in check.labels], columns=["label", "samples", "needed", "short_by"]),
        hide_index=True,
    )
    for message in check.messages:
        st.warning(plain(message))
    if check.ok:
        st.success(f"Every label has at least {check.recommended_per_class} samples.")

    st.subheader("Add samples")
    if classifier.labels:
        label = st.selectbox("Label", classifier.labels, key="classify_sample_label")
        files = document_uploader("Documents of this label", key="classify_sample_files")
        if st.button("Add samples", key="classify_add_samples", disabled=not files):
            added = add_samples(store, classifier, label, files, progress=ProgressBar().update)
            st.session_state[NOTICE] = f"Added {added} samples to {plain(label)}."
            st.rerun()
        _samples(store, classifier, label)
    folder = st.text_input("Or import a folder (one subfolder per label)", key="classify_folder")
    if st.button("Import folder", key="classify_import", disabled=not folder.strip()):
        result = import_folder(store, classifier, folder.strip(), progress=ProgressBar().update)
        imported = ", ".join(f"{n} {plain(label)}" for label, n in result.added.items())
        st.session_state[NOTICE] = f"Imported {imported}."
        st.rerun()

    st.subheader("Labels and relevant pages")
    new_label = st.text_input("New label", key="classify_new_label")
    if st.button("Add label", key="classify_add_label", disabled=not new_label.strip()):
        store.classifiers.update(classifier.model_copy(update={"labels": [*classifier.labels, new_label.strip()]}))
        st.rerun()
    pages = _relevant_pages(classifier.pages, key=f"classify_pages_{classifier.id}")
    if pages != classifier.pages and st.button("Save relevant pages", key="classify_save_pages"):
        store.classifiers.update(classifier.model_copy(update={"pages": pages}))
        st.rerun()


def _samples(store: Store, classifier: Classifier, label: str) -> None:
    """The label's samples, and one of them removed (the document itself stays in the store)."""
    samples = {s.document_id: s for s in store.classifiers.samples(classifier.id, label)}
    if not samples:
        return
    rows = [{"sample": s.name, "added": s.created_at} for s in samples.values()]
    st.dataframe(rows, hide_index=True, column_config={"added": st.column_config.DatetimeColumn(format="YYYY-MM-DD")})
    left, right = st.columns([3, 1])
    chosen = left.selectbox("Sample", list(samples), format_func=lambda d: samples[d].name, key="classify_sample_pick")
    if right.button("Remove", key="classify_remove_sample"):
        store.classifiers.remove_sample(classifier.id, chosen)
        st.session_state[NOTICE] = f"Removed {plain(samples[chosen].name)} from {plain(label)}."
        st.rerun()


def _train(store: Store, classifier: Classifier) -> None:
    if st.button("Train", type="primary", key="classify_train"):
        hard = bool(st.session_state.get("classify_hard"))
        train(store, classifier, hard=hard, progress=ProgressBar("starting").update)
        st.rerun()
    latest = store.classifiers.latest_version(classifier.id)
    if latest is None:
        st.info("Not trained yet.")
    else:
        _report(TrainingReport.model_validate(latest.report))


def _routes(store: Store, classifier: Classifier) -> None:
    workflows = {w.id: w.name for w in store.workflows.list()}
    options = ["", *workflows]
    routes: dict[str, str] = {}
    for label in classifier.labels:
        current = classifier.routes.get(label, "")
        routes[label] = st.selectbox(
            f"Documents labelled {plain(label)} go to",
            options,
            index=options.index(current) if current in options else 0,
            format_func=lambda wid: workflows.get(wid, "no extraction"),
            key=f"classify_route_{classifier.id}_{label}",
        )
    wanted = {label: wid for label, wid in routes.items() if wid}
    if st.button("Save routes", key="classify_save_routes", disabled=wanted == classifier.routes):
        store.classifiers.update(classifier.model_copy(update={"routes": wanted}))
        st.rerun()


def _classify(store: Store, classifier: Classifier) -> None:
    files = document_uploader("Documents to classify", key="classify_docs")
    # Keyed by whether routes exist, so saving the first route switches the default on.
    extract = st.toggle(
        "Then extract with the routed workflow",
        key=f"classify_extract_{classifier.id}_{int(bool(classifier.routes))}",
        value=bool(classifier.routes),
    )
    if st.button("Classify", key="classify_run", disabled=not files):
        model = load_classifier_model(store, classifier)
        st.session_state["classify_results"] = [
            result_row(
                classify_and_extract(store, classifier, data, name=name, source="app", model=model, extract=extract),
                with_extraction=extract,
            )
            for name, data in files
        ]
    results = st.session_state.get("classify_results")
    if results:
        st.dataframe(pd.DataFrame(results), hide_index=True)
        review = [str(r["file"]) for r in results if r["review"]]
        if review:
            st.warning(plain(f"Below {REVIEW_THRESHOLD:.0%} confidence, please review: {', '.join(review)}"))


st.title("Classify")
st.caption(
    "Sort documents into your own classes, and route each class to an extraction workflow. Give every label "
    "sample documents, train, and check the per-class accuracy before relying on it."
)

with show_errors():
    store = get_store()
    classifiers = {c.id: c for c in store.classifiers.list()}
    options = [*classifiers, NEW]
    selected = st.session_state.get("classify_selected")
    index = options.index(selected) if selected in options else 0
    pick = st.selectbox(
        "Classifier",
        options,
        index=index,
        format_func=lambda cid: "New classifier…" if cid == NEW else classifiers[cid].name,
    )
    if notice := st.session_state.pop(NOTICE, None):
        st.success(notice)
    if pick == NEW:
        _create(store)
    else:
        st.session_state["classify_selected"] = pick
        classifier = classifiers[pick]
        data_tab, train_tab, classify_tab, routes_tab = st.tabs(["Training data", "Train", "Classify", "Routes"])
        with data_tab, show_errors():
            _training_data(store, classifier)
        with train_tab, show_errors():
            _train(store, classifier)
        with classify_tab, show_errors():
            _classify(store, classifier)
        with routes_tab, show_errors():
            _routes(store, classifier)
