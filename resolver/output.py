"""Output frames of `resolver run`, and writing them into a folder.

Writing them into a staging folder; publish.py owns the output folder and swaps it in.
"""

import json
import os
import platform
from importlib import metadata
from pathlib import Path

import numpy as np
import polars as pl

from resolver import __version__
from resolver import frames as F
from resolver.compare.compute import levels_of
from resolver.csv_safety import escape_frame, unescape_frame
from resolver.errors import OutputError
from resolver.score.decide import REVIEW


def lineage_frame(resolved: pl.DataFrame, entities: pl.DataFrame,
                  scored: pl.DataFrame) -> pl.DataFrame:
    """One row per input record: its individual, household and match confidence (the
    strongest link to another record of its individual; null when it stands alone)."""
    # each pair's two individuals compared as integer codes gathered by uid: joining the
    # ID strings onto every scored pair held ~1 GB more at 1.2M records
    uids = resolved.get_column(F.UID).to_numpy()
    code = np.zeros(int(uids.max()) + 1 if len(uids) else 0, dtype=np.uint32)
    code[uids] = resolved.get_column(F.ENTITY_ID).rank("dense").to_numpy()
    left, right = (scored.get_column(c).to_numpy() for c in (F.UID_L, F.UID_R))
    inside = scored.select(F.UID_L, F.UID_R, F.MATCH_PROBABILITY).filter(
        pl.Series(code[left] == code[right]))
    best = (pl.concat([inside.select(pl.col(F.UID_L).alias(F.UID), F.MATCH_PROBABILITY),
                       inside.select(pl.col(F.UID_R).alias(F.UID), F.MATCH_PROBABILITY)])
            .group_by(F.UID).agg(pl.col(F.MATCH_PROBABILITY).max().alias(F.MATCH_CONFIDENCE)))
    return (resolved.select(F.UID, F.SOURCE, F.RECORD_ID, F.ROW_NUMBER, F.ENTITY_ID)
            .join(entities.select(F.ENTITY_ID, F.HOUSEHOLD_ID), on=F.ENTITY_ID)
            .join(best, on=F.UID, how="left")
            .sort(F.SOURCE, F.RECORD_ID).drop(F.UID))


def pairs_frame(scored: pl.DataFrame, weights: pl.DataFrame, clustering,
                normalized: pl.DataFrame, config) -> pl.DataFrame:
    """Scored pairs at or above the review threshold (and every steward-decided pair),
    with each comparison's level label and partial weight (weights: those pairs' ids and
    partial weights, score/batches.py)."""
    refused = clustering.refused.select(F.UID_L, F.UID_R, pl.concat_str(
        pl.lit("guard:"), pl.col("reason")).alias("guard"))
    kept = (scored.filter((pl.col(F.MATCH_PROBABILITY) >= config.review_threshold)
                          | (pl.col(F.DECISION_SOURCE) == "steward"))
            .join(weights, on=[F.UID_L, F.UID_R], how="left", maintain_order="left")
            .join(refused, on=[F.UID_L, F.UID_R], how="left")
            .with_columns(
                pl.when(pl.col("guard").is_not_null()).then(pl.lit(REVIEW))
                .otherwise(pl.col(F.DECISION).cast(pl.String)).alias(F.DECISION),
                pl.coalesce("guard", pl.col(F.DECISION_SOURCE).cast(pl.String))
                .alias(F.DECISION_SOURCE),
                pl.col(F.BLOCKING_RULE).cast(pl.String)))
    keys = normalized.select(F.UID, F.SOURCE, F.RECORD_ID)
    labelled = []
    for comparison in config.comparisons:
        labels = ["null", *(lv.label for lv in levels_of(comparison))]
        labelled.append(pl.col(F.gamma(comparison.name)).cast(pl.Int64).replace_strict(
            list(range(len(labels))), labels, return_dtype=pl.String)
            .alias(f"{comparison.name}_level"))
    return (kept.join(keys.rename({c: F.left(c) for c in keys.columns}), left_on=F.UID_L,
                      right_on=F.left(F.UID))
            .join(keys.rename({c: F.right(c) for c in keys.columns}), left_on=F.UID_R,
                  right_on=F.right(F.UID))
            .with_columns(labelled)
            .select(F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE),
                    F.right(F.RECORD_ID), F.BLOCKING_RULE,
                    *(f"{c.name}_level" for c in config.comparisons),
                    *(F.partial_weight(c.name) for c in config.comparisons),
                    F.MATCH_WEIGHT, F.MATCH_PROBABILITY, F.DECISION, F.DECISION_SOURCE)
            .sort(F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE),
                  F.right(F.RECORD_ID)))


def read_output(out_dir: Path, name: str, columns: tuple[str, ...] = ()) -> pl.DataFrame:
    """An output table of an earlier run, Parquet or CSV (CSV read as text, so ids such
    as "0001" stay as written), with at least `columns`. A damaged table is an error
    naming the file."""
    readers = ((out_dir / f"{name}.parquet", pl.read_parquet),
               (out_dir / f"{name}.csv",
                lambda p: unescape_frame(pl.read_csv(p, infer_schema=False))))
    for path, reader in readers:
        if path.is_file():
            try:
                frame = reader(path)
            except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
                raise OutputError(f"{path} cannot be read ({type(exc).__name__}); the output "
                                  "is damaged. Run `resolver run` again to rebuild it") from None
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise OutputError(f"{path} lacks column(s) {missing}; the output is damaged "
                                  "or not resolver's. Run `resolver run` again to rebuild it")
            return frame
    raise OutputError(f"{out_dir}: no {name}.parquet or {name}.csv. Point at the output "
                      "folder of a `resolver run`")


def read_previous(out_dir: Path) -> pl.DataFrame:
    """(record_key, entity_id) of a previous run's lineage."""
    return read_output(out_dir, "lineage", (F.SOURCE, F.RECORD_ID, F.ENTITY_ID)).select(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias(F.RECORD_KEY),
        pl.col(F.ENTITY_ID).cast(pl.String))


def versions() -> dict[str, str]:
    out = {"resolver": __version__, "python": platform.python_version()}
    for package in ("polars", "rapidfuzz", "phonenumbers", "nicknames", "jellyfish"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "unknown"
    return out


def _flatten_for_csv(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV cannot hold lists or structs: write them as JSON text. Text cells that a
    spreadsheet would run as a formula are quoted (csv_safety, OWASP)."""
    nested = [c for c, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct))]
    return escape_frame(frame.with_columns(pl.col(c).map_elements(
        lambda v: json.dumps(v.to_list() if isinstance(v, pl.Series) else v, default=str,
                             sort_keys=True), return_dtype=pl.String) for c in nested))


def write_files(folder: Path, frames: dict[str, pl.DataFrame], documents: dict[str, str],
                fmt: str) -> None:
    """Every output table (Parquet or CSV) and document into `folder`, each flushed to
    disk before the folder is published."""
    written = []
    for name, frame in frames.items():
        written.append(folder / f"{name}.{fmt}")
        if fmt == "csv":
            _flatten_for_csv(frame).write_csv(written[-1])
        else:
            frame.write_parquet(written[-1], statistics=False)
    for name, text in documents.items():
        written.append(folder / name)
        written[-1].write_text(text, encoding="utf-8")
    for path in written:
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
