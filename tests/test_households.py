"""Households from individuals' current addresses: known answers for each rule, and
quality against the truth of generated data no model was tuned on."""

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver import frames as F
from resolver.households.assign import (MAX_HOUSEHOLD_MEMBERS, PERSON_COLUMNS,
                                         _address_links, assign_households, household_table)
from resolver.evaluate import evaluate


def _people(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in PERSON_COLUMNS} for r in rows],
                        schema={c: pl.String for c in PERSON_COLUMNS})


def _neighbourhood(n: int = 40) -> list[dict]:
    """People elsewhere with surnames of their own: how common a surname is in the test
    data is then what it would be in a town, not one in four."""
    return [{F.ENTITY_ID: f"Z{i:03d}", F.LAST_NAME: f"other{i}"} for i in range(n)]


def _groups(people: pl.DataFrame) -> list[set[str]]:
    return _groups_of(assign_households(people))


def _groups_of(households: pl.DataFrame) -> list[set[str]]:
    return sorted((set(g) for g in households.group_by(F.HOUSEHOLD_ID).agg(F.ENTITY_ID)
                   .get_column(F.ENTITY_ID).to_list() if not min(g).startswith("Z")), key=min)


def _at(entity: str, unit: str | None, last: str, street: str = "MAIN", **extra) -> dict:
    return {F.ENTITY_ID: entity, F.HOUSE_NUMBER: "12", F.STREET_NAME: street,
            F.UNIT_NUMBER: unit, F.ZIP5: "62704", F.CITY: "Springfield",
            F.ADDRESS_KEY: f"12|{street}|62704|{unit or ''}", F.LAST_NAME: last, **extra}


def test_one_unit_is_one_household_and_neighbours_stay_apart():
    people = _people([_at("E1", "4B", "garcia"), _at("E2", "4B", "smith"),  # spouses
                      _at("E3", "4C", "garcia"),                            # neighbour
                      _at("E4", "4B", "garcia", street="MIAN")])            # typo in street
    assert _groups(people) == [{"E1", "E2", "E4"}, {"E3"}]


def test_a_missing_unit_in_a_building_needs_a_shared_surname_phone_or_email():
    people = _people([_at("E1", "4B", "garcia"), _at("E2", None, "garcia"),
                      _at("E3", None, "jones"), _at("E4", "4C", "brown"), *_neighbourhood()])
    assert _groups(people) == [{"E1", "E2"}, {"E3"}, {"E4"}]


def test_a_common_surname_in_a_large_building_does_not_say_which_unit():
    units = [_at(f"U{k}", str(k), "smith" if k % 2 else f"unit{k}") for k in range(1, 10)]
    people = _people([*units, _at("U10", "10", "zabrowski"),
                      _at("E1", None, "smith"), _at("E2", None, "zabrowski"),
                      *_neighbourhood()])
    groups = _groups(people)
    assert {"E1"} in groups            # five smith units: any of them, or none
    assert {"E2", "U10"} in groups     # one zabrowski in the building: theirs


def test_people_without_an_address_join_by_contact_or_unique_surname_in_their_zip():
    people = _people([
        _at("E1", None, "garcia", **{F.PHONE: "+13125550100"}),
        {F.ENTITY_ID: "E2", F.LAST_NAME: "lee", F.PHONE: "+13125550100"},   # shared phone
        {F.ENTITY_ID: "E3", F.LAST_NAME: "garcia", F.ZIP5: "62704"},         # ZIP only
        {F.ENTITY_ID: "E4", F.LAST_NAME: "nobody"},                          # nothing
        *_neighbourhood()])
    assert _groups(people) == [{"E1", "E2", "E3"}, {"E4"}]


def test_household_ids_are_stable_for_the_same_addresses():
    people = _people([_at("E1", "4B", "garcia"), _at("E2", "4B", "smith")])
    first = assign_households(people)
    again = assign_households(people.reverse())
    assert first.sort(F.ENTITY_ID).equals(again.sort(F.ENTITY_ID))


