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
    every line number behind them."""
    return phonenumbers.is_valid_number(phonenumbers.parse(f"+1{prefix}2345", None))


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
