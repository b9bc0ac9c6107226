"""The field concepts of business documents, in one table: what a field is called, which words of its name
or description mark it, its kind of value, the labels printed next to it in every supported language, and
how the field guide describes it.

The rows of the details documents print besides their main fields (contacts, addresses, bank details,
references, people by role, periods) are kept in ``core.vocabulary.details`` and parsed into the same table.

One row per concept: ``key (kind)``, then attributes, indented; a long value continues on lines indented
further. Lists are separated by ``;``.

- ``aliases``: what a field about the concept is called, as a whole name ("invoice no"); the field guide and
  the drafter look a name up here;
- ``in name`` / ``in text``: words that, inside a field's name or the opening of its description, mark the
  concept for the local engine (``core.extraction.local.cues.detect_concept``: the first concept that
  matches wins, so more specific concepts come first: ``tax_basis_total`` is "net" before it is "total");
- ``labels``: the labels printed next to the value on documents (en, de, fr, es, it, nl, pl), which the local
  engine looks for; ``quoted``: the few (en, de, fr) the field guide writes into a suggested description;
- ``shape``: what the value looks like, which the local engine finds and validates on the page
  (``core.vocabulary.shapes.Shape``: a phone number, a postal code, an IBAN, a duration ...);
- ``family``: the documents' part a short label belongs to (``FAMILY_STEMS``: "vom" after "Rechnung" is the
  invoice date, after "Bestellung" the order date);
- ``lead``, ``where``, ``note``: how a suggested description opens, where the value usually is, what it is
  commonly confused with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast, get_args

from core.vocabulary.details import DETAIL_TABLE
from core.vocabulary.kinds import ValueKind
from core.vocabulary.shapes import Shape

__all__ = ["Concept", "CONCEPTS", "BY_KEY", "IDENTIFIER_CONCEPTS", "FAMILY_STEMS", "find_concept"]


@dataclass(frozen=True)
class Concept:
    """One field concept (see the module docstring for what each attribute is for)."""

    key: str
    kind: ValueKind | None = None
    shape: Shape | None = None
    family: str | None = None
    aliases: tuple[str, ...] = ()
    in_name: tuple[str, ...] = ()
    in_text: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    quoted: tuple[str, ...] = ()
    lead: str = ""
    where: str = ""
    note: str = ""


_TABLE = """
# invoices and receipts
vat_id (identifier)
  shape: vat_id
  aliases: vat id; vat number; vat no; tax id; vat id number; vat registration number
  in name: vat id; vat_id; vat number; tax id; ust id; vatid; tva; vat no
  in text: vat identification; vat id; vat number; ust-idnr; umsatzsteuer-id; tax identification
  labels: VAT ID; VAT No; VAT number; VAT Reg No; VAT registration number; Tax ID; USt-IdNr; USt-ID;
    USt.-Id.-Nr.; Ust-Id; Umsatzsteuer-ID; Umsatzsteuer-Identifikationsnummer; UID; N° TVA; TVA;
    TVA intracommunautaire; N° TVA intracom; Numéro de TVA; NIF; CIF; Partita IVA; P.IVA; BTW-nummer; BTW nr;
    GSTIN; NIP; DIČ
  quoted: VAT ID; VAT No.; USt-IdNr.; N° TVA
  lead: The VAT identification number
  where: in the letterhead or footer
  note: Not the tax number (Steuernummer).
tax_number (identifier)
  shape: reference
  in name: tax number; steuernummer; tax no
  in text: tax number; steuernummer; tax no; tax reference; siret; siren
  labels: Steuernummer; Steuer-Nr; Steuernr; St.-Nr.; St.Nr.; Tax number; Tax No; Tax reference; SIRET; SIREN;
    Codice fiscale; NIF
iban (identifier)
  shape: iban
  aliases: iban; bank account; account iban
  in name: iban
  in text: iban; bank account; kontonummer
  labels: IBAN
  quoted: IBAN; Bankverbindung; Coordonnées bancaires
  lead: The IBAN of the bank account
  where: in the payment details or the footer
