"""Individuals: union-find against BFS, the anti-chaining guard, steward decisions."""

import random
from collections import deque

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.cluster.individuals import cluster_individuals
from resolver.cluster.union_find import UnionFind

NO_DECISIONS = pl.DataFrame(schema={F.UID_L: pl.UInt32, F.UID_R: pl.UInt32,
                                    "decision": pl.String})


def _bfs_components(n, edges):
    adjacent = [[] for _ in range(n)]
    for a, b in edges:
        adjacent[a].append(b)
        adjacent[b].append(a)
    label, seen = [None] * n, set()
    for start in range(n):
        if start in seen:
            continue
        queue = deque([start])
        seen.add(start)
        while queue:
            x = queue.popleft()
            label[x] = start
            for y in adjacent[x]:
                if y not in seen:
                    seen.add(y)
                    queue.append(y)
    return label


def _partition(labels):
    groups = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, set()).add(i)
    return sorted(map(sorted, groups.values()))


def test_union_find_agrees_with_bfs_on_random_graphs():
    rng = random.Random(11)
    for _ in range(50):
        n = rng.randint(1, 60)
        edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, 2 * n))]
        uf, twin = UnionFind(n), UnionFind(n)
        half = len(edges) // 2
        for a, b in edges[:half]:
            uf.union(a, b)
            twin.union(a, b)
        # the roots all at once are each element's find, and unions go on after them
        assert uf.components() == [twin.find(x) for x in range(n)]
        for a, b in edges[half:]:
            uf.union(a, b)
        assert _partition(uf.components()) == _partition(_bfs_components(n, edges))


def _links(edges):
    return pl.DataFrame([(a, b, w) for a, b, w in edges],
                        schema={F.UID_L: pl.UInt32, F.UID_R: pl.UInt32, F.MATCH_WEIGHT: pl.Float64},
                        orient="row")


def test_unguarded_links_give_connected_components():
    rng = random.Random(2)
    n = 40
    edges = [(a, b, rng.random()) for a, b in
             {tuple(sorted(rng.sample(range(n), 2))) for _ in range(50)}]
    result = cluster_individuals(n, _links(edges), {}, NO_DECISIONS, 1000)
    assert _partition(result.cluster_of) == _partition(
        _bfs_components(n, [(a, b) for a, b, _ in edges]))


def test_a_chain_through_a_third_record_does_not_merge_conflicting_dobs():
    # A~B and B~C are both strong links, but A and C were born years apart
    dob = {"dob": ["19800101", None, "19550707"]}
    result = cluster_individuals(3, _links([(0, 1, 20.0), (1, 2, 15.0)]), dob, NO_DECISIONS, 50)
    assert result.cluster_of[0] == result.cluster_of[1]
    assert result.cluster_of[2] != result.cluster_of[0]
    assert result.refused.get_column("reason").to_list() == ["conflicting_dob"]


def test_dob_typos_and_day_month_swaps_do_not_block_a_merge():
    dob = {"dob": ["19800102", "19800201", "19800102", "19800103", "19800301"]}
    links = _links([(0, 1, 20.0), (1, 2, 15.0), (2, 3, 12.0), (3, 4, 11.0)])
    result = cluster_individuals(5, links, dob, NO_DECISIONS, 50)
    # 0-1 swapped, 0-2 equal, 2-3 one typo; the cluster's usual date is 19800102, so 3
    # (one typo from it) joins although it is two edits from 1's swapped date; 4 is two
    # edits from the usual date (and from 3): another person
    assert len({result.cluster_of[i] for i in range(4)}) == 1
    assert result.cluster_of[4] != result.cluster_of[0]


def test_jr_and_sr_never_share_a_cluster_but_a_missing_suffix_joins_either():
    suffix = {"suffix": ["JR", None, "SR"]}
    result = cluster_individuals(3, _links([(0, 1, 20.0), (1, 2, 15.0)]), suffix,
                                 NO_DECISIONS, 50)
    assert result.cluster_of[0] == result.cluster_of[1] != result.cluster_of[2]


