"""Each comparison level on hand-written examples."""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver import frames as F
from resolver.compare.compute import compare_attached, comparison_levels
from resolver.compare.library import parse_level
from resolver.config import Comparison


def _level(kind: str, levels: tuple[str, ...], left: dict, right: dict, field=None) -> str:
    comparison = Comparison(kind, kind, levels, field=field)
    row = {F.left(k): v for k, v in left.items()} | {F.right(k): v for k, v in right.items()}
    frame = pl.DataFrame([row], schema={k: pl.String for k in row})
    gamma = frame.select(comparison_levels(frame, comparison)).item()
    return ["null", *levels][gamma]


FIRST = ("exact", "nickname", "jaro_winkler >= 0.92", "swapped", "jaro_winkler >= 0.80",
         "initial", "else")


@pytest.mark.parametrize("left,right,want", [
    ("robert", "robert", "exact"),
    ("bob", "robert", "nickname"),
    ("peggy", "margaret", "nickname"),
    ("robret", "robert", "jaro_winkler >= 0.92"),
    ("katherine", "kathryn", "jaro_winkler >= 0.80"),
    ("r", "robert", "initial"),
    ("robert", "susan", "else"),
    (None, "robert", "null"),
])
def test_first_name_levels(left, right, want):
    lhs = {F.FIRST_NAME: left, F.FIRST_NAME_CANONICAL: None, F.LAST_NAME: "x"}
    rhs = {F.FIRST_NAME: right, F.FIRST_NAME_CANONICAL: None, F.LAST_NAME: "y"}
    assert _level("first_name", FIRST, lhs, rhs) == want


def test_swapped_names_level():
    lhs = {F.FIRST_NAME: "smith", F.LAST_NAME: "robert", F.FIRST_NAME_CANONICAL: None}
    rhs = {F.FIRST_NAME: "robert", F.LAST_NAME: "smith", F.FIRST_NAME_CANONICAL: None}
    assert _level("first_name", FIRST, lhs, rhs) == "swapped"


@pytest.mark.parametrize("left,right,want", [
    ("19800131", "19800131", "exact"),
    ("19800102", "19800201", "day_month_swapped"),
    ("19800131", "19800181", "levenshtein <= 1"),
    ("19800131", "19801125", "same_year"),
    ("19800131", "19750615", "else"),
    ("19800131", None, "null"),
])
def test_dob_levels(left, right, want):
    levels = ("exact", "day_month_swapped", "levenshtein <= 1", "same_year", "else")
    assert _level("dob", levels, {F.DOB_TEXT: left}, {F.DOB_TEXT: right}) == want


def _address(key, building, street, zip5, city="Springfield"):
    return {F.ADDRESS_KEY: key, F.BUILDING_KEY: building, F.STREET_KEY: street, F.ZIP5: zip5,
            F.CITY: city}


@pytest.mark.parametrize("left,right,want", [
    (_address("1|A|4B", "1|A", "MAIN ST|62704", "62704"),
     _address("1|A|4B", "1|A", "MAIN ST|62704", "62704"), "same_unit"),
    (_address("1|A|4B", "1|A", "MAIN ST|62704", "62704"),
     _address("1|A|4C", "1|A", "MAIN ST|62704", "62704"), "same_building"),
    (_address("1|A|", "1|A", "MAIN ST|62704", "62704"),
     _address("9|A|", "9|A", "MAINE ST|62704", "62704"), "street jaro_winkler >= 0.90"),
    (_address("1|A|", "1|A", "MAIN ST|62704", "62704"),
     _address("9|B|", "9|B", "OAK AVE|62704", "62704"), "same_zip"),
    (_address("1|A|", "1|A", "MAIN ST|62704", "62704"),
     _address("9|B|", "9|B", "OAK AVE|10001", "10001", "New York"), "else"),
    (_address(None, None, None, None, None),
     _address("9|B|", "9|B", "OAK AVE|10001", "10001"), "null"),
])
def test_address_levels(left, right, want):
    levels = ("same_unit", "same_building", "street jaro_winkler >= 0.90", "same_zip", "else")
    assert _level("address", levels, left, right) == want


