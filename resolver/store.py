"""The run store: what an incremental run needs of the run before it, kept in the output
folder as `store/` (Parquet, versioned in run.json's "store" section).

- records.parquet      every normalized record, with `content_hash` over its raw values
- pairs.parquet        every scored candidate pair: two uids, the blocking rule, one small
                       int per comparison level and the match weight (probabilities,
                       decisions and partial weights are recomputed from these)
- clusters.parquet     each record's cluster (a uid of the run) and the cluster's flag
- refused.parquet      links a guard refused
- decisions.parquet    the steward decisions the run applied (uid pairs)
- frequencies.parquet  the term-frequency counts the run scored with (pinned: an
                       incremental run scores new pairs with the same frequencies)

uids are the run's own (0..n-1 by source, record_id); a later run maps them by record key.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.compare.compute import column_of
from resolver.config import Config
from resolver.errors import InputError, OutputError
from resolver.normalize.dates import detect_date_format

STORE = "store"
STORE_VERSION = 2
CONTENT_HASH = "content_hash"
TABLES = ("records", "pairs", "clusters", "refused", "decisions", "frequencies")


@dataclass(frozen=True)
class Store:
    records: pl.DataFrame
    pairs: pl.DataFrame
    clusters: pl.DataFrame
    refused: pl.DataFrame
    decisions: pl.DataFrame
    frequencies: pl.DataFrame
    meta: dict


def content_hash(records: pl.DataFrame) -> pl.Expr:
    """One 64-bit hash per record over its raw source values and updated_at: a record
    whose hash changes is re-normalized and re-compared. (polars' hash is stable for a
    given polars version; the store records the version, see `stored_hashes`.)"""
    columns = [c for c in records.columns if c.startswith(F.RAW_PREFIX)] + [F.UPDATED_AT]
    return pl.struct(sorted(columns)).hash(seed=0).alias(CONTENT_HASH)


def tf_columns(config: Config) -> list[str]:
    return sorted({column_of(c) for c in config.comparisons if c.term_frequency})


def frequency_counts(normalized: pl.DataFrame, config: Config) -> pl.DataFrame:
    """How many records hold each combination of the term-frequency columns' values."""
    columns = tf_columns(config)
    if not columns:
        return pl.DataFrame({"count": pl.Series([], dtype=pl.UInt32)})
    return (normalized.group_by(columns).len().rename({"len": "count"})
            .sort(columns, nulls_last=True))


def frequency_frame(counts: pl.DataFrame) -> pl.DataFrame:
    """Counts back to one row per record (the tf columns only): the frame prediction
    computes its term frequencies from, giving exactly the frequencies counted."""
    index = np.repeat(np.arange(counts.height), counts.get_column("count").to_numpy())
    return counts.drop("count")[index]


def matching_settings(config: Config) -> dict[str, str]:
    """A hash per config part that decides what is normalized, paired, scored and
    clustered. Source paths, output, survivorship and household settings may change
    between an incremental run and the run before it; these may not."""
    sources = [{"name": s.name, "format": s.format, "id_column": s.id_column,
                "updated_at": s.updated_at_column, "columns": s.columns,
                "formats": s.formats, "delimiter": s.delimiter, "encoding": s.encoding}
               for s in config.sources]
    parts = {
        "sources": [sources, config.extra_fields],
        "normalize": [config.default_region, config.email_provider_rules,
                      config.junk_values, config.dob_min, config.dob_max],
        "blocking": [config.blocking_rules, config.max_block_size, config.refine_with,
                     config.link_type],
        "comparisons": [config.comparisons],
        "thresholds": [config.match_threshold, config.review_threshold],
        "clustering": [config.strong_identifiers, config.max_cluster_size],
    }
    return {k: hashlib.sha256(json.dumps(v, default=str, sort_keys=True).encode()).hexdigest()[:16]
            for k, v in parts.items()}


def detected_dob_formats(records: pl.DataFrame, config: Config) -> dict[str, str | None]:
    """The dob format normalization detected for each source that declares none."""
    out = {}
    for source in config.sources:
        if "dob" in source.formats or "dob" not in source.columns:
            continue
        values = records.filter(pl.col(F.SOURCE) == source.name).get_column(F.raw("dob"))
        out[source.name] = detect_date_format(values, config.default_region)
    return out