def test_steward_decisions_are_honoured():
    decisions = pl.DataFrame({F.UID_L: [0, 2], F.UID_R: [1, 3], "decision": ["no_match",
                                                                            "match"]},
                             schema=NO_DECISIONS.schema)
    # 0-1 is a strong model link but a steward said no; 2-3 has no link but a steward said yes
    result = cluster_individuals(4, _links([(0, 1, 30.0), (1, 2, 1.0), (0, 2, 1.0)]), {},
                                 decisions, 50)
    assert result.cluster_of[0] != result.cluster_of[1]
    assert result.cluster_of[2] == result.cluster_of[3]


def test_oversized_clusters_are_flagged():
    result = cluster_individuals(5, _links([(0, 1, 9.0), (1, 2, 9.0), (2, 3, 9.0)]), {},
                                 NO_DECISIONS, 3)
    assert list(result.flags.values()) == ["oversized"]


def test_twins_with_clearly_different_given_names_stay_apart_but_nicknames_join():
    names = {"first_name": ["emily|sullivan", "vincent|sullivan", "em|sullivan",
                            "robert|smith", "bob|smith", "smith|robert"]}
    links = _links([(0, 1, 20.0), (0, 2, 15.0), (3, 4, 15.0), (4, 5, 12.0)])
    result = cluster_individuals(6, links, names, NO_DECISIONS, 50)
    assert result.cluster_of[0] != result.cluster_of[1]  # emily and vincent: twins
    assert result.cluster_of[0] == result.cluster_of[2]  # em: a typo-close short form
    assert len({result.cluster_of[i] for i in (3, 4, 5)}) == 1  # nickname, swapped names


def test_sparsely_linked_clusters_are_flagged_as_low_cohesion():
    chain = _links([(i, i + 1, 9.0) for i in range(6)])  # 7 records, 6 of 21 pairs linked
    dense = _links([(0, 1, 9.0), (1, 2, 9.0), (0, 2, 9.0), (2, 3, 9.0), (0, 3, 9.0)])
    assert list(cluster_individuals(7, chain, {}, NO_DECISIONS, 50).flags.values()) == [
        "low_cohesion"]
    assert cluster_individuals(4, dense, {}, NO_DECISIONS, 50).flags == {}


def test_given_names_conflict_between_clusters_only_when_no_name_is_compatible():
    names = {"first_name": ["susan|johnson", "susie|johnson", "ssuan|johnson",
                            "emily|sullivan", "vincent|sullivan"]}
    # susie-susan and susan-ssuan are close; susie-ssuan are not: still one person
    links = _links([(0, 1, 20.0), (0, 2, 15.0), (3, 4, 15.0)])
    result = cluster_individuals(5, links, names, NO_DECISIONS, 50)
    assert len({result.cluster_of[i] for i in (0, 1, 2)}) == 1
    assert result.cluster_of[3] != result.cluster_of[4]


def test_a_record_without_suffix_or_birth_date_does_not_join_a_jr_automatically():
    strong = {"dob": ["19800101", None, "19800101"], "suffix": ["JR", None, None]}
    # 1 has neither suffix nor dob: Jr or Sr? 2 has the Jr's birth date: it joins
    result = cluster_individuals(3, _links([(0, 1, 20.0), (0, 2, 15.0)]), strong,
                                 NO_DECISIONS, 50)
    assert result.cluster_of[0] != result.cluster_of[1]
    assert result.cluster_of[0] == result.cluster_of[2]
    assert result.refused.get_column("reason").to_list() == ["ambiguous_generation"]


def _dob_model(m, u):
    from resolver.config import Comparison
    from resolver.score.model import ComparisonParams, Model

    levels = ("exact", "day_month_swapped", "levenshtein <= 1", "same_year", "else")
    comparison = Comparison("dob", "dob", levels)
    return (comparison,), Model(prior=0.001, comparisons=[
        ComparisonParams("dob", "dob", list(levels), m, u, u)])