@pytest.mark.parametrize("left,right,want", [
    ("+13128675309", "+13128675309", "exact"),
    ("1238675309", "1238675309", "same_digits"),  # both invalid, the same digits
    ("+13128675309", "+17738675309", "last_7"),
    ("+13128675309", "+13128675308", "levenshtein <= 1"),
    ("+13128675309", "+12125550123", "else"),
    ("+13128675309", "1238675308", "else"),
])
def test_phone_levels(left, right, want):
    def side(p):
        valid = p.startswith("+")
        return {F.PHONE: p if valid else None, F.PHONE_LAST7: p[-7:],
                F.PHONE_DIGITS: p.removeprefix("+1")}
    levels = ("exact", "same_digits", "last_7", "levenshtein <= 1", "else")
    assert _level("phone", levels, side(left), side(right)) == want


@pytest.mark.parametrize("left,right,want", [
    ("bob@x.com", "bob@x.com", "exact"),
    ("bob@x.com", "bob@y.com", "same_local_part"),
    ("bobsmith@x.com", "bobsmyth@x.com", "levenshtein <= 1"),
    ("bob@x.com", "zed@y.com", "else"),
])
def test_email_levels(left, right, want):
    lhs = {F.EMAIL: left, F.EMAIL_LOCAL: left.split("@")[0]}
    rhs = {F.EMAIL: right, F.EMAIL_LOCAL: right.split("@")[0]}
    levels = ("exact", "same_local_part", "levenshtein <= 1", "else")
    assert _level("email", levels, lhs, rhs) == want


@pytest.mark.parametrize("left,right,want", [
    ("123456789", "123456789", "exact"), ("123456789", "123456798", "damerau_levenshtein <= 1"),
    ("123456789", "987654321", "else")])
def test_identifier_levels(left, right, want):
    levels = ("exact", "damerau_levenshtein <= 1", "else")
    assert _level("identifier", levels, {"ssn": left}, {"ssn": right}, field="ssn") == want


@pytest.mark.parametrize("kind,label", [("dob", "nickname"), ("first_name", "jaro_winkler <= 0.9"),
                                        ("first_name", "jaro_winkler >= 1.5"),
                                        ("address", "jaro_winkler >= 0.9")])
def test_bad_level_labels_are_refused(kind, label):
    with pytest.raises(ValueError):
        parse_level(kind, label)


@pytest.mark.parametrize("left,right,want", [
    ("JR", "JR", "exact"), ("JR", None, "missing_one_side"), (None, None, "null"),
    ("JR", "SR", "else")])
def test_missing_one_side_level(left, right, want):
    levels = ("exact", "missing_one_side", "else")
    assert _level("text", levels, {"suffix": left}, {"suffix": right}, field="suffix") == want


def test_years_apart_levels_measure_the_date_difference():
    from resolver.compare.compute import comparison_levels
    from resolver.config import Comparison

    frame = pl.DataFrame({"dob_text_l": ["20130807", "19800315", "17500101", "19631064",
                                         "19000101"],
                          "dob_text_r": ["20140806", "19890314", "17500605", "19631065",
                                         "19450101"]})
    dob = Comparison("dob", "dob", ("exact", "years_apart <= 1", "years_apart <= 10", "else"))
    levels = frame.select(comparison_levels(frame, dob)).to_series().to_list()
    # a year less a day; nine years; five months; impossible dates (no date: else); 45 years
    assert levels == [2, 3, 2, 4, 4]


def test_years_apart_is_for_dates_only():
    from resolver.compare.library import parse_level

    with pytest.raises(ValueError, match="compares dates"):
        parse_level("first_name", "years_apart <= 1")


@pytest.mark.parametrize("left,right", [("teersa", "tery"), ("brce", "brenad"),
                                        ("barbra", "brrnda")])
