"""The Spark engine (resolver/spark/) against the local engine, on local[2].

One SparkSession for the module. On the bundled sample data and on FEBRL3 both engines'
lineage, entities and households are equal frame to frame (same IDs); each kernel gives
the same rows on a whole frame as on any split of it into partitions; connected
components agree with union-find on random graphs.
"""

import os
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from resolver import contract
from resolver import frames as F
from resolver.compare.compute import compare_attached, needed_columns, pairs_with_values
from resolver.config import load_config
from resolver.pipeline import run_pipeline
from resolver.score.batches import score_pairs
from resolver.score.predict import term_tables
from resolver.score.sampling import sample_pairs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "configs" / "sample.toml"
FEBRL3 = Path(__file__).resolve().parent / "fixtures" / "febrl3.parquet"
KEYS = {"lineage": [F.SOURCE, F.RECORD_ID], "entities": [F.ENTITY_ID],
        "households": [F.HOUSEHOLD_ID]}


@pytest.fixture(scope="module")
def spark():
    from resolver.spark.session import spark_session

    session, _ = spark_session("local[2]", 4)
    yield session
    session.stop()


def febrl3_config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("febrl3")
    text = (ROOT / "configs" / "febrl3.toml").read_text().replace(
        "../benchmarks/data/febrl3.csv", str(FEBRL3))
    (folder / "febrl3.toml").write_text(text)
    return load_config(folder / "febrl3.toml")


def assert_engines_agree(config):
    from resolver.spark.engine import run_spark_pipeline

    local = run_pipeline(config)
    on_spark = run_spark_pipeline(config, master="local[2]", partitions=4)
    for name, key in KEYS.items():
        assert_frame_equal(getattr(on_spark, name).sort(key), getattr(local, name).sort(key))
    assert on_spark.model.to_json() == local.model.to_json()
    assert_frame_equal(on_spark.scored, local.scored)
    assert on_spark.blocking == local.blocking
    assert_frame_equal(on_spark.clustering.refused, local.clustering.refused)
    return local


def test_sample_data_same_outputs_on_both_engines(spark):
    local = assert_engines_agree(load_config(SAMPLE))
    assert local.entities.height < local.lineage.height  # records were merged: not vacuous


def test_febrl3_same_outputs_on_both_engines(spark, tmp_path_factory):
    local = assert_engines_agree(febrl3_config(tmp_path_factory))
    assert local.lineage.height == 5000 and local.entities.height < 5000


def test_cli_writes_the_same_files(spark, tmp_path):
    from resolver.job import execute

    config = load_config(SAMPLE)
    execute(config, tmp_path / "local", "parquet")
    execute(config, tmp_path / "spark", "parquet",
            engine={"name": "spark", "master": "local[2]", "partitions": 3})
    files = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*"))
    assert files == sorted(p.relative_to(tmp_path / "spark")
                           for p in (tmp_path / "spark").rglob("*"))
    for name in ("lineage", "entities", "households", "pairs", "changes"):
        assert (tmp_path / "local" / f"{name}.parquet").read_bytes() == \
            (tmp_path / "spark" / f"{name}.parquet").read_bytes(), name


def test_connected_components_agree_with_union_find(spark):
    from resolver.cluster.union_find import UnionFind
    from resolver.spark.components import connected_components

    rng = random.Random(7)
    for _ in range(3):
        n = rng.randint(20, 400)
        edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(1, n))]
        frame = spark.createDataFrame(edges, "src long, dst long")
        got = {row.node: row.component for row in connected_components(frame).collect()}
        uf = UnionFind(n)
        for a, b in edges:
            uf.union(a, b)
        roots = uf.components()
        smallest = {}
        for node in range(n):
            smallest.setdefault(roots[node], node)
        touched = {x for a, b in edges if a != b for x in (a, b)}
        assert got == {x: smallest[roots[x]] for x in touched}


# --- kernels: the whole frame and any split of it give the same rows ------------------

@pytest.fixture(scope="module")
def sample_frames():
    config = load_config(SAMPLE)
    result = run_pipeline(config)
    return config, result


