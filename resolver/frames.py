"""The data contract between stages: column names and the schema of each stage's frame.

Stages never spell a column name inline; they import it from here. Conventions follow
Splink's: a pair frame has `<col>_l` / `<col>_r`, comparison levels `gamma_<name>`, partial
match weights `mw_<name>`.
"""

import numpy as np
import polars as pl

# --- identity of an input record -----------------------------------------------------
SOURCE = "source"
RECORD_ID = "record_id"
ROW_NUMBER = "row_number"  # 1-based data row in the source file, for error messages
UPDATED_AT = "updated_at"
UID = "uid"  # dense integer id of a record within one run (sorted by source, record_id)
RECORD_KEY = "record_key"  # "source:record_id", how users name a record

# --- canonical fields as the user's sources give them -----------------------------------
NAME_FIELDS = ("full_name", "prefix", "first_name", "middle_name", "last_name", "suffix")
ADDRESS_FIELDS = ("address", "street", "unit", "city", "state", "postcode", "country")
CANONICAL_FIELDS = (*NAME_FIELDS, "dob", *ADDRESS_FIELDS, "email", "phone")
RAW_PREFIX = "raw_"


def raw(field: str) -> str:
    """Column holding the source's untouched value of a canonical or extra field."""
    return RAW_PREFIX + field


# --- normalized columns (normalize/ writes them, later stages read them) ----------------
PREFIX = "prefix"
FIRST_NAME = "first_name"
MIDDLE_NAME = "middle_name"
LAST_NAME = "last_name"
SUFFIX = "suffix"
FIRST_NAME_CANONICAL = "first_name_canonical"  # nickname group: bob -> robert
FIRST_NAME_METAPHONE = "first_name_metaphone"
LAST_NAME_METAPHONE = "last_name_metaphone"
NAME_DISPLAY = {  # parsed parts with case and accents as given, for golden records
    f: f"{f}_display" for f in ("prefix", "first_name", "middle_name", "last_name", "suffix")
}
NAME_STATUS = "name_status"

DOB = "dob"  # polars Date
DOB_TEXT = "dob_text"  # YYYYMMDD, for edit-distance levels and blocking
DOB_STATUS = "dob_status"

HOUSE_NUMBER = "house_number"
PRE_DIRECTIONAL = "pre_directional"
STREET_NAME = "street_name"
STREET_TYPE = "street_type"
POST_DIRECTIONAL = "post_directional"
UNIT_TYPE = "unit_type"
UNIT_NUMBER = "unit_number"
CITY = "city"
STATE = "state"
ZIP5 = "zip5"
ZIP4 = "zip4"
COUNTRY = "country"
ADDRESS_LINE = "address_line"  # standardized one-line form (USPS Pub 28 for US)
ADDRESS_KEY = "address_key"  # unit-level: different apartments stay apart
BUILDING_KEY = "building_key"  # building-level: house number + street + zip
STREET_KEY = "street_key"  # street name + type + zip, for fuzzy street levels
ADDRESS_STATUS = "address_status"  # us / non_us / unparsed / junk / missing

EMAIL = "email"
EMAIL_LOCAL = "email_local"
EMAIL_DOMAIN = "email_domain"
EMAIL_STATUS = "email_status"

PHONE = "phone"  # E.164
PHONE_EXTENSION = "phone_extension"
PHONE_LAST7 = "phone_last7"
PHONE_DIGITS = "phone_digits"  # national digits, also of numbers that fail validation
PHONE_STATUS = "phone_status"

# statuses shared by every normalizer
STATUS_OK = "ok"
STATUS_MISSING = "missing"
STATUS_JUNK = "junk"
STATUS_INVALID = "invalid"
STATUS_NON_US = "non_us"

ADDRESS_PARTS = (
    HOUSE_NUMBER, PRE_DIRECTIONAL, STREET_NAME, STREET_TYPE, POST_DIRECTIONAL,
    UNIT_TYPE, UNIT_NUMBER, CITY, STATE, ZIP5, ZIP4, COUNTRY,
)

# --- pairs ------------------------------------------------------------------------------
UID_L = "uid_l"
UID_R = "uid_r"
BLOCKING_RULE = "blocking_rule"
MATCH_WEIGHT = "match_weight"
MATCH_PROBABILITY = "match_probability"
DECISION = "decision"  # match / review / no_match, after thresholds and steward decisions
DECISION_SOURCE = "decision_source"  # model / steward


def left(col: str) -> str:
    return f"{col}_l"


def right(col: str) -> str:
    return f"{col}_r"


def gamma(comparison: str) -> str:
    return f"gamma_{comparison}"


def partial_weight(comparison: str) -> str:
    return f"mw_{comparison}"


# --- clusters and outputs ---------------------------------------------------------------
ENTITY_ID = "entity_id"
HOUSEHOLD_ID = "household_id"
CLUSTER_FLAG = "cluster_flag"  # why a cluster needs review (oversized, split by a guard)
HOUSEHOLD_FLAG = "household_flag"  # why a household needs review (more members than likely)
MATCH_CONFIDENCE = "match_confidence"

# a pair's labels (its rule, decision and decision source) are a handful of names each,
# held once per pair: categorical (4 bytes a pair) where strings cost 16; every file
# written holds them as plain strings
LABEL = pl.Categorical
PAIR_SCHEMA = {UID_L: pl.UInt32, UID_R: pl.UInt32, BLOCKING_RULE: LABEL}


def pair_keys(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """One uint64 per pair, uid_l * 2^32 + uid_r (uids are UInt32): the keys sort as the
    pairs do, (uid_l, uid_r)."""
    return (left.astype(np.uint64) << np.uint64(32)) | right.astype(np.uint64)
