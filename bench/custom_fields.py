"""Custom fields, opaque names and description steering, measured on sets built from the e-invoice XML embedded
in ``datasets/zugferd-dev`` (``einvoice_xml``), plus opaque names on the standard schemas.

Writes ``bench/results/custom_fields.md``. Run: ``.venv/bin/python bench/custom_fields.py [--part dev|held-out|all]``.

- **Custom fields**: fields no dataset here asks for (addresses, contacts, bank details, references, dates of
  other events, a tax rate), each defined by a one-line description; expected values from the XML, kept only
  when printed on the page (normalised text compared); on pages that render the XML, a value it lacks is expected
  empty, so an answer there counts as a false positive.
- **Opaque names**: the same fields named ``field_01`` ...; and the standard schemas of ``zugferd-dev`` and
  ``invoice2data`` with their fields renamed the same way.
- **Steering**: one field, two descriptions, two different expected values on the same document (a quoted label,
  a location, an exclusion, a selection, a format).

The documents are split by the generator prefix of their file names: a development part (looked at while
building the engine) and a held-out part (never looked at); both are reported.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import DATASETS, machine, write_result
from einvoice_xml import InvoiceXml, page_text, printed, read_invoice_xml

from core.documents import Document, load_document  # noqa: E402
from core.evaluation import DocumentScore, EvaluationReport, load_dataset, score, summarize  # noqa: E402
from core.extraction.local import LocalEngine  # noqa: E402
from core.schema import Field, Workflow  # noqa: E402

__all__ = ["CUSTOM", "STEERING", "DEV_PREFIXES", "HELD_OUT_PREFIXES", "custom_documents", "main"]

ZUGFERD = DATASETS / "zugferd-dev"
# Generators whose documents are developed on, and those kept aside (never looked at while building).
DEV_PREFIXES = (
    "XML_Rechnung_FX",
    "ZUGFeRDv2_correct_intarsys",
    "ZUGFeRDv1_correct_Mustangproject",
    "ZUGFeRDv2_correct_FNFE",
)
HELD_OUT_PREFIXES = ("ZUGFeRDv2_correct_symtrax", "ZUGFeRDv1_correct_Intarsys", "ZUGFeRDv2_correct_Mustangproject")
# Generators whose pages are renderings of the XML (a stylesheet's view of it): what the XML lacks is not printed,
# so a value the XML lacks is expected empty there; on designed invoices it is not scored.
RENDERED_PREFIXES = ("XML_Rechnung_FX", "ZUGFeRDv2_correct_intarsys", "ZUGFeRDv2_correct_symtrax")
AIMS = {"custom_f1": 0.75, "custom_precision": 0.85, "opaque_custom_f1": 0.70, "opaque_standard_drop": 0.05}

Reader = Callable[[InvoiceXml], Any]


@dataclass(frozen=True)
class Spec:
    """A custom field: its definition, how the XML gives its value, and how that value is printed."""

    name: str
    type: str
    description: str
    read: Reader
    printed_as: str = "string"  # string, date or percent (see einvoice_xml.printed)

    def field(self, name: str | None = None) -> Field:
        return Field(name=name or self.name, type=self.type, description=self.description)


def _compact(value: str | None) -> str | None:
    return value.replace(" ", "") if value else None


# A value the XML holds but that no single field value stands for (several tax rates): not scored.
NOT_SCORED = object()


def _single_rate(x: InvoiceXml) -> Any:
    rates = x.tax_rates()
    return rates[0] if len(rates) == 1 else NOT_SCORED if rates else None


# fmt: off
CUSTOM: list[Spec] = [
    Spec("seller_postcode", "string", "Postal code of the seller's address.", lambda x: x.party("seller", "postcode")),
    Spec("seller_city", "string", "City of the seller's address.", lambda x: x.party("seller", "city")),
    Spec("seller_street", "string", "Street and house number of the seller.", lambda x: x.party("seller", "street")),
    Spec("buyer_postcode", "string", "Postal code in the invoice recipient's address.",
         lambda x: x.party("buyer", "postcode")),
    Spec("buyer_city", "string", "City of the invoice recipient.", lambda x: x.party("buyer", "city")),
    Spec("seller_phone", "string", "Phone number of the seller or its contact person.",
         lambda x: x.party("seller", "phone")),
    Spec("seller_email", "string", "E-mail address of the seller.", lambda x: x.party("seller", "email")),
    Spec("seller_contact", "string", "Name of the seller's contact person.", lambda x: x.party("seller", "contact")),
    Spec("iban", "string", "IBAN of the bank account to pay into.", lambda x: _compact(x.value("iban"))),
    Spec("bic", "string", "BIC (SWIFT code) of the payee's bank.", lambda x: x.value("bic")),
    Spec("account_holder", "string", "Name of the holder of the bank account to pay into.",
         lambda x: x.value("account_holder")),
    Spec("order_number", "string", "The buyer's purchase order number.", lambda x: x.value("order_number")),
    Spec("contract_number", "string", "The number of the contract the invoice refers to.",
         lambda x: x.value("contract_number")),
    Spec("customer_number", "string", "The customer number the seller assigned to the buyer.",
         lambda x: x.party("buyer", "id")),
    Spec("seller_tax_number", "string", "The seller's tax number (not the VAT ID).",
         lambda x: x.party("seller", "tax_number")),
    Spec("buyer_vat_id", "string", "VAT identification number of the buyer.", lambda x: x.party("buyer", "vat_id")),
    Spec("delivery_date", "date", "Date the goods or services were delivered.", lambda x: x.value("delivery_date"),
         "date"),
    Spec("period_start", "date", "First day of the billing period.", lambda x: x.value("period_start"), "date"),
    Spec("period_end", "date", "Last day of the billing period.", lambda x: x.value("period_end"), "date"),
    Spec("tax_rate", "number", "The VAT rate in percent.", _single_rate, "percent"),
]
# fmt: on


@dataclass(frozen=True)
class Steering:
    """One field read with two descriptions that should give two different values on the same document."""

    name: str
    type: str
    first: tuple[str, Reader]
    second: tuple[str, Reader]
    printed_as: tuple[str, str] = ("string", "string")  # how each value is printed (einvoice_xml.printed)


def _grouped_iban(x: InvoiceXml) -> str | None:
    iban = _compact(x.value("iban"))
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if iban else None


def _rate(pick: Callable[[list[float]], float]) -> Reader:
    def read(x: InvoiceXml) -> float | None:
        rates = x.tax_rates()
        return pick(rates) if len(rates) >= 2 else None

    return read


# fmt: off
STEERING: list[Steering] = [
    Steering("location", "string",
             ("Postal code in the sender line or letterhead.", lambda x: x.party("seller", "postcode")),
             ("Postal code in the recipient address block.", lambda x: x.party("buyer", "postcode"))),
    Steering("quoted label", "string",
             ("The number printed after 'Steuernummer'.", lambda x: x.party("seller", "tax_number")),
             ("The number printed after 'USt-IdNr.'.", lambda x: x.party("seller", "vat_id"))),
    Steering("exclusion", "string",
             ("The seller's tax number or VAT ID. Not the VAT ID.", lambda x: x.party("seller", "tax_number")),
             ("The seller's tax number or VAT ID. Not the tax number (Steuernummer).",
              lambda x: x.party("seller", "vat_id"))),
    Steering("selection", "number",
             ("The largest VAT rate of the invoice, in percent.", _rate(max)),
             ("The smallest VAT rate of the invoice, in percent.", _rate(min)), ("percent", "percent")),
    Steering("format", "string",
             ("IBAN of the bank account, as printed with its spaces.", _grouped_iban),
             ("IBAN of the bank account, without spaces.", lambda x: _compact(x.value("iban"))), ("exact", "string")),
    Steering("period", "date",
             ("First day of the billing period.", lambda x: x.value("period_start")),
             ("Last day of the billing period.", lambda x: x.value("period_end")), ("date", "date")),
]
# fmt: on


@dataclass
class Doc:
    """A development document: its path, loaded document, page text and XML."""

    name: str
    path: Path
    document: Document
    text: str
    xml: InvoiceXml


def _part(name: str, part: str) -> bool:
    if part == "dev":
        return name.startswith(DEV_PREFIXES)
    if part == "held-out":
        return name.startswith(HELD_OUT_PREFIXES)
    return True


def custom_documents(part: str = "all", folder: Path = ZUGFERD) -> list[Doc]:
    """The dataset's PDFs with embedded XML, of one part (``dev``, ``held-out`` or ``all``), loaded once."""
    docs = []
    for path in sorted(folder.glob("*.pdf")):
        if not _part(path.stem, part):
            continue
        xml = read_invoice_xml(path)
        if xml is not None:
            docs.append(Doc(path.stem, path, load_document(path), page_text(path), xml))
    return docs


