"""Teaching a workflow: templates, training data, uploads, annotations with boxes, feedback, review."""
