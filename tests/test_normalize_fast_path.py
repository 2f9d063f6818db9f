"""The vectorised fast paths of normalization give exactly what the parsers give.

Each fast path covers the common shapes of a field in polars and leaves the rest to the
parser; for every value it covers, its parts must equal the parser's, nulls included.
Inputs: generated values in many shapes (common, near-common and odd), and the corpus of
hard cases in tests/fixtures.
"""

from functools import partial

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.normalize import addresses, addresses_fast, contacts, names_fast, stage
from resolver.normalize.text import map_distinct
from tests.conftest import FIXTURES

TEXT = st.text(max_size=40)


def _fixture_inputs(folder: str, *columns: str) -> list[str]:
    values = []
    for path in sorted((FIXTURES / folder).glob("*.csv")):
        frame = pl.read_csv(path, infer_schema=False)
        for column in columns:
            if column in frame.columns:
                values += frame.get_column(column).drop_nulls().to_list()
    return values


def assert_fast_path_agrees(values: list[str], fast, parse) -> int:
    """Every value the fast path covers gets the parser's parts; -> how many it covered."""
    series = pl.Series(values, dtype=pl.String)
    covered, parts = fast(series)
    assert len(covered) == len(parts) == len(values)
    for value, is_covered, row in zip(values, covered, parts.iter_rows()):
        if is_covered:
            assert row == tuple(parse(value)), value
    return int(covered.sum())


# --- phones ------------------------------------------------------------------------------

DIGIT_RUNS = st.text(alphabet="0123456789", min_size=1, max_size=14)
US_NUMBERS = st.builds(
    "{}{}{}{}{}".format,
    st.sampled_from(["", "1", "+1", "+", "+44", "01", "+11"]),
    st.sampled_from(["201", "212", "312", "555", "617", "999", "800", "100", "011", "987"]),
    st.sampled_from(["555", "867", "234", "011", "911", "000", "123", "200"]),
    st.sampled_from(["0100", "0150", "5309", "0000", "1234", "5555", "4567", "9999"]),
    st.sampled_from(["", "", "", "1", "00", " ext 12", "x9"]),
)
PHONEY = st.one_of(DIGIT_RUNS, st.builds("+{}".format, DIGIT_RUNS), US_NUMBERS,
                   st.from_regex(r"\+?1?[ (.-]*\d{3}[ ).-]*\d{3}[ .-]*\d{4}( ?x\d{1,3})?",
                                 fullmatch=True), TEXT)


def _phone_keys(raw: list[str]) -> list[str]:
    """Raw phones as the stage hands them to the parser (contacts.phone_key)."""
    keys = pl.DataFrame({"p": raw}, schema={"p": pl.String}).select(
        contacts.phone_key(pl.col("p")))
    return [k for k in keys.to_series().to_list() if k is not None]


@pytest.mark.parametrize("region", ["US", "GB"])
@given(values=st.lists(PHONEY, min_size=1, max_size=30))
@settings(max_examples=200)
def test_phone_fast_path_agrees_with_parse_phone(region, values):
    for batch in (values, _phone_keys(values)):
        assert_fast_path_agrees(batch, partial(contacts.parse_phones_fast, region=region),
                                partial(contacts.parse_phone, region=region))


def test_prefix_validity_in_polars_is_phonenumbers_verdict():
    """The vectorised area code + exchange check says what phonenumbers.is_valid_number
    says, for every three-digit area code (0xx and 1xx included) with exchanges spread
    over 000-999: NANP regions (US, Canada, the Caribbean) and the invalid ranges."""
    import phonenumbers

    exchanges = sorted({*range(0, 1000, 37), 0, 100, 211, 555, 911, 958, 959, 976, 999})
    prefixes = [f"{area:03d}{exchange:03d}" for area in range(1000) for exchange in exchanges]
    got = contacts.nanp_prefixes_valid(pl.Series(prefixes)).to_list()
    want = [phonenumbers.is_valid_number(phonenumbers.parse(f"+1{p}2345", None))
            for p in prefixes]
    assert got == want
    assert 0 < sum(want) < len(want)


def test_phone_fast_path_on_the_corpus_covers_the_common_shapes():
    corpus = _fixture_inputs("phones", "input")
    keys = _phone_keys(corpus) + corpus + ["6175550123", "16175550123", "+16175550123",
                                           "5555555555", "1234567890", "2125550100",
                                           "9999999999", "+6175550123", "123", "16175"]
    covered = assert_fast_path_agrees(keys, partial(contacts.parse_phones_fast, region="US"),
                                      partial(contacts.parse_phone, region="US"))
    assert covered >= 10


