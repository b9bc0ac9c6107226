"""Per-document work for training and prediction, done once: layout, candidates, their hashed features, the
local engine's answer and the layout anchors.

A candidate's features are field-independent tokens (hashed into a sparse matrix): its kind and text shape,
its words, where it sits (page, row from top and bottom, position bins), its label neighbourhood (the words
left of it and the cell above it), its typography (height against the body text) and, for amounts and
dates, its rank among the document's other amounts and dates. Field-specific signals (layout memory, the
local engine's pick) are added per field by the scorer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

from core.annotation.spans import POOLS, CandidatePools, Span, build_pools, key_of, pool_values
from core.documents import Document
from core.extraction.local.candidates import generate_candidates
from core.extraction.local.engine import LocalEngine
from core.extraction.local.layout import DocumentLayout, PageLayout, Row, Segment, build_layout
from core.results import ExtractionResult
from core.schema import Workflow
from core.training.layout_memory import Anchors, anchors_of

__all__ = ["HASH_FEATURES", "PreparedDocument", "prepare_document", "span_tokens", "hash_tokens"]

HASH_FEATURES = 2**18
"""Width of the hashed feature space: about 260,000 columns keeps collisions among the few thousand distinct
tokens of a workflow's documents rare while the sparse matrices stay small."""
_X_BINS = 8
"""Horizontal position bins (eighths of the page width): left, centre and right columns apart."""
_Y_BINS = 12
"""Vertical position bins: headers, address blocks, tables and totals fall into different twelfths."""
_MAX_RANK = 5
"""Ranks (largest amount, first date ...) beyond this are one bucket: only the top few carry meaning."""
_BAG_WORDS = 8
"""Words of a neighbouring cell or of the span itself taken as a bag: a label is rarely longer."""
_KEY_LENGTH = 24
"""Cell texts used as label tokens are cut to this many characters (a label, not a paragraph)."""

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_HASHER = FeatureHasher(n_features=HASH_FEATURES, input_type="string", alternate_sign=False)


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    return _NON_ALNUM.sub("", text.casefold())[:_KEY_LENGTH]


@lru_cache(maxsize=65536)
def _shape(text: str) -> str:
    """Letters, digits and marks reduced to A, a, 9 with repeats collapsed: ``RE-2024/17`` → ``A-9/9``."""
    out: list[str] = []
    for ch in text[:16]:
        s = "A" if ch.isupper() else "a" if ch.isalpha() else "9" if ch.isdigit() else ch
        if not out or out[-1] != s:
            out.append(s)
    return "".join(out)


def _bin(value: float, bins: int) -> int:
    return min(max(int(value * bins), 0), bins - 1)