def test_what_counts_as_a_date_conflict_comes_from_the_model():
    from resolver.cluster.conflicts import model_checkers

    u = [0.002, 0.0001, 0.002, 0.015, 0.9809]
    # dates of one person often a year off (m of same_year 0.2) and otherwise unrelated
    # in 20% of pairs: neither is near-certain, so no date conflicts at all
    loose = _dob_model([0.5, 0.01, 0.09, 0.2, 0.2], u)
    # one person's dates almost never differ beyond a typo: same_year and else conflict
    strict = _dob_model([0.9, 0.02, 0.07, 0.005, 0.005], u)
    year_off, unrelated, typo = ("20130807", "20140806"), ("19800101", "19550707"), (
        "19800101", "19800102")
    lax = model_checkers(loose[1], loose[0], ("dob",), 0.95, 0.5)["dob"]
    tight = model_checkers(strict[1], strict[0], ("dob",), 0.95, 0.5)["dob"]
    assert not lax(*year_off) and not lax(*unrelated) and not lax(*typo)
    assert tight(*year_off) and tight(*unrelated) and not tight(*typo)


def test_a_strong_link_between_groups_whose_other_pairs_disagree_is_refused():
    scored = pl.DataFrame([(0, 1, 0.999), (2, 3, 0.999), (1, 2, 0.97), (0, 2, 0.05),
                           (0, 3, 0.02), (1, 3, 0.1)],
                          schema={F.UID_L: pl.UInt32, F.UID_R: pl.UInt32,
                                  F.MATCH_PROBABILITY: pl.Float64}, orient="row")
    links = _links([(0, 1, 12.0), (2, 3, 12.0), (1, 2, 5.0)])
    chained = cluster_individuals(4, links, {}, NO_DECISIONS, 50, scored=scored,
                                  min_support=0.5)
    assert chained.cluster_of[0] == chained.cluster_of[1] != chained.cluster_of[2]
    assert chained.refused.get_column("reason").to_list() == ["weak_support"]
    # cross pairs that lean towards a match, but one link between two pairs of records:
    # not enough; a second link is
    agreeing = scored.with_columns(pl.lit(0.96).alias(F.MATCH_PROBABILITY))
    single = cluster_individuals(4, links, {}, NO_DECISIONS, 50, scored=agreeing,
                                 min_support=0.5)
    assert single.refused.get_column("reason").to_list() == ["single_link"]
    two = pl.concat([links, _links([(0, 3, 4.5)])])
    joined = cluster_individuals(4, two, {}, NO_DECISIONS, 50, scored=agreeing,
                                 min_support=0.5)
    assert len(set(joined.cluster_of)) == 1


def test_two_single_records_whose_dates_conflict_join_when_the_model_linked_them():
    # the link weighed the dates itself; a third record, with a date that conflicts with
    # both and a link to only one of them, is still held off
    dob = {"dob": ["19800101", "19550707", "19300303"]}
    result = cluster_individuals(3, _links([(0, 1, 20.0), (1, 2, 15.0)]), dob,
                                 NO_DECISIONS, 50)
    assert result.cluster_of[0] == result.cluster_of[1]
    assert result.cluster_of[2] != result.cluster_of[0]


def test_value_levels_of_dates_agree_with_the_pair_comparison():
    """The guard judges two dates by the same levels the comparison gives their pair,
    years_apart included (it once raised KeyError there)."""
    from resolver.cluster.conflicts import value_level
    from resolver.compare.compute import comparison_levels
    from resolver.config import Comparison

    dob = Comparison("dob", "dob", ("exact", "day_month_swapped", "levenshtein <= 1",
                                    "years_apart <= 1", "years_apart <= 10", "else"))
    a = ["20130807", "19800315", "17500101", "19631064", "19000101", "19800101"]
    b = ["20140806", "19890314", "17500605", "19631065", "19450101", "19800101"]
    frame = pl.DataFrame({"dob_text_l": a, "dob_text_r": b})
    expected = frame.select(comparison_levels(frame, dob)).to_series().to_list()
    assert [value_level(dob, x, y) for x, y in zip(a, b)] == expected


