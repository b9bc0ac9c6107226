"""Document classifiers: training, confidence, review flag, unreliability, routing, bad inputs, skops.

Documents are synthesised with PyMuPDF: invoices (a title, numbered items, a total) and letters (a salutation,
prose, a closing), varied by a seeded random generator. The helpers are shared with the CLI and page tests.
"""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pymupdf
import pytest

from core.classify import (
    add_samples,
    check_counts,
    classify,
    classify_and_extract,
    classify_file,
    data_check,
    fit,
    import_folder,
    load_classifier_model,
    load_model,
    parse_pages,
    result_row,
    save_model,
    train,
    train_folder,
)
from core.classify.data import recommended_samples
from core.classify.model import document_features
from core.config import get_settings
from core.documents import load_document
from core.errors import ClassifierError
from core.schema import Field, Workflow
from core.store import Store
from core.store.classifiers import Classifier

_WORDS: tuple[str, ...] = (
    "please",
    "find",
    "attached",
    "our",
    "offer",
    "regarding",
    "the",
    "meeting",
    "next",
    "week",
    "thank",
    "you",
    "for",
    "your",
    "kind",
    "letter",
    "we",
    "would",
    "like",
    "to",
    "inform",
    "you",
    "about",
    "changes",
    "to",
    "the",
    "schedule",
    "and",
    "look",
    "forward",
    "to",
    "hearing",
    "from",
    "you",
    "soon",
)


def invoice_pdf(rng: random.Random, *, pages: int = 1) -> bytes:
    """An invoice: title with a number, date, 3-8 item lines with amounts, a total."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), f"INVOICE No. {rng.randint(1000, 9999)}", fontsize=18)
    page.insert_text((72, 90), f"Date: 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
    y = 160
    for i in range(rng.randint(3, 8)):
        item = rng.choice(["Widget", "Bolt", "Cable", "Service", "Licence"])
        page.insert_text((72, y), f"{i + 1}  {item}  {rng.randint(1, 9)} x {rng.randint(5, 99)}.00 EUR")
        y += 18
    page.insert_text((350, y + 30), f"Total: {rng.randint(100, 999)}.{rng.randint(10, 99)} EUR")
    for _ in range(pages - 1):
        doc.new_page().insert_text((72, 72), " ".join(rng.choice(_WORDS) for _ in range(12)))
    return doc.tobytes()


def letter_pdf(rng: random.Random) -> bytes:
    """A letter: salutation, 4-9 lines of prose, a closing."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), f"Dear {rng.choice(['Ms Smith', 'Mr Jones', 'Dr Brown', 'Mrs Meyer'])},")
    y = 110
    for _ in range(rng.randint(4, 9)):
        page.insert_text((72, y), " ".join(rng.choice(_WORDS) for _ in range(10)))
        y += 16
    page.insert_text((72, y + 30), "Kind regards")
    return doc.tobytes()


def make_label_folder(root: Path, n: int = 6, seed: int = 0) -> Path:
    """``root/invoice/*.pdf`` and ``root/letter/*.pdf``, ``n`` each."""
    rng = random.Random(seed)
    for label, make in (("invoice", invoice_pdf), ("letter", letter_pdf)):
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            (folder / f"{label}{i}.pdf").write_bytes(make(rng))
    return root


def _samples(n: int, seed: int = 0) -> list[tuple[str, object]]:
    rng = random.Random(seed)
    out: list[tuple[str, object]] = []
    for _ in range(n):
        out.append(("invoice", load_document(invoice_pdf(rng))))
        out.append(("letter", load_document(letter_pdf(rng))))
    return out


@pytest.fixture(scope="module")
def small_model():  # type: ignore[no-untyped-def]
    return fit(_samples(6))  # type: ignore[arg-type]


# --- the recommendation -------------------------------------------------------------------------------------


def test_recommendation_follows_the_reference() -> None:
    assert recommended_samples(2) == 25
    assert recommended_samples(4) == 25
    assert recommended_samples(5) == 50
    assert recommended_samples(4, hard=True) == 50
    check = check_counts({"invoice": 30, "letter": 10, "memo": 0})
    assert check.recommended_per_class == 25
    assert not check.ok and not check.trainable
    short = {c.label: c.short_by for c in check.labels}
    assert short == {"invoice": 0, "letter": 15, "memo": 25}
    assert any("letter" in m and "15 short" in m for m in check.messages)
    assert any("memo" in m and "no samples" in m for m in check.messages)
    assert check_counts({f"c{i}": 50 for i in range(5)}).ok
    assert not check_counts({f"c{i}": 50 for i in range(5)}, hard=True).ok