def test_scores_on_a_threshold_keep_their_level(left, right):
    """Jaro-Winkler exactly 0.80 (or a float64 hair below it, which rapidfuzz's float32
    scores round up) is 'jaro_winkler >= 0.80' whether or not the similarity stops early."""
    lhs = {F.FIRST_NAME: left, F.FIRST_NAME_CANONICAL: None, F.LAST_NAME: "x"}
    rhs = {F.FIRST_NAME: right, F.FIRST_NAME_CANONICAL: None, F.LAST_NAME: "y"}
    row = {F.left(k): v for k, v in lhs.items()} | {F.right(k): v for k, v in rhs.items()}
    frame = pl.DataFrame([row], schema={k: pl.String for k in row})
    comparison = Comparison("first_name", "first_name", FIRST)
    gamma = compare_attached(frame, [], (comparison,)).item()
    assert FIRST[gamma - 1] == "jaro_winkler >= 0.80"


def test_similarity_cutoffs_change_no_level(unseen_run, monkeypatch):
    """Stopping similarities early at the loosest threshold gives every pair the level
    the exact scores give: random pairs (mostly far apart) and candidate pairs (mostly
    close) of data no threshold was tuned on, every comparison of the sample config."""
    import numpy as np

    from resolver.compare import compute

    config, out, _ = unseen_run
    records = pl.read_parquet(out / "store" / "records.parquet")
    rng = np.random.default_rng(5)
    left, right = rng.integers(0, records.height, (2, 200_000))
    candidates = pl.read_parquet(out / "store" / "pairs.parquet").select(F.UID_L, F.UID_R)
    pairs = pl.concat([pl.DataFrame({F.UID_L: left, F.UID_R: right}).cast(candidates.schema),
                       candidates])
    attached = compute.pairs_with_values(pairs, records,
                                         compute.needed_columns(config.comparisons))
    assert compute.similarity_cutoffs(config.comparisons)  # the sample config has some
    early = compute.compare_attached(attached, pairs.columns, config.comparisons)
    monkeypatch.setattr(compute, "similarity_cutoffs", lambda comparisons: {})
    exact = compute.compare_attached(attached, pairs.columns, config.comparisons)
    assert early.equals(exact)


@pytest.mark.parametrize("op", ["jaro_winkler", "jaro", "levenshtein", "damerau_levenshtein"])
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.text("abcde", max_size=6)),
                               st.one_of(st.none(), st.text("abcde", max_size=6))),
                     max_size=40))
@settings(max_examples=60)
def test_similarity_is_the_scorer_row_by_row(op, rows):
    """Equal values skip the scorer and differing ones go in one batch: row by row the
    result is still what the scorer says, and null where either side is missing."""
    from resolver.compare.compute import SCORERS, similarity

    frame = pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String}, orient="row")
    got = similarity(frame, "a", "b", op).to_list()
    want = [None if a is None or b is None else float(SCORERS[op](a, b)) for a, b in rows]
    assert got == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize("op", ["levenshtein", "damerau_levenshtein", "jaro_winkler"])
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.text("abc", max_size=7)),
                               st.one_of(st.none(), st.text("abc", max_size=7)),
                               st.booleans()),
                     max_size=40),
       cutoff=st.integers(0, 3))
@settings(max_examples=60)
def test_a_cutoff_and_a_row_mask_give_the_scorer_s_own_answer_where_read(op, rows, cutoff):
    """With a cutoff, a distance between values whose lengths differ by more than it is
    never computed: it must still be what the scorer gives under that cutoff (cutoff + 1
    past it). Rows outside the mask are left null; the others are the scorer's."""
    from resolver.compare.compute import SCORERS, similarity

    frame = pl.DataFrame([r[:2] for r in rows], schema={"a": pl.String, "b": pl.String},
                         orient="row")
    read = np.array([r[2] for r in rows], dtype=bool)
    limit = cutoff if op != "jaro_winkler" else cutoff / 4
    got = similarity(frame, "a", "b", op, limit, read).to_list()
    want = [None if a is None or b is None or not keep
            else float(SCORERS[op](a, b, score_cutoff=limit)) for a, b, keep in rows]
    assert got == pytest.approx(want, abs=1e-6)
