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


def test_kept_values_of_compared_pairs_are_the_compare_kernels(unseen_sample):
    """Scoring pairs again (an incremental run's reused pairs) looks term frequencies up
    by the values the compare kernel gave prediction, lone names placed: the same frame
    as comparing them, on every candidate pair of unseen data where one record in ten
    has its surname alone, written in the first-name field."""
    from resolver import frames as F
    from resolver.compare.compute import compare_pairs, kept_values, with_kept_values
    from resolver.pipeline import candidates

    config, _ = unseen_sample
    _, normalized, pairs, _ = candidates(config)
    lone = pl.Series(normalized.get_column(F.UID).to_numpy() % 10 == 3)
    normalized = normalized.with_columns(
        *(pl.when(lone).then(pl.col(last)).otherwise(pl.col(first)).alias(first)
          for first, last in ((F.FIRST_NAME, F.LAST_NAME), (F.FIRST_NAME_CANONICAL, F.LAST_NAME),
                              (F.FIRST_NAME_METAPHONE, F.LAST_NAME_METAPHONE))),
        *(pl.when(lone).then(None).otherwise(pl.col(c)).alias(c)
          for c in (F.LAST_NAME, F.LAST_NAME_METAPHONE)))
    pairs = pairs.select(F.UID_L, F.UID_R)
    compared = compare_pairs(pairs, normalized, config.comparisons)
    again = with_kept_values(pairs, normalized, config.comparisons)
    columns = kept_values(config.comparisons)
    assert again.columns == [F.UID_L, F.UID_R, *columns]
    assert again.equals(compared.select(F.UID_L, F.UID_R, *columns))
    # the case that needs it: the record's own value is not the kernel's on some pairs
    for name in (F.FIRST_NAME, F.LAST_NAME):
        held = normalized.get_column(name)[pairs.get_column(F.UID_L).to_numpy()]
        assert held.ne_missing(again.get_column(F.left(name))).sum() > 0