def test_parse_pages() -> None:
    assert parse_pages("first") == 1
    assert parse_pages("all") is None
    assert parse_pages("3") == 3
    with pytest.raises(ClassifierError):
        parse_pages("0")
    with pytest.raises(ClassifierError):
        parse_pages("some")


def test_relevant_pages_decide_what_the_features_see() -> None:
    doc = load_document(invoice_pdf(random.Random(1), pages=3))
    first = document_features(doc, 1)
    every = document_features(doc, None)
    assert "INVOICE" in first["text"]
    assert len(every["text"]) > len(first["text"])
    # Digits are normalised so numbers do not become vocabulary of their own.
    assert "No. 0000" in first["text"]
    grid = [first[f"grid_{r}{c}"] for r in range(3) for c in range(3)]
    assert sum(grid) == pytest.approx(1.0)
    assert first["log_pages"] == every["log_pages"]


# --- training and classifying -------------------------------------------------------------------------------


def test_training_reports_per_class_accuracy_and_confusion(small_model) -> None:  # type: ignore[no-untyped-def]
    report = small_model.report
    assert report.labels == ["invoice", "letter"]
    assert report.samples == {"invoice": 6, "letter": 6}
    assert report.folds == 5
    assert report.accuracy == pytest.approx(1.0)
    assert report.per_class["invoice"].accuracy == pytest.approx(1.0)
    assert report.confusion == [[6, 0], [0, 6]]
    assert sum(map(sum, report.confusion)) == 12


def test_classify_new_documents_with_a_confidence_per_class(small_model) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(99)
    for make, expected in ((invoice_pdf, "invoice"), (letter_pdf, "letter")):
        result = classify(small_model, load_document(make(rng), name="new.pdf"))
        assert result.label == expected
        assert set(result.scores) == {"invoice", "letter"}
        assert sum(result.scores.values()) == pytest.approx(1.0)
        assert result.confidence == max(result.scores.values())
        assert result.confidence >= 0.8 and not result.needs_review
        assert result.document_name == "new.pdf"


def test_small_training_set_is_flagged_unreliable(small_model) -> None:  # type: ignore[no-untyped-def]
    report = small_model.report
    assert report.unreliable
    assert any("invoice: 6 samples, 19 short of the recommended 25" in w for w in report.warnings)
    [verdict] = [w for w in report.warnings if w.startswith("Unreliable")]  # said once, with the reason
    assert "too few samples per label" in verdict and "Add samples" in verdict


def test_enough_separable_data_is_reliable() -> None:
    report = fit(_samples(25, seed=4)).report  # type: ignore[arg-type]
    assert report.accuracy is not None and report.accuracy >= 0.95
    assert not report.unreliable
    assert report.warnings == []


def test_indistinguishable_labels_need_review_and_look_unreliable() -> None:
    # Two labels drawn from the same letter generator cannot be told apart: low held-out accuracy, and
    # letters get split confidence, so they are flagged for review; invoices stay confident.
    rng = random.Random(3)
    samples = [("invoice", load_document(invoice_pdf(rng))) for _ in range(8)]
    samples += [("letter_a", load_document(letter_pdf(rng))) for _ in range(8)]
    samples += [("letter_b", load_document(letter_pdf(rng))) for _ in range(8)]
    model = fit(samples)
    assert model.report.unreliable
    assert model.report.accuracy is not None and model.report.accuracy < 0.8
    assert any("Weak classes" in w and "letter_a" in w for w in model.report.warnings)
    letters = [classify(model, load_document(letter_pdf(random.Random(500 + i)))) for i in range(6)]
    assert all(r.needs_review and r.confidence < 0.8 for r in letters)
    assert all(r.label in ("letter_a", "letter_b") for r in letters)
    invoice = classify(model, load_document(invoice_pdf(random.Random(500))))
    assert invoice.label == "invoice" and not invoice.needs_review


def test_a_document_without_text_needs_review(small_model) -> None:  # type: ignore[no-untyped-def]
    blank = pymupdf.open()
    blank.new_page()
    result = classify(small_model, load_document(blank.tobytes()))
    assert result.needs_review
    assert "no text" in result.note


def test_one_sample_per_label_trains_without_held_out_accuracy() -> None:
    rng = random.Random(7)
    model = fit([("invoice", load_document(invoice_pdf(rng))), ("letter", load_document(letter_pdf(rng)))])
    assert model.report.folds == 0
    assert model.report.accuracy is None
    assert model.report.unreliable
    assert any("accuracy is unknown" in w for w in model.report.warnings)


def test_training_needs_two_labels() -> None:
    with pytest.raises(ClassifierError, match="2 or more labels"):
        fit([("invoice", load_document(invoice_pdf(random.Random(1))))] * 3)


# --- persistence --------------------------------------------------------------------------------------------


