"""What the parties of a document are called and how their names and addresses are printed: the roles a
field's name names, salutations, legal forms, street words, address labels, "Name:" keys and words that start
a line which is no name.
"""

from __future__ import annotations

import re

__all__ = ["ROLE_WORDS", "SALUTATION", "LEGAL_FORM", "STREET", "ADDRESS_LABEL", "NAME_KEY", "NOT_A_NAME_START"]

# Words in a field's name (casefolded, as printed in it) that say which party the field is about.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "seller": ("seller", "vendor", "supplier", "issuer", "merchant", "sender"),
    "buyer": ("buyer", "customer", "client", "recipient", "purchaser", "bill_to"),
}
# A salutation on a line of its own: the name follows on the next line ("Herrn" / "Max Mustermann").
SALUTATION = re.compile(r"^(herrn?|frau|firma|mr\.?|mrs\.?|ms\.?|m\.|mme|monsieur|madame|sr\.?|sra\.?)$", re.I)
# Legal-form suffixes that mark a company name.
LEGAL_FORM = re.compile(
    r"(?<!\w)(GmbH(?:\s*&\s*Co\.?\s*KG)?|AG|KG|OHG|e\.\s?K\.|e\.\s?V\.|UG|Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|"
    r"Corp\.?|Corporation|PLC|plc|LLP|SARL|S\.A\.R\.L\.|SAS|S\.A\.S\.|SA|S\.A\.|SASU|EURL|SNC|S\.p\.A\.|SpA|"
    r"S\.r\.l\.|Srl|SRL|S\.L\.|SL|B\.V\.|BV|N\.V\.|NV|Sp\.\s?z\s?o\.\s?o\.|s\.r\.o\.|a\.s\.|AB|ApS|A/S|Oy|Co\.|"
    r"a\.\s?G\.|VVaG|eG|e\.\s?G\.|mbH|gGmbH|GbR|PartG|SE|KGaA)(?!\w)"
)
# A street line (street words, or a house number at the end).
STREET = re.compile(
    r"(str\.|straße|strasse|weg|allee|platz|gasse|street|st\.|road|rd\.|avenue|ave\.?|rue|chemin|boulevard"
    r"|bd\.?|via|calle|laan|straat|\d+\s*[a-z]?$)",
    re.I,
)
# Labels of an address block ("Rechnungsadresse", "Ship to"): the words after them are an address, no name.
ADDRESS_LABEL = re.compile(
    r"\b(adresse|address|anschrift|lieferadresse|rechnungsadresse|shipping|billing|ship to|bill to|livraison"
    r"|facturation|lieferanschrift|empfänger|destinataire)\b",
    re.I,
)
# "Name: ..." in a party's block.
NAME_KEY = re.compile(r"^(name|firma|company|raison sociale|nom|nombre|nome|naam)\s*:", re.I)
# Lines starting with these are page furniture, document titles or contact details, not a name.
NOT_A_NAME_START = re.compile(
    r"^(page|seite|invoice|rechnung|facture|factura|date|datum|tel|fax|phone|e-?mail|www|http|iban|bic|ust|vat|tva"
    r"|steuer|bank)\b",
    re.I,
)
