"""The training data shape: annotated documents (document, expected values, optional boxes, template).

The annotation store produces these; ``examples_from_dataset`` builds them from a folder in the format of
``datasets/``. A summary (documents per template, values per field) travels with every saved model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.documents import BBox, Document, load_document
from core.errors import FieldbenchError, TrainingError
from core.evaluation.datasets import Dataset
from core.schema import Workflow

__all__ = [
    "ValueBox",
    "TrainingExample",
    "TemplateSummary",
    "TrainingDataSummary",
    "summarize_examples",
    "examples_from_dataset",
    "has_value",
    "NO_TEMPLATE",
]

NO_TEMPLATE = "(no template)"
"""The template name summaries use for documents whose template is not known."""


class ValueBox(BaseModel):
    """Where one value is printed: a 1-based page number and a box in points, top-left origin."""

    page: int = Field(ge=1, description="1-based page number.")
    bbox: BBox = Field(description="(x0, y0, x1, y1) in points, origin top-left.")


class TrainingExample(BaseModel):
    """One annotated document.

    ``expected`` holds the known values ``{field: value}`` (arrays of objects as lists of dicts); a field
    missing from it is unknown for this document and neither teaches nor scores anything. ``boxes`` maps value
    paths (``"total"``, ``"line_items[0].quantity"``) to where the value is printed; values without a box are
    located on the page (``core.annotation.locate``).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    document: Document
    expected: dict[str, Any]
    boxes: dict[str, ValueBox] = Field(default_factory=dict)
    template: str | None = Field(default=None, description="The layout (vendor, form) this document follows.")
    group: str | None = Field(
        default=None,
        description="Near-identical documents (the same receipt as PDF and as a scan) share a group and are "
        "never split between training and held-out documents; default: the document itself.",
    )

    @property
    def name(self) -> str:
        return self.document.name

    @property
    def group_key(self) -> str:
        """The group used to split documents: ``group``, else the document id."""
        return self.group or self.document.id


def has_value(value: Any) -> bool:
    """Whether an expected value is known and non-empty.

    >>> has_value(None), has_value(" "), has_value([]), has_value(0)
    (False, False, False, True)
    """
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


class TemplateSummary(BaseModel):
    """How much of one template the model was trained on."""

    documents: int
    values: dict[str, int] = Field(default_factory=dict, description="Documents with a non-empty value, per field.")


class TrainingDataSummary(BaseModel):
    """What a model was trained on: documents, per template, and per field."""

    documents: int
    templates: dict[str, TemplateSummary] = Field(default_factory=dict)
    values: dict[str, int] = Field(default_factory=dict, description="Documents with a non-empty value, per field.")


def summarize_examples(examples: Sequence[TrainingExample], workflow: Workflow) -> TrainingDataSummary:
    """Count documents per template and non-empty values per field.

    >>> from core.documents import Document
    >>> from core.schema import Field as F
    >>> wf = Workflow(name="w", fields=[F(name="total", type="number")])
    >>> doc = Document(id="a", kind="pdf")
    >>> s = summarize_examples([TrainingExample(document=doc, expected={"total": 3.0}, template="A")], wf)
    >>> s.documents, s.templates["A"].values
    (1, {'total': 1})
    """
    per_template: dict[str, list[TrainingExample]] = {}
    for ex in examples:
        per_template.setdefault(ex.template or NO_TEMPLATE, []).append(ex)

    def counts(items: Sequence[TrainingExample]) -> dict[str, int]:
        c: Counter[str] = Counter()
        for ex in items:
            for f in workflow.fields:
                if has_value(ex.expected.get(f.name)):
                    c[f.name] += 1
        return {f.name: c[f.name] for f in workflow.fields}

    return TrainingDataSummary(
        documents=len(examples),
        templates={
            name: TemplateSummary(documents=len(items), values=counts(items))
            for name, items in sorted(per_template.items())
        },
        values=counts(examples),
    )


def examples_from_dataset(
    dataset: Dataset,
    *,
    template_of: Callable[[str], str | None] | None = None,
    group_of: Callable[[str], str | None] | None = None,
    load: Callable[[Any], Document] | None = None,
) -> list[TrainingExample]:
    """Training examples from a dataset folder (``core.evaluation.load_dataset``): its documents loaded.

    Args:
        dataset: the dataset.
        template_of: the template of a document, from its name (e.g. the generator prefix); default none.
        group_of: the near-duplicate group of a document, from its name; default the name (a receipt's PDF and
            its JPEG scan, ``001.pdf`` and ``001.jpg``, are one group).
        load: how to load a document path (default ``load_document`` with the workflow's spec).

    Raises:
        TrainingError: a document cannot be read (the message names it).
    """
    examples: list[TrainingExample] = []
    for doc in dataset.documents:
        try:
            document = load(doc.path) if load else load_document(doc.path, spec=dataset.workflow.spec)
        except FieldbenchError as exc:
            raise TrainingError(f"{doc.path.name}: cannot be read for training ({exc})") from exc
        examples.append(
            TrainingExample(
                document=document,
                expected=dict(doc.expected),
                template=template_of(doc.name) if template_of else None,
                group=group_of(doc.name) if group_of else doc.name,
            )
        )
    return examples
