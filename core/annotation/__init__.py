"""Teaching a workflow: templates, training data, uploads, annotations with boxes, feedback, review.

Modules: ``expected`` (expected values checked against the fields), ``locate`` (values found on the page),
``boxes`` (a drawn box read into a value), ``values`` (annotated values from expected values or a result),
``uploads`` (regular and pre-annotated uploads, dataset folders), ``annotate`` (the Annotate page's
actions), ``feedback`` (feedback on a run), ``review`` (flags, queue, verification, straight-through rate),
``progress`` (annotated against recommended documents per template). Templates and the stored records live
in ``core.store`` (``store.templates``, ``store.training``, ``store.feedback``, ``store.reviews``).
"""

from core.annotation.expected import parse_expected
from core.annotation.feedback import submit_feedback
from core.annotation.progress import RECOMMENDATION_RULE, TemplateProgress, training_progress
from core.annotation.review import ReviewItem, StraightThrough, flagged_paths, review_queue, straight_through, verify
from core.annotation.uploads import ImportReport, import_folder, upload_documents, upload_pre_annotated
from core.annotation.values import expected_of

__all__ = [
    "RECOMMENDATION_RULE",
    "ImportReport",
    "ReviewItem",
    "StraightThrough",
    "TemplateProgress",
    "expected_of",
    "flagged_paths",
    "import_folder",
    "parse_expected",
    "review_queue",
    "straight_through",
    "submit_feedback",
    "training_progress",
    "upload_documents",
    "upload_pre_annotated",
    "verify",
]