@dataclass
class _PageContext:
    """Lookups over one page's rows: the cell above each cell, cached."""

    layout: PageLayout
    above: dict[tuple[int, int], Segment | None] = field(default_factory=dict)
    tokens: dict[tuple[object, ...], list[str]] = field(default_factory=dict)

    def neighbour_tokens(self, seg: Segment, kind: str) -> tuple[list[str], list[str]]:
        """The label neighbourhood shared by every span of a cell: the cell before it in the row, and the
        cell above it (computed once per cell and kind)."""
        key = ("left", seg.row, seg.index, kind)
        if key not in self.tokens:
            pl = self.layout
            left: list[str] = []
            if seg.index > 0:
                prev = pl.rows[seg.row].segments[seg.index - 1]
                left = [f"lc:{_key(prev.text)}", f"k*lc:{kind}{_key(prev.text)}"]
                left += [f"lb:{pl.keys[i]}" for i in prev.words[:_BAG_WORDS]]
            up: list[str] = []
            above = self.cell_above(seg)
            if above is not None:
                up = [f"ac:{_key(above.text)}", f"k*ac:{kind}{_key(above.text)}", f"as:{_shape(above.text)}"]
                up += [f"aw:{pl.keys[i]}" for i in above.words[:_BAG_WORDS]]
            self.tokens[key] = left
            self.tokens[("above", seg.row, seg.index, kind)] = up
        return self.tokens[key], self.tokens[("above", seg.row, seg.index, kind)]

    def start_tokens(self, span: Span, kind: str) -> list[str]:
        """The tokens of what precedes a span, shared by every span of its kind that starts at the same word:
        the row's words left of it, the words before it in its cell (else the cell before it), the cell above,
        and for amounts and dates the row above."""
        first = span.words[0]
        key = ("start", span.row, span.segment, first, kind)
        found = self.tokens.get(key)
        if found is not None:
            return found
        pl = self.layout
        row = pl.rows[span.row]
        seg = row.segments[span.segment]
        start = seg.words.index(first) if first in seg.words else 0
        # Every word left of the span on its row (labels printed far left of a right-aligned amount).
        tokens = [f"rl:{pl.keys[i]}" for i in row.words[: row.words.index(first)][-_BAG_WORDS:] if first in row.words]
        # Left: words before the span in its cell, else the cell before it in the row (a label).
        left_cell, above_cell = self.neighbour_tokens(seg, kind)
        left: list[int] = list(seg.words[max(start - 3, 0) : start])
        if start == 0 and span.segment > 0:
            left = row.segments[span.segment - 1].words[-3:]
            tokens += left_cell
        for n, i in enumerate(reversed(left)):
            tokens.append(f"lw{n}:{pl.keys[i]}")
        tokens.append(f"k*lw:{kind}{pl.keys[left[-1]]}" if left else "lw:none")
        tokens += above_cell
        if span.row > 0 and kind in ("amount", "date"):  # the row above, whole: a label left of a right-aligned value
            tokens += [f"ra:{pl.keys[i]}" for i in pl.rows[span.row - 1].words[:_BAG_WORDS]]
        self.tokens[key] = tokens
        return tokens

    def end_tokens(self, span: Span) -> list[str]:
        """The token of what follows a span's last word: the next word of its cell, else the next cell."""
        end = span.words[-1]
        key = ("end", span.row, span.segment, end, "")
        found = self.tokens.get(key)
        if found is None:
            pl = self.layout
            row = pl.rows[span.row]
            seg = row.segments[span.segment]
            pos = seg.words.index(end) if end in seg.words else len(seg.words) - 1
            found = []
            if pos + 1 < len(seg.words):
                found.append(f"rw:{pl.keys[seg.words[pos + 1]]}")
            elif span.segment + 1 < len(row.segments):
                found.append(f"rc:{_key(row.segments[span.segment + 1].text)}")
            self.tokens[key] = found
        return found

    def cell_above(self, seg: Segment) -> Segment | None:
        key = (seg.row, seg.index)
        if key not in self.above:
            best, best_overlap = None, 0.0
            if seg.row > 0:
                for other in self.layout.rows[seg.row - 1].segments:
                    overlap = min(seg.bbox[2], other.bbox[2]) - max(seg.bbox[0], other.bbox[0])
                    if overlap > best_overlap:
                        best, best_overlap = other, overlap
            self.above[key] = best
        return self.above[key]

    def cell_below(self, row: Row, bbox: tuple[float, float, float, float]) -> Segment | None:
        """The cell of the row after ``row`` that overlaps ``bbox`` most (what follows a block)."""
        if row.index + 1 >= len(self.layout.rows):
            return None
        best, best_overlap = None, 0.0
        for other in self.layout.rows[row.index + 1].segments:
            overlap = min(bbox[2], other.bbox[2]) - max(bbox[0], other.bbox[0])
            if overlap > best_overlap:
                best, best_overlap = other, overlap
        return best


def _ranks(values: list[float], reverse: bool) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=reverse)
    rank = [0] * len(values)
    previous, r = None, -1
    for i in order:
        if values[i] != previous:
            r += 1
            previous = values[i]
        rank[i] = r
    return rank


def span_tokens(ctx: _PageContext, span: Span, extra: list[str]) -> list[str]:
    """The field-independent tokens of one candidate (see the module docstring)."""
    pl = ctx.layout
    width, height = max(pl.width, 1.0), max(pl.height, 1.0)
    x0, y0, x1, y1 = span.bbox
    kind = span.kind
    py = _bin((y0 + y1) / 2 / height, _Y_BINS)
    tokens = [
        f"k:{kind}",
        f"nw:{min(len(span.words), 8)}",
        f"nr:{span.rows}",
        f"sh:{_shape(span.text)}",
        f"px:{_bin(x0 / width, _X_BINS)}",
        f"py:{py}",
        f"k*py:{kind}{py}",
        f"pg:{min(span.page, 2)}",
        f"rt:{min(span.row, 8)}",
        f"rb:{min(len(pl.rows) - 1 - span.row, 8)}",
        f"sc:{int(span.starts_cell)}{int(span.ends_cell)}",
        f"sg:{min(span.segment, 4)}",
        f"h:{_bin((y1 - y0) / max(pl.body_height, 1.0) / 3.0, 6)}",
    ]
    digits = sum(map(str.isdigit, span.text))
    tokens.append(f"dg:{_bin(digits / max(len(span.text), 1), 4)}")
    tokens += [f"w:{pl.keys[i]}" for i in span.words[:4]]
    tokens += [f"wb:{pl.keys[i]}" for i in span.words[4:_BAG_WORDS]]
    tokens.append(f"se:{_shape(span.text[-16:])}")
    tokens += ctx.start_tokens(span, kind)
    tokens += [f"wl:{pl.keys[span.words[-1]]}", f"k*nr:{kind}{span.rows}", f"rt*nr:{min(span.row, 8)}:{span.rows}"]
    below = ctx.cell_below(pl.rows[min(span.row + span.rows - 1, len(pl.rows) - 1)], span.bbox)
    if below is not None:
        tokens += [f"bw:{pl.keys[below.words[0]]}", f"bs:{_shape(below.text)}"]
    tokens += ctx.end_tokens(span)
    tokens += extra
    return tokens