bic (identifier)
  shape: bic
  in name: bic; swift
  in text: bic; swift
  labels: BIC; SWIFT; SWIFT/BIC; BIC/SWIFT; SWIFT code; BIC code
order_number (identifier)
  shape: reference
  family: order
  aliases: order number; purchase order; po number; order no; purchase order number
  in name: order number; order no; po number; purchase order; order id; order_number
  in text: order number; purchase order; po number; order no; order reference; bestellnummer
  labels: Order number; Order No; Order #; Order ID; PO Number; Purchase order; Bestellnummer; Bestell-Nr;
    Bestellung; Auftragsnummer; Auftrags-Nr; N° de commande; Commande; Numéro de commande; Pedido;
    Número de pedido; Ordine; Bestelnummer; Ihre Bestellung
  quoted: PO; Order No.; Bestellnummer; N° de commande
  lead: The purchase order number
  where: in the document header
  note: Not the invoice number.
customer_number (identifier)
  shape: reference
  family: customer
  aliases: customer number; customer id; customer no; client number; account number
  in name: customer number; customer no; customer id; client number; account number
  in text: customer number; customer no; customer id; client number; customer account; kundennummer
  labels: Customer number; Customer No; Customer ID; Account number; Kundennummer; Kunden-Nr; Kd-Nr; Kundennr;
    N° client; Numéro client; Code client; Número de cliente; Klantnummer
  quoted: Customer No.; Kundennummer; N° client
  lead: The customer number
  where: in the document header
delivery_number (identifier)
  shape: reference
  family: delivery
  in name: delivery number; delivery note
  in text: delivery number; delivery note; despatch advice; dispatch note
  labels: Delivery note; Delivery number; Lieferschein; Lieferscheinnummer; Lieferschein-Nr; Bon de livraison;
    Albarán; Despatch advice; Dispatch note
invoice_number (identifier)
  family: invoice
  aliases: invoice number; invoice no; invoice id; invoice nr; bill number
  in name: invoice number; invoice no; invoice id; invoice_number; bill number; document number
  in text: invoice number; rechnungsnummer; numéro de facture; invoice no
  labels: Invoice number; Invoice No; Invoice No.; Invoice #; Invoice; Invoice ID; Bill No; Rechnungsnummer;
    Rechnung Nr; Rechnungs-Nr; Rechnungsnr; Rechnung; Gutschrift; Gutschrift Nr;
    Credit note; Avoir; Belegnummer; Beleg-Nr; Numéro de facture; N° de facture; Facture N°; Facture;
    Número de factura; Factura; Numero fattura; Fattura; Factuurnummer; Factuur; Numer faktury; Faktura
  quoted: Invoice No.; Invoice #; Rechnungsnummer; N° de facture
  lead: The invoice number
  where: in the document header
  note: Not an order, customer or delivery number.
due_date (date)
  family: due
  aliases: due date; payment due date; payment date; due on; pay by date
  in name: due date; due_date; payment date; due by
  in text: due date; payment due; fällig; zahlbar bis
  labels: Due date; Payment due; Due; Pay by; Fällig am; fällig; Fälligkeit; Fälligkeitsdatum;
    bis zum; netto bis; Zahlungstermin; payable by; due on; à payer avant le; avant le; zahlbar bis;
    Zahlungsziel; Date d'échéance; Échéance; Fecha de vencimiento; Vencimiento; Scadenza; Data di scadenza;
    Vervaldatum; Termin płatności; pay until; payable until; payment until; überweisen Sie bis;
    zahlbar am; à régler avant le
  quoted: Due date; Payable by; Fällig am; Zahlbar bis; Date d'échéance
  lead: The date by which payment is due
  where: near the totals or the payment terms
  note: Leave empty when only payment terms such as '30 days net' are given.
