"""The kinds of personal data guidebot masks (Presidio entity types) and the analyser's pipeline language."""

LANGUAGE = "fr"  # the one pipeline language every recogniser is registered for (see recognizers.py)

NATIONAL_NUMBER = "BE_NATIONAL_NUMBER"
IBAN = "IBAN_CODE"
PHONE = "PHONE_NUMBER"
EMAIL = "EMAIL_ADDRESS"
PERSON = "PERSON"

# What a masked value reads as in the store and the console (the console's search finds these words, never the
# value they stand for). French, like most of the advisers' work; the same in every conversation.
PLACEHOLDERS = {
    NATIONAL_NUMBER: "[numéro national]",
    IBAN: "[IBAN]",
    EMAIL: "[e-mail]",
    PHONE: "[téléphone]",
    PERSON: "[nom]",
}
