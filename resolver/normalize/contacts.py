"""Contacts: phones to E.164 with `phonenumbers` (extensions kept apart, invalid numbers
flagged, never guessed, but their digits kept: two records with the same digits agree
even when the number is not a valid one) and emails lower-cased and syntax-checked,
with optional provider rules (Gmail ignores dots; Gmail and Outlook ignore +tags)."""

import re
from functools import lru_cache

import phonenumbers
import polars as pl

from resolver import frames as F
from resolver.normalize.junk import (JUNK_EMAIL_DOMAINS, JUNK_EMAIL_LOCAL,
                                     is_junk_phone_digits)

PHONE_SCHEMA = {F.PHONE: str, F.PHONE_EXTENSION: str, F.PHONE_LAST7: str, F.PHONE_STATUS: str,
                F.PHONE_DIGITS: str}
PLAUSIBLE_DIGITS = range(7, 16)  # a local number up to the longest E.164 number
_EMAIL = r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$"
DOT_BLIND = ("gmail.com", "googlemail.com")
PLUS_TAGS = ("gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
             "icloud.com", "me.com", "protonmail.com", "proton.me", "fastmail.com")


_EXTENSION = r"(?i)\s*(?:ext\.?|extension|x|#)\s*(\d{1,6})\s*$"


def phone_key(col: pl.Expr) -> pl.Expr:
    """A raw phone reduced to what parsing depends on: a leading +, the digits, the
    extension ("(312) 867-5309 x12" and "312.867.5309 ext 12" share one key)."""
    extension = col.str.extract(_EXTENSION, 1)
    number = col.str.replace(_EXTENSION, "")
    digits = number.str.replace_all(r"\D", "")
    plus = pl.when(number.str.strip_chars().str.starts_with("+")).then(pl.lit("+")).otherwise(
        pl.lit(""))
    key = pl.concat_str(plus, digits, pl.when(extension.is_not_null()).then(
        pl.concat_str(pl.lit(" ext "), extension)).otherwise(pl.lit("")))
    has_letters = number.str.contains(r"[A-Za-z]")  # keep "call me" as written: not a number
    return pl.when(has_letters | (digits == "")).then(col).otherwise(key)


@lru_cache(maxsize=100_000)
def _nanp_prefix_valid(prefix: str) -> bool:
    """Whether numbers starting with this area code and exchange are valid: US number
    patterns in phonenumbers' metadata depend on these six digits, so one check serves
    every line number behind them. `nanp_prefixes_valid` is its vectorised twin."""
    return phonenumbers.is_valid_number(phonenumbers.parse(f"+1{prefix}2345", None))


# phonenumbers' number types: a number is valid for a region when it matches the
# region's general pattern and one of these (is_valid_number: type is not UNKNOWN)
_TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
               "uan", "voicemail", "fixed_line", "mobile")
NANP_LENGTH = 10


def _desc_matches(desc, national: pl.Expr) -> pl.Expr:
    """phonenumbers' _is_number_matching_desc for ten-digit national numbers."""
    if desc is None or not desc.national_number_pattern:
        return pl.lit(False)
    if desc.possible_length and NANP_LENGTH not in desc.possible_length:
        return pl.lit(False)
    return national.str.contains(f"^(?:{desc.national_number_pattern})$")


def _nanp_valid_expr(national: pl.Expr) -> pl.Expr:
    """phonenumbers.is_valid_number for +1 and these ten national digits, as one polars
    expression over phonenumbers' own metadata: the number's region is the first NANP
    region whose leading digits match it (or, for a region without them, whose patterns
    it matches), and the number is valid when it matches that region's patterns."""
    chosen = None
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
        if metadata is None:
            continue
        typed = _desc_matches(metadata.general_desc, national) & pl.any_horizontal(
            _desc_matches(getattr(metadata, name), national) for name in _TYPE_DESCS)
        picks = (national.str.contains(f"^(?:{metadata.leading_digits})")
                 if metadata.leading_digits is not None else typed)
        chosen = (pl.when(picks) if chosen is None else chosen.when(picks)).then(typed)
    return pl.lit(False) if chosen is None else chosen.otherwise(False)


