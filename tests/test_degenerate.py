"""Degenerate data costs bounded work: identical records are paired once, and rules that
would make too many pairs are refused before any pair is made."""

import json
import subprocess
import sys
import textwrap

import polars as pl
import pytest

from resolver import frames as F
from resolver.block import DUPLICATE_RULE, candidate_pairs, duplicate_representatives
from resolver.config import BlockCap, BlockingRule
from resolver.errors import InputError

CONFIG = textwrap.dedent("""\
    [[sources]]
    name = "a"
    path = "people.csv"
    id_column = "id"
    [sources.columns]
    full_name = "name"
    dob = "birth"
    email = "email"
    [blocking]
    rules = [["dob"], ["last_name"], ["email"]]
    [[comparisons]]
    kind = "first_name"
    [[comparisons]]
    kind = "last_name"
    [[comparisons]]
    kind = "dob"
    [[comparisons]]
    kind = "email"
    """)


def frame(rows: list[dict], sources: list[str] | None = None) -> pl.DataFrame:
    n = len(rows)
    return pl.DataFrame(rows).with_columns(
        pl.Series(F.UID, range(n), dtype=pl.UInt32),
        pl.Series(F.SOURCE, sources or ["a"] * n),
        pl.Series(F.RECORD_ID, [str(i) for i in range(n)]))


def test_identical_records_are_paired_with_their_first_copy_only():
    rows = [{"last_name": "lee", "dob_text": "19800102"}] * 5 + [
        {"last_name": "lee", "dob_text": "19800103"}]
    normalized = frame(rows)
    reps = duplicate_representatives(normalized, link_only=False)
    assert reps.get_column("rep").to_list() == [0, 0, 0, 0, 0, 5]
    pairs, _ = candidate_pairs(normalized, (BlockingRule("last_name", ("last_name",)),),
                               BlockCap(1000))
    got = {(a, b, rule) for a, b, rule in pairs.iter_rows()}
    assert got == {(0, 1, DUPLICATE_RULE), (0, 2, DUPLICATE_RULE), (0, 3, DUPLICATE_RULE),
                   (0, 4, DUPLICATE_RULE), (0, 5, "last_name")}


def test_link_only_hands_a_representative_s_pairs_to_its_copies():
    rows = [{"last_name": "lee"}] * 3
    normalized = frame(rows, sources=["a", "a", "b"])
    pairs, _ = candidate_pairs(normalized, (BlockingRule("last_name", ("last_name",)),),
                               BlockCap(1000),
                               link_only=True)
    assert sorted((a, b) for a, b, _ in pairs.iter_rows()) == [(0, 2), (1, 2)]


def test_rules_that_would_make_too_many_pairs_are_capped_or_refused_before_pairing():
    """One date shared by 300 records: past max_pairs its block is capped and, with no
    refine key to split it, skipped and counted; thirty blocks of ten (no block over the
    smallest fitted size) cannot be capped under max_pairs and are refused."""
    normalized = frame([{"last_name": f"n{i}", "dob_text": "19800102"} for i in range(300)])
    rules = (BlockingRule("dob", ("dob",)),)
    pairs, stats = candidate_pairs(normalized, rules, BlockCap(10 ** 15), max_pairs=10_000)
    assert pairs.height == 0
    assert (stats[0].capped_to_fit, stats[0].skipped_blocks, stats[0].skipped_records) == (
        44_850, 1, 300)
    pairs, _ = candidate_pairs(normalized, rules, BlockCap(10 ** 15), max_pairs=50_000)
    assert pairs.height == 44_850
    tens = frame([{"last_name": f"n{i}", "dob_text": f"1980010{i % 30:02d}"}
                  for i in range(300)])
    with pytest.raises(InputError, match=r"would make 1,350 candidate pairs even with 1 "
                                         r"rule\(s\) capped at blocks of 10 records to fit, "
                                         r"more than blocking.max_pairs = 1,000 \(largest: "
                                         r"rule dob"):
        candidate_pairs(tens, rules, BlockCap(10 ** 15), max_pairs=1_000)


