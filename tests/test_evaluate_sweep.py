"""`resolver evaluate --sweep` and steward decisions as labels: the sweep against counts
made by hand from pairs.parquet and the truth file, decisions scored as labelled pairs,
tables that fit 80 columns, and exit 2 when there is nothing to score against."""

import json

import polars as pl
import pytest

from resolver import frames as F
from resolver.evaluate_sweep import Labelled, from_truth, sweep
from tests.conftest import ROOT, run_sample_copy
from tests.test_cli import resolver

TRUTH = ROOT / "sample_data" / "truth.parquet"


def test_a_sweep_on_known_labels():
    labelled = Labelled(pl.DataFrame({"p": [0.55, 0.75, 0.96, 0.999, None],
                                      "y": [0, 1, 1, 1, 1]}), 5, "truth", "")
    rows = {r["threshold"]: r for r in sweep(labelled, 0.5).iter_rows(named=True)}
    assert (rows[0.5]["pairs"], rows[0.5]["true_matches"]) == (4, 3)
    assert rows[0.5]["precision"] == 0.75 and rows[0.5]["recall"] == 0.6
    assert (rows[0.95]["pairs"], rows[0.95]["recall"]) == (2, 0.4)
    assert rows[0.999]["true_matches"] == 1
    assert min(sweep(labelled, 0.9).get_column("threshold")) == 0.9


def test_the_truth_sweep_counts_what_pairs_and_truth_say(sample_run):
    _, out = sample_run
    pairs = pl.read_parquet(out / "pairs.parquet")
    truth = pl.read_parquet(TRUTH).with_columns(pl.col(F.RECORD_ID).cast(pl.String))
    person = {(s, r): p for s, r, p in truth.select(F.SOURCE, F.RECORD_ID, "person_id")
              .iter_rows()}
    above = [row for row in pairs.iter_rows(named=True) if row[F.MATCH_PROBABILITY] >= 0.95]
    same = sum(person[(r["source_l"], r["record_id_l"])] == person[(r["source_r"],
                                                                      r["record_id_r"])]
               for r in above)
    sizes = truth.group_by("person_id").len().get_column("len").to_list()
    labelled = from_truth(out, TRUTH)
    assert labelled.true_pairs == sum(n * (n - 1) // 2 for n in sizes)
    row = sweep(labelled, 0.5).filter(pl.col("threshold") == 0.95).row(0, named=True)
    assert (row["pairs"], row["true_matches"]) == (len(above), same)
    assert row["recall"] == pytest.approx(same / labelled.true_pairs)


def test_the_sweep_table_fits_80_columns(sample_run):
    _, out = sample_run
    shown = resolver("evaluate", out, "--truth", TRUTH, "--sweep")
    assert shown.returncode == 0, shown.stderr
    tables = [line for line in shown.stdout.splitlines() if line[:1] in "┏┃┡│├└"]
    assert tables and max(map(len, tables)) <= 80
    assert "threshold sweep (truth)" in shown.stdout


def test_decisions_serve_as_labels_without_a_truth_file(tmp_path):
    out = run_sample_copy(tmp_path)
    lineage = pl.read_parquet(out / "lineage.parquet").select(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias("key"), F.ENTITY_ID)
    pairs = pl.read_parquet(out / "pairs.parquet").filter(pl.col(F.DECISION) == "review")
    entity = dict(lineage.iter_rows())
    keys = [(f"{r['source_l']}:{r['record_id_l']}", f"{r['source_r']}:{r['record_id_r']}")
            for r in pairs.iter_rows(named=True)]
    apart = next(k for k in keys if entity[k[0]] != entity[k[1]])
    together = next(k for k in keys if entity[k[0]] == entity[k[1]] and not set(k) & set(apart))
    missing = resolver("evaluate", out)
    assert missing.returncode == 2 and "Give --truth FILE, or decide pairs" in missing.stderr
    assert resolver("review", out, "--accept", *apart).returncode == 0
    assert resolver("review", out, "--reject", *together).returncode == 0
    shown = resolver("evaluate", out, "--sweep", "--json")
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["labels"] == "decisions" and "decided pairs only" in doc["note"]
    assert doc["sweep"]["labelled_pairs"] == 2 and doc["sweep"]["true_pairs"] == 1
    decided = doc["individuals_on_decided_pairs"]
    # the accepted pair is apart (recall 0), the rejected one together (precision 0)
    assert (decided["decided_pairs"], decided["precision"], decided["recall"]) == (2, 0, 0)
    text = resolver("evaluate", out)
    assert "pairwise estimate on decided pairs only" in text.stdout
    errors = resolver("evaluate", out, "--errors", "3")
    assert errors.returncode == 2 and "--errors needs --truth FILE" in errors.stderr
