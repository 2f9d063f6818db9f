"""Property tests: every normalizer takes any Unicode string, empty or null without
raising, and the ones that map text to text are idempotent."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.normalize import addresses, contacts, dates, names
from resolver.normalize.text import fold

TEXT = st.text(max_size=60)
ADDRESSY = st.lists(st.sampled_from(
    ["123", "N", "Main", "St", "Apt", "#", "4B", ",", "Springfield", "IL", "62704-1234",
     "Unit", "CT", "Court", "PO", "Box", "UK", "SW1A 2AA", "-", "", "North", "Ave", "Mount",
     "Rocky", "Hill", "Point", "4-B", "B-4", "2821", "RI", "NC", "87-10", "Cove", "Ferry"]),
    max_size=12).map(" ".join)
NAMEY = st.lists(st.sampled_from(
    ["Dr.", "Robert", "J.", "Smith", "Jr", "SMITH,", "de", "la", "Cruz", "O'Brien", ",",
     "Sr.", "III", "van", "der", "Berg", "María-José", "", "Mrs", "Sir", "Baronet", "Bt.",
     "1st", "of", "Baron", "Don", "Do", "MD", "The", "Hon"]), max_size=8).map(" ".join)


@given(st.one_of(TEXT, st.none()))
def test_fold_never_raises_and_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@given(st.one_of(TEXT, NAMEY))
def test_name_parsing_never_raises_and_folded_parts_are_stable(text):
    parts = names.name_parts(names.parse_full_name(text))
    for folded in parts[:4]:
        assert folded is None or fold(folded) == folded


@given(st.one_of(TEXT, NAMEY), st.one_of(TEXT, NAMEY))
def test_split_name_parsing_never_raises(first, last):
    names.name_parts(names.parse_split_name(first, None, last, None, None))


@given(st.one_of(TEXT, ADDRESSY))
@settings(max_examples=300)
def test_address_parsing_never_raises_and_its_line_reparses_to_the_same_key(text):
    parsed = dict(zip(addresses.ADDRESS_SCHEMA, addresses.parse_address(text)))
    line = parsed["address_line"]
    if parsed["address_status"] == "ok" and line:
        again = dict(zip(addresses.ADDRESS_SCHEMA, addresses.parse_address(line)))
        assert again["address_key"] == parsed["address_key"]


@given(st.one_of(TEXT, st.from_regex(r"\+?1?[ (.-]*\d{3}[ ).-]*\d{3}[ .-]*\d{4}", fullmatch=True)))
def test_phone_parsing_never_raises_and_e164_is_a_fixed_point(text):
    phone, _, _, status, _ = contacts.parse_phone(text, "US")
    if status == "ok":
        assert contacts.parse_phone(phone, "US")[0] == phone


@given(st.lists(st.one_of(TEXT, st.none(), st.emails()), max_size=20))
def test_email_normalization_never_raises_and_is_idempotent(values):
    frame = pl.DataFrame({"e": values}, schema={"e": pl.String})
    once = frame.select(contacts.normalize_emails(pl.col("e"), True))
    twice = once.select(contacts.normalize_emails(pl.col("email"), True))
    assert once.get_column("email").to_list() == twice.get_column("email").to_list()


@given(st.lists(st.one_of(TEXT, st.none(), st.dates().map(str)), max_size=20))
def test_date_parsing_never_raises(values):
    series = pl.Series("d", values, pl.String)
    parsed = dates.parse_date_column(series, dates.detect_date_format(series))
    assert parsed.height == len(values)
    ok = parsed.filter(pl.col("dob_status") == "ok")
    assert ok.get_column("dob").null_count() == 0


def test_parallel_parsing_gives_the_sequential_result_in_order(monkeypatch):
    from resolver.normalize import text

    values = [f"{i} N Main St Apt {i % 7}, Springfield IL 62704" for i in range(400)]
    sequential = [addresses.parse_address(v) for v in values]
    monkeypatch.setattr(text, "PARALLEL_MIN_VALUES", 10)
    assert text.parse_all(addresses.parse_address, values) == sequential


NAME_OR_NONE = st.one_of(st.none(), st.sampled_from(["watts", "john", "jon", "smith", "w"]),
                         st.text(max_size=8))


@given(st.lists(st.tuples(NAME_OR_NONE, NAME_OR_NONE, NAME_OR_NONE, NAME_OR_NONE),
                max_size=12))
def test_placing_lone_names_never_raises_and_keeps_every_token(rows):
    from resolver.compare.lone_names import place_lone_names

    frame = pl.DataFrame(rows, schema={c: pl.String for c in (
        "first_name_l", "last_name_l", "first_name_r", "last_name_r")}, orient="row")
    placed = place_lone_names(frame)
    assert placed.height == frame.height
    for before, after in zip(frame.rows(), placed.rows()):
        assert sorted(v for v in before[:2] if v is not None) == sorted(
            v for v in after[:2] if v is not None)
        assert sorted(v for v in before[2:] if v is not None) == sorted(
            v for v in after[2:] if v is not None)