def store_frames(normalized: pl.DataFrame, scored: pl.DataFrame, clustering, steward,
                 counts: pl.DataFrame, config: Config) -> dict[str, pl.DataFrame]:
    flags = clustering.flag_frame().cast({"cluster": pl.UInt32})
    gammas = [F.gamma(c.name) for c in config.comparisons]
    return {
        "records": normalized.with_columns(content_hash(normalized)),
        # no blocking rule: an incremental run blocks again and takes each pair's rule from
        # that, and writing it meant a 16-byte string per pair (0.26 GB at 1.2M records)
        "pairs": scored.select(F.UID_L, F.UID_R, *gammas, F.MATCH_WEIGHT),
        "clusters": normalized.select(F.UID, pl.Series("cluster", clustering.cluster_of)
                                      .cast(pl.UInt32))
        .join(flags, on="cluster", how="left", maintain_order="left"),
        "refused": clustering.refused,
        "decisions": steward.select(F.UID_L, F.UID_R, "decision"),
        "frequencies": counts,
    }


# the store is read back only by the next run: zstd's fastest level (at 1.2M records,
# writing its records and pairs takes 2.6 s instead of 3.3; the files are 2-4% larger)
STORE_ZSTD_LEVEL = 1


def write_store(folder: Path, frames: dict[str, pl.DataFrame]) -> None:
    """Into `folder`/store (the staging folder), each file flushed to disk."""
    target = folder / STORE
    target.mkdir()
    for name, frame in frames.items():
        path = target / f"{name}.parquet"
        frame.write_parquet(path, statistics=False, compression="zstd",
                            compression_level=STORE_ZSTD_LEVEL)
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def golden_settings(config: Config) -> str:
    """A hash of what decides a golden record from its records: an incremental run keeps
    the golden records of unchanged individuals only when it is the same."""
    parts = [config.survivorship_default, config.survivorship_fields, config.source_priority,
             config.extra_fields]
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


def store_meta(config: Config, dob_formats: dict, frequencies_from: str) -> dict:
    return {"format_version": STORE_VERSION, "tables": list(TABLES),
            "polars": pl.__version__, "matching_settings": matching_settings(config),
            "golden_settings": golden_settings(config),
            "dob_formats": dob_formats, "term_frequencies": frequencies_from}


def _full_run_fix(previous: Path) -> str:
    return (f"Run a full `resolver run CONFIG --previous {previous} --out NEW` (without "
            "--incremental) to start a new store")


def read_store(previous: Path, config: Config) -> Store:
    """The store of an earlier output folder, checked against this config."""
    try:
        doc = json.loads((previous / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise OutputError(f"--previous {previous} is not the output folder of a resolver "
                          "run (no readable run.json). Point --previous at the --out folder "
                          "of an earlier run") from None
    meta = doc.get("store") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or not (previous / STORE).is_dir():
        raise OutputError(f"--previous {previous} has no run store (store/ and run.json's "
                          f"\"store\"); it was written before incremental runs existed. "
                          f"{_full_run_fix(previous)}")
    if meta.get("format_version") != STORE_VERSION:
        raise OutputError(f"--previous {previous}: its run store has format version "
                          f"{meta.get('format_version')}, this resolver reads version "
                          f"{STORE_VERSION}. {_full_run_fix(previous)}")
    ours = matching_settings(config)
    differ = sorted(k for k, v in ours.items() if meta.get("matching_settings", {}).get(k) != v)
    if differ:
        raise OutputError(f"--previous {previous} was matched with other config settings "
                          f"({', '.join(differ)} differ from {config.path}); an incremental "
                          f"run links new records exactly as that run did. Restore those "
                          f"settings, or {_full_run_fix(previous)[0].lower()}"
                          f"{_full_run_fix(previous)[1:]}")
    frames = {}
    for name in TABLES:
        path = previous / STORE / f"{name}.parquet"
        try:
            frames[name] = pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError):
            raise OutputError(f"{path} is missing or cannot be read; the run store is "
                              f"damaged. {_full_run_fix(previous)}") from None
    return Store(**frames, meta=meta)


def stored_hashes(store: Store) -> pl.DataFrame:
    """(record_key, content_hash, old uid) of the stored records; hashes are computed
    again from the stored raw values when another polars version wrote them."""
    records = store.records
    if store.meta.get("polars") != pl.__version__:
        records = records.with_columns(content_hash(records))
    return records.select(F.RECORD_KEY, CONTENT_HASH, pl.col(F.UID).alias("old_uid"))


def scoring_frequencies(config: Config, normalized: pl.DataFrame) -> pl.DataFrame:
    """The term-frequency counts a run scores with: those `model.term_frequencies` names,
    or this run's records counted."""
    path = config.term_frequencies_path
    if path is None:
        return frequency_counts(normalized, config)
    try:
        counts = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError):
        raise InputError(f"model.term_frequencies: {path} cannot be read as Parquet. Name "
                         "the store/frequencies.parquet of an earlier run's output") from None
    if sorted(counts.columns) != sorted([*tf_columns(config), "count"]):
        raise InputError(f"model.term_frequencies: {path} counts other columns than the "
                         "config's term-frequency comparisons. Name the frequencies of a run "
                         "with the same comparisons, or remove the key")
    return counts