def expected(doc: Doc, read: Reader, printed_as: str) -> tuple[bool, Any]:
    """Whether the value is scored on this document, and the value: the XML's when printed; None (expected
    empty) when the XML holds none and the page renders the XML; not scored otherwise."""
    value = read(doc.xml)
    if value is NOT_SCORED:
        return False, None
    if value is None:
        return doc.name.startswith(RENDERED_PREFIXES), None
    return (printed(value, doc.text, printed_as), value)


def run(docs: list[Doc], fields: list[Field], truth: list[dict[str, Any]], label: str) -> EvaluationReport:
    """Extract ``fields`` from every document with the local engine and score against ``truth``."""
    engine = LocalEngine(cache_size=len(docs) + 1)
    workflow = Workflow(name=label, fields=fields)
    per_document: list[DocumentScore] = []
    start = time.perf_counter()
    for doc, want in zip(docs, truth, strict=True):
        t0 = time.perf_counter()
        values = engine.extract(doc.document, workflow).values()
        per_document.append(
            DocumentScore(name=doc.name, counts=score(want, values, fields), seconds=time.perf_counter() - t0)
        )
    return summarize(per_document, fields, dataset=label, engine="local", seconds=time.perf_counter() - start)


def custom_set(docs: list[Doc], opaque: bool) -> tuple[list[Field], list[dict[str, Any]]]:
    """The custom fields (named, or ``field_NN``) and each document's expected values."""
    names = [f"field_{i + 1:02d}" if opaque else s.name for i, s in enumerate(CUSTOM)]
    fields = [s.field(n) for s, n in zip(CUSTOM, names, strict=True)]
    truth = []
    for doc in docs:
        want = {}
        for s, n in zip(CUSTOM, names, strict=True):
            scored, value = expected(doc, s.read, s.printed_as)
            if scored:
                want[n] = value
        truth.append(want)
    return fields, truth


