"""Classifier rows in the store: labels, routes, samples, versions, and the rules keeping them consistent."""

from __future__ import annotations

import pytest

from core.documents import DocumentSpec
from core.errors import ClassifierError, NotFoundError, StoreError
from core.store import Store
from core.store.classifiers import Classifier


@pytest.fixture
def store() -> Store:
    return Store.open()


def test_add_get_list_round_trip(store: Store) -> None:
    c = store.classifiers.add(
        Classifier(name="Mail room", labels=["invoice", "letter"], pages=2, spec=DocumentSpec(charset="japanese"))
    )
    got = store.classifiers.get(c.id)
    assert got.name == "Mail room"
    assert got.labels == ["invoice", "letter"]
    assert got.pages == 2
    assert got.spec.charset == "japanese"
    assert got.created_at.tzinfo is not None
    assert [x.id for x in store.classifiers.list()] == [c.id]


def test_survives_reopening_the_store(store: Store) -> None:
    c = store.classifiers.add(Classifier(name="A", labels=["x", "y"], pages=None))
    store.close()
    again = Store.open()
    assert again.classifiers.get(c.id).pages is None


def test_missing_classifier_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.classifiers.get("nope")
    with pytest.raises(NotFoundError):
        store.classifiers.delete("nope")


def test_duplicate_id_is_a_store_error(store: Store) -> None:
    c = store.classifiers.add(Classifier(name="A", labels=["x"]))
    with pytest.raises(StoreError):
        store.classifiers.add(c)


def test_labels_are_validated() -> None:
    with pytest.raises(ValueError, match="twice"):
        Classifier(name="A", labels=["x", "x"])
    with pytest.raises(ValueError, match="empty"):
        Classifier(name="A", labels=["x", "  "])
    with pytest.raises(ValueError):
        Classifier(name="A", labels=["x"], pages=0)


def test_samples_counts_and_moving_a_document(store: Store) -> None:
    c = store.classifiers.add(Classifier(name="A", labels=["x", "y", "z"]))
    store.classifiers.add_samples(c.id, [("x", "d1", "one.pdf"), ("x", "d2", "two.pdf"), ("y", "d3", "three.pdf")])
    assert store.classifiers.sample_counts(c.id) == {"x": 2, "y": 1, "z": 0}
    # The same document added again under another label moves there: one document, one label.
    store.classifiers.add_samples(c.id, [("y", "d1", "one.pdf")])
    assert store.classifiers.sample_counts(c.id) == {"x": 1, "y": 2, "z": 0}
    assert [s.name for s in store.classifiers.samples(c.id, "y")] == ["three.pdf", "one.pdf"]
    store.classifiers.remove_sample(c.id, "d3")
    assert store.classifiers.sample_counts(c.id)["y"] == 1


def test_sample_with_unknown_label_writes_nothing(store: Store) -> None:
    c = store.classifiers.add(Classifier(name="A", labels=["x"]))
    with pytest.raises(ClassifierError, match="unknown label"):
        store.classifiers.add_samples(c.id, [("x", "d1", "a.pdf"), ("nope", "d2", "b.pdf")])
    assert store.classifiers.samples(c.id) == []


def test_routes_must_name_labels_and_labels_with_samples_stay(store: Store) -> None:
    c = store.classifiers.add(Classifier(name="A", labels=["x", "y"]))
    store.classifiers.update(c.model_copy(update={"routes": {"x": "wf-1"}}))
    assert store.classifiers.get(c.id).routes == {"x": "wf-1"}
    with pytest.raises(ClassifierError, match="routes"):
        store.classifiers.update(c.model_copy(update={"routes": {"q": "wf-1"}}))
    store.classifiers.add_samples(c.id, [("y", "d1", "a.pdf")])
    with pytest.raises(ClassifierError, match="still have samples"):
        store.classifiers.update(c.model_copy(update={"labels": ["x"]}))
    assert store.classifiers.get(c.id).labels == ["x", "y"]


def test_versions_are_numbered_and_kept(store: Store) -> None:
    c = store.classifiers.add(Classifier(name="A", labels=["x", "y"]))
    assert store.classifiers.latest_version(c.id) is None
    assert store.classifiers.next_version(c.id) == 1
    store.classifiers.add_version(c.id, 1, "/m/v1", {"accuracy": 0.5})
    store.classifiers.add_version(c.id, 2, "/m/v2", {"accuracy": 0.9})
    latest = store.classifiers.latest_version(c.id)
    assert latest is not None and latest.version == 2 and latest.report["accuracy"] == 0.9
    assert store.classifiers.next_version(c.id) == 3
    with pytest.raises(StoreError):
        store.classifiers.add_version(c.id, 2, "/m/v2b", {})


def test_delete_removes_samples_and_versions(store: Store) -> None:
    c = store.classifiers.add(Classifier(name="A", labels=["x"]))
    store.classifiers.add_samples(c.id, [("x", "d1", "a.pdf")])
    store.classifiers.add_version(c.id, 1, "/m/v1", {})
    store.classifiers.delete(c.id)
    assert store.classifiers.list() == []
    assert store.classifiers.samples(c.id) == []
    assert store.classifiers.versions(c.id) == []
