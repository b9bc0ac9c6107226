"""What common document fields are called (English, German, French labels) and how to describe them well.

The field guide uses this to judge descriptions and to write suggestions; schema drafting uses it to type
and describe the fields of a plain-language request. Unknown concepts fall back to the field's own words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.schema import Field

__all__ = [
    "Kind",
    "Concept",
    "CONCEPTS",
    "name_words",
    "singular",
    "plural",
    "phrase_kind",
    "text_kind",
    "field_kind",
    "find_concept",
    "mentions_format",
    "mentions_location",
    "mentions_labels",
    "output_format",
    "is_vague",
    "build_description",
]

Kind = Literal["amount", "percent", "quantity", "count", "date", "identifier", "name", "currency", "boolean"]


@dataclass(frozen=True)
class Concept:
    """A field concept common on business documents.

    ``aliases`` are the word sequences a field name or request uses for it; ``lead`` opens the description,
    ``labels`` are what the document prints next to the value, ``where`` where it usually is, ``note`` what it
    is commonly confused with.
    """

    key: str
    aliases: tuple[str, ...]
    kind: Kind | None
    lead: str
    labels: tuple[str, ...]
    where: str = ""
    note: str = ""


def _c(key: str, aliases: str, kind: Kind | None, lead: str, labels: str, where: str = "", note: str = "") -> Concept:
    return Concept(key, tuple(aliases.split("|")), kind, lead, tuple(labels.split("|")), where, note)


# One row per concept: key, name aliases, kind, lead, printed labels (English, German, French: the
# languages of the evaluation documents), where it usually is, what it is confused with.
# A table reads best as a table, hence fmt: off.
# fmt: off
CONCEPTS: tuple[Concept, ...] = (
    # invoices and receipts
    _c("invoice_number", "invoice number|invoice no|invoice id|invoice nr|bill number", "identifier",
       "The invoice number", "Invoice No.|Invoice #|Rechnungsnummer|N° de facture", "in the document header",
       "Not an order, customer or delivery number."),
    _c("invoice_date", "invoice date|issue date|date of issue|billing date|issued on|date issued", "date",
       "The date the invoice was issued", "Invoice date|Date|Rechnungsdatum|Date de facture",
       "in the document header", "Not the order, delivery or due date."),
    _c("due_date", "due date|payment due date|payment date|due on|pay by date", "date",
       "The date by which payment is due", "Due date|Payable by|Fällig am|Zahlbar bis|Date d'échéance",
       "near the totals or the payment terms",
       "Leave empty when only payment terms such as '30 days net' are given."),
    _c("total_amount", "total amount|total|grand total|amount due|gross amount|invoice total|total "
       "due|gross total|"
       "amount payable", "amount", "The final amount including taxes",
       "Total|Grand total|Amount due|Gesamtbetrag|Bruttobetrag|Total TTC|Montant total",
       "at the bottom of the totals block", "Not the subtotal before taxes."),
    _c("net_amount", "net amount|subtotal|sub total|net total|total net|amount before tax", "amount",
       "The amount before taxes", "Subtotal|Net amount|Nettobetrag|Zwischensumme|Total HT", "in the "
       "totals block",
       "Not the total including taxes."),
    _c("tax_amount", "tax amount|tax|vat|vat amount|tax total|total tax|sales tax", "amount", "The tax "
       "amount",
       "VAT|Tax|MwSt.|USt.|TVA", "in the totals block", "Not the tax rate."),
    _c("tax_rate", "tax rate|vat rate|vat percentage", "percent", "The tax rate", "VAT %|Tax "
       "rate|MwSt.-Satz|Taux de TVA",
       "in the totals block or the item table"),
    _c("currency", "currency|currency code", "currency", "The currency of the amounts",
       "Currency|Währung|Devise",
       "next to the amounts"),
    _c("vendor_name", "vendor|vendor name|seller|seller name|supplier|supplier name|merchant|merchant name|"
       "store name|issuer|company name", "name", "Name of the company or person that issued the document",
       "Vendor|Seller|Supplier|Lieferant|Verkäufer|Fournisseur", "in the letterhead or sender line",
       "Name only, without street or city."),
    _c("customer_name", "customer|customer name|buyer|buyer name|client|client name|recipient|bill to",
       "name",
       "Name of the customer the document is addressed to", "Bill "
       "to|Customer|Kunde|Rechnungsempfänger|Client",
       "in the recipient address block", "Name only, without street or city."),
    _c("vat_id", "vat id|vat number|vat no|tax id|vat id number|vat registration number", "identifier",
       "The VAT identification number", "VAT ID|VAT No.|USt-IdNr.|N° TVA", "in the letterhead or footer",
       "Not the tax number (Steuernummer)."),
    _c("iban", "iban|bank account|account iban", "identifier", "The IBAN of the bank account",
       "IBAN|Bankverbindung|Coordonnées bancaires", "in the payment details or the footer"),
    _c("order_number", "order number|purchase order|po number|order no|purchase order number", "identifier",
       "The purchase order number", "PO|Order No.|Bestellnummer|N° de commande", "in the document header",
       "Not the invoice number."),
    _c("customer_number", "customer number|customer id|customer no|client number|account number",
       "identifier",
       "The customer number", "Customer No.|Kundennummer|N° client", "in the document header"),
    _c("payment_terms", "payment terms|terms of payment|terms", None, "The payment terms",
       "Payment terms|Zahlungsbedingungen|Conditions de paiement", "near the totals or in the footer"),
    _c("line_items", "line items|line item|items|positions|lines|invoice lines|products", None,
       "Every line of the item table", "Pos.|Item|Artikel|Désignation", "in the item table",
       "Not totals, tax or discount summary rows."),
    _c("description", "description|item description|product|article|item name|product name", "name",
       "The article or service name of the line", "Description|Bezeichnung|Artikel|Désignation",
       "in the line's description column"),
    _c("quantity", "quantity|qty", "quantity", "The billed quantity", "Qty|Quantity|Menge|Anzahl|Quantité",
       "in the line's quantity column"),
    _c("unit_price", "unit price|price per unit|price|rate per unit", "amount", "The price per unit",
       "Unit price|Price|Einzelpreis|Prix unitaire", "in the line's price column"),
    _c("line_total", "line total|line amount|total price|line price", "amount", "The total of the line",
       "Amount|Total|Gesamtpreis|Betrag|Montant", "in the line's rightmost amount column"),
    _c("payment_method", "payment method|payment type|method of payment", None, "How it was paid",
       "Payment|Paid by|Zahlungsart|Mode de paiement", "near the totals of the receipt"),
    # contracts
    _c("start_date", "start date|effective date|commencement date|contract start", "date",
       "The date the contract takes effect", "Effective date|Start date|Vertragsbeginn|Date d'effet",
       "in the first clauses or the cover page"),
    _c("end_date", "end date|expiry date|expiration date|termination date|contract end", "date",
       "The date the contract ends", "End date|Expiry date|Vertragsende|Date d'expiration",
       "in the term or duration clause"),
    _c("signature_date", "signature date|date signed|signing date|date of signature", "date",
       "The date the document was signed", "Date|Signed on|Datum|Fait le", "next to the signatures at "
       "the end"),
    _c("notice_period", "notice period|termination notice", None, "The notice period",
       "Notice period|Kündigungsfrist|Préavis", "in the termination clause"),
    _c("governing_law", "governing law|applicable law|jurisdiction", None, "The governing law",
       "Governing law|Anwendbares Recht|Droit applicable", "in the final provisions"),
    # HR forms and people
    _c("date_of_birth", "date of birth|birth date|birthday|dob", "date", "The person's date of birth",
       "Date of birth|DOB|Geburtsdatum|Date de naissance", "in the personal details section"),
    _c("employee_name", "employee|employee name|full name|applicant name", "name", "The person's full name",
       "Name|Employee|Mitarbeiter|Nom", "in the personal details section"),
    _c("salary", "salary|gross salary|annual salary|wage|base salary", "amount", "The salary",
       "Salary|Gross salary|Gehalt|Salaire", "in the compensation section"),
    _c("email", "email|email address|e mail", "identifier", "The e-mail address",
       "E-mail|Email|E-Mail-Adresse|Courriel", "in the contact details"),
    _c("phone", "phone|phone number|telephone|telephone number|mobile", "identifier", "The telephone number",
       "Phone|Tel.|Telefon|Téléphone", "in the contact details"),
    _c("address", "address|postal address|street address", "name", "The postal address",
       "Address|Anschrift|Adresse", "in the address block"),
    # shipping documents
    _c("tracking_number", "tracking number|tracking id|tracking no|shipment number|waybill number|air "
       "waybill|"
       "bill of lading number", "identifier", "The shipment tracking number",
       "Tracking No.|AWB|Sendungsnummer|N° de suivi", "in the document header or near the barcode"),
    _c("shipper", "shipper|sender|consignor|shipper name", "name", "Name of the shipper",
       "Shipper|Sender|Absender|Expéditeur", "in the sender box"),
    _c("consignee", "consignee|consignee name|receiver|ship to", "name", "Name of the consignee",
       "Consignee|Ship to|Empfänger|Destinataire", "in the consignee box"),
    _c("weight", "weight|gross weight|total weight|net weight", "quantity", "The weight",
       "Weight|Gross weight|Gewicht|Poids", "in the shipment details"),
)

def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Head words: the last noun of a compound names its kind ("invoice number" is an identifier, "total amount" an
# amount).
_KIND_WORDS: dict[str, Kind] = {
    **dict.fromkeys(_split("amount total subtotal price cost costs fee fees tax taxes vat sum balance charge "
                           "charges discount deposit salary wage wages rent premium tip gratuity freight "
                           "surcharge "
                           "refund budget revenue income net gross payable payout prepayment"), "amount"),
    **dict.fromkeys(_split("rate percentage percent ratio"), "percent"),
    **dict.fromkeys(_split("quantity qty hours weight volume length width height distance area mileage"),
                    "quantity"),
    **dict.fromkeys(_split("count pages age headcount"), "count"),
    **dict.fromkeys(_split("date day deadline dob birthday expiry expiration"), "date"),
    **dict.fromkeys(_split("number no nr id code reference ref iban bic swift sku ean gtin vin zip "
    "postcode ssn "
                           "email phone telephone mobile fax"), "identifier"),
    **dict.fromkeys(_split("name address street city country title company vendor supplier merchant "
    "seller buyer "
                           "customer client recipient employee employer party parties signatory shipper "
                           "consignee "
                           "carrier description person contact owner tenant landlord insurer beneficiary "
                           "article "
                           "product sender receiver applicant"), "name"),
    "currency": "currency",
}
_BOOLEAN_PREFIXES = _split("is has was were are can does did should contains includes")
# Words that end the noun phrase at the start of a description ("Total amount of the invoice": total amount).
_CLAUSE_END = frozenset(_split("of for that which who as in on at from with to when where including "
"excluding "
                               "printed was is are by under next usually if whether per after before "
                               "without shown "
                               "written stated given"))
_STOP = frozenset(_split("the a an this that its their any all each every of and or to in on at as"))
_GENERIC = frozenset(_split("number no date amount value total name text field info information data id "
"code thing "
                            "type string sum price document here there it"))
# fmt: on
_LOCATION_WORDS = re.compile(
    r"\b(header|footer|top|bottom|left|right|corner|table|column|row|line|lines|block|section|box|label|labell?ed|"
    r"next to|beside|below|above|under|near|page|letterhead|stamp|signature|paragraph|clause|heading|caption|"
    r"margin|sender line|address block|cover|form)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"['\"‘’“”«„][^'\"‘’“”«»]{2,}['\"‘’“”»]|\([^)]{2,}\)")
_DATE_FORMAT = re.compile(r"YYYY|yyyy|ISO[ -]?8601|\bformat\b|DD[./-]MM|MM[./-]DD", re.IGNORECASE)
_NUMBER_FORMAT = re.compile(
    r"plain number|as an? (?:\w+ )?number|decimal|numeric|without (?:the "
    ")?(?:currency|unit|symbol|%)|whole number|"
    r"digits only|as a figure",
    re.IGNORECASE,
)
_AMOUNT_FORMAT = "as a plain number with a dot as decimal separator, without currency symbol or thousands separators"


def name_words(name: str) -> list[str]:
    """Split an identifier or phrase into lowercase ASCII words.

    >>> name_words("invoiceNumber"), name_words("seller_VAT_id"), name_words("Numéro de facture")
    (['invoice', 'number'], ['seller', 'vat', 'id'], ['numero', 'de', 'facture'])
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return [w for w in re.split(r"[^A-Za-z0-9]+", text.lower()) if w]