def steering(docs: list[Doc]) -> list[tuple[str, int, int, int]]:
    """Per case: documents where both values exist and differ, first right, second right."""
    rows = []
    for case in STEERING:
        pairs = []
        for doc in docs:
            a, b = (
                expected(doc, read, how)
                for (_, read), how in zip((case.first, case.second), case.printed_as, strict=True)
            )
            if a[0] and b[0] and a[1] is not None and b[1] is not None and a[1] != b[1]:
                pairs.append((doc, a[1], b[1]))
        right = []
        for (description, _), k in ((case.first, 1), (case.second, 2)):
            field = Field(name="field_07", type=case.type, description=description)
            report = run([p[0] for p in pairs], [field], [{"field_07": p[k]} for p in pairs], case.name)
            right.append(sum(d.counts["field_07"].tp for d in report.per_document))
        rows.append((case.name, len(pairs), right[0], right[1]))
    return rows


def opaque_standard(folder: Path) -> tuple[EvaluationReport, EvaluationReport]:
    """A standard dataset's schema as named and with every field renamed ``field_NN`` (same descriptions)."""
    dataset = load_dataset(folder)
    docs = [load_document(d.path) for d in dataset.documents]
    fields = dataset.workflow.fields
    rename = {f.name: f"field_{i + 1:02d}" for i, f in enumerate(fields)}
    opaque_fields = [f.model_copy(update={"name": rename[f.name]}) for f in fields]
    reports = []
    for flds, key in ((fields, lambda n: n), (opaque_fields, lambda n: rename.get(n, n))):
        engine = LocalEngine(cache_size=len(docs) + 1)
        workflow = Workflow(name=dataset.name, fields=flds)
        per_document = []
        for doc, d in zip(docs, dataset.documents, strict=True):
            values = engine.extract(doc, workflow).values()
            want = {key(k): v for k, v in d.expected.items()}
            per_document.append(DocumentScore(name=d.name, counts=score(want, values, flds)))
        reports.append(summarize(per_document, flds, dataset=dataset.name, engine="local"))
    return reports[0], reports[1]