def _elsewhere(entity: str, house: str, zip5: str, last: str, **extra) -> dict:
    return {F.ENTITY_ID: entity, F.HOUSE_NUMBER: house, F.STREET_NAME: "OAK", F.ZIP5: zip5,
            F.ADDRESS_KEY: f"{house}|OAK|{zip5}|", F.LAST_NAME: last, **extra}


def test_a_contact_shared_by_several_households_joins_none_of_them():
    email = {F.EMAIL: "jsmith@yahoo.com"}
    people = _people([_elsewhere("E1", "1", "10001", "smith", **email),
                      _elsewhere("E2", "2", "60601", "smith", **email),
                      {F.ENTITY_ID: "E3", F.LAST_NAME: "smith", **email},  # no address
                      _elsewhere("E4", "3", "94105", "jones", **{F.PHONE: "+14155550100"}),
                      {F.ENTITY_ID: "E5", F.LAST_NAME: "jones", F.PHONE: "+14155550100"}])
    assert _groups(people) == [{"E1"}, {"E2"}, {"E3"}, {"E4", "E5"}]


def test_an_unplaced_person_never_bridges_two_addressed_households():
    people = _people([_elsewhere("E1", "1", "10001", "lee", **{F.PHONE: "+12125550100"}),
                      _elsewhere("E2", "2", "10001", "lee", **{F.EMAIL: "lee@aol.com"}),
                      {F.ENTITY_ID: "E3", F.LAST_NAME: "lee", F.PHONE: "+12125550100"}])
    contacts = pl.DataFrame({F.ENTITY_ID: ["E3"], "kind": ["email"], "value": ["lee@aol.com"]})
    households = assign_households(people, contacts)  # E3 points at both: joins neither
    assert households.get_column(F.HOUSEHOLD_ID).n_unique() == 3


def test_other_records_contacts_link_a_member_without_an_address():
    people = _people([_elsewhere("E1", "1", "10001", "lee", **{F.PHONE: "+12125550100"}),
                      {F.ENTITY_ID: "E2", F.LAST_NAME: "park", F.PHONE: "+12125550199"}])
    landline = pl.DataFrame({F.ENTITY_ID: ["E1", "E2"], "kind": "phone",
                             "value": ["+12125550111"] * 2})
    assert assign_households(people, landline).get_column(F.HOUSEHOLD_ID).n_unique() == 1


def test_many_people_at_one_address_are_one_household_in_linear_work():
    n = 5000
    people = _people([_at(f"E{i:05d}", None, "smith", **{F.EMAIL: "same@example.com"})
                      for i in range(n)])
    households = assign_households(people)
    assert households.get_column(F.HOUSEHOLD_ID).n_unique() == 1
    # one link per person to the address's representative, not one per pair (12.5 million)
    for unit in (None, "4B"):  # a building with units: the surname backs each link
        at = people.with_columns(pl.lit(unit, pl.String).alias(F.UNIT_NUMBER))
        if unit:
            at = pl.concat([at, _people([_at("F1", None, "smith")])])
        indexed = at.sort(F.ENTITY_ID).with_row_index("i")
        support = indexed.select("i", pl.col(F.LAST_NAME).alias("value"), chance=pl.lit(0.0))
        assert _address_links(indexed, support).height < at.height


def test_oversized_households_are_flagged():
    golden = pl.DataFrame({F.ENTITY_ID: [f"E{i:02d}" for i in range(MAX_HOUSEHOLD_MEMBERS + 1)]
                           + ["F1"],
                           F.HOUSEHOLD_ID: ["H1"] * (MAX_HOUSEHOLD_MEMBERS + 1) + ["H2"],
                           "last_name": "Smith", "first_name": "Ann", "address": "1 OAK ST"})
    flags = dict(household_table(golden).select(F.HOUSEHOLD_ID, F.HOUSEHOLD_FLAG).iter_rows())
    assert flags == {"H1": f"oversized: {MAX_HOUSEHOLD_MEMBERS + 1} members", "H2": None}