def test_twenty_thousand_identical_records_run_in_under_a_gigabyte(tmp_path):
    row = "Robert Smith,1980-01-02,rsmith@example.org\n"
    (tmp_path / "people.csv").write_text("id,name,birth,email\n" + "".join(
        f"{i},{row}" for i in range(20_000)))
    (tmp_path / "c.toml").write_text(CONFIG)
    # a fresh parent whose only child is the run: its children's peak RSS is the run's
    probe = ("import resource, subprocess, sys; done = subprocess.run([sys.executable, '-m', "
             "'resolver', 'run', 'c.toml', '--out', 'out', '-q']); "
             "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600)
    code, peak_kib = map(int, result.stdout.split())
    assert code == 0, result.stderr
    assert peak_kib < 1024 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"
    lineage = pl.read_parquet(tmp_path / "out" / "lineage.parquet")
    assert lineage.height == 20_000  # every record once


def _capped_at_ten(unseen_sample):
    """The unseen sample's config with blocks capped at 10; its normalized records; the
    pairs its rules would make by the block-size upper bound."""
    from dataclasses import replace

    from resolver.block import _keys_frame, duplicate_representatives, predicted_pairs
    from resolver.ingest import ingest
    from resolver.normalize.stage import normalize_records

    config, _ = unseen_sample
    config = replace(config, max_block_size=10)
    normalized = normalize_records(ingest(config), config)
    keys = _keys_frame(normalized, {k for r in config.blocking_rules for k in r.keys}
                       | set(config.refine_with), duplicate_representatives(normalized, False))
    predicted = sum(predicted_pairs(keys, r, config.block_cap) for r in config.blocking_rules)
    return config, normalized, predicted


def test_a_run_past_max_pairs_caps_a_rule_and_says_so(unseen_sample, tmp_path):
    """Generated data at an unseen seed, blocks capped at 10 and max_pairs just under
    what the rules would make: the run completes within max_pairs, names the capped
    rule in a warning and in run.json, and the config later stages read (training's
    rule membership, the blocking recall estimate) holds the cap as run: under it, pairs
    the rule found only in its oversized blocks are no longer the rule's."""
    from dataclasses import replace

    from resolver.block import rule_membership
    from resolver.job import run_and_publish

    config, normalized, predicted = _capped_at_ten(unseen_sample)
    config = replace(config, max_pairs=predicted - 500)
    told = []
    result, _ = run_and_publish(config, tmp_path / "out", "parquet", warn=told.append)
    capped = [s.rule for s in result.blocking if s.capped_to_fit]
    assert capped and result.config.block_cap.capped == tuple(capped)
    assert result.scored.height <= config.max_pairs
    assert all(any(f"blocking rule {rule} would make" in line for line in told)
               for rule in capped)
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert {r["rule"] for r in run["blocking"] if r["capped_to_fit"]} == set(capped)
    # the capped rule's bit: pairs it found uncapped but no longer does are not its own
    pairs = result.scored.select(F.UID_L, F.UID_R)
    bit = [r.name for r in config.blocking_rules].index(capped[0])
    as_run = rule_membership(pairs, normalized, config.blocking_rules, result.config.block_cap)
    whole = rule_membership(pairs, normalized, config.blocking_rules, config.block_cap)
    assert ((as_run >> bit) & 1).sum() < ((whole >> bit) & 1).sum()
    assert 0 < result.model.trained["blocking_recall_estimate"] <= 1


def test_over_max_pairs_refuse_stops_the_run_where_cap_would_fit_it(unseen_sample, tmp_path):
    """blocking.over_max_pairs = "refuse": the same data and ceiling that a capped run fits
    (the test above) stop with exit 2 before a pair is made, and no output is written."""
    from dataclasses import replace

    from resolver.job import run_and_publish

    config, _, predicted = _capped_at_ten(unseen_sample)
    refusing = replace(config, max_pairs=predicted - 500, cap_to_fit=False)
    with pytest.raises(InputError, match=f"would make {predicted:,} candidate pairs, more "
                                         f"than blocking.max_pairs = {predicted - 500:,}"):
        run_and_publish(refusing, tmp_path / "out", "parquet")
    assert not (tmp_path / "out").exists()
