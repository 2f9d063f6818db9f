"""Households from individuals' current addresses."""

import polars as pl

from resolver import frames as F
from resolver.cluster.households import PERSON_COLUMNS, assign_households


def _people(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in PERSON_COLUMNS} for r in rows],
                        schema={c: pl.String for c in PERSON_COLUMNS})


def _groups(people: pl.DataFrame) -> list[set[str]]:
    households = assign_households(people)
    return sorted((set(g) for g in households.group_by(F.HOUSEHOLD_ID).agg(F.ENTITY_ID)
                   .get_column(F.ENTITY_ID).to_list()), key=min)


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
                      _at("E3", None, "jones"), _at("E4", "4C", "brown")])
    assert _groups(people) == [{"E1", "E2"}, {"E3"}, {"E4"}]


def test_people_without_an_address_join_by_contact_or_unique_surname_in_their_zip():
    people = _people([
        _at("E1", None, "garcia", **{F.PHONE: "+13125550100"}),
        {F.ENTITY_ID: "E2", F.LAST_NAME: "lee", F.PHONE: "+13125550100"},   # shared phone
        {F.ENTITY_ID: "E3", F.LAST_NAME: "garcia", F.ZIP5: "62704"},         # ZIP only
        {F.ENTITY_ID: "E4", F.LAST_NAME: "nobody"},                          # nothing
    ])
    assert _groups(people) == [{"E1", "E2", "E3"}, {"E4"}]


def test_household_ids_are_stable_for_the_same_addresses():
    people = _people([_at("E1", "4B", "garcia"), _at("E2", "4B", "smith")])
    first = assign_households(people)
    again = assign_households(people.reverse())
    assert first.sort(F.ENTITY_ID).equals(again.sort(F.ENTITY_ID))
