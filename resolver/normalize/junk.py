"""Placeholder and junk values ("TEST", "N/A", "unknown", 555-555-5555, noemail@...)
that mean "missing". The default list is extended by `normalize.junk_values`."""

import re

DEFAULT_JUNK = frozenset({
    "", "test", "testing", "n a", "na", "none", "null", "nil", "unknown", "unk", "xxx",
    "xx", "x", "asdf", "refused", "declined", "not provided", "not given", "no name",
    "noname", "customer", "guest", "anonymous", "tbd", "dummy", "sample", "nobody",
    "no", "yes", "blank", "missing", "void", "do not use", "deleted",
})
JUNK_EMAIL_LOCAL = re.compile(
    r"^(no ?e?mail|none|noreply|no ?reply|donotreply|do ?not ?reply|test|fake|na|n a|null|"
    r"unknown|noone|nobody|asdf|x+|refused|declined|dummy|email|abc)$")
JUNK_EMAIL_DOMAINS = frozenset({"example.com", "example.org", "test.com", "none.com",
                                "noemail.com", "email.com", "domain.com", "invalid"})


def junk_set(extra: tuple[str, ...]) -> frozenset[str]:
    from resolver.normalize.text import fold

    return DEFAULT_JUNK | {fold(v) or "" for v in extra}


def is_junk_phone_digits(digits: str) -> bool:
    """A national number of one repeated digit, a run like 1234567890, 555-555-5555, or
    one of the NANP's fictional numbers 555-0100 to 555-0199."""
    national = digits[-10:]
    return (len(set(national)) <= 1 or national in ("1234567890", "0123456789", "9876543210")
            or national[3:] == "5555555" or national[3:8] == "55501"
            or national[-7:] in ("0000000", "1111111", "1234567"))
