"""Rows of the concept table (``core.vocabulary.concepts``, same format) for the details business documents print
besides their main fields: references, addresses, contact details, bank and payment details, people by role,
periods and durations. Most of them are found by what their value looks like (``shape``).
"""

from __future__ import annotations

__all__ = ["DETAIL_TABLE"]

DETAIL_TABLE = """
# references printed after their labels
contract_number (identifier)
  shape: reference
  family: contract
  aliases: contract number; contract no; contract reference; contract id
  in name: contract number; contract no; contract id; contract
  in text: contract number; contract no; contract reference; number of the contract; contract id; vertragsnummer
  labels: Contract number; Contract No; Contract; Contract reference; Vertragsnummer; Vertrags-Nr; Vertrag;
    Vertragsreferenz; N° de contrat; Contrat; Numéro de contrat; Contratto; Contrato
  quoted: Contract No.; Vertragsnummer; N° de contrat
  lead: The contract number
  where: in the document header or the references
policy_number (identifier)
  shape: reference
  aliases: policy number; insurance number; policy no
  in name: policy number; policy no; insurance number
  in text: policy number; insurance policy; policy no; insurance number; versicherungsschein; versicherungsnummer
  labels: Policy number; Policy No; Policy; Versicherungsschein-Nr; Versicherungsscheinnummer; Versicherungsschein;
    Versicherungsnummer; Vertragsnummer; N° de police; Police
  quoted: Policy number; Policy No.; Versicherungsschein-Nr.; N° de police
  lead: The insurance policy number
  where: in the document header
buyer_reference (identifier)
  shape: reference
  aliases: buyer reference; your reference; customer reference; routing id
  in name: buyer reference; your reference; customer reference; leitweg
  in text: buyer reference; buyer's reference; your reference; customer reference; leitweg; routing id
  labels: Buyer reference; Your reference; Your ref; Customer reference; Käuferreferenz; Ihre Referenz; Ihr Zeichen;
    Leitweg-ID; Leitweg; Votre référence; Su referencia
  quoted: Your reference; Ihre Referenz; Leitweg-ID; Votre référence
  lead: The buyer's reference
  where: in the document header
registration_number (identifier)
  shape: reference
  aliases: registration number; company number; commercial register number; register number
  in name: registration number; company number; register number; registry number
  in text: commercial register; trade register; registration number; company number; register number;
    handelsregister; company registration
  labels: Handelsregister; Handelsregisternummer; Handelsreg.; HRB; HRA; Registergericht; Amtsgericht;
    Registernummer; Company number; Company No; Registration No; Registration number; Company registration;
    Reg. No; RCS; Registro mercantil
  quoted: Company No.; Handelsregister; HRB; RCS
  lead: The commercial register number
  where: in the footer
# contacts, addresses, bank and payment details, people by role: found by what the value looks like
postcode (identifier)
  shape: postcode
  aliases: postcode; postal code; zip code; zip; post code
  in name: postcode; postal code; post code; zip; zip code; zipcode; plz; postal
  in text: postal code; postcode; post code; zip code; zipcode; zip; plz; postleitzahl; code postal
  labels: PLZ; Postleitzahl; Postal code; Postcode; Post code; ZIP; ZIP code; Code postal; CP; CAP
  quoted: Postal code; PLZ; Code postal
  lead: The postal code
  where: in the address block
city (name)
  shape: city
  aliases: city; town; city name
  in name: city; town; ort; locality
  in text: city; town; locality; place of residence; ort; stadt; ville; ciudad; città
  labels: City; Town; Ort; Stadt; Wohnort; Ville; Ciudad; Città; Plaats
  quoted: City; Ort; Ville
  lead: The city
  where: in the address block, after the postal code
street (name)
  shape: street
  aliases: street; address line; street and number; street name
  in name: street; address line; street address
  in text: street; straße; strasse; address line; rue
  labels: Street; Straße; Strasse; Address line; Rue; Calle; Via; Straat
  quoted: Street; Straße; Rue
  lead: The street and house number
  where: in the address block, above the postal code
country (name)
  shape: country
  aliases: country; country name
  in name: country
  in text: country; land; pays
  labels: Country; Land; Pays; País; Paese
  quoted: Country; Land; Pays
  lead: The country
  where: in the address block, last line
website (identifier)
  shape: url
  aliases: website; web address; url; homepage; web site
  in name: website; url; homepage; web; www
  in text: website; web site; web address; url; homepage; internet address; web page; webpage
  labels: Web; Website; Internet; Homepage; URL; Web site; Site web; Sitio web
  quoted: Web; Website; Internet
  lead: The web address
  where: in the letterhead or footer
email (identifier)
  shape: email
  aliases: email; email address; e mail; e-mail; e-mail address
  in name: email; e mail; mail; email address
  in text: e-mail; email; e mail; mail address; electronic mail; courriel
  labels: E-mail; Email; E-Mail; Mail; E-Mail-Adresse; Courriel; Correo electrónico; e-mail address
  quoted: E-mail; Email; E-Mail-Adresse; Courriel
  lead: The e-mail address
  where: in the contact details
fax (identifier)
  shape: phone
  aliases: fax; fax number; telefax
  in name: fax; telefax
  in text: fax; telefax
  labels: Fax; Telefax; Fax-Nr; Fax No; Télécopie
  quoted: Fax; Telefax
  lead: The fax number
  where: in the contact details
phone (identifier)
  shape: phone
  aliases: phone; phone number; telephone; telephone number; mobile
  in name: phone; telephone; tel; mobile; cell; phone number
  in text: phone; telephone; tel; mobile; cell phone; telefon; téléphone; teléfono; telefono
  labels: Phone; Tel; Tel.; Telephone; Telefon; Tel.-Nr; Telefonnummer; Mobil; Mobile; Handy; fon; Fon;
    Téléphone; Tél; Teléfono; Telefono; Cell
  quoted: Phone; Tel.; Telefon; Téléphone
  lead: The telephone number
  where: in the contact details
account_holder (name)
  shape: person
  aliases: account holder; account owner; account name
  in name: account holder; account owner; account name; holder
  in text: account holder; account owner; holder of the; account name; kontoinhaber; titulaire
  labels: Account holder; Account name; Account owner; Kontoinhaber; Kontoinhaberin; Kontoname; Inhaber;
    Titulaire du compte;
    Titulaire; Titular; Beneficiary
  quoted: Account holder; Kontoinhaber; Titulaire du compte
  lead: The name of the bank account's holder
  where: in the payment details
bank_name (name)
  shape: organisation
  aliases: bank; bank name; name of the bank
  in name: bank name; bank
  in text: bank name; name of the bank; bank
  labels: Bank; Bankname; Bank name; Kreditinstitut; Geldinstitut; Banque; Banco; Banca; Bankverbindung
  quoted: Bank; Bankname; Banque
  lead: The name of the bank
  where: in the payment details or the footer
contact_person (name)
  shape: person
  aliases: contact; contact person; contact name; person in charge
  in name: contact; contact person; contact name
  in text: contact person; contact name; contact; person in charge; ansprechpartner; sachbearbeiter
  labels: Contact; Contact person; Your contact; Ansprechpartner; Ansprechpartnerin; Ihr Ansprechpartner;
    Kontakt; Bearbeiter; Sachbearbeiter; Contact commercial; Interlocuteur; Contacto; Referente
  quoted: Contact; Ansprechpartner; Contact commercial
  lead: The name of the contact person
  where: in the header or the contact details
managing_director (name)
  shape: person
  aliases: managing director; ceo; director
  in name: managing director; director; ceo
  in text: managing director; chief executive; ceo; geschäftsführer; director
  labels: Geschäftsführer; Geschäftsführerin; Geschäftsführung; Geschäftsf.; Managing director; Director; CEO;
    Gérant; Directeur général; Amministratore
  quoted: Managing director; Geschäftsführer; Gérant
  lead: The name of the managing director
  where: in the footer
# periods and durations
billing_period (date)
  shape: period
  aliases: billing period; service period; invoicing period; accounting period
  in name: billing period; service period; invoicing period; accounting period; period
  in text: billing period; service period; invoicing period; invoice period; accounting period; settlement period;
    period; abrechnungszeitraum; leistungszeitraum
  labels: Billing period; Service period; Invoice period; Invoicing period; Accounting period; Period;
    Abrechnungszeitraum; Abrechnungsperiode; Leistungszeitraum; Zeitraum; Période de facturation; Période;
    Periodo de facturación; Periodo
  quoted: Billing period; Abrechnungszeitraum; Période de facturation
  lead: The billing period
  where: in the document header
duration
  shape: duration
  aliases: duration; length; validity
  in name: duration; validity
  in text: duration; how long; length of time; period of validity; validity; laufzeit; dauer; durée
  labels: Duration; Term; Laufzeit; Dauer; Vertragslaufzeit; Gültigkeit; Durée; Validité; Duración; Durata
  quoted: Duration; Term; Laufzeit; Durée
  lead: How long it lasts, as number and unit
  where: in the term or duration clause
"""
"""Concept rows, parsed by ``core.vocabulary.concepts`` after its own table."""
