"""What the parties of a document are called and how their names and addresses are printed: the roles a
field's name names, salutations, legal forms, street words, address labels, "Name:" keys and words that start
a line which is no name.
"""

from __future__ import annotations

import re

__all__ = [
    "ROLE_WORDS",
    "DESCRIPTION_ROLE_WORDS",
    "SALUTATION",
    "LEGAL_FORM",
    "LEGAL_FORM_START",
    "LEGAL_FORM_SPELLINGS",
    "STREET",
    "ADDRESS_LINE",
    "CONTACT_LINE",
    "REGISTRATION_LINE",
    "DOCUMENT_TITLE",
    "REGISTRATION_NUMBER",
    "ADDRESS_LABEL",
    "NAME_KEY",
    "NOT_A_NAME_START",
]

# Words in a field's name (casefolded, as printed in it) that say which party the field is about.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "seller": ("seller", "vendor", "supplier", "issuer", "merchant", "sender"),
    "buyer": ("buyer", "customer", "client", "recipient", "purchaser", "bill_to"),
}
# Words in a field's description that say whose value it is when its name does not ("address of the shop").
DESCRIPTION_ROLE_WORDS: dict[str, re.Pattern[str]] = {
    "seller": re.compile(r"\b(?:shop|store|merchant|seller|vendor|supplier|issuer|issued|sender|letterhead)\b", re.I),
    "buyer": re.compile(r"\b(?:customer|buyer|recipient|bill to|billed to|client|purchaser)\b", re.I),
}
# A salutation on a line of its own: the name follows on the next line ("Herrn" / "Max Mustermann").
SALUTATION = re.compile(r"^(herrn?|frau|firma|mr\.?|mrs\.?|ms\.?|m\.|mme|monsieur|madame|sr\.?|sra\.?)$", re.I)
# Legal-form suffixes that mark a company name.
LEGAL_FORM = re.compile(
    r"(?<!\w)(GmbH(?:\s*&\s*Co\.?\s*KG)?|AG|KG|OHG|e\.\s?K\.|e\.\s?V\.|UG|Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|"
    r"Corp\.?|Corporation|PLC|plc|LLP|SARL|S\.A\.R\.L\.|SAS|S\.A\.S\.|SA|S\.A\.|SASU|EURL|SNC|S\.p\.A\.|SpA|"
    r"S\.r\.l\.|Srl|SRL|S\.L\.|SL|B\.V\.|BV|N\.V\.|NV|Sp\.\s?z\s?o\.\s?o\.|s\.r\.o\.|a\.s\.|AB|ApS|A/S|Oy|Co\.|"
    r"a\.\s?G\.|VVaG|eG|e\.\s?G\.|mbH|gGmbH|GbR|PartG|SE|KGaA|"
    r"Sdn\.?\s?Bhd\.?|SDN\.?\s?BHD\.?|Bhd\.?|BHD\.?|S/B|Pte\.?\s?Ltd\.?|PTE\.?\s?LTD\.?|Pvt\.?\s?Ltd\.?|"
    r"Pty\.?\s?Ltd\.?|LTD\.?|INC\.?|LLC|CORP\.?)(?!\w)"
)
# Legal forms as they are spelled, which an OCR misreading by one letter is mended to ("SUN BHD", "GmbB"); only
# forms of at least four letters: a shorter one is one letter away from too many words ("AG" and "AB").
LEGAL_FORM_SPELLINGS = ("GmbH", "gGmbH", "KGaA", "VVaG", "SARL", "Limited", "Corporation", "Sdn Bhd", "Pte Ltd",
                        "Pvt Ltd", "Pty Ltd")  # fmt: skip
# A line that starts with a legal form continues the name above it ("POPULAR BOOK" / "CO. (M) SDN BHD").
LEGAL_FORM_START = re.compile(r"^(?:CO\.|Co\.|&\s?CO|SDN|Sdn|BHD|Bhd|LTD|Ltd|INC|Inc|GMBH|GmbH|AG\b|LLC)", re.I)
# A street line (street words, or a house number at the end).
STREET = re.compile(
    r"(str\.|straße|strasse|weg|allee|platz|gasse|street|st\.|road|rd\.|avenue|ave\.?|rue|chemin|boulevard"
    r"|bd\.?|via|calle|laan|straat|\d+\s*[a-z]?$)",
    re.I,
)
# A line of a postal address: street words (English, German, French, Spanish, Italian, Dutch, Malay), a unit
# or floor, or a postcode before a place name.
ADDRESS_LINE = re.compile(
    r"\b(?:jalan|jln|lorong|lrg|taman|tmn|lot|no\.?|kampung|kg|bandar|seksyen|persiaran|lebuh|wisma|menara|"
    r"street|st\.|road|rd\.?|avenue|ave\.?|lane|drive|way|floor|flr|suite|unit|block|blk|level|building|bldg|"
    r"straße|strasse|str\.|weg|platz|allee|gasse|rue|avenue|boulevard|bd|chemin|calle|via|viale|laan|straat|"
    r"p\.?o\.? box|postfach)\b"
    r"|\b\d{4,6}\s+[A-Za-zÀ-ÿ]{3,}|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\d+[A-Za-z]?,",
    re.I,
)
# A line of contact details: telephone, fax, e-mail, web.
CONTACT_LINE = re.compile(
    r"\b(?:tel|telp|telefon|phone|fax|h/?p|mobile|mob|e-?mail|www|http|hotline|whatsapp)\b|@|^\+?\(?\d[\d\s()/-]{6,}$",
    re.I,
)
# A line of registration numbers: VAT, GST, company registration, tax identifiers.
REGISTRATION_LINE = re.compile(
    r"\b(?:gst|sst|vat|tax\s*id|tin|reg(?:istration)?|co\.?\s*no|company\s*no|roc|brn|uen|abn|acn|"
    r"ust|steuer|siret|siren|tva|nif|cif|iban|bic|swift|hrb|amtsgericht)\b",
    re.I,
)
# Titles of a document, printed on a line of their own.
DOCUMENT_TITLE = re.compile(
    r"^(?:(?:simplified\s+|full\s+|official\s+)?(?:tax\s+)?(?:invoice|receipt|bill|cash\s*bill|cash\s+sales?|"
    r"quotation|delivery\s+order|credit\s+note|debit\s+note|statement)(?:\s*/\s*[\w\s]+)?|rechnung|facture|"
    r"factura|quittung|kassenbon|beleg|reçu|ticket)\b",
    re.I,
)
# A registration number printed after a company name: "(139386 X)", "(965752-T)", "Co. No. 113825-W".
REGISTRATION_NUMBER = re.compile(r"\s*\((?=[^)]*\d)[\w\s./-]{3,20}\)\s*$")
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
