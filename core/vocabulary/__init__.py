"""The one home of what fields, labels, columns and summary lines are called, in every supported language."""
