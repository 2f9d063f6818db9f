"""Incremental runs: a base run on the sample data less a held-out batch, then the batch
arrives (new people, new records of known people, changed addresses, deleted records).

The incremental run must equal a full run on the final data with the base run's model
and term frequencies pinned (`[model] path`, `[model] term_frequencies`) and the base run
as --previous: same lineage, entities and households. Where they may differ, and why the
test pins both: an incremental run never retrains (a retrained model moves borderline
pairs) and scores with the base run's term frequencies (a full run counting the final
records gives every term-frequency comparison slightly different weights, which can
move a pair across a threshold). Each source's detected dob format is pinned too; a full
run detects it again on the final data (the same on this data, whose formats are clear).
"""

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from resolver import frames as F
from resolver.config import load_config
from resolver.job import execute
from tests.conftest import ROOT
from tests.test_cli import resolver

SOURCES = {"crm.csv": "Street1", "web_signups.parquet": "address",
           "pos_loyalty.csv": "addr", "call_centre.csv": "address"}
HELD_OUT, DELETED, MOVED = 23, 41, 29  # every Nth row
LONE = 11  # every Nth CRM record: the surname alone, written in the first-name field


def _read(path: Path) -> pl.DataFrame:
    return pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(
        path, infer_schema=False)


def _write(frame: pl.DataFrame, path: Path) -> None:
    frame.write_parquet(path) if path.suffix == ".parquet" else frame.write_csv(path)


def _rows(frame: pl.DataFrame, every: int, offset: int = 0) -> pl.Expr:
    return (pl.int_range(pl.len()) + offset) % every == 0


def _prepare(root: Path) -> dict[str, pl.DataFrame]:
    """root: a copy of configs/ and sample_data/. Writes the base sources (the batch held
    out); -> each source's final rows (held-out rows back, some deleted, some moved)."""
    for folder in ("configs", "sample_data"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "sample_data" / "decisions.csv").unlink(missing_ok=True)
    final = {}
    for name, street in SOURCES.items():
        path = root / "sample_data" / name
        full = _read(path).with_row_index("_row")
        if name == "crm.csv":  # lone names: their pairs are compared with the name placed
            lone = _rows(full, LONE, 5)
            full = full.with_columns(
                pl.when(lone).then(pl.col("LastName")).otherwise(pl.col("FirstName"))
                .alias("FirstName"),
                pl.when(lone).then(pl.lit(None)).otherwise(pl.col("LastName")).alias("LastName"))
        held = full.filter(_rows(full, HELD_OUT))
        _write(full.join(held, on="_row", how="anti").drop("_row"), path)
        kept = full.join(held, on="_row", how="anti")
        deleted = kept.filter(_rows(kept, DELETED, 7)).select("_row")
        moved = kept.filter(_rows(kept, MOVED, 3)).select("_row", street)
        # a move: each moved record takes the next moved record's street
        moved = moved.with_columns(pl.col(street).shift(-1).fill_null(pl.col(street).first()))
        final[name] = (full.join(deleted, on="_row", how="anti")
                       .join(moved.rename({street: "_moved"}), on="_row", how="left")
                       .with_columns(pl.coalesce("_moved", street).alias(street))
                       .drop("_moved").sort("_row").drop("_row"))
    return final


def _write_final(root: Path, final: dict[str, pl.DataFrame]) -> None:
    for name, frame in final.items():
        _write(frame, root / "sample_data" / name)


def _pinned_config(root: Path, base: Path) -> Path:
    text = (root / "configs" / "sample.toml").read_text().replace(
        "[model]\n", f'[model]\npath = "{base / "model.json"}"\n'
        f'term_frequencies = "{base / "store" / "frequencies.parquet"}"\n')
    path = root / "configs" / "pinned.toml"
    path.write_text(text)
    return path