def singular(word: str) -> str:
    """A simple English singular for a head noun ("items" -> "item", "parties" -> "party")."""
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(ss|x|ch|sh|ses)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def plural(word: str) -> str:
    """A simple English plural ("item" -> "items", "party" -> "parties", "address" -> "addresses")."""
    if word.endswith("s") and singular(word) != word:
        return word
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|ch|sh)$", word):
        return word + "es"
    return word + "s"


def phrase_kind(words: Sequence[str]) -> Kind | None:
    """The kind of value a noun phrase names, from its head word.

    >>> [phrase_kind(p.split()) for p in ("invoice number", "number of pages", "total amount")]
    ['identifier', 'count', 'amount']
    """
    words = [w for w in words if w]
    if not words:
        return None
    if words[0] in _BOOLEAN_PREFIXES and len(words) > 1:
        return "boolean"
    if "currency" in words:
        return "currency"
    if len(words) > 1 and words[0] in ("number", "count", "amount", "total") and words[1] == "of":
        return "amount" if words[0] == "amount" else "count"
    head = words[: words.index("of")] if "of" in words[1:] else words
    for word in reversed(head):
        if word in _KIND_WORDS:
            return _KIND_WORDS[word]
    return None


def text_kind(text: str) -> Kind | None:
    """The kind of value a description names in its opening noun phrase ("Total amount of the invoice")."""
    opening = re.split(r"[(,;:.!?\[—–]| - ", text, maxsplit=1)[0]
    words = [w[:-2] if w.endswith("'s") else w for w in opening.lower().split()]
    if words and words[0] == "whether" or text.rstrip().endswith("?"):
        return "boolean"
    phrase: list[str] = []
    for word in words:
        if word in _CLAUSE_END and phrase and not (word == "of" and phrase[-1] in ("number", "count", "date")):
            break
        phrase.extend(name_words(word))
    return phrase_kind([w for w in phrase if w not in ("the", "a", "an")])