delivery_date (date)
  family: delivery
  in name: delivery date; service date; delivery_date
  in text: delivery date; service date; delivered; date of delivery; shipped; shipping date; dispatch date;
    lieferdatum; leistungsdatum; date de livraison
  labels: Delivery date; Date of delivery; Service date; Lieferdatum; Liefer- und Leistungsdatum;
    Leistungsdatum; Leistungszeitraum; Date de livraison; Fecha de entrega; Data di consegna; Leverdatum
order_date (date)
  family: order
  in name: order date
  in text: order date
  labels: Order date; Bestelldatum; Date de commande; Fecha de pedido; Auftragsdatum
# contracts: the effective date comes before issue_date, whose "date" would claim every date field
start_date (date)
  aliases: start date; effective date; commencement date; contract start
  in name: effective date; start date; commencement date; effective_date
  in text: effective date; date from which the agreement; takes effect
  quoted: Effective date; Start date; Vertragsbeginn; Date d'effet
  lead: The date the contract takes effect
  where: in the first clauses or the cover page
issue_date (date)
  family: invoice
  aliases: invoice date; issue date; date of issue; billing date; issued on; date issued
  in name: issue date; invoice date; issue_date; invoice_date; date issued; document date; date
  in text: invoice date; date the invoice was issued; issue date; rechnungsdatum; date de facture
  labels: Invoice date; Date of issue; Issue date; Date; Dated; Rechnungsdatum; Datum; Belegdatum;
    Ausstellungsdatum; Date de facture; Date d'émission; Fecha; Fecha de factura; Data; Data fattura;
    Factuurdatum; Data wystawienia; vom; du
  quoted: Invoice date; Date; Rechnungsdatum; Date de facture
  lead: The date the invoice was issued
  where: in the document header
  note: Not the order, delivery or due date.
due_payable (amount)
  in name: due payable; payable; amount due; balance due; to pay; due_payable
  in text: still to be paid; amount due; balance due; zahlbetrag; to be paid
  labels: Amount due; Balance due; Amount payable; To pay; Zahlbetrag; fälliger Betrag; zu zahlen;
    Zahlungsbetrag; zu zahlender Betrag; zu zahlender Beitrag; Somme à payer; Total à payer; Montant dû;
    Reste dû; Amount to pay; Total due; Net à payer; Reste à payer; Montant à payer; A pagar; Da pagare;
    Te betalen; Due payable; Payable amount; Solde à payer; Solde dû; Restant dû
net (amount)
  aliases: net amount; subtotal; sub total; net total; total net; amount before tax
  in name: net; subtotal; basis; net amount; untaxed; before tax
  in text: net amount; before vat; before tax; subtotal; excluding vat; excluding tax
  labels: Subtotal; Sub-total; Sub total; Net; Net amount; Net total; Total net; Total excl. VAT; Nettobetrag;
    Netto; Summe netto; Nettosumme; Gesamt netto; Rechnungssumme netto; Rechnungssumme ohne USt; Warenwert;
    Positionssumme; Total HT; Montant HT; Total hors taxes; Exclusief BTW; Excl. BTW;
    Summe ohne MwSt; Gesamt ohne MwSt; excl. VAT; Sous-total; Base imponible; Subtotale; Imponibile; Subtotaal
  quoted: Subtotal; Net amount; Nettobetrag; Zwischensumme; Total HT
  lead: The amount before taxes
  where: in the totals block
  note: Not the total including taxes.
tax_rate (percent)
  shape: percent
  aliases: tax rate; vat rate; vat percentage
  in name: tax rate; vat rate; vat percent; tax percent; vat percentage
  in text: vat rate; tax rate; rate of vat; vat percentage; tax percentage; sales tax rate; steuersatz; taux de tva
  labels: VAT rate; Tax rate; VAT %; Tax %; USt %; USt.-Satz; MwSt.-Satz; MwSt %; Steuersatz; Steuer %; Taux de TVA;
    Taux TVA; Tipo IVA; IVA %; BTW %; Rate
  quoted: VAT %; Tax rate; MwSt.-Satz; Taux de TVA
  lead: The tax rate
  where: in the totals block or the item table
