"""The normalize stage: records (raw_* strings) -> records with normalized parts and keys.

A pure function of the records frame and the config, so an engine such as Spark can run it
per partition. Parsers run once per distinct value (see text.map_distinct).
"""

from functools import partial

import polars as pl

from resolver import frames as F
from resolver.config import Config
from resolver.normalize import (addresses, addresses_fast, contacts, dates, names,
                                names_fast)
from resolver.normalize.junk import junk_set
from resolver.normalize.text import fold_expr, map_distinct
from resolver.threads import in_order

_SEP = names_fast.SEPARATOR
NAME_SCHEMA = {**{p: str for p in names.NAME_PARTS},
               **{F.NAME_DISPLAY[p]: str for p in names.NAME_PARTS}, F.NAME_STATUS: str}
KEY_SCHEMA = {F.FIRST_NAME_CANONICAL: str, F.FIRST_NAME_METAPHONE: str}


def _parse_name_key(key: str) -> tuple:
    full, prefix, first, middle, last, suffix = (v or None for v in key.split(_SEP))
    if full and not (first or last):
        return names.name_parts(names.parse_full_name(full))
    split = names.parse_split_name(first, middle, last, suffix, prefix)
    if full and not (split[1] and split[3]):
        # a source with both: parts the split fields lack (a surname that was only
        # "Baronet", a first name that was only "Sir") come from the full name
        whole = names.parse_full_name(full)
        split = tuple(mine or theirs for mine, theirs in zip(split, whole))
    return names.name_parts(split)


def _first_name_keys(first: str) -> tuple:
    return names.nickname_group(first), names.metaphone(first)


def _last_name_keys(last: str) -> tuple:
    return (names.metaphone(last),)


def normalize_names(records: pl.DataFrame, junk: frozenset[str]) -> pl.DataFrame:
    raw_cols = [F.raw(f) for f in F.NAME_FIELDS]
    key = pl.concat_str([pl.col(c).fill_null("") for c in raw_cols], separator=_SEP)
    keys = records.select(key.alias("k")).to_series()
    parts = map_distinct(keys, _parse_name_key, NAME_SCHEMA,
                         fast=names_fast.parse_name_keys_fast)
    junk_list = list(junk)
    is_junk = {p: pl.col(p).is_in(junk_list) for p in (F.FIRST_NAME, F.LAST_NAME, F.MIDDLE_NAME)}
    parts = parts.with_columns(
        *(pl.when(j).then(None).otherwise(pl.col(p)).alias(p) for p, j in is_junk.items()),
        *(pl.when(j).then(None).otherwise(pl.col(F.NAME_DISPLAY[p])).alias(F.NAME_DISPLAY[p])
          for p, j in is_junk.items()),
        pl.when(is_junk[F.FIRST_NAME] & is_junk[F.LAST_NAME]).then(pl.lit(F.STATUS_JUNK))
        .otherwise(pl.col(F.NAME_STATUS)).alias(F.NAME_STATUS),
    )
    first_keys = map_distinct(parts.get_column(F.FIRST_NAME), _first_name_keys, KEY_SCHEMA)
    last_keys = map_distinct(parts.get_column(F.LAST_NAME), _last_name_keys,
                             {F.LAST_NAME_METAPHONE: str})
    return pl.concat([parts, first_keys, last_keys], how="horizontal")


def _address_line() -> pl.Expr:
    street = pl.coalesce(F.raw("address"), F.raw("street"))
    place = pl.concat_str([pl.col(F.raw("state")), pl.col(F.raw("postcode"))],
                          separator=" ", ignore_nulls=True)
    return pl.concat_str(
        [street, pl.col(F.raw("unit")), pl.col(F.raw("city")), place, pl.col(F.raw("country"))],
        separator=", ", ignore_nulls=True,
    ).replace("", None)


def normalize_addresses(records: pl.DataFrame, junk: frozenset[str]) -> pl.DataFrame:
    lines = records.select(_address_line().alias("line")).to_series()
    parts = map_distinct(lines, addresses.parse_address, addresses.ADDRESS_SCHEMA,
                         fast=addresses_fast.parse_addresses_fast)
    is_junk = pl.lit(lines.to_frame("l").select(fold_expr(pl.col("l")).is_in(list(junk)))
                     .to_series())
    missing = pl.col(F.ADDRESS_STATUS).is_null()
    return parts.with_columns(
        pl.when(is_junk).then(pl.lit(F.STATUS_JUNK))
        .when(missing).then(pl.lit(F.STATUS_MISSING))
        .otherwise(pl.col(F.ADDRESS_STATUS)).alias(F.ADDRESS_STATUS)
    ).with_columns(
        pl.when(pl.col(F.ADDRESS_STATUS) != F.STATUS_JUNK).then(pl.col(c)).alias(c)
        for c in addresses.ADDRESS_SCHEMA if c != F.ADDRESS_STATUS
    )


def normalize_phones(records: pl.DataFrame, region: str) -> pl.DataFrame:
    # one number is written many ways across sources: parse each number once
    keys = records.select(contacts.phone_key(pl.col(F.raw("phone")))).to_series()
    parts = map_distinct(keys, partial(contacts.parse_phone, region=region),
                         contacts.PHONE_SCHEMA,
                         fast=partial(contacts.parse_phones_fast, region=region))
    return parts.with_columns(pl.col(F.PHONE_STATUS).fill_null(F.STATUS_MISSING))


def normalize_dobs(records: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Each source's dates in its declared format, or the one detected for that source."""
    formats = {s.name: s.formats.get("dob") for s in config.sources}
    pieces = []
    for source, group in records.select(F.UID, F.SOURCE, F.raw("dob")).group_by(
            F.SOURCE, maintain_order=True):
        parsed = dates.parse_date_column(group.get_column(F.raw("dob")),
                                         formats.get(source[0]), config.default_region,
                                         config.dob_min, config.dob_max)
        pieces.append(pl.concat([group.select(F.UID), parsed], how="horizontal"))
    joined = pl.concat(pieces).sort(F.UID)
    return joined.drop(F.UID)


def normalize_extras(records: pl.DataFrame, config: Config, junk: frozenset[str]) -> list:
    """Extra identifiers (loyalty_id, ssn): upper case, letters and digits only."""
    out = []
    for field in config.extra_fields:
        value = (pl.col(F.raw(field)).str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
                 .replace("", None))
        junk_value = fold_expr(pl.col(F.raw(field))).is_in(list(junk)) | value.str.contains(
            r"^(0+|9+|1+|123456789)$")
        out.append(pl.when(~junk_value).then(value).alias(field))
    return out


def normalize_records(records: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Records with raw_* columns -> the same records plus every normalized column."""
    junk = junk_set(config.junk_values)
    records = records.sort(F.UID)
    jobs = [
        partial(normalize_names, records, junk),
        partial(normalize_addresses, records, junk),
        partial(normalize_phones, records, config.default_region),
        partial(normalize_dobs, records, config),
        partial(contacts.normalize_email_column, records.get_column(F.raw("email")),
                config.email_provider_rules),
    ]
    parts = list(in_order(lambda job: job(), jobs))  # the fields are independent
    return pl.concat([records, *parts], how="horizontal").with_columns(
        *normalize_extras(records, config, junk))