def field_kind(name: str, description: str = "") -> Kind | None:
    """The kind of a field: from its name's head word, else from its description's opening phrase."""
    return phrase_kind(name_words(name)) or text_kind(description)


def find_concept(words: Sequence[str]) -> tuple[Concept, bool] | None:
    """The vocabulary concept a name's words refer to, and whether it matched the whole name.

    A whole-name match (``invoice_no``) brings the concept's lead and labels; a suffix match
    (``shipping_address`` -> address) only its kind and location.
    """
    joined = " ".join(words)
    best: tuple[Concept, bool] | None = None
    best_len = 0
    for concept in CONCEPTS:
        for alias in concept.aliases:
            if joined == alias:
                return concept, True
            if joined.endswith(" " + alias) and len(alias) > best_len:
                best, best_len = (concept, False), len(alias)
    return best


def mentions_labels(text: str) -> bool:
    """True when the text quotes or parenthesises the labels printed next to the value."""
    return bool(_QUOTED.search(text))


def mentions_location(text: str) -> bool:
    """True when the text says where the value is: quoted/parenthesised labels or location words."""
    return mentions_labels(text) or bool(_LOCATION_WORDS.search(text))


def mentions_format(text: str, kind: Kind | None, field_type: str) -> bool:
    """True when the text states the output format a date or an amount should be returned in."""
    if field_type == "date" or kind == "date":
        return bool(_DATE_FORMAT.search(text))
    return bool(_NUMBER_FORMAT.search(text))


