"""Stable IDs across runs: a new batch keeps every old ID that was not merged or split,
and changes.parquet lists exactly the merges and splits."""

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.job import execute


def _lineage(out) -> pl.DataFrame:
    return pl.read_parquet(out / "lineage.parquet").select(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias("key"), F.ENTITY_ID)


def test_a_new_batch_keeps_old_ids_and_lists_merges_and_splits(sample_copy):
    web = sample_copy / "sample_data" / "web_signups.parquet"
    everything = pl.read_parquet(web)
    config_path = sample_copy / "configs" / "sample.toml"
    # the earlier run saw the web sign-ups without the latest 15%
    everything.head(int(everything.height * 0.85)).write_parquet(web)
    execute(load_config(config_path), sample_copy / "before", "parquet")
    everything.write_parquet(web)
    # and a steward since split one individual and joined two others, so the new run
    # holds a split and a merge whatever the model makes of the new records
    groups = (_lineage(sample_copy / "before").group_by(F.ENTITY_ID)
              .agg(pl.col("key").sort()).sort(F.ENTITY_ID).get_column("key").to_list())
    pair = next(g for g in groups if len(g) >= 2)
    apart = [g[0] for g in groups if len(g) == 1][:2]
    pl.DataFrame({"record_a": [pair[0], apart[0]], "record_b": [pair[1], apart[1]],
                  "decision": ["no_match", "match"]}).write_csv(
        sample_copy / "sample_data" / "decisions.csv")
    execute(load_config(config_path), sample_copy / "after", "parquet",
            previous=sample_copy / "before")

    before, after = _lineage(sample_copy / "before"), _lineage(sample_copy / "after")
    old_to_new = before.join(after, on="key", suffix="_new").group_by(F.ENTITY_ID).agg(
        pl.col("entity_id_new").unique())
    new_to_old = before.join(after, on="key", suffix="_new").group_by("entity_id_new").agg(
        pl.col(F.ENTITY_ID).unique())
    split_ids = set(old_to_new.filter(pl.col("entity_id_new").list.len() > 1)
                    .get_column(F.ENTITY_ID).to_list())
    merged_into = new_to_old.filter(pl.col(F.ENTITY_ID).list.len() > 1)
    merged_ids = {i for ids in merged_into.get_column(F.ENTITY_ID).to_list() for i in ids}
    assert split_ids and merged_ids, "the scenario should hold merges and splits to check"
    # every old ID neither split nor merged is still there, on the same records
    untouched = old_to_new.filter(~pl.col(F.ENTITY_ID).is_in(list(split_ids | merged_ids)))
    for old, news in untouched.iter_rows():
        assert news == [old]
    changes = pl.read_parquet(sample_copy / "after" / "changes.parquet")
    listed_splits = set(changes.filter(pl.col("change") == "split").get_column(F.ENTITY_ID))
    assert listed_splits == split_ids
    listed_merges = changes.filter(pl.col("change") == "merged")
    assert set(listed_merges.get_column(F.ENTITY_ID)) == set(
        merged_into.get_column("entity_id_new"))
    for kept, retired in listed_merges.select(F.ENTITY_ID, "related_ids").iter_rows():
        group = merged_into.filter(pl.col("entity_id_new") == kept).get_column(F.ENTITY_ID)[0]
        assert set(group.to_list()) == set(retired) | {kept}
    new_ids = set(changes.filter(pl.col("change") == "new").get_column(F.ENTITY_ID))
    assert new_ids == set(after.get_column(F.ENTITY_ID)) - set(before.get_column(F.ENTITY_ID)) - {
        i for ids in changes.filter(pl.col("change") == "split").get_column("related_ids")
        for i in ids}


def test_previous_run_written_as_csv_keeps_ids_such_as_0001(tmp_path):
    from resolver.output import read_previous

    (tmp_path / "lineage.csv").write_text("source,record_id,entity_id\ncrm,0001,E1\n")
    assert read_previous(tmp_path).rows() == [("crm:0001", "E1")]
