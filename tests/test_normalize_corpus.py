"""The hand-written corpus of hard cases (tests/fixtures/*/*.csv, named by the quirk each
holds): every case's expected parts must come out of normalization."""

import datetime as dt

import polars as pl
import pytest

from resolver.normalize import addresses, contacts, dates, names
from tests.conftest import FIXTURES


def _cases(folder: str):
    for path in sorted((FIXTURES / folder).glob("*.csv")):
        frame = pl.read_csv(path, infer_schema=False)
        for i, row in enumerate(frame.iter_rows(named=True)):
            yield pytest.param(row, id=f"{path.stem}-{i + 2}")


def _blank(value):
    return value or None


@pytest.mark.parametrize("case", [c for c in _cases("names") if "input" in c.values[0]])
def test_full_names_parse_to_expected_parts(case):
    folded = names.name_parts(names.parse_full_name(case["input"]))[:5]
    expected = tuple(_blank(case[k]) for k in ("prefix", "first_name", "middle_name",
                                              "last_name", "suffix"))
    assert folded == expected


@pytest.mark.parametrize("case", [c for c in _cases("names") if "first" in c.values[0]])
def test_split_name_fields_parse_to_expected_parts(case):
    tokens = names.parse_split_name(_blank(case["first"]), _blank(case["middle"]),
                                    _blank(case["last"]), _blank(case["suffix"]),
                                    _blank(case["prefix"]))
    folded = names.name_parts(tokens)[:5]
    expected = tuple(_blank(case[k]) for k in ("out_prefix", "first_name", "middle_name",
                                              "last_name", "out_suffix"))
    assert folded == expected


ADDRESS_COLUMNS = ("house_number", "pre_directional", "street_name", "street_type",
                   "post_directional", "unit_type", "unit_number", "city", "state", "zip5",
                   "zip4")


@pytest.mark.parametrize("case", list(_cases("addresses")))
def test_addresses_parse_to_expected_parts(case):
    parsed = dict(zip(addresses.ADDRESS_SCHEMA, addresses.parse_address(case["input"])))
    assert parsed["address_status"] == case["status"]
    if case["status"] == "non_us":
        assert parsed["address_key"], "non-US addresses keep a folded text key"
        assert parsed["street_name"] is None, "non-US addresses are not forced into US parts"
        return
    for column in ADDRESS_COLUMNS:
        got, want = parsed[column], _blank(case[column])
        if column == "city" and got:
            got = got.upper()
            want = want.upper() if want else want
        assert got == want, column


def test_units_of_one_building_get_different_keys_and_one_building_key():
    a = dict(zip(addresses.ADDRESS_SCHEMA, addresses.parse_address(
        "123 N. Main St. Apt 4B, Springfield IL 62704-1234")))
    b = dict(zip(addresses.ADDRESS_SCHEMA, addresses.parse_address(
        "123 North Main Street #4b, Springfield, Illinois 62704")))
    c = dict(zip(addresses.ADDRESS_SCHEMA, addresses.parse_address(
        "123 North Main Street Apt 4C, Springfield, IL 62704")))
    assert a["address_key"] == b["address_key"]
    assert a["address_key"] != c["address_key"]
    assert a["building_key"] == c["building_key"]


@pytest.mark.parametrize("case", list(_cases("phones")))
def test_phones_normalize_to_e164(case):
    expected = (_blank(case["phone"]), _blank(case["extension"]), case["status"])
    phone, extension, _, status, digits = contacts.parse_phone(case["input"], case["region"])
    assert (phone, extension, status) == expected
    if "digits" in case:  # an invalid number keeps its digits for the same_digits level
        assert digits == _blank(case["digits"])
    # the stage parses a key shared by every spelling of a number: same answer
    key = pl.DataFrame({"p": [case["input"]]}).select(contacts.phone_key(pl.col("p"))).item()
    phone, extension, _, status, _ = contacts.parse_phone(key, case["region"])
    assert (phone, extension, status) == expected


@pytest.mark.parametrize("case", list(_cases("emails")))
def test_emails_normalize(case):
    frame = pl.DataFrame({"e": [case["input"]]}, schema={"e": pl.String})
    rules = case["provider_rules"] == "true"
    row = frame.select(contacts.normalize_emails(pl.col("e"), rules)).row(0, named=True)
    assert (row["email"], row["email_status"]) == (_blank(case["email"]), case["status"])


@pytest.mark.parametrize("case", [c for c in _cases("dates") if "input" in c.values[0]])
def test_dates_parse_with_declared_format(case):
    series = pl.Series("d", [case["input"]], pl.String)
    row = dates.parse_date_column(series, case["format"]).row(0, named=True)
    want = dt.date.fromisoformat(case["dob"]) if case["dob"] else None
    assert (row["dob"], row["dob_status"]) == (want, case["status"])
    if "dob_text" in case:  # an impossible date keeps its digits for edit-distance levels
        assert row["dob_text"] == _blank(case["dob_text"])


def test_future_dates_are_judged_against_today_and_the_range_is_configurable():
    next_year = dt.date.today().year + 1
    series = pl.Series("d", [f"{next_year}-01-01", "1450-06-01", "1890-01-01"])
    default = dates.parse_date_column(series, "%Y-%m-%d").get_column("dob_status").to_list()
    assert default == ["invalid", "ok", "ok"]
    narrow = dates.parse_date_column(series, "%Y-%m-%d", earliest=dt.date(1500, 1, 1),
                                     latest=dt.date(2200, 1, 1))
    assert narrow.get_column("dob_status").to_list() == ["ok", "invalid", "ok"]
    problems = dates.date_problems(series, "%Y-%m-%d", earliest=dt.date(1500, 1, 1))
    assert problems == {"before dob_min": 1, "after dob_max": 1}


@pytest.mark.parametrize("case", [c for c in _cases("dates") if "values" in c.values[0]])
def test_date_format_is_detected_per_column(case):
    series = pl.Series("d", case["values"].split("|"))
    assert dates.detect_date_format(series, case["region"]) == case["format"]


def test_corpus_has_at_least_150_cases():
    total = sum(pl.read_csv(p, infer_schema=False).height for p in FIXTURES.glob("*/*.csv"))
    assert total >= 150


def test_timestamps_at_midnight_keep_parsing_with_their_declared_format():
    values = pl.Series("t", ["2020-07-01 00:00:00", "2020-07-01 13:05:00", None])
    parsed = dates.parse_timestamp_column(values, "%Y-%m-%d %H:%M:%S")
    assert parsed.to_list() == [dt.datetime(2020, 7, 1), dt.datetime(2020, 7, 1, 13, 5), None]
    assert dates.parse_timestamp_column(values, None).null_count() == 1