tax (amount)
  aliases: tax amount; tax; vat; vat amount; tax total; total tax; sales tax
  in name: tax; vat; tax total; vat amount; tax amount; gst
  in text: vat amount; tax amount; total vat; total tax
  labels: VAT; Tax; Sales tax; Total tax; Tax amount; VAT amount; Total VAT; Umsatzsteuer; MwSt; MwSt.; USt;
    USt.; USt.-Betrag; Steuerbetrag; Mehrwertsteuer; TVA; Montant TVA; Total TVA; IVA; BTW; GST; IGST;
    VAT total; Tax total; Total taxes; USt. Gesamt; MwSt. gesamt; Summe USt; Summe MwSt
  quoted: VAT; Tax; MwSt.; USt.; TVA
  lead: The tax amount
  where: in the totals block
  note: Not the tax rate.
total (amount)
  aliases: total amount; total; grand total; amount due; gross amount; invoice total; total due; gross total;
    amount payable
  in name: total; grand total; amount; gross; sum
  in text: total; including vat; including tax; gross amount; grand total
  labels: Total; Grand total; Total amount; Invoice total; Total due; Amount due; Gesamtbetrag; Gesamtsumme;
    Rechnungsbetrag; Rechnungssumme; Bruttobetrag; Bruttosumme; Endbetrag; Summe; Summe inkl. USt; Gesamt;
    Total TTC; Montant TTC; Net à payer; Somme à payer; Total à payer; Invoice amount; Importe total;
    Total a pagar; Totale; Totale fattura; Totaal; Razem; Do zapłaty
  quoted: Total; Grand total; Amount due; Gesamtbetrag; Bruttobetrag; Total TTC; Montant total
  lead: The final amount including taxes
  where: at the bottom of the totals block
  note: Not the subtotal before taxes.
currency (currency)
  aliases: currency; currency code
  in name: currency; currency code
  in text: currency; iso 4217
  labels: Currency; Währung; Beträge in; Devise; Monnaie; Moneda; Valuta; Waluta
  quoted: Currency; Währung; Devise
  lead: The currency of the amounts
  where: next to the amounts
seller (name)
  aliases: vendor; vendor name; seller; seller name; supplier; supplier name; merchant; merchant name;
    store name; issuer; company name
  in name: seller; vendor; supplier; issuer; merchant; company; sender
  in text: issued the invoice; seller; vendor; supplier; letterhead
  labels: Seller; Vendor; Supplier; From; Sold by; Verkäufer; Lieferant; Rechnungssteller; Rechnungsersteller;
    Absender; Vendeur; Fournisseur; Émetteur; Proveedor; Fornitore; Leverancier
  quoted: Vendor; Seller; Supplier; Lieferant; Verkäufer; Fournisseur
  lead: Name of the company or person that issued the document
  where: in the letterhead or sender line
  note: Name only, without street or city.
buyer (name)
  aliases: customer; customer name; buyer; buyer name; client; client name; recipient; bill to
  in name: buyer; customer; client; recipient; bill to; purchaser
  in text: recipient; buyer; customer; bill to
  labels: Buyer; Customer; Client; Bill to; Billed to; Invoice to; Sold to; Recipient; Käufer; Kunde;
    Rechnungsempfänger; Empfänger; Rechnungsadresse; Acheteur; Facturé à; Adresse de facturation; Destinataire;
    Cliente; Facturar a; Klant
  quoted: Bill to; Customer; Kunde; Rechnungsempfänger; Client
  lead: Name of the customer the document is addressed to
  where: in the recipient address block
  note: Name only, without street or city.
payment_terms
  aliases: payment terms; terms of payment; terms
  in name: payment terms; terms of payment
  in text: payment terms; terms of payment; payment conditions; zahlungsbedingungen; conditions de paiement
  labels: Payment terms; Terms of payment; Terms; Zahlungsbedingungen; Zahlungsbedingung; Zahlungsziel;
    Conditions de paiement; Conditions de règlement; Condiciones de pago; Termini di pagamento
  quoted: Payment terms; Zahlungsbedingungen; Conditions de paiement
  lead: The payment terms
  where: near the totals or in the footer