def test_skops_round_trip_gives_the_same_scores(small_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = save_model(small_model, tmp_path / "model", name="mail")
    assert zipfile.is_zipfile(folder / "model.skops")  # skops format, not a pickle
    meta = json.loads((folder / "model.json").read_text())
    assert meta["labels"] == ["invoice", "letter"]
    assert meta["sklearn_version"] and meta["saved_at"] and meta["report"]["accuracy"] == 1.0
    loaded = load_model(folder)
    doc = load_document(letter_pdf(random.Random(42)))
    assert classify(loaded, doc).scores == pytest.approx(classify(small_model, doc).scores)
    assert loaded.report.labels == small_model.report.labels
    assert loaded.name == "mail"


def test_missing_or_damaged_model_is_a_clear_error(small_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClassifierError, match="no classifier model"):
        load_model(tmp_path / "nothing")
    folder = save_model(small_model, tmp_path / "model")
    (folder / "model.skops").write_bytes(b"not a zip at all")
    with pytest.raises(ClassifierError, match="damaged"):
        load_model(folder)
    folder = save_model(small_model, tmp_path / "model2")
    (folder / "model.json").write_text("{broken")
    with pytest.raises(ClassifierError, match="damaged"):
        load_model(folder)


def test_saving_never_overwrites_a_folder_that_is_not_a_model(small_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "precious"
    target.mkdir()
    (target / "thesis.txt").write_text("keep me")
    with pytest.raises(ClassifierError, match="not a classifier model folder"):
        save_model(small_model, target)
    assert (target / "thesis.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]  # no staging folder left behind


# --- from a folder ------------------------------------------------------------------------------------------


def test_train_folder_then_classify_files(tmp_path: Path) -> None:
    make_label_folder(tmp_path / "data", n=5)
    (tmp_path / "data" / "invoice" / "invoice0.json").write_text("{}")  # sidecars are skipped
    report = train_folder(tmp_path / "data", tmp_path / "model", pages=parse_pages("all"))
    assert report.samples == {"invoice": 5, "letter": 5}
    assert report.pages is None
    model = load_model(tmp_path / "model")
    assert model.pages is None
    result = classify_file(model, _write(tmp_path / "x.pdf", invoice_pdf(random.Random(77))))
    assert result.label == "invoice" and result.document_name == "x.pdf"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_folder_with_an_empty_label_names_it(tmp_path: Path) -> None:
    make_label_folder(tmp_path / "data", n=2)
    (tmp_path / "data" / "memo").mkdir()
    with pytest.raises(ClassifierError, match="label 'memo' has no samples"):
        train_folder(tmp_path / "data", tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_folder_with_a_corrupt_file_names_it_and_writes_nothing(tmp_path: Path) -> None:
    make_label_folder(tmp_path / "data", n=2)
    (tmp_path / "data" / "letter" / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage that is no pdf")
    with pytest.raises(ClassifierError, match=r"letter/broken\.pdf"):
        train_folder(tmp_path / "data", tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_folder_with_one_label_cannot_train(tmp_path: Path) -> None:
    make_label_folder(tmp_path / "data", n=2)
    import shutil

    shutil.rmtree(tmp_path / "data" / "letter")
    with pytest.raises(ClassifierError, match="at least 2 label"):
        train_folder(tmp_path / "data", tmp_path / "model")


# --- in the store -------------------------------------------------------------------------------------------


@pytest.fixture
def store() -> Store:
    return Store.open()


def test_store_classifier_import_check_train_versions(store: Store, tmp_path: Path) -> None:
    classifier = store.classifiers.add(Classifier(name="Mail room", labels=["invoice"]))
    imported = import_folder(store, classifier, make_label_folder(tmp_path / "data", n=5))
    assert imported.added == {"invoice": 5, "letter": 5}
    classifier = store.classifiers.get(classifier.id)
    assert classifier.labels == ["invoice", "letter"]  # the new label folder became a label
    check = data_check(store, classifier)
    assert not check.ok and check.recommended_per_class == 25
    assert {c.label: c.short_by for c in check.labels} == {"invoice": 20, "letter": 20}

    steps: list[float] = []
    report = train(store, classifier, progress=lambda f, _m: steps.append(f))
    assert steps and steps[-1] == 1.0
    assert report.version == 1 and report.unreliable
    v1 = get_settings().models_dir / "classifiers" / classifier.id / "v1"
    assert (v1 / "model.skops").is_file() and (v1 / "model.json").is_file()
    assert train(store, classifier).version == 2
    assert [v.version for v in store.classifiers.versions(classifier.id)] == [1, 2]
    model = load_classifier_model(store, classifier)
    assert model.path is not None and model.path.name == "v2"
    assert classify(model, load_document(letter_pdf(random.Random(8)))).label == "letter"


def test_label_without_samples_cannot_train(store: Store, tmp_path: Path) -> None:
    classifier = store.classifiers.add(Classifier(name="Mail", labels=["invoice", "letter", "memo"]))
    import_folder(store, classifier, make_label_folder(tmp_path / "data", n=2))
    with pytest.raises(ClassifierError, match="without samples: memo"):
        train(store, store.classifiers.get(classifier.id))
    assert store.classifiers.versions(classifier.id) == []


def test_untrained_classifier_cannot_classify(store: Store) -> None:
    classifier = store.classifiers.add(Classifier(name="Mail", labels=["a", "b"]))
    with pytest.raises(ClassifierError, match="not trained"):
        load_classifier_model(store, classifier)


def test_corrupt_sample_in_import_adds_nothing(store: Store, tmp_path: Path) -> None:
    classifier = store.classifiers.add(Classifier(name="Mail", labels=["invoice"]))
    folder = make_label_folder(tmp_path / "data", n=2)
    (folder / "invoice" / "zz_truncated.pdf").write_bytes(invoice_pdf(random.Random(1))[:300])
    with pytest.raises(ClassifierError, match=r"invoice/zz_truncated\.pdf"):
        import_folder(store, classifier, folder)
    assert store.classifiers.samples(classifier.id) == []
    assert store.classifiers.get(classifier.id).labels == ["invoice"]
    assert store.documents.list() == []


def test_add_samples_for_one_label(store: Store) -> None:
    classifier = store.classifiers.add(Classifier(name="Mail", labels=["invoice", "letter"]))
    rng = random.Random(2)
    added = add_samples(store, classifier, "letter", [("a.pdf", letter_pdf(rng)), ("b.pdf", letter_pdf(rng))])
    assert added == 2
    assert store.classifiers.sample_counts(classifier.id) == {"invoice": 0, "letter": 2}
    with pytest.raises(ClassifierError, match="unknown label"):
        add_samples(store, classifier, "memo", [("c.pdf", letter_pdf(rng))])
    with pytest.raises(ClassifierError, match="c.png"):
        add_samples(store, classifier, "letter", [("c.png", b"\x89PNG\r\n\x1a\n broken")])
    assert store.classifiers.sample_counts(classifier.id) == {"invoice": 0, "letter": 2}


# --- routing ------------------------------------------------------------------------------------------------


def test_classify_then_extract_routes_to_the_labels_workflow(store: Store, tmp_path: Path) -> None:
    workflow = store.workflows.create(
        Workflow(name="Invoices", fields=[Field(name="total", type="number", description="The invoice total")])
    )
    classifier = store.classifiers.add(Classifier(name="Mail", labels=["invoice", "letter"]))
    import_folder(store, classifier, make_label_folder(tmp_path / "data", n=4))
    classifier = store.classifiers.update(
        store.classifiers.get(classifier.id).model_copy(update={"routes": {"invoice": workflow.id}})
    )
    train(store, classifier)

    routed = classify_and_extract(store, classifier, invoice_pdf(random.Random(123)), name="in.pdf", source="test")
    assert routed.classification.label == "invoice"
    assert routed.workflow_id == workflow.id
    assert routed.result is not None and routed.result.workflow_id == workflow.id
    assert routed.result.document_name == "in.pdf"
    runs = store.runs.list(workflow_id=workflow.id)
    assert len(runs) == 1 and runs[0].source == "test" and runs[0].status == "ok"

    letter = _write(tmp_path / "letter.pdf", letter_pdf(random.Random(124)))
    unrouted = classify_and_extract(store, classifier, letter, source="test")
    assert unrouted.classification.label == "letter"
    assert unrouted.result is None and "no route" in unrouted.note
    assert store.runs.count() == 1

    only_classified = classify_and_extract(store, classifier, invoice_pdf(random.Random(125)), extract=False)
    assert only_classified.workflow_id == workflow.id and only_classified.result is None
    assert store.runs.count() == 1  # nothing extracted, nothing logged

    row = result_row(routed, with_extraction=True)
    assert (row["file"], row["label"], row["review"]) == ("in.pdf", "invoice", routed.classification.needs_review)
    assert set(row) >= {"p(invoice)", "p(letter)"} and str(row["extraction"]).startswith("total=")
    assert result_row(unrouted, with_extraction=True)["extraction"] == unrouted.note
    assert "extraction" not in result_row(only_classified)


def test_a_model_file_with_unexpected_types_is_refused(small_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    folder = save_model(small_model, tmp_path / "model")
    # A tampered model file that would call os.system: skops reports the type, and nothing is loaded.
    sio.dump(FunctionTransformer(func=os.system), folder / "model.skops")
    with pytest.raises(ClassifierError, match="unexpected types.*system"):
        load_model(folder)
