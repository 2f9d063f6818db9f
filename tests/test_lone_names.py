"""A lone name token is compared with both parts of the other record."""

import polars as pl

from resolver.compare.lone_names import place_lone_names


def _pairs(left, right):
    return pl.DataFrame({
        "first_name_l": [p[0] for p in left], "last_name_l": [p[1] for p in left],
        "first_name_r": [r[0] for r in right], "last_name_r": [r[1] for r in right],
    }, schema={c: pl.String for c in ("first_name_l", "last_name_l", "first_name_r",
                                      "last_name_r")})


def test_a_surname_in_the_first_name_field_meets_the_surname():
    placed = place_lone_names(_pairs([("watts", None), ("john", "watts")],
                                     [("john", "watts"), ("watts", None)]))
    assert placed.rows() == [(None, "watts", "john", "watts"), ("john", "watts", None, "watts")]


def test_a_given_name_alone_stays_a_given_name():
    placed = place_lone_names(_pairs([("nessie", None), ("bob", None)],
                                     [("nessie", "smith"), ("robert", "smith")]))
    assert placed.rows() == [("nessie", None, "nessie", "smith"), ("bob", None, "robert", "smith")]


def test_a_surname_alone_meets_a_given_name_it_resembles():
    placed = place_lone_names(_pairs([(None, "clarence")], [("clarance", "hay")]))
    assert placed.rows() == [("clarence", None, "clarance", "hay")]


def test_two_lone_tokens_meet_in_one_part():
    placed = place_lone_names(_pairs([("watts", None)], [(None, "watts")]))
    assert placed.rows() == [(None, "watts", None, "watts")]