def _seen(entity: str, place: str, first: str, last: str) -> dict:
    return {F.ENTITY_ID: entity, "place": place, "first_seen": dt.datetime.fromisoformat(first),
            "last_seen": dt.datetime.fromisoformat(last)}


def test_a_member_last_seen_before_the_household_moved_moves_with_it():
    old, new = "7|ELM||10001", "12|MAIN||62704"
    people = _people([_at("E1", None, "garcia"), _at("E2", None, "garcia"),
                      _elsewhere("E3", "7", "10001", "garcia", **{F.STREET_NAME: "ELM"})])
    history = [_seen("E1", old, "2019-01-01", "2020-05-01"),
               _seen("E1", new, "2021-02-01", "2024-01-01"),
               _seen("E2", new, "2021-03-01", "2023-01-01")]

    def households(e3_last_seen: str) -> int:
        seen = pl.DataFrame(history + [_seen("E3", old, "2019-06-01", e3_last_seen)])
        return assign_households(people, history=seen).get_column(F.HOUSEHOLD_ID).n_unique()

    assert households("2020-08-01") == 1  # nothing heard of E3 since the move
    assert households("2022-01-01") == 2  # E3 still lives at the old address


def test_household_quality_on_generated_data_no_model_was_tuned_on(unseen_run):
    _, out, truth = unseen_run
    _, households = evaluate(out, truth)[0]
    assert households.pairwise_f1 >= 0.95
    assert households.bcubed_precision >= 0.98


def test_with_households_off_every_individual_is_a_household_of_one(sample_copy):
    from resolver.config import load_config
    from resolver.pipeline import run_pipeline

    config = sample_copy / "configs" / "sample.toml"
    config.write_text(config.read_text().replace("[households]\nenabled = true",
                                                 "[households]\nenabled = false"))
    result = run_pipeline(load_config(config))
    assert result.households.height == result.entities.height


def test_a_household_that_moved_from_an_apartment_still_takes_in_members_by_contact():
    old, new = "7|ELM|2A|10001", "12|MAIN|5|62704"
    phone = {F.PHONE: "+13125550100"}
    people = _people([_at("E1", "5", "garcia", **phone), _at("E2", "5", "garcia"),
                      _elsewhere("E3", "7", "10001", "garcia",
                                 **{F.STREET_NAME: "ELM", F.UNIT_NUMBER: "2A"}),
                      {F.ENTITY_ID: "E4", F.LAST_NAME: "lee", **phone}, *_neighbourhood()])
    history = pl.DataFrame([_seen("E1", old, "2019-01-01", "2020-05-01"),
                            _seen("E1", new, "2021-02-01", "2024-01-01"),
                            _seen("E2", new, "2021-03-01", "2023-01-01"),
                            _seen("E3", old, "2019-06-01", "2020-08-01")])
    households = assign_households(people, history=history)
    assert {"E1", "E2", "E3", "E4"} in _groups_of(households)


def household_name(surnames: list[str | None]) -> str:
    """The name of one household, counted in Python (an oracle for household_names)."""
    counts: dict[str, int] = {}
    for name in surnames:
        if name:
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return "Household"
    ranked = sorted(counts, key=lambda n: (-counts[n], n))[:2]
    return f"The {' & '.join(ranked)} household"


@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(
    ["", "smith", "Smith", "jones", "ölund", "o'neil", "zoë", "lee"])), max_size=6),
    min_size=1, max_size=20))
@settings(max_examples=100)
def test_household_names_in_polars_are_household_name(surnames):
    """The vectorised names give each household what household_name says: its two most
    common surnames, ties by code point order, "Household" when it has none."""
    from resolver.households.assign import household_names

    grouped = pl.DataFrame({F.HOUSEHOLD_ID: [f"H{i}" for i in range(len(surnames))],
                            "surnames": surnames},
                           schema={F.HOUSEHOLD_ID: pl.String, "surnames": pl.List(pl.String)})
    named = dict(household_names(grouped).iter_rows())
    assert [named.get(f"H{i}", "Household") for i in range(len(surnames))] == [
        household_name(s) for s in surnames]