def _fields_table(report: EvaluationReport, names: dict[str, str] | None = None) -> list[str]:
    lines = ["| field | TP | FP | FN | precision | recall | F1 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for s in [*report.fields, report.micro]:
        name = f"**{s.field}**" if s is report.micro else (names or {}).get(s.field, s.field)
        lines.append(f"| {name} | {s.tp} | {s.fp} | {s.fn} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |")
    return lines


def _empty_answers(report: EvaluationReport, truth: list[dict[str, Any]]) -> int:
    """False positives where the XML holds no value (the field expected empty)."""
    n = 0
    for doc, want in zip(report.per_document, truth, strict=True):
        n += sum(c.fp for k, c in doc.counts.items() if want.get(k, "") is None)
    return n


def _part_section(part: str) -> tuple[list[str], dict[str, float]]:
    docs = custom_documents(part)
    fields, truth = custom_set(docs, opaque=False)
    named = run(docs, fields, truth, "custom fields")
    ofields, otruth = custom_set(docs, opaque=True)
    opaque = run(docs, ofields, otruth, "custom fields, opaque names")
    names = {f"field_{i + 1:02d}": f"field_{i + 1:02d} ({s.name})" for i, s in enumerate(CUSTOM)}
    out = [
        f"## {part}: {len(docs)} documents",
        "",
        f"Custom fields: micro-F1 **{named.micro.f1:.3f}**, precision {named.micro.precision:.3f}, recall "
        f"{named.micro.recall:.3f}; answers where the XML holds no value: {_empty_answers(named, truth)}. Opaque "
        f"names: micro-F1 **{opaque.micro.f1:.3f}**, precision {opaque.micro.precision:.3f}. Extraction "
        f"{named.seconds:.2f} s for {len(docs)} documents.",
        "",
        "### Custom fields, named",
        "",
        *_fields_table(named),
        "",
        "### Custom fields, opaque names",
        "",
        *_fields_table(opaque, names),
        "",
        "### Steering: one field, two descriptions",
        "",
        "| case | documents | first description right | second description right |",
        "|---|---:|---:|---:|",
    ]
    for name, n, a, b in steering(docs):
        out.append(f"| {name} | {n} | {a} | {b} |")
    out.append("")
    figures = {
        "custom_f1": named.micro.f1,
        "custom_precision": named.micro.precision,
        "opaque_custom_f1": opaque.micro.f1,
    }
    return out, figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the markdown and write it to bench/results/custom_fields.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "held-out", "all"), default="all")
    args = parser.parse_args(argv)
    parts = ["dev", "held-out"] if args.part == "all" else [args.part]
    out = [
        "# Custom fields, opaque names, steering",
        "",
        "Command: `.venv/bin/python bench/custom_fields.py`. Local engine, zero-shot. Sets built by",
        "`bench/custom_fields.py` from the e-invoice XML embedded in `datasets/zugferd-dev` (values kept when",
        "printed; a value the XML lacks is expected empty). Development part: generators "
        + ", ".join(f"`{p}`" for p in DEV_PREFIXES)
        + "; held-out part (never looked at): "
        + ", ".join(f"`{p}`" for p in HELD_OUT_PREFIXES)
        + ".",
        "",
        machine(),
        "",
    ]
    summary: list[str] = []
    for part in parts:
        section, figures = _part_section(part)
        out += section
        summary.append(
            f"| {part} | {figures['custom_f1']:.3f} (aim >= {AIMS['custom_f1']}) | {figures['custom_precision']:.3f} "
            f"(aim >= {AIMS['custom_precision']}) | {figures['opaque_custom_f1']:.3f} (aim >= "
            f"{AIMS['opaque_custom_f1']}) |"
        )
    out += ["## Standard schemas, opaque names", "", "| dataset | named micro-F1 | opaque micro-F1 | drop |"]
    out.append("|---|---:|---:|---:|")
    for folder in (DATASETS / "zugferd-dev", DATASETS / "invoice2data"):
        named, opaque = opaque_standard(folder)
        drop = (named.micro.f1 - opaque.micro.f1) / max(named.micro.f1, 1e-9)
        out.append(f"| {folder.name} | {named.micro.f1:.3f} | {opaque.micro.f1:.3f} | {drop:+.1%} |")
    out += [
        "",
        "## Summary",
        "",
        "| part | custom micro-F1 | custom precision | opaque custom micro-F1 |",
        "|---|---:|---:|---:|",
        *summary,
    ]
    text = "\n".join(out)
    print(text)
    path = write_result("custom_fields", text)
    print(f"\nwritten to {path.relative_to(DATASETS.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
