"""`resolver evaluate --errors N`: the individuals that went wrong, against a truth file.

False merges: individuals whose records belong to more than one true person (largest
first), with one pair of records of two different people to `explain`. Missed matches:
true people whose records are spread over more than one individual (most pieces first),
with one pair of records from two pieces. Records are named by key (source:record_id),
never by value.
"""

from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.evaluate import read_lineage, read_truth


def _keyed(out_dir: Path, truth_path: Path) -> pl.DataFrame:
    truth = read_truth(truth_path).select(F.SOURCE, F.RECORD_ID, "person_id")
    return (read_lineage(out_dir).join(truth, on=[F.SOURCE, F.RECORD_ID], how="inner")
            .select(pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias(F.RECORD_KEY),
                    pl.col(F.ENTITY_ID).cast(pl.String), pl.col("person_id").cast(pl.String))
            .sort(F.RECORD_KEY))


def _split(keyed: pl.DataFrame, group: str, part: str, limit: int) -> pl.DataFrame:
    """Groups holding more than one `part`, biggest first, with the first record of the
    first two parts as an example pair."""
    firsts = keyed.group_by(group, part).agg(pl.col(F.RECORD_KEY).min().alias("first"))
    return (firsts.group_by(group)
            .agg(pl.len().alias("parts"), pl.col("first").sort().head(2).alias("example"))
            .filter(pl.col("parts") > 1)
            .join(keyed.group_by(group).len().rename({"len": "records"}), on=group)
            .select(group, "records", "parts",
                    pl.col("example").list.get(0).alias("record_a"),
                    pl.col("example").list.get(1).alias("record_b"))
            .sort(["parts", "records", group], descending=[True, True, False])
            .head(limit))


def error_lists(out_dir: Path, truth_path: Path, limit: int) -> dict[str, pl.DataFrame]:
    """-> {"false_merges": entity_id, records, people, record_a, record_b;
           "missed_matches": person_id, records, individuals, record_a, record_b}."""
    keyed = _keyed(out_dir, truth_path)
    return {"false_merges": _split(keyed, F.ENTITY_ID, "person_id", limit)
            .rename({"parts": "people"}),
            "missed_matches": _split(keyed, "person_id", F.ENTITY_ID, limit)
            .rename({"parts": "individuals"})}