def output_format(field_type: str, kind: Kind | None, values: Sequence[object] = ()) -> str:
    """The output-format sentence for a field of this type and kind (empty when none is needed)."""
    if field_type == "date" or kind == "date" and field_type == "string":
        return "returned as YYYY-MM-DD"
    if field_type == "enum":
        return "one of: " + ", ".join(str(v) for v in values) if values else "one of the allowed values"
    if field_type == "boolean":
        return "answer true if so, false if not"
    if kind == "amount":
        return _AMOUNT_FORMAT
    if kind == "percent":
        return "as a plain number without the % sign (19 for 19 %)"
    if field_type == "integer" or kind == "count":
        return "as a whole number"
    if field_type == "number" or kind == "quantity":
        return "as a plain number without unit"
    if kind == "currency":
        return "as an ISO 4217 code such as EUR or USD, derived from a symbol such as € when none is printed"
    if kind == "identifier":
        return "exactly as printed, including any letters, prefixes and separators"
    if kind == "name":
        return "as printed"
    return ""


def is_vague(text: str, words: Sequence[str] = ()) -> bool:
    """True when a description says no more than generic words and the field's own name ("the number")."""
    content = [w for w in name_words(text) if w not in _STOP]
    return bool(content) and all(
        w in _GENERIC or singular(w) in words or any(_abbreviates(w, n) for n in words) for w in content
    )


