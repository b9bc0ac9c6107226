"""How far a workflow's training data is: annotated against recommended documents, per template.

The rule (stated wherever the numbers are shown): a template is one layout, and a model learns a layout from
about five annotated documents of it (``RECOMMENDED_PER_TEMPLATE``); documents without a template are assumed
to be of varied layouts, which need 10 to 20 (``RECOMMENDED_VARIED``, ``RECOMMENDED_VARIED_MAX``).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from core.store import Store

__all__ = [
    "RECOMMENDED_PER_TEMPLATE",
    "RECOMMENDED_VARIED",
    "RECOMMENDED_VARIED_MAX",
    "RECOMMENDATION_RULE",
    "TemplateProgress",
    "training_progress",
]

RECOMMENDED_PER_TEMPLATE = 5
"""Annotated documents a template (one layout) needs at least: the layout memory transfers from these."""
RECOMMENDED_VARIED = 10
"""Annotated documents of varied layouts (no template) needed at least."""
RECOMMENDED_VARIED_MAX = 20
"""Beyond this many documents of varied layouts, more of them help less than a template of their own."""
RECOMMENDATION_RULE = (
    f"At least {RECOMMENDED_PER_TEMPLATE} annotated documents per template (one layout); "
    f"{RECOMMENDED_VARIED}-{RECOMMENDED_VARIED_MAX} for documents of varied layouts without a template."
)


class TemplateProgress(BaseModel):
    """The training data of one template (or of the documents without one)."""

    template_id: str | None = Field(description="None for the documents without a template.")
    name: str
    documents: int
    annotated: int
    needs_annotation: int
    recommended: int = Field(description="Annotated documents recommended for this template.")
    added_since_training: int = Field(description="Annotated after the last training started (all: never trained).")

    @property
    def missing(self) -> int:
        """Annotated documents still recommended."""
        return max(0, self.recommended - self.annotated)


def training_progress(store: Store, workflow_id: str, *, since: datetime | None = None) -> list[TemplateProgress]:
    """Per template (by name, then the documents without one), annotated against recommended documents.

    Args:
        store: the store.
        workflow_id: the workflow.
        since: when the last training started; None when the workflow was never trained.
    """
    rows: dict[str | None, TemplateProgress] = {
        t.id: TemplateProgress(
            template_id=t.id,
            name=t.name,
            documents=0,
            annotated=0,
            needs_annotation=0,
            recommended=RECOMMENDED_PER_TEMPLATE,
            added_since_training=0,
        )
        for t in store.templates.list(workflow_id)
    }
    loose = TemplateProgress(
        template_id=None,
        name="(no template)",
        documents=0,
        annotated=0,
        needs_annotation=0,
        recommended=RECOMMENDED_VARIED,
        added_since_training=0,
    )
    for doc in store.training.list(workflow_id):
        row = rows.get(doc.template_id, loose) if doc.template_id else loose
        row.documents += 1
        if doc.status == "annotated":
            row.annotated += 1
            if since is None or (doc.annotated_at is not None and doc.annotated_at >= since):
                row.added_since_training += 1
        else:
            row.needs_annotation += 1
    return list(rows.values()) + ([loose] if loose.documents else [])
