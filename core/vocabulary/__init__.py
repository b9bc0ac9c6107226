"""The one home of what fields, labels, columns and summary lines are called, in every supported language.

Modules, one per kind of vocabulary: ``concepts`` (the one table of field concepts: names, triggers, kind,
printed labels, how the guide describes them), ``kinds`` (``ValueKind`` and the words that name a kind),
``columns`` (item table column labels), ``summary`` (totals, tax, carry-forward and page lines), ``parties``
(roles, salutations, legal forms, address words), ``marks`` (number signs, fillers, checkboxes),
``descriptions`` (what descriptions say: location, negatives, selection, format), ``requests`` (the words of
plain-language requests) and ``words`` (splitting names into words, singular and plural).
"""
