"""Column headers -> canonical fields, for `resolver init`.

A header is reduced to words (`Cust #` -> cust number, `DOB (dd/mm/yyyy)` -> dob,
`Given Name(s)` -> given name, `ZIP/Postal` -> zip postal, `FirstName` -> first name);
words that only qualify (customer, home, primary) are dropped and spelling variants are
folded (addr -> address, tel -> phone); the remaining words are looked up in a table of
phrases per field. A date format written in the header (`DOB (dd/mm/yyyy)`) is read too.
"""

import re
import unicodedata

# spelling variants -> one word
ALIASES = {
    "#": "number", "no": "number", "num": "number", "nbr": "number", "nr": "number",
    "addr": "address", "add": "address", "adr": "address", "tel": "phone",
    "telephone": "phone", "ph": "phone", "fone": "phone", "mail": "email", "e": "",
    "emailaddress": "email", "zipcode": "zip", "postalcode": "postcode", "dt": "date",
    "fname": "first", "lname": "last", "firstname": "first", "lastname": "last",
    "forename": "first", "given": "first", "surname": "last", "family": "last",
    "ln": "line", "st": "street", "str": "street", "birthdate": "dob", "bday": "dob",
    "birthday": "dob", "yob": "dob", "mi": "middle", "init": "initial", "apt": "unit",
    "apartment": "unit", "suite": "unit", "cust": "customer", "acct": "account",
    "ref": "reference", "mob": "mobile", "cellphone": "mobile", "cell": "mobile",
}
# words that qualify a field without changing which field it is
QUALIFIERS = {"customer", "client", "contact", "primary", "main", "home", "personal",
              "the", "of", "s", "person", "current", "preferred", "full", "line1"}
PHRASES = {  # canonical field -> word sequences (after aliases and qualifiers)
    "record_id": ["id", "number", "key", "uid", "guid", "uuid", "unique id", "record id",
                  "user id", "member id", "account id", "account number", "card number",
                  "ticket id", "ticket number", "case reference", "case id", "case number",
                  "reference", "reference number", "member number", "record number",
                  "recid", "loyalty number", "loyalty id", "card id"],
    "full_name": ["name", "caller", "caller name", "card holder", "cardholder",
                  "holder name", "customer name", "account name"],
    "prefix": ["prefix", "title", "salutation", "honorific", "name prefix"],
    "first_name": ["first", "first name", "name first", "christian name"],
    "middle_name": ["middle", "middle name", "middle initial", "initial", "middle names"],
    "last_name": ["last", "last name", "name last", "last names"],
    "suffix": ["suffix", "name suffix", "generation"],
    "dob": ["dob", "date birth", "birth date", "birth", "dob date", "born", "birth dt"],
    "address": ["address", "mailing address", "postal address", "street address full",
                "address full", "residential address"],
    "street": ["street", "street 1", "address 1", "address line", "address line 1",
               "street address", "street line 1", "street name", "address street",
               "line 1"],
    "unit": ["unit", "street 2", "address 2", "address line 2", "unit number", "line 2",
             "unit line 2"],
    "city": ["city", "town", "suburb", "locality", "city town"],
    "state": ["state", "province", "region", "state province", "county state",
              "state code"],
    "postcode": ["zip", "postcode", "postal", "zip postal", "postal zip", "zip 5",
                 "zip postcode", "post code", "zip code", "postal code", "pin code",
                 "postcode zip"],
    "country": ["country", "country code", "nation"],
    "email": ["email", "email address", "emails"],
    "phone": ["phone", "phone number", "mobile", "mobile phone", "mobile number",
              "callback", "callback number", "contact number", "phone mobile"],
}
_LOOKUP = {tuple(p.split()): f for f, phrases in PHRASES.items() for p in phrases}
# a timestamp of the record (for survivorship's recency), never a birth date
_RECENCY = {"updated", "modified", "timestamp", "ts", "created", "signup", "enrolled",
            "registered", "changed", "time", "date", "on", "at", "seen", "signed",
            "joined", "since", "enrolment", "enrollment"}
_DATE_PARTS = {"yyyy": "%Y", "yy": "%y", "mm": "%m", "dd": "%d", "mmm": "%b", "mon": "%b"}


def words(header: str) -> list[str]:
    """The header's words: lower case, accents and punctuation gone, camelCase and
    letter/digit runs split, parentheses dropped."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", header)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"(?i)e-mail", "email", text).replace("#", " # ")
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Za-z])(\d)", r"\1 \2", text)
    tokens = re.findall(r"[a-z0-9]+|#", text.lower())
    return [ALIASES.get(t, t) for t in tokens if ALIASES.get(t, t)]


def field_of(header: str) -> str | None:
    """The canonical field a header names, or None."""
    tokens = words(header)
    for candidate in (tokens, [t for t in tokens if t not in QUALIFIERS]):
        field = _LOOKUP.get(tuple(candidate))
        if field:
            return field
    return None


def is_recency(header: str) -> bool:
    """A column that dates the record (updated_at), not one holding a birth date."""
    tokens = set(words(header))
    return bool(tokens & _RECENCY) and not tokens & {"dob", "birth", "born", "expiry",
                                                     "expires"}


def is_id_like(header: str) -> bool:
    """A name that may hold record ids: `record_id` phrases and `..._id`, `... number`,
    `... key`, `... reference` columns."""
    tokens = words(header)
    return field_of(header) == "record_id" or bool(tokens) and tokens[-1] in {
        "id", "number", "key", "reference", "code", "uid", "guid", "uuid"}


def date_format_in(header: str) -> str | None:
    """A strftime format written in the header: `DOB (dd/mm/yyyy)` -> "%d/%m/%Y"."""
    for inside in re.findall(r"[(\[]([^)\]]*)[)\]]", header):
        pieces = re.findall(r"mon|y+|m+|d+|[/\-. ]", inside.strip().lower())
        if "".join(pieces) != inside.strip().lower():
            continue
        codes = [_DATE_PARTS.get(p, p if p in "/-. " else None) for p in pieces]
        letters = [c for c in codes if c and c.startswith("%")]
        if None in codes or sorted(c[1].lower() for c in letters) not in (
                ["b", "d", "y"], ["d", "m", "y"]):
            continue
        return "".join(codes)
    return None


def extra_field_name(header: str) -> str:
    """A plain snake_case name for an unmapped column (`Loyalty No.` -> loyalty_number)."""
    name = "_".join(words(header)) or "column"
    return name if name[0].isalpha() else f"field_{name}"
