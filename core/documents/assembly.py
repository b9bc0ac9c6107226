"""Words in reading order assembled into a Page with its lines and blocks (text layers and OCR alike)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel

from core.documents.elements import BBox, Line, Page, Word
from core.gcpause import gc_paused

__all__ = ["assemble"]

_Item = tuple[float, float, float, float, str, "float | None", Any, Any]


def _fast(cls: type[BaseModel], values: dict[str, Any]) -> Any:
    """An instance of ``cls`` from complete, already valid ``values`` (every field given), unvalidated.

    What ``model_construct`` does, without its per-call field bookkeeping, which dominated loading time
    (it is ~10x slower per word than this). Only for values built in this module.
    """
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


# The garbage collector would scan the thousands of new (acyclic) word objects again and again: it made up
# about half of the assembly time in the loading benchmark.
@gc_paused()
def assemble(
    items: Iterable[_Item],
    *,
    number: int,
    width: float,
    height: float,
    source: Literal["text", "ocr"],
    seconds: float,
    source_page: int,
    crop: BBox | None = None,
    rotation: int = 0,
) -> Page:
    """Build a Page from (x0, y0, x1, y1, text, confidence, block key, line key) in reading order.

    Words wholly outside the page are dropped and the rest clipped to it; blocks and lines are numbered in
    order of first appearance. Words and lines are built without validation: the values are made here.
    """
    words: list[Word] = []
    line_of: dict[Any, int] = {}
    block_of: dict[Any, int] = {}
    line_words: list[list[int]] = []
    line_texts: list[list[str]] = []
    line_boxes: list[list[float]] = []
    line_blocks: list[int] = []
    for x0, y0, x1, y1, text, confidence, block_key, line_key in items:
        if x1 <= 0 or y1 <= 0 or x0 >= width or y0 >= height:
            continue
        if x0 < 0:
            x0 = 0.0
        if y0 < 0:
            y0 = 0.0
        if x1 > width:
            x1 = width
        if y1 > height:
            y1 = height
        line = line_of.get(line_key)
        if line is None:
            block = block_of.get(block_key)
            if block is None:
                block = block_of[block_key] = len(block_of)
            line = line_of[line_key] = len(line_words)
            line_words.append([len(words)])
            line_texts.append([text])
            line_boxes.append([x0, y0, x1, y1])
            line_blocks.append(block)
        else:
            block = line_blocks[line]
            line_words[line].append(len(words))
            line_texts[line].append(text)
            box = line_boxes[line]
            if x0 < box[0]:
                box[0] = x0
            if y0 < box[1]:
                box[1] = y0
            if x1 > box[2]:
                box[2] = x1
            if y1 > box[3]:
                box[3] = y1
        words.append(
            _fast(
                Word,
                {
                    "text": text,
                    "bbox": (x0, y0, x1, y1),
                    "confidence": confidence,
                    "line": line,
                    "block": block,
                },
            )
        )
    lines = [
        _fast(Line, {"text": " ".join(texts), "bbox": tuple(box), "words": indexes, "block": block})
        for texts, box, indexes, block in zip(line_texts, line_boxes, line_words, line_blocks, strict=True)
    ]
    return Page.model_construct(
        number=number,
        width=width,
        height=height,
        source=source,
        words=words,
        lines=lines,
        seconds=seconds,
        source_page=source_page,
        crop=crop,
        rotation=rotation,
        cached=False,
    )
