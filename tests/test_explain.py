"""`resolver explain`: the run's own numbers for a pair it kept, a rescore of the two
records alone for any other pair (checked against the whole pipeline's score), whether
and how the pair was a candidate, what kept two records apart, and `--entity`."""

import polars as pl
import pytest

from resolver import frames as F
from resolver.explain import explain_pair
from resolver.explain_entity import explain_entity
from resolver.pipeline import run_pipeline
from tests.test_cli import resolver


def _key(row: dict, side: str) -> str:
    return f"{row[F.left(F.SOURCE)] if side == 'l' else row[F.right(F.SOURCE)]}:" \
           f"{row[F.left(F.RECORD_ID)] if side == 'l' else row[F.right(F.RECORD_ID)]}"


@pytest.fixture(scope="module")
def scored_everything(sample_run):
    """Every candidate pair of the sample run with its score (an oracle)."""
    config, _ = sample_run
    result = run_pipeline(config)
    keys = result.normalized.select(F.UID, F.RECORD_KEY)
    return (result.scored.join(keys.rename({F.UID: F.UID_L, F.RECORD_KEY: "a"}), on=F.UID_L)
            .join(keys.rename({F.UID: F.UID_R, F.RECORD_KEY: "b"}), on=F.UID_R))


def test_a_kept_pair_is_explained_from_the_outputs_and_adds_up(sample_run, monkeypatch):
    config, out = sample_run
    import resolver.explain_records as records

    heights = []
    real = records.normalize_records
    monkeypatch.setattr(records, "normalize_records",
                        lambda frame, cfg: heights.append(frame.height) or real(frame, cfg))
    pairs = pl.read_parquet(out / "pairs.parquet")
    row = pairs.filter(pl.col(F.DECISION) == "match").row(0, named=True)
    e = explain_pair(out, _key(row, "l"), _key(row, "r"))
    assert heights == []  # read from the run's store, normalized as the run did
    assert e.in_pairs and e.blocking_rule == row[F.BLOCKING_RULE]
    assert e.match_weight == pytest.approx(row[F.MATCH_WEIGHT])
    total = e.prior_weight + sum(s["weight"] for s in e.steps) + e.household_adjustment
    assert total == pytest.approx(e.match_weight)
    assert [s["level"] for s in e.steps] == [row[f"{c.name}_level"] for c in config.comparisons]
    assert e.candidate.startswith(f"a candidate pair under blocking rule {row[F.BLOCKING_RULE]}"
                                  ", scored at or above the review threshold")


@pytest.mark.parametrize("agreeing", [["last_name"], ["first_name", "last_name"]])
def test_a_pair_below_the_review_threshold_is_rescored_as_the_run_scored_it(
        sample_run, scored_everything, agreeing):
    config, out = sample_run
    below = scored_everything.filter(
        pl.col(F.MATCH_PROBABILITY) < config.review_threshold,
        *(pl.col(F.gamma(name)) == 1 for name in agreeing)).sort("a", "b").row(0, named=True)
    e = explain_pair(out, below["a"], below["b"])
    assert not e.in_pairs and e.decision is None
    assert e.blocking_rule == below[F.BLOCKING_RULE]
    assert e.match_weight == pytest.approx(below[F.MATCH_WEIGHT], abs=1e-9)
    assert e.candidate.startswith(f"a candidate pair under blocking rule "
                                  f"{below[F.BLOCKING_RULE]}, scored below the review threshold")


def test_an_output_without_a_store_is_explained_from_the_sources_alike(
        sample_run, scored_everything, tmp_path, monkeypatch):
    """The store is a shortcut, not another answer: with it removed, the two records are
    read from their sources and normalized alone, and every number is the same."""
    import shutil

    import resolver.explain_records as records

    config, out = sample_run
    bare = tmp_path / "out"
    shutil.copytree(out, bare, ignore=shutil.ignore_patterns("store"))
    heights = []
    real = records.normalize_records
    monkeypatch.setattr(records, "normalize_records",
                        lambda frame, cfg: heights.append(frame.height) or real(frame, cfg))
    kept = pl.read_parquet(out / "pairs.parquet").row(0, named=True)
    below = scored_everything.filter(
        pl.col(F.MATCH_PROBABILITY) < config.review_threshold,
        pl.col(F.gamma("first_name")) == 1).sort("a", "b").row(0, named=True)
    for a, b in ((_key(kept, "l"), _key(kept, "r")), (below["a"], below["b"])):
        with_store, without = explain_pair(out, a, b), explain_pair(bare, a, b)
        assert without.match_weight == pytest.approx(with_store.match_weight, abs=1e-9)
        assert without.steps == with_store.steps
        assert without.blocking_rule == with_store.blocking_rule
    assert 2 in heights  # without the store the two records were normalized alone