def nanp_prefixes_valid(prefixes: pl.Series) -> pl.Series:
    """`_nanp_prefix_valid` of many six-digit prefixes at once (Boolean, same order)."""
    national = pl.concat_str(pl.col("prefix"), pl.lit("2345"))
    return pl.DataFrame({"prefix": prefixes}).select(
        _nanp_valid_expr(national).alias("valid")).get_column("valid")


def parse_phone(text: str, region: str) -> tuple:
    """-> (E.164, extension, last 7 digits, status, digits). An invalid number with a
    plausible count of digits keeps them (and its last 7) with status invalid."""
    number_text = re.sub(_EXTENSION, "", text)  # "555-555-5555 x12" is still junk
    digits = re.sub(r"\D", "", number_text)
    if not digits:
        return None, None, None, F.STATUS_MISSING, None
    if is_junk_phone_digits(digits):
        return None, None, None, F.STATUS_JUNK, None
    national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    plain = text.strip().lstrip("+").isdigit() and (text.strip()[0] != "+" or len(digits) == 11)
    if region == "US" and plain and len(national) == 10:  # the common case, fast
        if not _nanp_prefix_valid(national[:6]):
            return _invalid(national)
        return f"+1{national}", None, national[-7:], F.STATUS_OK, national
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return _invalid(national)
    if not phonenumbers.is_valid_number(number):
        return _invalid(national)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = str(number.national_number)
    return e164, number.extension or None, national[-7:], F.STATUS_OK, national


def junk_digits_expr(digits: pl.Expr) -> pl.Expr:
    """The vectorised twin of `is_junk_phone_digits` for ASCII digit strings."""
    national = digits.str.slice(-10)
    return ((national.str.slice(1) == national.str.slice(0, national.str.len_chars() - 1))
            | national.is_in(["1234567890", "0123456789", "9876543210"])
            | (national.str.slice(3) == "5555555") | (national.str.slice(3, 5) == "55501")
            | national.str.slice(-7).is_in(["0000000", "1111111", "1234567"]))


def parse_phones_fast(keys: pl.Series, region: str) -> tuple[pl.Series, pl.DataFrame]:
    """`parse_phone` in polars for the common keys: ASCII digits with an optional leading
    +, either junk or, in region US, ten national digits. -> (which keys it covers, their
    PHONE_SCHEMA parts); the rest need `parse_phone`. The area code and exchange are
    checked against phonenumbers' metadata once per distinct six-digit prefix, as
    `parse_phone` does (`nanp_prefixes_valid`)."""
    frame = pl.DataFrame({"key": keys}).with_columns(
        pl.col("key").str.contains(r"^\+?[0-9]+$").alias("plain_key"),
        pl.col("key").str.strip_prefix("+").alias("digits"))
    digits = pl.col("digits")
    national = (pl.when((digits.str.len_chars() == 11) & digits.str.starts_with("1"))
                .then(digits.str.slice(1)).otherwise(digits))
    # a leading + counts only before 11 digits (a + and 10 digits is not a US number)
    plain = ~pl.col("key").str.starts_with("+") | (digits.str.len_chars() == 11)
    frame = frame.with_columns(
        (pl.col("plain_key") & junk_digits_expr(digits)).alias("junk"),
        national.alias("national"),
        (pl.col("plain_key") & plain & (national.str.len_chars() == 10) & (region == "US"))
        .alias("us"))
    prefixes = frame.filter(pl.col("us") & ~pl.col("junk")).get_column("national").str.slice(0, 6)
    prefixes = prefixes.unique()
    valid = pl.DataFrame({"prefix": prefixes, "valid": nanp_prefixes_valid(prefixes)})
    frame = frame.with_columns(pl.col("national").str.slice(0, 6).alias("prefix")).join(
        valid, on="prefix", how="left", maintain_order="left")
    junk, ok = pl.col("junk"), pl.col("us") & pl.col("valid")
    national, none = pl.col("national"), pl.lit(None, pl.String)
    parts = frame.select(
        pl.when(junk).then(none).when(ok).then(pl.concat_str(pl.lit("+1"), national))
        .alias(F.PHONE),
        none.alias(F.PHONE_EXTENSION),
        pl.when(~junk).then(national.str.slice(-7)).alias(F.PHONE_LAST7),
        pl.when(junk).then(pl.lit(F.STATUS_JUNK)).when(ok).then(pl.lit(F.STATUS_OK))
        .otherwise(pl.lit(F.STATUS_INVALID)).alias(F.PHONE_STATUS),
        pl.when(~junk).then(national).alias(F.PHONE_DIGITS),
    )
    return frame.get_column("junk") | frame.get_column("us"), parts


