"""A compact multilingual synonym table of common invoice concepts (en, de, fr, es, it, nl, pl).

Only a supplement to what a field's description says: each concept has triggers in a field's name, triggers
in its description, and label phrases printed on documents. Order matters: more specific concepts come first
(``tax_basis_total`` is "net" before it is "tax" or "total").
"""

from __future__ import annotations

__all__ = ["CONCEPTS"]

_TABLE = """
vat_id
  name: vat id; vat_id; vat number; tax id; ust id; vatid; tva; vat no
  text: vat identification; vat id; vat number; ust-idnr; umsatzsteuer-id; tax identification
  labels: VAT ID; VAT No; VAT number; VAT Reg No; VAT registration number; Tax ID; USt-IdNr; USt-ID;
    USt.-Id.-Nr.; Ust-Id; Umsatzsteuer-ID; Umsatzsteuer-Identifikationsnummer; UID; N° TVA; TVA;
    TVA intracommunautaire; N° TVA intracom; Numéro de TVA; NIF; CIF; Partita IVA; P.IVA; BTW-nummer;
    BTW nr; GSTIN; NIP; DIČ
tax_number
  name: tax number; steuernummer
  text: tax number
  labels: Steuernummer; Steuer-Nr; St.-Nr.; Tax number; SIRET; SIREN
iban
  name: iban
  text: iban
  labels: IBAN
bic
  name: bic; swift
  text: bic; swift
  labels: BIC; SWIFT; SWIFT/BIC
order_number
  name: order number; order no; po number; purchase order; order id; order_number
  text: order number; purchase order
  labels: Order number; Order No; Order #; Order ID; PO Number; Purchase order; Bestellnummer; Bestell-Nr;
    Bestellung; Auftragsnummer; Auftrags-Nr; N° de commande; Commande; Numéro de commande; Pedido;
    Número de pedido; Ordine; Bestelnummer; Ihre Bestellung
customer_number
  name: customer number; customer no; customer id; client number; account number
  text: customer number
  labels: Customer number; Customer No; Customer ID; Account number; Kundennummer; Kunden-Nr; Kd-Nr;
    Kundennr; N° client; Numéro client; Code client; Número de cliente; Klantnummer
delivery_number
  name: delivery number; delivery note
  text: delivery number; delivery note
  labels: Delivery note; Delivery number; Lieferschein; Lieferscheinnummer; Lieferschein-Nr;
    Bon de livraison; Albarán
invoice_number
  name: invoice number; invoice no; invoice id; invoice_number; bill number; document number
  text: invoice number; rechnungsnummer; numéro de facture; invoice no
  labels: Invoice number; Invoice No; Invoice No.; Invoice #; Invoice; Invoice ID; Bill No;
    Rechnungsnummer; Rechnung Nr; Rechnungs-Nr; Rechnungsnr; Rechnung; Rechnungskorrektur; Gutschrift;
    Gutschrift Nr; Credit note; Avoir; Belegnummer; Beleg-Nr; Numéro de facture; N° de facture; Facture N°;
    Facture; Número de factura; Factura; Numero fattura; Fattura; Factuurnummer; Factuur; Numer faktury;
    Faktura
due_date
  name: due date; due_date; payment date; due by
  text: due date; payment due; fällig; zahlbar bis
  labels: Due date; Payment due; Due; Pay by; Fällig am; fällig; Fälligkeit; Fälligkeitsdatum;
    Fälligkeitstag; bis zum; netto bis; Zahlungstermin; payable by; due on; à payer avant le; avant le;
    zahlbar bis; Zahlungsziel; Date d'échéance; Échéance; Fecha de vencimiento; Vencimiento; Scadenza;
    Data di scadenza; Vervaldatum; Termin płatności; remit until; pay until; payable until; payment until;
    überweisen Sie bis; zahlbar am; à régler avant le
delivery_date
  name: delivery date; service date; delivery_date
  text: delivery date; service date
  labels: Delivery date; Date of delivery; Service date; Lieferdatum; Liefer- und Leistungsdatum;
    Leistungsdatum; Leistungszeitraum; Date de livraison; Fecha de entrega; Data di consegna; Leverdatum
order_date
  name: order date
  text: order date
  labels: Order date; Bestelldatum; Date de commande; Fecha de pedido; Auftragsdatum
issue_date
  name: issue date; invoice date; issue_date; invoice_date; date issued; document date; date
  text: invoice date; date the invoice was issued; issue date; rechnungsdatum; date de facture
  labels: Invoice date; Date of issue; Issue date; Date; Dated; Rechnungsdatum; Datum; Belegdatum;
    Ausstellungsdatum; Date de facture; Date d'émission; Fecha; Fecha de factura; Data; Data fattura;
    Factuurdatum; Data wystawienia; vom; du
due_payable
  name: due payable; payable; amount due; balance due; to pay; due_payable
  text: still to be paid; amount due; balance due; zahlbetrag; to be paid
  labels: Amount due; Balance due; Amount payable; To pay; Zahlbetrag; fälliger Betrag; zu zahlen;
    Zahlungsbetrag; zu zahlender Betrag; zu zahlender Beitrag; Somme à payer; Total à payer; Montant dû;
    Reste dû; Amount to pay; Total due; Net à payer; Reste à payer; Montant à payer; A pagar; Da pagare;
    Te betalen; Due payable; Payable amount; Solde à payer; Solde dû; Restant dû
net
  name: net; subtotal; basis; net amount; untaxed; before tax
  text: net amount; before vat; before tax; subtotal; excluding vat; excluding tax
  labels: Subtotal; Sub-total; Sub total; Net; Net amount; Net total; Total net; Total excl. VAT;
    Nettobetrag; Netto; Summe netto; Nettosumme; Gesamt netto; Rechnungssumme netto;
    Rechnungssumme ohne USt; Warenwert; Positionssumme; Total HT; Montant HT; Montant EUR HT;
    Total hors taxes; Exclusief BTW; Excl. BTW; Summe ohne MwSt; Gesamt ohne MwSt; excl. VAT; Sous-total;
    Base imponible; Subtotale; Imponibile; Subtotaal
tax
  name: tax; vat; tax total; vat amount; tax amount; gst
  text: vat amount; tax amount; total vat; total tax
  labels: VAT; Tax; Sales tax; Total tax; Tax amount; VAT amount; Total VAT; Umsatzsteuer; MwSt; MwSt.;
    USt; USt.; USt.-Betrag; Steuerbetrag; Mehrwertsteuer; TVA; Montant TVA; Total TVA; IVA; BTW; GST; IGST;
    VAT total; Tax total; Total taxes; USt. Gesamt; MwSt. gesamt; Summe USt; Summe MwSt
total
  name: total; grand total; amount; gross; sum
  text: total; including vat; including tax; gross amount; grand total
  labels: Total; Grand total; Total amount; Invoice total; Total due; Amount due; Gesamtbetrag;
    Gesamtsumme; Rechnungsbetrag; Rechnungssumme; Bruttobetrag; Bruttosumme; Endbetrag; Summe;
    Summe inkl. USt; Gesamt; Total TTC; Montant TTC; Net à payer; Somme à payer; Total à payer;
    Invoice amount; Importe total; Total a pagar; Totale; Totale fattura; Totaal; Razem; Do zapłaty
currency
  name: currency; currency code
  text: currency; iso 4217
  labels: Currency; Währung; Beträge in; Devise; Monnaie; Moneda; Valuta; Waluta
seller
  name: seller; vendor; supplier; issuer; merchant; company; sender
  text: issued the invoice; seller; vendor; supplier; letterhead
  labels: Seller; Vendor; Supplier; From; Sold by; Verkäufer; Lieferant; Rechnungssteller;
    Rechnungsersteller; Absender; Vendeur; Fournisseur; Émetteur; Proveedor; Fornitore; Leverancier
buyer
  name: buyer; customer; client; recipient; bill to; purchaser
  text: recipient; buyer; customer; bill to
  labels: Buyer; Customer; Client; Bill to; Billed to; Invoice to; Sold to; Recipient; Käufer; Kunde;
    Rechnungsempfänger; Empfänger; Rechnungsadresse; Acheteur; Facturé à; Adresse de facturation;
    Destinataire; Cliente; Facturar a; Klant
"""


def _parse(table: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    out: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
    concept, key = "", ""
    parts: dict[str, tuple[str, ...]] = {}
    for line in table.strip().splitlines():
        if not line.startswith(" "):
            concept, parts = line.strip(), {}
        elif line.startswith("    "):  # continuation of the previous key's values
            parts[key] += tuple(v.strip() for v in line.split(";") if v.strip())
        else:
            key, _, values = line.strip().partition(":")
            parts[key] = tuple(v.strip() for v in values.split(";") if v.strip())
        if concept and len(parts) == 3:
            out[concept] = (parts["name"], parts["text"], parts["labels"])
    return out


CONCEPTS = _parse(_TABLE)
"""concept -> (triggers in a field's name, triggers in its description, label synonyms)."""