def test_map_distinct_with_a_fast_path_gives_the_parsers_frame():
    raw = _fixture_inputs("phones", "input") * 2 + [None, "2125550100", "call me"]
    keys = pl.DataFrame({"p": raw}, schema={"p": pl.String}).select(
        contacts.phone_key(pl.col("p"))).to_series()
    parse = partial(contacts.parse_phone, region="US")
    slow = map_distinct(keys, parse, contacts.PHONE_SCHEMA)
    quick = map_distinct(keys, parse, contacts.PHONE_SCHEMA,
                         fast=partial(contacts.parse_phones_fast, region="US"))
    assert quick.equals(slow, null_equal=True) and quick.schema == slow.schema


# --- names -------------------------------------------------------------------------------

WORDS = ["Robert", "ROBERT", "robert", "Smith", "SMITH", "smith", "McDonald", "MCDONALD",
         "mcdonald", "Mcdonald", "Mc", "MC", "J", "J.", "j.", "Ann", "Marie", "MARIE",
         "Lee", "Bob", "Do", "Mba", "Earl", "Lord", "Walter", "Kim", "Jo.", "Xi", "MCA",
         "mcb."]
SPECIAL_WORDS = ["Dr.", "Dr", "DR", "Mr", "Mrs.", "Sir", "Lady", "Rev", "The", "Hon", "Don",
                 "Jr", "Jr.", "JR", "Sr", "SR.", "III", "iv", "PhD", "MD", "Esq.", "Bt.",
                 "Baronet", "Baron", "Duke", "of", "1st", "2nd", "First", "de", "la", "Van",
                 "der", "y", "St.", "St", "O'Brien", "Smith-Jones", "María", "Seán", "Junior",
                 "Senior", "Kt", "ii"]
NAME_WORD = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS),
                      st.sampled_from(SPECIAL_WORDS),
                      st.from_regex(r"[A-Za-z]{1,8}\.?", fullmatch=True))
NAME_WORDS = st.lists(NAME_WORD, min_size=1, max_size=5).map(" ".join)
FULL_NAMES = st.one_of(
    NAME_WORDS,
    st.builds("{}, {}".format, NAME_WORDS, NAME_WORDS),
    st.builds("{},{}".format, NAME_WORDS, NAME_WORDS),
    st.builds("{} , {}, {}".format, NAME_WORDS, NAME_WORDS, NAME_WORDS),
    st.builds("  {} ".format, NAME_WORDS),
    TEXT,
)
FIELD = st.one_of(st.just(""), st.just(""), NAME_WORD, NAME_WORDS, TEXT)


@st.composite
def name_keys(draw) -> str:
    """The stage's name key: full, prefix, first, middle, last and suffix fields."""
    if draw(st.booleans()):
        fields = [draw(FULL_NAMES), "", "", "", "", ""]
        if draw(st.integers(0, 5)) == 0:  # a source with both
            fields[draw(st.integers(1, 5))] = draw(FIELD)
    else:
        fields = ["", *(draw(FIELD) for _ in range(5))]
        if draw(st.integers(0, 9)) == 0:
            fields[0] = draw(NAME_WORDS)
    return names_fast.SEPARATOR.join(fields)


@given(values=st.lists(name_keys(), min_size=1, max_size=30))
@settings(max_examples=400)
def test_name_fast_path_agrees_with_the_parser(values):
    assert_fast_path_agrees(values, names_fast.parse_name_keys_fast, stage._parse_name_key)


def _corpus_name_keys() -> list[str]:
    keys = []
    for path in sorted((FIXTURES / "names").glob("*.csv")):
        for row in pl.read_csv(path, infer_schema=False).iter_rows(named=True):
            if "input" in row:
                keys.append(names_fast.SEPARATOR.join([row["input"] or ""] + [""] * 5))
            else:
                keys.append(names_fast.SEPARATOR.join(row.get(f) or "" for f in (
                    "", "prefix", "first", "middle", "last", "suffix")))
    return keys


def test_name_fast_path_on_the_corpus_and_common_shapes():
    common = ["Robert Smith", "ROBERT J. SMITH", "SMITH, ROBERT J", "Dr. Robert J Smith Jr.",
              "MCDONALD, ANN MARIE", "mr robert mcdonald smith", "Robert", "KIM, KENNETH SR",
              "Mrs. Patty Williams", "MCA SMITH", "mcb. jones", "Mc Donald", "MC", "Mcdo Lee",
              "J. R. R. TOLKIEN", "ROBERT J. SMITH III", "Robert Jr", "Mr Smith"]
    keys = _corpus_name_keys() + [names_fast.SEPARATOR.join([c] + [""] * 5) for c in common]
    keys += [names_fast.SEPARATOR.join(["", "Dr.", "Robert J", "", "Smith", "Jr."]),
             names_fast.SEPARATOR.join(["", "", "ann marie", "", "MCDONALD", ""])]
    covered = assert_fast_path_agrees(keys, names_fast.parse_name_keys_fast,
                                      stage._parse_name_key)
    assert covered >= len(common)


# --- addresses ---------------------------------------------------------------------------