def _split(frame: pl.DataFrame, cuts: list[int]) -> list[pl.DataFrame]:
    """The frame cut at the given row counts into pieces (the last piece first)."""
    bounds = sorted({0, frame.height, *(c % (frame.height + 1) for c in cuts)})
    pieces = [frame.slice(a, b - a) for a, b in zip(bounds, bounds[1:]) if b > a]
    return pieces[-1:] + pieces[:-1]


splits = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6)
SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(cuts=splits, seed=st.integers(0, 2 ** 16))
def test_normalize_kernel_is_split_invariant(sample_frames, cuts, seed):
    from resolver.normalize import normalize_records
    from resolver.spark.engine import fixed_formats
    from resolver.store import detected_dob_formats

    config, result = sample_frames
    fixed = fixed_formats(config, detected_dob_formats(result.records, config))
    records = result.records.sample(fraction=1.0, shuffle=True, seed=seed).head(600)
    whole = normalize_records(records, fixed)
    parts = pl.concat([normalize_records(p, fixed) for p in _split(records, cuts)])
    assert_frame_equal(parts.sort(F.UID), whole.sort(F.UID))
    contract.check(whole, "normalized", config, contract.normalized_schema(fixed))


@SETTINGS
@given(cuts=splits, seed=st.integers(0, 2 ** 16))
def test_compare_kernel_is_split_invariant(sample_frames, cuts, seed):
    config, result = sample_frames
    pairs = result.scored.select(F.UID_L, F.UID_R, F.BLOCKING_RULE).sample(
        n=min(3000, result.scored.height), seed=seed)
    attached = pairs_with_values(pairs, result.normalized, needed_columns(config.comparisons))
    columns = pairs.columns
    whole = compare_attached(attached, columns, config.comparisons)
    parts = pl.concat([compare_attached(p, columns, config.comparisons)
                       for p in _split(attached, cuts)])
    assert_frame_equal(parts.sort(F.UID_L, F.UID_R), whole.sort(F.UID_L, F.UID_R))
    gammas = [F.gamma(c.name) for c in config.comparisons]
    assert_frame_equal(whole.select(F.UID_L, F.UID_R, *gammas).sort(F.UID_L, F.UID_R),
                       result.scored.join(pairs.select(F.UID_L, F.UID_R), on=[F.UID_L, F.UID_R])
                       .select(F.UID_L, F.UID_R, *gammas).sort(F.UID_L, F.UID_R))


@SETTINGS
@given(cuts=splits)
def test_score_kernel_is_split_invariant(sample_frames, cuts):
    config, result = sample_frames
    from resolver.compare.compute import compare_pairs
    gammas = compare_pairs(result.scored.select(F.UID_L, F.UID_R, F.BLOCKING_RULE),
                           result.normalized, config.comparisons)
    tables = term_tables(result.normalized, config.comparisons)
    steward = result.steward
    whole, detail = score_pairs(gammas, result.model, config, tables, steward)
    pieces = [score_pairs(p, result.model, config, tables, steward) for p in _split(gammas, cuts)]
    assert_frame_equal(pl.concat([p[0] for p in pieces]).sort(F.UID_L, F.UID_R),
                       whole.sort(F.UID_L, F.UID_R))
    assert_frame_equal(pl.concat([p[1] for p in pieces]).sort(F.UID_L, F.UID_R),
                       detail.sort(F.UID_L, F.UID_R))
    assert_frame_equal(whole, result.scored)


@SETTINGS
@given(cuts=splits, n=st.integers(1, 2000), seed=st.integers(0, 2 ** 32))
def test_pair_sample_does_not_depend_on_order_or_split(sample_frames, cuts, n, seed):
    _, result = sample_frames
    pairs = result.scored.select(F.UID_L, F.UID_R)
    whole = sample_pairs(pairs, n, seed)
    shuffled = pl.concat(_split(pairs, cuts)[::-1]).sample(fraction=1.0, shuffle=True,
                                                           seed=seed % 1000)
    assert_frame_equal(sample_pairs(shuffled, n, seed), whole)
    assert whole.height == min(n, pairs.height)