line_items
  aliases: line items; line item; items; positions; lines; invoice lines; products
  quoted: Pos.; Item; Artikel; Désignation
  lead: Every line of the item table
  where: in the item table
  note: Not totals, tax or discount summary rows.
description (name)
  aliases: description; item description; product; article; item name; product name
  quoted: Description; Bezeichnung; Artikel; Désignation
  lead: The article or service name of the line
  where: in the line's description column
quantity (quantity)
  shape: quantity
  aliases: quantity; qty
  quoted: Qty; Quantity; Menge; Anzahl; Quantité
  lead: The billed quantity
  where: in the line's quantity column
unit_price (amount)
  aliases: unit price; price per unit; price; rate per unit
  quoted: Unit price; Price; Einzelpreis; Prix unitaire
  lead: The price per unit
  where: in the line's price column
line_total (amount)
  aliases: line total; line amount; total price; line price
  quoted: Amount; Total; Gesamtpreis; Betrag; Montant
  lead: The total of the line
  where: in the line's rightmost amount column
payment_method
  aliases: payment method; payment type; method of payment
  quoted: Payment; Paid by; Zahlungsart; Mode de paiement
  lead: How it was paid
  where: near the totals of the receipt
# contracts
end_date (date)
  aliases: end date; expiry date; expiration date; termination date; contract end
  quoted: End date; Expiry date; Vertragsende; Date d'expiration
  lead: The date the contract ends
  where: in the term or duration clause
signature_date (date)
  aliases: signature date; date signed; signing date; date of signature
  quoted: Date; Signed on; Datum; Fait le
  lead: The date the document was signed
  where: next to the signatures at the end
party (name)
  aliases: parties; party; contracting parties; counterparties
  in name: party; parties; counterparty; counterparties; contracting parties
  lead: Every party that enters into the agreement, by full legal name
  where: in the preamble
term
  aliases: term; contract term; term of the agreement
  in name: term; contract term
  in text: how long the agreement
  lead: How long the agreement or its obligations last, as number and unit
  where: in the term or duration clause
notice_period
  shape: duration
  aliases: notice period; termination notice
  quoted: Notice period; Kündigungsfrist; Préavis
  lead: The notice period
  where: in the termination clause
governing_law
  aliases: governing law; applicable law; jurisdiction
  in name: governing law; jurisdiction; applicable law; choice of law
  in text: governing law; whose law governs; law governs
  quoted: Governing law; Anwendbares Recht; Droit applicable
  lead: The governing law
  where: in the final provisions
# forms about people
date_of_birth (date)
  aliases: date of birth; birth date; birthday; dob
  quoted: Date of birth; DOB; Geburtsdatum; Date de naissance
  lead: The person's date of birth
  where: in the personal details section
employee_name (name)
  aliases: employee; employee name; full name; applicant name
  quoted: Name; Employee; Mitarbeiter; Nom
  lead: The person's full name
  where: in the personal details section
salary (amount)
  aliases: salary; gross salary; annual salary; wage; base salary
  quoted: Salary; Gross salary; Gehalt; Salaire
  lead: The salary
  where: in the compensation section
address (name)
  aliases: address; postal address; street address
  quoted: Address; Anschrift; Adresse
  lead: The postal address
  where: in the address block
# shipping documents
tracking_number (identifier)
  shape: reference
  aliases: tracking number; tracking id; tracking no; shipment number; waybill number; air waybill;
    bill of lading number
  quoted: Tracking No.; AWB; Sendungsnummer; N° de suivi
  lead: The shipment tracking number
  where: in the document header or near the barcode
shipper (name)
  aliases: shipper; sender; consignor; shipper name
  quoted: Shipper; Sender; Absender; Expéditeur
  lead: Name of the shipper
  where: in the sender box
consignee (name)
  aliases: consignee; consignee name; receiver; ship to
  quoted: Consignee; Ship to; Empfänger; Destinataire
  lead: Name of the consignee
  where: in the consignee box