def _sorted(out: Path, name: str) -> pl.DataFrame:
    frame = pl.read_parquet(out / f"{name}.parquet")
    key = {"lineage": [F.SOURCE, F.RECORD_ID], "entities": [F.ENTITY_ID],
           "households": [F.HOUSEHOLD_ID]}[name]
    return frame.sort(key)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """(root, base output, incremental output, full output on the same final data)."""
    root = tmp_path_factory.mktemp("incremental")
    final = _prepare(root)
    config = root / "configs" / "sample.toml"
    base, inc, full = root / "base", root / "inc", root / "full"
    execute(load_config(config), base, "parquet")
    _write_final(root, final)
    keys = _sorted(base, "lineage").head(400)
    a, b = (f"{s}:{r}" for s, r in keys.select(F.SOURCE, F.RECORD_ID).rows()[10:12])
    new = final["crm.csv"].filter(_rows(final["crm.csv"], HELD_OUT)).item(0, "customer_id")
    apart = _sorted(base, "lineage").filter(pl.col(F.ENTITY_ID).is_duplicated()).head(2)
    c, d = (f"{s}:{r}" for s, r in apart.select(F.SOURCE, F.RECORD_ID).rows())
    (root / "sample_data" / "decisions.csv").write_text(
        "record_a,record_b,decision\n"
        f"{a},crm:{new},match\n{a},{b},match\n{c},{d},no_match\n")
    execute(load_config(config), inc, "parquet", previous=base, incremental=True)
    execute(load_config(_pinned_config(root, base)), full, "parquet", previous=base)
    return root, base, inc, full, ((a, f"crm:{new}"), (a, b), (c, d))


def test_batch_holds_every_kind_of_change(batch):
    _, base, inc, _, _ = batch
    delta = json.loads((inc / "run.json").read_text())["incremental"]
    assert delta["new"] > 50 and delta["changed"] > 50 and delta["deleted"] > 30
    # most pairs were not compared again, and most records were not re-clustered
    assert delta["pairs_reused"] > 4 * delta["pairs_compared"]
    assert 0 < delta["records_reclustered"] < delta["unchanged"] / 2
    # the individuals no change reached keep their golden records (and the equality
    # tests below show those equal the ones a full run builds)
    assert delta["golden_records_kept"] > delta["unchanged"] / 4
    lineage = _sorted(base, "lineage")
    held_people = _sorted(inc, "lineage").join(lineage, on=[F.SOURCE, F.RECORD_ID], how="anti")
    assert held_people.get_column(F.ENTITY_ID).is_in(
        lineage.get_column(F.ENTITY_ID).implode()).any(), "no new record of a known person"
    assert (~held_people.get_column(F.ENTITY_ID).is_in(
        lineage.get_column(F.ENTITY_ID).implode())).any(), "no new person"


@pytest.mark.parametrize("name", ["lineage", "entities", "households"])
def test_incremental_equals_full_run_with_pinned_model(batch, name):
    _, _, inc, full, _ = batch
    assert _sorted(inc, name).equals(_sorted(full, name)), name


def test_pairs_and_changes_equal_full_run(batch):
    _, _, inc, full, _ = batch
    for name in ("pairs", "changes"):
        assert pl.read_parquet(inc / f"{name}.parquet").equals(
            pl.read_parquet(full / f"{name}.parquet")), name
    kinds = set(pl.read_parquet(inc / "changes.parquet").get_column("change"))
    assert {"new", "updated", "household_moved"} <= kinds


def test_every_input_record_once_and_decisions_honoured(batch):
    root, _, inc, _, decided = batch
    lineage = _sorted(inc, "lineage")
    inputs = sum(_read(root / "sample_data" / n).height for n in SOURCES)
    assert lineage.height == inputs
    assert not lineage.select(F.SOURCE, F.RECORD_ID).is_duplicated().any()
    entity = dict(zip(lineage.select(pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID))
                      .to_series().to_list(), lineage.get_column(F.ENTITY_ID).to_list()))
    (a, new), (a2, b), (c, d) = decided
    assert entity[a] == entity[new] == entity[b]
    assert entity[c] != entity[d]