def _abbreviates(short: str, word: str) -> bool:
    """True when ``short`` is ``word`` or an abbreviation of it ("qty" of "quantity", "amt" of "amount")."""
    if short == word:
        return True
    if len(short) < 2 or len(short) >= len(word) or short[0] != word[0]:
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in short[1:])


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".;,?:")
    return text[:1].upper() + text[1:] if text else text


def build_description(field: Field, user_text: str | None = None) -> str:
    """A rewritten description for ``field``: the user's text kept, plus labels, location and output format.

    Args:
        field: the field (its name, type, values and description are used).
        user_text: the text to keep; defaults to ``field.description``.

    Returns:
        One or two sentences.

    >>> build_description(Field(name="due_date", type="date")).startswith("The date by which payment is due")
    True
    """
    words = name_words(field.name)
    text = (field.description if user_text is None else user_text).strip()
    found = find_concept(words)
    concept, whole = found if found else (None, False)
    kind = field_kind(field.name, text) or (concept.kind if concept else None)
    keep = bool(text) and not is_vague(text)
    title = " ".join(words).capitalize() or "Value"
    if field.type == "array":
        return _array_description(field, text if keep else "", concept if whole else None, title)
    if keep:
        lead = _sentence(text)
    elif field.type == "object":
        lead = f"The {title.lower()} block"
    elif concept and whole:
        lead = concept.lead
    elif field.type == "boolean":
        stem = words[1:] if words and words[0] in _BOOLEAN_PREFIXES else words
        verb = words[0] if words and words[0] in _BOOLEAN_PREFIXES else "is"
        lead = f"Whether the document {verb} {' '.join(stem)}".rstrip()
    else:
        lead = f"The value labelled '{title}' (or a similar label)"
    if field.type == "boolean":  # a yes/no question has no label of its own; the question is the cue
        if keep and text.endswith("?"):
            return f"{_sentence(lead)}? Answer true if so, false if not."
        return f"{_sentence(lead)}: true if so, false if not."
    parts = [lead]
    located = mentions_location(lead)
    if not mentions_labels(lead):
        if concept and whole:
            parts[0] += f" ({', '.join(concept.labels)})"
        else:
            parts.append(f"labelled '{title}' or similar")
    if not located and concept and whole and concept.where:
        parts.append(concept.where)
    if field.type == "object":
        parts.append("with its parts as sub-fields")
    fmt = output_format(field.type, kind, field.values) if field.type != "object" else ""
    if fmt and not mentions_format(lead, kind, field.type) and not (field.type == "enum" and "one of" in lead):
        parts.append(fmt)
    sentence = _sentence(", ".join(parts)) + "."
    if concept and whole and concept.note and field.type != "object" and concept.note.lower() not in text.lower():
        sentence += " " + concept.note
    return sentence


def _array_description(field: Field, text: str, concept: Concept | None, title: str) -> str:
    item = " ".join(singular(w) for w in name_words(field.name)) or "entry"
    if text:
        lead = _sentence(text)
    elif concept:
        lead = concept.lead
    else:
        lead = f"Every {item} listed on the document"
    parts = [lead]
    located = mentions_location(lead)
    if not mentions_labels(lead) and concept:
        parts[0] += f" ({', '.join(concept.labels)})"
    if not located:
        parts.append(concept.where if concept else f"under '{title}' or in a table or list")
    if "order" not in lead:
        parts.append("in order of appearance")
    parts.append("one entry per " + ("row" if field.item_fields else item))
    sentence = _sentence(", ".join(parts)) + "."
    if concept and concept.note and concept.note.lower() not in text.lower():
        sentence += " " + concept.note
    return sentence
