"""Rival labels, indexed once per extraction: the label hits of a workflow's other fields of the same kind and
of the other party, so one field's rivals cost what the document holds, not what the workflow holds.

Hits of several fields on the same words with the same strength explain a value exactly alike; only one of
them (the first in field order that is not the asking field's own) is kept as a rival, so a workflow of many
similar fields does not multiply the rivals every field is scored against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.extraction.local.cues import FieldCues
from core.extraction.local.kinds import field_kind, field_role
from core.extraction.local.labels import LabelHit
from core.schema import Field

__all__ = ["RivalIndex"]

_Key = tuple[int, int, int, tuple[int, ...], float]


def _key(h: LabelHit) -> _Key:
    # Everything scoring reads of a rival hit: where it is (the box follows from the words) and how strong.
    return (h.page, h.row, h.segment, tuple(h.words), h.strength)


class RivalIndex:
    """The positive label hits of ``fields`` by kind and by party role, one representative per position.

    Args:
        fields: the fields whose labels may be rivals (a workflow's scalar fields).
        cues: their cues by field name.
        hits: ``(positives, negatives)`` by field name.
    """

    def __init__(
        self,
        fields: Sequence[Field],
        cues: Mapping[str, FieldCues],
        hits: Mapping[str, tuple[list[LabelHit], list[LabelHit]]],
    ) -> None:
        # kind -> position -> up to two (order, hit) of different fields: the first, and the first of another
        # field, so any asking field finds a representative that is not its own.
        self._by_kind: dict[str, dict[_Key, list[tuple[int, LabelHit]]]] = {}
        self._by_role: dict[str, dict[_Key, tuple[int, LabelHit]]] = {}
        order = 0
        for f in fields:
            positives = hits.get(f.name, ([], []))[0]
            if not positives or f.name not in cues:
                continue
            slots = self._by_kind.setdefault(field_kind(f, cues[f.name]), {})
            party = self._by_role.setdefault(field_role(f, cues[f.name]), {})
            for h in positives:
                key = _key(h)
                kept = slots.setdefault(key, [])
                if len(kept) < 2 and all(other.field != h.field for _, other in kept):
                    kept.append((order, h))
                party.setdefault(key, (order, h))
                order += 1

    def rivals(self, name: str, kind: str) -> list[LabelHit]:
        """The label hits of fields other than ``name`` of this kind, in field order."""
        chosen = []
        for kept in self._by_kind.get(kind, {}).values():
            for order, h in kept:
                if h.field != name:
                    chosen.append((order, h))
                    break
        chosen.sort(key=lambda item: item[0])
        return [h for _, h in chosen]

    def party(self, role: str) -> list[LabelHit]:
        """The label hits of the fields about one party (``seller`` or ``buyer``), in field order."""
        return [h for _, h in sorted(self._by_role.get(role, {}).values(), key=lambda item: item[0])]