def test_incremental_output_is_byte_identical_on_rerun(batch, tmp_path):
    root, base, inc, _, _ = batch
    execute(load_config(root / "configs" / "sample.toml"), tmp_path / "again", "parquet",
            previous=base, incremental=True)
    for name in ("lineage", "entities", "households", "pairs", "changes"):
        assert (inc / f"{name}.parquet").read_bytes() == (
            tmp_path / "again" / f"{name}.parquet").read_bytes(), name


def test_other_survivorship_settings_rebuild_every_golden_record(batch, tmp_path):
    # golden records kept from the run before were chosen by its settings: with others,
    # every one is built again, and the values equal a full run's with the new settings
    root, base, _, _, _ = batch
    settings = '[survivorship]\ndefault = ["valid_first", "most_recent", "most_frequent"]'
    reordered = '[survivorship]\ndefault = ["most_frequent", "valid_first", "most_recent"]'
    for name in ("sample.toml", "pinned.toml"):
        text = (root / "configs" / name).read_text()
        assert settings in text
        (root / "configs" / f"other_{name}").write_text(text.replace(settings, reordered))
    inc, full = tmp_path / "inc", tmp_path / "full"
    execute(load_config(root / "configs" / "other_sample.toml"), inc, "parquet",
            previous=base, incremental=True)
    execute(load_config(root / "configs" / "other_pinned.toml"), full, "parquet",
            previous=base)
    assert json.loads((inc / "run.json").read_text())["incremental"][
        "golden_records_kept"] == 0
    assert _sorted(inc, "entities").equals(_sorted(full, "entities"))


