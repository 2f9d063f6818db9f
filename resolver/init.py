"""`resolver init SOURCE...`: a starter config with a guessed column mapping."""

import os
import re
from pathlib import Path

import polars as pl

from resolver.errors import InputError

GUESSES = [  # canonical field, patterns of column names (lower case, no separators)
    ("record_id", r"^(id|recordid|customerid|custid|userid|clientid|caseref|cardnumber|"
                  r"recid|key|accountid|memberid)$"),
    ("updated_at", r"^(?!.*(birth|dob)).*(updated|modified|lastchange|timestamp|created|"
                   r"signup|enrolled|calltime|date)"),
    ("full_name", r"^(name|fullname|customername|cardholder|caller|contactname)$"),
    ("prefix", r"^(prefix|title|salutation)$"),
    ("first_name", r"^(first|firstname|givenname|fname|forename)$"),
    ("middle_name", r"^(middle|middlename|middleinitial|mi)$"),
    ("last_name", r"^(last|lastname|surname|familyname|lname)$"),
    ("suffix", r"^(suffix|namesuffix)$"),
    ("dob", r"^(dob|birthdate|dateofbirth|birthday|bdate)$"),
    ("address", r"^(address|fulladdress|addressline|mailingaddress)$"),
    ("street", r"^(street|street1|address1|addr|addr1|streetaddress|addressline1)$"),
    ("unit", r"^(unit|apt|street2|address2|addr2|apartment|suite|addressline2)$"),
    ("city", r"^(city|town|suburb|locality)$"),
    ("state", r"^(state|province|region|st)$"),
    ("postcode", r"^(zip|zipcode|postcode|postalcode|zip5)$"),
    ("country", r"^(country|countrycode)$"),
    ("email", r"(email|emailaddress|mail)$"),
    ("phone", r"(phone|phonenumber|mobile|tel|telephone|callback|cell)$"),
]


def guess_mapping(columns: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for field, pattern in GUESSES:
        for column in columns:
            flat = re.sub(r"[^a-z0-9]", "", column.lower())
            if re.search(pattern, flat) and column not in mapping.values():
                mapping[field] = column
                break
    if "full_name" in mapping and ("first_name" in mapping or "last_name" in mapping):
        del mapping["full_name"]
    if "address" in mapping and "street" in mapping:
        del mapping["address"]
    return mapping


def _columns(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pl.read_parquet_schema(path).names()
        return pl.read_csv(path, n_rows=5, infer_schema=False, encoding="utf8").columns
    except (pl.exceptions.PolarsError, OSError) as exc:
        from resolver.ingest import diagnose_csv

        why = (diagnose_csv(path) if path.suffix.lower() not in (".parquet", ".pq")
               else None) or f"{type(exc).__name__}"
        raise InputError(f"cannot read {path}: {why}. Give a CSV file with a header line, "
                         "or a Parquet file") from None


def starter_config(sources: list[Path], config_dir: Path) -> str:
    """TOML text of a starter config; every guess is a line the user can check."""
    parts = ["# Starter config written by `resolver init`. Check every mapping, then run",
             "#   resolver validate THIS_FILE", ""]
    for path in sources:
        mapping = guess_mapping(_columns(path))
        record_id = mapping.pop("record_id", "FILL_IN_ID_COLUMN")
        updated = mapping.pop("updated_at", None)
        rel = Path(os.path.relpath(path.resolve(), config_dir.resolve()))
        parts += ["[[sources]]", f'name = "{re.sub(r"[^a-z0-9_]", "_", path.stem.lower())}"',
                  f'path = "{rel.as_posix()}"', f'id_column = "{record_id}"']
        if updated:
            parts.append(f'updated_at = "{updated}"')
        parts.append("[sources.columns]")
        parts += [f'{field} = "{column}"' for field, column in mapping.items()]
        parts.append("")
    parts.append(DEFAULT_SETTINGS)
    return "\n".join(parts)


DEFAULT_SETTINGS = """[blocking]
rules = [
  ["last_name_metaphone", "zip5"],
  ["first_name_canonical", "dob"],
  ["last_name_metaphone", "dob"],
  ["email"],
  ["phone"],
]

[model]
training_rules = [["dob"], ["first_name_canonical", "last_name_metaphone"]]

[[comparisons]]
kind = "first_name"
term_frequency = true

[[comparisons]]
kind = "last_name"
term_frequency = true

[[comparisons]]
kind = "dob"

[[comparisons]]
kind = "address"
term_frequency = true

[[comparisons]]
kind = "email"

[[comparisons]]
kind = "phone"

[thresholds]
match = 0.95
review = 0.5
"""