def hash_tokens(token_lists: list[list[str]]) -> sparse.csr_matrix:
    """Token lists as rows of the hashed sparse matrix (``HASH_FEATURES`` columns)."""
    if not token_lists:
        return sparse.csr_matrix((0, HASH_FEATURES), dtype=np.float64)
    matrix: sparse.csr_matrix = _HASHER.transform(token_lists)
    return matrix


def _extras(pool: str, spans: list[Span]) -> list[list[str]]:
    """Tokens that compare a candidate with its document's others: amount ranks, date order."""
    n = len(spans)
    if pool == "amount" and n:
        values = [float(s.value) for s in spans]
        by_size = _ranks([abs(v) for v in values], reverse=True)
        # A total is printed again as the amount paid; a tax or a unit price rarely repeats.
        repeats = Counter(round(v, 2) for v in values)
        out = []
        for i, s in enumerate(spans):
            tokens = [
                f"ar:{min(by_size[i], _MAX_RANK)}",
                f"al:{min(n - 1 - i, _MAX_RANK)}",
                f"fd:{int(bool(s.flags.get('decimals')))}",
                f"fc:{s.flags.get('currency') or '-'}",
                f"fg:{int(bool(s.flags.get('grouped')))}",
                f"neg:{int(values[i] < 0)}",
                f"rep:{min(repeats[round(values[i], 2)] - 1, 3)}",
            ]
            out.append(tokens)
        return out
    if pool == "date" and n:
        ordinals = [s.value.toordinal() for s in spans]
        by_date = _ranks([float(o) for o in ordinals], reverse=False)
        latest = _ranks([float(o) for o in ordinals], reverse=True)
        return [
            [f"do:{min(i, _MAX_RANK)}", f"de:{min(by_date[i], _MAX_RANK)}", f"dl:{min(latest[i], _MAX_RANK)}"]
            for i in range(n)
        ]
    return [[] for _ in spans]


@dataclass
class PreparedDocument:
    """Everything training and prediction need of one document, computed once."""

    document: Document
    layout: DocumentLayout
    pools: CandidatePools
    features: dict[str, sparse.csr_matrix]
    boxes: dict[str, np.ndarray]  # pool -> (n, 4) bboxes in points
    pages: dict[str, np.ndarray]  # pool -> (n,) 0-based page indexes
    norm_boxes: dict[str, np.ndarray]  # pool -> (n, 4) bboxes as shares of the page size
    values: dict[str, np.ndarray]  # pool -> comparable values (``candidates.pool_values``)
    value_keys: dict[str, np.ndarray]  # pool -> the values as strings (``candidates.key_of``)
    anchors: Anchors
    local: ExtractionResult | None = None

    def spans(self, pool: str) -> list[Span]:
        return self.pools.get(pool)


def prepare_document(
    document: Document, workflow: Workflow | None = None, local: LocalEngine | None = None
) -> PreparedDocument:
    """Layout, candidates, hashed features and anchors of a document, and the local engine's result.

    Args:
        document: a loaded document.
        workflow: the fields, for the local engine's answer (None: no local answer, e.g. for locating only).
        local: the local engine to ask (default a fresh one).

    Returns:
        The prepared document.
    """
    result = None
    if workflow is not None:
        local = local or LocalEngine(cache_size=1)
        result = local.extract(document, workflow)
        layout, typed = local.layout_and_candidates(document)  # what the extraction read, not read again
    else:
        layout = build_layout(document)
        typed = generate_candidates(layout)
    pools = build_pools(layout, typed)
    contexts = [_PageContext(pl) for pl in layout.pages]
    features: dict[str, sparse.csr_matrix] = {}
    boxes: dict[str, np.ndarray] = {}
    pages: dict[str, np.ndarray] = {}
    norm_boxes: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    value_keys: dict[str, np.ndarray] = {}
    sizes = np.array([[pl.width, pl.height, pl.width, pl.height] for pl in layout.pages] or [[1.0] * 4])
    for pool in POOLS:
        spans = pools.get(pool)
        extras = _extras(pool, spans)
        features[pool] = hash_tokens([span_tokens(contexts[s.page], s, extras[i]) for i, s in enumerate(spans)])
        boxes[pool] = np.array([s.bbox for s in spans], dtype=np.float64).reshape(-1, 4)
        pages[pool] = np.array([s.page for s in spans], dtype=np.int64)
        norm_boxes[pool] = boxes[pool] / np.maximum(sizes[pages[pool]], 1.0) if spans else boxes[pool]
        values[pool] = pool_values(pool, spans)
        value_keys[pool] = np.array([key_of(pool, v) for v in values[pool]], dtype=object)
    return PreparedDocument(
        document, layout, pools, features, boxes, pages, norm_boxes, values, value_keys, anchors_of(layout), result
    )