@SETTINGS
@given(cuts=splits, seed=st.integers(0, 2 ** 16))
def test_keys_kernel_is_split_invariant(sample_frames, cuts, seed):
    from resolver.spark.kernels import keys_kernel

    config, result = sample_frames
    keys = sorted({k for rule in config.blocking_rules for k in rule.keys}
                  | set(config.block_cap.refine_with))
    kernel = keys_kernel(keys)
    normalized = result.normalized.sample(fraction=1.0, shuffle=True, seed=seed)
    whole = kernel(normalized)
    parts = pl.concat([kernel(p) for p in _split(normalized, cuts)])
    assert_frame_equal(parts.sort(F.UID), whole.sort(F.UID))
    assert whole.height == normalized.height and whole.width == len(keys) + 2


@SETTINGS
@given(seed=st.integers(0, 2 ** 16), groups=st.integers(1, 7))
def test_golden_kernel_on_any_grouping_of_individuals(sample_frames, seed, groups):
    """Any partition of the individuals into buckets, records in any order, gives the
    golden records of the whole frame."""
    from resolver.spark.golden import golden_kernel

    config, result = sample_frames
    entity_of = result.lineage.select(F.SOURCE, F.RECORD_ID, F.ENTITY_ID)
    resolved = result.normalized.join(entity_of, on=[F.SOURCE, F.RECORD_ID]).sort(F.UID)
    kernel = golden_kernel(config)
    whole = kernel(resolved)
    bucket = (pl.col(F.ENTITY_ID).hash(seed) % groups).alias("bucket")
    shuffled = resolved.sample(fraction=1.0, shuffle=True, seed=seed)
    parts = [kernel(p.drop("bucket"))
             for p in shuffled.with_columns(bucket).partition_by("bucket")]
    assert_frame_equal(pl.concat(parts).sort(F.ENTITY_ID), whole)
    assert_frame_equal(whole.select(result.entities.drop(F.HOUSEHOLD_ID, F.CLUSTER_FLAG).columns),
                       result.entities.drop(F.HOUSEHOLD_ID, F.CLUSTER_FLAG))


def test_local_driver_memory_is_a_share_of_the_machine_unless_set(monkeypatch):
    from resolver.spark.session import local_driver_memory

    for name in ("PYSPARK_SUBMIT_ARGS", "SPARK_DRIVER_MEMORY", "SPARK_CONF_DIR", "SPARK_HOME"):
        monkeypatch.delenv(name, raising=False)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert local_driver_memory("local[2]") == f"{max(1, total * 3 // 8 // 2 ** 30)}g"
    assert local_driver_memory("spark://host:7077") is None
    assert local_driver_memory(None) is None
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 4g pyspark-shell")
    assert local_driver_memory("local[*]") is None


def test_spark_engine_refuses_incremental(tmp_path):
    from resolver.errors import ResolverError
    from resolver.job import run_and_publish

    with pytest.raises(ResolverError, match="--incremental runs on the local engine only"):
        run_and_publish(load_config(SAMPLE), tmp_path / "out", "parquet", tmp_path, None,
                        None, True, {"name": "spark"})


def test_rules_fitted_to_max_pairs_the_same_on_both_engines(spark):
    """max_pairs under what the sample's rules make with blocks of up to 16 records: both
    engines cap every rule at the same, largest fitting size and agree on everything
    after."""
    from dataclasses import replace

    from resolver.block import _keys_frame, duplicate_representatives, predicted_pairs
    from resolver.config import BlockCap
    from resolver.ingest import ingest
    from resolver.normalize.stage import normalize_records

    config = replace(load_config(SAMPLE), max_block_size=16)
    normalized = normalize_records(ingest(config), config)
    keys = _keys_frame(normalized, {k for r in config.blocking_rules for k in r.keys}
                       | set(config.refine_with), duplicate_representatives(normalized, False))
    every = tuple(r.name for r in config.blocking_rules)

    def total(size: int) -> int:
        return sum(predicted_pairs(keys, r, BlockCap(size, config.refine_with, every))
                   for r in config.blocking_rules)
    config = replace(config, max_pairs=total(12))
    assert total(16) > config.max_pairs  # not vacuous: the sample's rules must be capped
    size = max(s for s in range(10, 16) if total(s) <= config.max_pairs)
    local = assert_engines_agree(config)
    assert {s.capped_at for s in local.blocking} == {size}
    assert local.config.block_cap == BlockCap(size, config.refine_with, every)
