"""What the columns of item tables are called: header labels per column concept (casefolded, without accents,
as ``core.extraction.local.tables.labels.normalize_label`` leaves them), and the columns a request for line
items gets when it names none.

The column concepts ``description``, ``quantity``, ``unit_price`` and ``line_total`` are the item concepts of
``core.vocabulary.concepts``; the others are columns that are no item field of a typical schema but must not be
mistaken for one.
"""

from __future__ import annotations

__all__ = ["COLUMN_LABELS", "ITEM_COLUMNS"]

# Common line-item column labels in the Latin-script languages we meet; a field's own description cues
# (parenthesised lists, quoted words, its name) weigh more than these.
# fmt: off
COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "description": (
        "description", "bezeichnung", "beschreibung", "artikel", "artikelbezeichnung", "leistung", "produkt",
        "designation", "libelle", "article", "item", "product", "service", "descripcion", "concepto",
        "descrizione", "omschrijving", "produit", "details", "text", "leistungsbeschreibung", "prestation",
    ),
    "quantity": (
        "quantity", "qty", "menge", "anzahl", "qte", "quantite", "cantidad", "quantita", "aantal", "stuck",
        "qtd", "quantidade", "units", "hours", "stunden", "nombre", "cant", "hoeveelheid",
    ),
    "unit_price": (
        "unit price", "price", "preis", "einzelpreis", "stuckpreis", "nettopreis", "prix unitaire", "prix",
        "pu", "pu ht", "rate", "precio", "precio unitario", "prezzo", "prijs", "e-preis", "ep", "unit cost",
        "prijs per stuk", "stukprijs", "eenheidsprijs", "prix unit ht", "price per unit",
    ),
    "line_total": (
        "total", "amount", "betrag", "gesamt", "gesamtpreis", "gesamtbetrag", "nettobetrag", "montant",
        "montant ht", "total ht", "importe", "importo", "bedrag", "line total", "net amount", "positionsbetrag",
        "wert", "gp", "summe", "entgelt", "line amount", "total price", "totaal", "totale", "subtotaal",
        "prix total",
    ),
    "unit": ("unit", "einheit", "me", "unite", "uom", "unidad", "ud"),
    "vat": ("vat", "tax", "mwst", "ust", "steuer", "steuersatz", "tva", "iva", "btw", "vat %", "tax rate", "usts"),
    "position": ("pos", "position", "nr", "no", "#", "n", "ligne", "line", "lfd nr"),
    "article_no": ("art-nr", "artikelnummer", "artikel-nr", "artnr", "sku", "code", "reference", "ref", "ean", "gtin"),
    "discount": ("rabatt", "discount", "remise", "sconto", "descuento", "nachlass"),
}
# fmt: on

ITEM_COLUMNS = ("description", "quantity", "unit price", "line total")
"""The columns of a list of line items when a request names none ("Extract all line items")."""