weight (quantity)
  shape: quantity
  aliases: weight; gross weight; total weight; net weight
  quoted: Weight; Gross weight; Gewicht; Poids
  lead: The weight
  where: in the shipment details
"""

_ATTRIBUTES = {"shape", "family", "aliases", "in name", "in text", "labels", "quoted", "lead", "where", "note"}


def _concept(header: str, attributes: dict[str, str]) -> Concept:
    key, _, kind = header.partition(" (")
    kind = kind.rstrip(")")
    if kind and kind not in get_args(ValueKind):
        raise ValueError(f"concept {key}: unknown kind {kind!r}")
    unknown = set(attributes) - _ATTRIBUTES
    if unknown:
        raise ValueError(f"concept {key}: unknown attributes {sorted(unknown)}")
    shape = attributes.get("shape")
    if shape and shape not in get_args(Shape):
        raise ValueError(f"concept {key}: unknown shape {shape!r}")

    def listed(name: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in attributes.get(name, "").split(";") if v.strip())

    return Concept(
        key,
        cast("ValueKind", kind) if kind else None,
        cast("Shape", shape) if shape else None,
        attributes.get("family"),
        aliases=listed("aliases"),
        in_name=listed("in name"),
        in_text=listed("in text"),
        labels=listed("labels"),
        quoted=listed("quoted"),
        lead=attributes.get("lead", ""),
        where=attributes.get("where", ""),
        note=attributes.get("note", ""),
    )


def _parse(table: str) -> tuple[Concept, ...]:
    rows: list[tuple[str, dict[str, str]]] = []
    name = ""
    for line in table.strip().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            rows.append((line.strip(), {}))
        elif line.startswith("    "):  # a long value continued
            rows[-1][1][name] += " " + line.strip()
        else:
            name, _, value = line.strip().partition(":")
            rows[-1][1][name] = value.strip()
    return tuple(_concept(header, attributes) for header, attributes in rows)


CONCEPTS = _parse(_TABLE + DETAIL_TABLE)
"""Every concept, more specific ones first."""
BY_KEY = {c.key: c for c in CONCEPTS}
"""Concept key -> concept."""
IDENTIFIER_CONCEPTS = frozenset(c.key for c in CONCEPTS if c.kind == "identifier")
"""Concepts whose values are identifiers (printed codes and numbers, read as tokens)."""

# Word stems of the parts of a document a short label can belong to (``family`` of a concept). Stems, so that
# compounds count ("Rechnungsdatum", "Lieferschein").
# fmt: off
FAMILY_STEMS: dict[str, tuple[str, ...]] = {
    "invoice": ("rechnung", "invoice", "facture", "factura", "fattura", "factuur", "faktura", "bill", "beleg",
                "gutschrift", "credit"),
    "order": ("bestell", "order", "commande", "auftrag", "pedido", "ordine", "purchase"),
    "delivery": ("liefer", "deliver", "livraison", "shipping", "versand", "leistung", "service", "entrega"),
    "due": ("fällig", "due", "échéance", "echeance", "zahlbar", "payable", "vencimiento", "scadenza"),
    "customer": ("kunde", "customer", "client", "cliente", "klant"),
}
# fmt: on


def find_concept(name: Sequence[str]) -> tuple[Concept, bool] | None:
    """The concept a field name's words are an alias of, and whether the alias is the whole name.

    A whole-name match (``invoice_no``) brings the concept's lead and labels; a suffix match
    (``shipping_address`` -> address) only its kind and location.

    >>> [(c.key, whole) for c, whole in (find_concept(["invoice", "no"]), find_concept(["shipping", "address"]))]
    [('invoice_number', True), ('address', False)]
    """
    joined = " ".join(name)
    best: tuple[Concept, bool] | None = None
    best_len = 0
    for concept in CONCEPTS:
        for alias in concept.aliases:
            if joined == alias:
                return concept, True
            if joined.endswith(" " + alias) and len(alias) > best_len:
                best, best_len = (concept, False), len(alias)
    return best