def _invalid(digits: str) -> tuple:
    if len(digits) not in PLAUSIBLE_DIGITS:
        return None, None, None, F.STATUS_INVALID, None
    return None, None, digits[-7:], F.STATUS_INVALID, digits


def _email_text(col: pl.Expr) -> pl.Expr:
    text = col.str.strip_chars().str.to_lowercase()
    # "Bob Smith <bob@x.com>" -> the address in the angle brackets
    text = pl.coalesce(text.str.extract(r"<([^<>]+@[^<>]+)>", 1), text)
    return text.str.strip_chars("<>\"' ").str.replace(r"^mailto:", "")


def _email_local_domain(text: pl.Expr, provider_rules: bool) -> tuple[pl.Expr, pl.Expr]:
    local = text.str.extract(r"^(.*)@[^@]*$", 1)
    domain = text.str.extract(r"@([^@]*)$", 1).str.replace(r"^googlemail\.com$", "gmail.com")
    if provider_rules:
        local = (pl.when(domain.is_in(list(PLUS_TAGS)))
                 .then(local.str.replace(r"\+.*$", "")).otherwise(local))
        local = (pl.when(domain.is_in(list(DOT_BLIND)))
                 .then(local.str.replace_all(".", "", literal=True)).otherwise(local))
    return local, domain


def _email_parts(text: pl.Expr, local: pl.Expr, domain: pl.Expr) -> list[pl.Expr]:
    email = pl.concat_str(local, pl.lit("@"), domain)
    status = (
        pl.when(text.is_null() | (text == "")).then(pl.lit(F.STATUS_MISSING))
        .when(~text.str.contains(_EMAIL)).then(pl.lit(F.STATUS_INVALID))
        .when(local.str.replace_all(r"[._+-]", " ").str.contains(JUNK_EMAIL_LOCAL.pattern)
              | domain.is_in(list(JUNK_EMAIL_DOMAINS))).then(pl.lit(F.STATUS_JUNK))
        .otherwise(pl.lit(F.STATUS_OK))
    )
    ok = status == F.STATUS_OK
    return [pl.when(ok).then(email).alias(F.EMAIL),
            pl.when(ok).then(local).alias(F.EMAIL_LOCAL),
            pl.when(ok).then(domain).alias(F.EMAIL_DOMAIN),
            status.alias(F.EMAIL_STATUS)]


def normalize_emails(col: pl.Expr, provider_rules: bool) -> list[pl.Expr]:
    """Email columns as polars expressions: email, local part, domain, status."""
    text = _email_text(col)
    return _email_parts(text, *_email_local_domain(text, provider_rules))


def normalize_email_column(values: pl.Series, provider_rules: bool) -> pl.DataFrame:
    """`normalize_emails` over a column, one output row per value: the same expressions,
    run once per distinct value with each intermediate step materialised (one eager
    select would compute the shared text, local part and domain once per use)."""
    distinct = pl.DataFrame({"__value": values.unique(maintain_order=True)})
    local, domain = _email_local_domain(pl.col("__text"), provider_rules)
    parts = (distinct.with_columns(_email_text(pl.col("__value")).alias("__text"))
             .with_columns(local.alias("__local"), domain.alias("__domain"))
             .select("__value", *_email_parts(pl.col("__text"), pl.col("__local"),
                                             pl.col("__domain"))))
    return (pl.DataFrame({"__value": values})
            .join(parts, on="__value", how="left", maintain_order="left", nulls_equal=True)
            .drop("__value"))