STREET_WORDS = ["Main", "MAIN", "Oak", "Washington", "River", "Park", "Lake", "Grove", "N",
                "North", "E", "NE", "St", "St.", "Street", "Ave", "AVE.", "Avenue", "Blvd",
                "Ct", "CT", "Court", "Mt", "Way", "Wy", "Ln", "Pkwy", "Ter", "Island", "Fox",
                "Rhode", "Salt", "Kansas", "New", "York", "Box", "PO", "Hill", "Mount"]
UNIT_WORDS = ["Apt", "APT", "Unit", "#", "Suite", "Fl", "No", "Apartment", "Ste"]
UNIT_NUMBERS = ["4B", "12", "2000", "B", "B4", "62704", "4-B", "#4B"]
CITY_WORDS = ["Springfield", "SPRINGFIELD", "Salt", "Lake", "City", "St.", "Louis", "Kansas",
              "New", "York", "Mexico", "West", "Park", "Mount", "Rocky", "Charlotte", "London",
              "UK", "Canada", "Washington", "Virginia", "Beach", "Island", "Rhode", "Usa"]
STATE_NAMES = ["IL", "il", "Illinois", "NY", "New York", "CT", "MT", "WY", "FL", "NE", "MO",
               "Missouri", "New Mexico", "Rhode Island", "West Virginia", "Virginia",
               "North Carolina", "DC", "District of Columbia", "Calif", "RI", "UK", "Mexico"]
ZIPS = ["62704", "62704-1234", "627041234", "2903", "02903", "123", "627", "SW1A 2AA"]
PIECE = st.one_of(
    st.lists(st.sampled_from(STREET_WORDS), min_size=1, max_size=4).map(" ".join),
    st.builds("{} {}".format, st.sampled_from(UNIT_WORDS), st.sampled_from(UNIT_NUMBERS)),
    st.lists(st.sampled_from(CITY_WORDS), min_size=1, max_size=3).map(" ".join),
    st.sampled_from(STATE_NAMES), st.sampled_from(ZIPS), st.from_regex(r"\d{1,5}", fullmatch=True),
)
SEPARATORS = st.sampled_from([" ", " ", ", ", ",", " , ", ", , ", ". ", "  "])


@st.composite
def address_lines(draw) -> str:
    """Lines of the common shape with pieces left out, doubled, swapped and misspelt."""
    house = draw(st.sampled_from(["123", "4516", "87-10", "12A", "1/2", "", "0"]))
    pre = draw(st.sampled_from(["", "", "N", "North", "NE", "W"]))
    name = draw(st.lists(st.sampled_from(STREET_WORDS), min_size=0, max_size=3).map(" ".join))
    stype = draw(st.sampled_from(["St", "Ave", "Court", "CT", "Rd.", "Way", "", "Island"]))
    unit = draw(st.sampled_from(["", "", "Apt 4B", "# 12", "#5D", "Unit 2000", "APT #4",
                                 "Suite B", "Fl 2", "No 5", "Apt 62704"]))
    city = draw(st.lists(st.sampled_from(CITY_WORDS), max_size=3).map(" ".join))
    state = draw(st.one_of(st.just(""), st.sampled_from(STATE_NAMES)))
    zip_code = draw(st.one_of(st.just(""), st.sampled_from(ZIPS)))
    pieces = [" ".join(p for p in (house, pre, name, stype) if p), unit, city, state, zip_code]
    if draw(st.integers(0, 4)) == 0:
        pieces += draw(st.lists(PIECE, max_size=3))
    line = ""
    for piece in pieces:
        if piece:
            line += (draw(SEPARATORS) if line else "") + piece
    return line + draw(st.sampled_from(["", "", ",", ", ", " "]))


@given(values=st.lists(st.one_of(address_lines(), address_lines(), TEXT,
                                 st.lists(PIECE, max_size=6).map(" ".join)),
                       min_size=1, max_size=30))
@settings(max_examples=400)
def test_address_fast_path_agrees_with_parse_address(values):
    assert_fast_path_agrees(values, addresses_fast.parse_addresses_fast,
                            addresses.parse_address)


def test_address_fast_path_on_the_corpus_and_common_shapes():
    common = ["123 N Main St Apt 4B, Springfield, IL 62704",
              "9228 WOODLAND AVE #5D, 95881", "64199", "2541 SPRUCE LN., 85039",
              "8177 Main Circle Omaha Nebraska 68142,", "6370 Meadowbrook Pl., Salt Lake City, UT",
              "1586 Golden St., Cleveland, OH", "8708 HAWK PKWY APT 2000, ",
              "4686 Washington Ter, Kansas City, MO 64111", "3807 Fox Ct, 44138",
              "123 River Ave, New York, New York 10001-1234"]
    lines = _fixture_inputs("addresses", "input") + common
    covered = assert_fast_path_agrees(lines, addresses_fast.parse_addresses_fast,
                                      addresses.parse_address)
    assert covered >= len(common)