def test_a_pair_no_rule_puts_together_was_never_a_candidate(sample_run, scored_everything):
    _, out = sample_run
    a, b = "crm:C0000001", "crm:C0000500"
    assert scored_everything.filter(pl.col("a").is_in([a, b]) & pl.col("b").is_in([a, b])
                                    ).height == 0
    e = explain_pair(out, a, b)
    assert e.blocking_rule is None and not e.same_individual
    assert e.candidate == "never a candidate: no blocking rule puts them together"
    assert e.reasons == ["the run never compared them (no blocking rule puts them together)"]


def test_a_guard_that_kept_a_pair_apart_is_named(sample_run):
    _, out = sample_run
    row = pl.read_parquet(out / "pairs.parquet").filter(
        pl.col(F.DECISION_SOURCE).str.starts_with("guard:")).row(0, named=True)
    done = resolver("explain", out, _key(row, "l"), _key(row, "r"))
    assert done.returncode == 0, done.stderr
    guard = row[F.DECISION_SOURCE][len("guard:"):]
    assert f"a guard refused this link ({guard})" in done.stdout
    assert f"{row[F.MATCH_WEIGHT]:+.2f}" in done.stdout


def test_explain_refuses_a_record_with_itself_and_unknown_records(sample_run):
    _, out = sample_run
    same = resolver("explain", out, "crm:C0000001", "crm:C0000001")
    assert same.returncode == 2 and "A and B are the same record" in same.stderr
    unknown = resolver("explain", out, "crm:C0000001", "crm:NOPE")
    assert unknown.returncode == 2 and "is not in" in unknown.stderr


def test_entity_lists_records_links_and_refused_links(sample_run):
    _, out = sample_run
    pairs = pl.read_parquet(out / "pairs.parquet")
    guarded = pairs.filter(pl.col(F.DECISION_SOURCE).str.starts_with("guard:")).row(
        0, named=True)
    lineage = pl.read_parquet(out / "lineage.parquet").with_columns(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias("key"))
    entity = lineage.filter(pl.col("key") == _key(guarded, "l")).item(0, F.ENTITY_ID)
    e = explain_entity(out, entity)
    members = lineage.filter(pl.col(F.ENTITY_ID) == entity).get_column("key").to_list()
    assert sorted(e.records.get_column(F.RECORD_KEY).to_list()) == sorted(members)
    assert e.records.get_column("name").null_count() < e.records.height
    assert all(a in members and b in members for a, b in e.links.select(
        "record_a", "record_b").rows())
    refused = e.refused.filter(pl.col("record_b") == _key(guarded, "r"))
    assert refused.height == 1
    assert refused.item(0, "why") == f"guard refused: {guarded[F.DECISION_SOURCE][6:]}"
    done = resolver("explain", out, "--entity", entity)
    assert done.returncode == 0 and "links refused to other individuals: " in done.stdout
    missing = resolver("explain", out, "--entity", "E_NOPE")
    assert missing.returncode == 2 and "no individual 'E_NOPE'" in missing.stderr


def test_explain_needs_two_records_or_an_entity(sample_run):
    _, out = sample_run
    one = resolver("explain", out, "crm:C0000001")
    assert one.returncode == 2 and one.stderr.startswith("Error: give two records")
    both = resolver("explain", out, "crm:C0000001", "web:100001", "--entity", "E1")
    assert both.returncode == 2 and "give two records or --entity ID, not both" in both.stderr


def test_a_pair_under_a_rule_capped_to_fit_names_the_size_it_ran_under(tmp_path):
    """A candidate under the review threshold, from a rule whose blocks were split: the
    reason names the block size the run capped the rule at, or max_block_size when the
    run kept the configured cap."""
    import json

    from resolver.config import load_config
    from resolver.explain import _candidacy
    from tests.conftest import SAMPLE_CONFIG

    config = load_config(SAMPLE_CONFIG)
    blocking = [{"rule": "dob", "refined_blocks": 3, "skipped_blocks": 0, "capped_at": 16},
                {"rule": "email", "refined_blocks": 2, "skipped_blocks": 0, "capped_at": 0},
                {"rule": "phone", "refined_blocks": 0, "skipped_blocks": 0, "capped_at": 16}]
    (tmp_path / "run.json").write_text(json.dumps({"blocking": blocking}))
    said = {rule: _candidacy(tmp_path, config, None, rule, 0.1, "a:1", "b:2")
            for rule in ("dob", "email", "phone")}
    assert "larger than 16 records (the block size the run capped it at" in said["dob"]
    assert "larger than blocking.max_block_size," in said["email"]
    assert "larger than" not in said["phone"]  # no block of it was split
