"""Teaching a workflow: where values sit on their documents, training data, uploads, annotations with boxes,
feedback, review.

Modules: ``spans`` (the spans values can be printed in), ``locate`` (values without boxes found on the page),
``expected`` (expected values checked against the fields), ``boxes`` (a drawn box read into a value),
``values`` (annotated values from expected values or a result), ``uploads`` (regular and pre-annotated
uploads, dataset folders), ``annotate`` (the Annotate page's actions), ``canvas`` (boxes between points and
canvas pixels), ``feedback`` (feedback on a run), ``review`` (flags, queue, verification, straight-through
rate), ``progress`` (annotated against recommended documents per template). Templates and the stored records
live in ``core.store`` (``store.templates``, ``store.training``, ``store.feedback``, ``store.reviews``).

The package face names no submodule: training imports ``locate`` and ``spans`` while the engines are loaded,
and the workflow-level modules import the pipeline, which imports the engines.
"""