def test_deleting_records_retires_and_shrinks_individuals(tmp_path):
    for folder in ("configs", "sample_data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "sample_data" / "decisions.csv").unlink(missing_ok=True)
    config = load_config(tmp_path / "configs" / "sample.toml")
    execute(config, tmp_path / "base", "parquet")
    lineage = _sorted(tmp_path / "base", "lineage")
    crm_only = (lineage.group_by(F.ENTITY_ID).agg(pl.col(F.SOURCE), pl.col(F.RECORD_ID))
                .filter((pl.col(F.SOURCE).list.len() >= 2)
                        & (pl.col(F.SOURCE).list.eval(pl.element() == "crm").list.all()))
                .sort(F.ENTITY_ID))
    gone_entity, gone_ids = crm_only.item(0, F.ENTITY_ID), crm_only.item(0, F.RECORD_ID)
    shrunk_entity, shrunk_ids = crm_only.item(1, F.ENTITY_ID), crm_only.item(1, F.RECORD_ID)
    deleted = [*gone_ids, shrunk_ids[0]]
    crm = tmp_path / "sample_data" / "crm.csv"
    _write(_read(crm).filter(~pl.col("customer_id").is_in(deleted)), crm)
    execute(config, tmp_path / "inc", "parquet", previous=tmp_path / "base", incremental=True)
    after = _sorted(tmp_path / "inc", "lineage")
    assert after.height == lineage.height - len(deleted)
    assert gone_entity not in after.get_column(F.ENTITY_ID).to_list()
    assert after.filter(pl.col(F.ENTITY_ID) == shrunk_entity).height == len(shrunk_ids) - 1
    changes = pl.read_parquet(tmp_path / "inc" / "changes.parquet")
    assert changes.filter(pl.col("change") == "retired").get_column(F.ENTITY_ID).to_list() == [
        gone_entity]


def _cli(*args):
    return resolver(*args)


def test_incremental_without_previous_exits_2(batch):
    root = batch[0]
    result = _cli("run", str(root / "configs" / "sample.toml"), "--out",
                  str(root / "x"), "--incremental")
    assert result.returncode == 2
    assert "give that run's output folder with --previous OLD_OUT" in result.stderr


def test_previous_without_store_exits_2(batch, tmp_path):
    root, base, *_ = batch
    old = tmp_path / "old"
    shutil.copytree(base, old)
    shutil.rmtree(old / "store")
    result = _cli("run", str(root / "configs" / "sample.toml"), "--out", str(tmp_path / "x"),
                  "--previous", str(old), "--incremental")
    assert result.returncode == 2
    assert "has no run store" in result.stderr
    assert "without --incremental" in result.stderr


def test_changed_comparisons_exit_2_naming_them(batch, tmp_path):
    root, base, *_ = batch
    text = (root / "configs" / "sample.toml").read_text()
    changed = root / "configs" / "changed.toml"
    changed.write_text(text.replace("max_cluster_size = 50", "max_cluster_size = 40"))
    result = _cli("run", str(changed), "--out", str(tmp_path / "x"), "--previous", str(base),
                  "--incremental")
    assert result.returncode == 2
    message = result.stderr
    assert "Traceback" not in message
    assert "(clustering differ from" in message and "Restore those settings" in message
    assert not (tmp_path / "x").exists()


def test_reclustering_seeds_from_pairs():
    """Which ends of a changed pair seed re-clustering (incremental/clusters.py): both
    ends of a pair dropped, or of a pair added between two unchanged records (a block
    changed); not the unchanged end of a pair added with a new record, which reaches that
    record's component only by linking into it, and the new record is then in it."""
    from resolver.incremental.pairs import split_pairs
    from resolver.store import Store

    # old uids 0..4 are records 0..4 now too; record 5 is new
    stored = pl.DataFrame({F.UID_L: [0, 1, 2], F.UID_R: [1, 2, 3], "gamma_x": [1, 0, 2],
                           F.MATCH_WEIGHT: [3.0, -2.0, 1.0]},
                          schema_overrides={F.UID_L: pl.UInt32, F.UID_R: pl.UInt32})
    store = Store(pl.DataFrame(), stored, *(pl.DataFrame() for _ in range(4)), {})
    old_to_new = pl.DataFrame({"old_uid": range(5), F.UID: range(5)},
                              schema={"old_uid": pl.UInt32, F.UID: pl.UInt32})
    # (0,1) kept, (1,2) dropped, (2,3) kept; (3,4) added between unchanged records and
    # (0,5) with the new one
    now = pl.DataFrame({F.UID_L: [0, 0, 2, 3], F.UID_R: [1, 5, 3, 4],
                        F.BLOCKING_RULE: ["r"] * 4}, schema=F.PAIR_SCHEMA)
    split = split_pairs(now, store, old_to_new, pl.Series([], dtype=pl.UInt32))
    assert split.reused.select(F.UID_L, F.UID_R).rows() == [(0, 1), (2, 3)]
    assert split.todo.select(F.UID_L, F.UID_R).rows() == [(0, 5), (3, 4)]
    assert sorted(split.touched.to_list()) == [1, 2, 3, 4]  # not 0


@pytest.mark.parametrize("store_order", ["uid", "shuffled"])
def test_unchanged_records_take_their_stored_rows_with_this_run_s_uids(store_order):
    """The stored rows of unchanged records come back with the new uid and row number,
    in uid order: read by a mask when the store is in uid order, joined when it is not."""
    import random

    from resolver.incremental.records import _stored_rows
    from resolver.store import CONTENT_HASH

    values = [f"v{i}" for i in range(10)]
    records = pl.DataFrame({F.UID: pl.Series(range(10), dtype=pl.UInt32),
                            F.ROW_NUMBER: pl.Series(range(100, 110), dtype=pl.UInt32),
                            "value": values, CONTENT_HASH: pl.Series(range(10), dtype=pl.UInt64)})
    if store_order == "shuffled":
        order = list(range(10))
        random.Random(3).shuffle(order)
        records = records[order]
    old = [1, 2, 5, 8]  # unchanged; records between them came and went
    unchanged = pl.DataFrame({"old_uid": pl.Series(old, dtype=pl.UInt32),
                              F.UID: pl.Series([0, 3, 4, 9], dtype=pl.UInt32),
                              F.ROW_NUMBER: pl.Series([7, 6, 5, 4], dtype=pl.UInt32)})
    got = _stored_rows(records, unchanged)
    assert got.columns == [F.UID, F.ROW_NUMBER, "value"]
    assert got.rows() == [(0, 7, "v1"), (3, 6, "v2"), (4, 5, "v5"), (9, 4, "v8")]