def test_clustering_by_component_equals_clustering_every_record_at_once():
    """The renumbering to linked records and the shortcut for lone pairs change nothing:
    the same individuals, refused links and flags as the guarded clustering run over
    every record in one piece (_cluster_linked), on random graphs with clashing suffixes,
    dates and given names, steward decisions and scored non-links."""
    from resolver.cluster.conflicts import checker
    from resolver.cluster.individuals import _cluster_linked

    rng = random.Random(5)
    for _ in range(60):
        n = rng.randint(2, 40)
        edges = {tuple(sorted(rng.sample(range(n), 2))) for _ in range(rng.randint(1, n))}
        links = _links([(a, b, rng.choice([5.0, 9.0, 12.0, 12.0])) for a, b in sorted(edges)])
        strong = {"dob": [rng.choice([None, "19800101", "19800101", "19911111"])
                          for _ in range(n)],
                  "suffix": [rng.choice([None, None, None, "JR", "SR"]) for _ in range(n)],
                  "first_name": [rng.choice(["ann|lee", "ann|lee", "bob|lee", None])
                                 for _ in range(n)]}
        decided = [(*sorted(rng.sample(range(n), 2)), rng.choice(["match", "no_match"]))
                   for _ in range(rng.randint(0, 2))]
        decisions = pl.DataFrame(decided, schema=NO_DECISIONS.schema, orient="row")
        scored = pl.concat([links.select(F.UID_L, F.UID_R), pl.DataFrame(
            [sorted(rng.sample(range(n), 2)) for _ in range(n)],
            schema={F.UID_L: pl.UInt32, F.UID_R: pl.UInt32}, orient="row")]).unique(
            ).with_columns(pl.lit(0.2).alias(F.MATCH_PROBABILITY))
        scored = scored.join(links.select(F.UID_L, F.UID_R, pl.lit(0.99).alias("p")),
                             on=[F.UID_L, F.UID_R], how="left").select(
            F.UID_L, F.UID_R, pl.coalesce("p", F.MATCH_PROBABILITY).alias(F.MATCH_PROBABILITY))
        checks = {name: checker(name) for name in strong}
        got = cluster_individuals(n, links, strong, decisions, 3, checks, scored, 0.5)
        want = _cluster_linked(n, links, strong, decisions, 3, checks, scored, 0.5)
        assert _partition(got.cluster_of.tolist()) == _partition(want.cluster_of.tolist())
        assert sorted(got.refused.rows()) == sorted(want.refused.rows())
        members = lambda c, root: frozenset(  # noqa: E731
            i for i, r in enumerate(c.cluster_of.tolist()) if r == c.cluster_of[root])
        assert ({members(got, r): f for r, f in got.flags.items()}
                == {members(want, r): f for r, f in want.flags.items()})


def test_clustering_split_over_worker_processes_gives_the_same_result(monkeypatch):
    """Components are clustered in groups, one per worker process, when there are many:
    the same roots, refused links and flags as one process clustering them all."""
    from resolver.cluster import individuals
    from resolver.cluster.conflicts import checker
    from resolver.normalize.text import WORKERS_ENV, _pool

    rng = random.Random(8)
    n = 3000
    edges = set()
    for start in range(0, n, 6):  # components of up to six records, some chained
        size = rng.randint(3, 6)
        nodes = list(range(start, min(start + size, n)))
        edges |= {tuple(sorted(rng.sample(nodes, 2))) for _ in range(len(nodes) + 1)
                  if len(nodes) > 1}
    links = _links([(a, b, rng.choice([5.0, 9.0, 12.0])) for a, b in sorted(edges)])
    strong = {"dob": [rng.choice([None, "19800101", "19911111"]) for _ in range(n)],
              "suffix": [rng.choice([None, None, "JR", "SR"]) for _ in range(n)]}
    scored = links.select(F.UID_L, F.UID_R, pl.lit(0.99).alias(F.MATCH_PROBABILITY))
    checks = {name: checker(name) for name in strong}

    def run():
        return cluster_individuals(n, links, strong, NO_DECISIONS, 4, checks, scored, 0.5)

    monkeypatch.setattr(individuals, "PARALLEL_MIN_RECORDS", 10 ** 9)
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    alone = run()
    monkeypatch.setenv(WORKERS_ENV, "2")
    rest = np.arange(n, dtype=np.int64)
    component = np.repeat(np.arange(n // 6 + 1), 6)[:n]
    if _pool() is not None:  # a pool this process already made: it splits when it has two
        assert len(individuals._component_groups(rest, component)) >= 2
    split = run()
    assert split.cluster_of.tolist() == alone.cluster_of.tolist()
    assert split.refused.rows() == alone.refused.rows()
    assert split.flags == alone.flags
    assert alone.refused.height and alone.flags  # the guards had work to do
