"""The two records of `explain`, on their own: checked against each blocking rule,
compared and scored. Read from the run's store (store/records.parquet, normalized as the
run normalized them, and the term frequencies it scored with) when the output has one:
two row groups of one file, not every source. An output without a store (an earlier
format) has them read from their sources and normalized alone instead."""

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.block import DUPLICATE_RULE, duplicate_representatives, key_expr
from resolver.compare.compute import column_of, compare_pairs, levels_of
from resolver.config import Config
from resolver.decisions import read_decisions
from resolver.ingest import ingest, read_source
from resolver.normalize import normalize_records
from resolver.normalize.dates import detect_date_format
from resolver.normalize.junk import junk_set
from resolver.normalize.stage import normalize_addresses, normalize_names
from resolver.score.predict import HOUSEHOLD_ADJUSTMENT, predict, tf_adjustment_column
from resolver.store import CONTENT_HASH, STORE, frequency_frame

NAME_COLUMNS = {F.FIRST_NAME, F.LAST_NAME, F.MIDDLE_NAME, F.SUFFIX, F.PREFIX}
ADDRESS_COLUMNS = {F.ADDRESS_KEY, F.BUILDING_KEY, F.STREET_KEY, F.ZIP5, F.CITY, F.STATE}


@dataclass(frozen=True)
class Rescored:
    steps: list[dict]
    weight: float
    probability: float
    household_adjustment: float


def _stored(out_dir: Path | None, table: str) -> Path | None:
    path = out_dir / STORE / f"{table}.parquet" if out_dir is not None else None
    return path if path is not None and path.is_file() else None


def two_records(config: Config, a: str, b: str, out_dir: Path | None = None) -> pl.DataFrame:
    """Records a (uid 0) and b (uid 1), normalized. A source without a declared date
    format gets the one detected on its whole column, as in the run."""
    stored = _stored(out_dir, "records")
    if stored is not None:
        found = (pl.scan_parquet(stored).filter(pl.col(F.RECORD_KEY).is_in([a, b]))
                 .collect().drop(CONTENT_HASH, strict=False))
        if found.height == 2 or (a == b and found.height == 1):
            order = pl.DataFrame({F.RECORD_KEY: [a, b], "_order": [0, 1]})
            return (order.join(found.drop(F.UID), on=F.RECORD_KEY)
                    .sort("_order").with_columns(pl.col("_order").cast(pl.UInt32).alias(F.UID))
                    .drop("_order").select(found.columns))
    fields = (*F.CANONICAL_FIELDS, *config.extra_fields)
    sources = {s.name: s for s in config.sources}
    rows, formats = [], {}
    for uid, key in enumerate((a, b)):
        name, _, record_id = key.partition(":")
        frame = read_source(sources[name], fields)
        if "dob" not in sources[name].formats:
            formats[name] = detect_date_format(frame.get_column(F.raw("dob")),
                                               config.default_region)
        rows.append(frame.filter(pl.col(F.RECORD_ID) == record_id).head(1).with_columns(
            pl.lit(uid, pl.UInt32).alias(F.UID), pl.lit(key).alias(F.RECORD_KEY)))
    detected = tuple(dataclasses.replace(s, formats={**s.formats, "dob": formats[s.name]})
                     if formats.get(s.name) else s for s in config.sources)
    return normalize_records(pl.concat(rows), dataclasses.replace(config, sources=detected))


def _agree(values: list) -> bool:
    x, y = values
    if isinstance(x, pl.Series | list) and isinstance(y, pl.Series | list):
        return bool(set(x) & set(y))
    return x is not None and y is not None and x == y


def blocking_rule_of(config: Config, normalized: pl.DataFrame) -> str | None:
    """The rule that makes the two records a candidate pair in the run (the first whose
    keys all agree; identical records are paired as duplicates), or None."""
    link_only = config.link_type == "link_only"
    if link_only and normalized.get_column(F.SOURCE).n_unique() == 1:
        return None
    reps = duplicate_representatives(normalized, link_only).get_column("rep").to_list()
    if reps[1] == reps[0]:
        return DUPLICATE_RULE
    for rule in config.blocking_rules:
        keys = normalized.select(key_expr(k) for k in rule.keys)
        if all(_agree(keys.get_column(k).to_list()) for k in rule.keys):
            return rule.name
    return None


def _frequency_frame(config: Config, needed: list[str], columns: list[str]) -> pl.DataFrame:
    """Every record's value of the `needed` columns (the others left null), for
    term-frequency adjustments; only the normalizers those columns need run."""
    records = ingest(config)
    junk = junk_set(config.junk_values)
    if set(needed) <= NAME_COLUMNS:
        full = normalize_names(records, junk)
    elif set(needed) <= ADDRESS_COLUMNS:
        full = normalize_addresses(records, junk)
    else:
        full = normalize_records(records, config)
    return full.select(pl.col(c) if c in needed else pl.lit(None, pl.String).alias(c)
                       for c in columns)


def compared_values(config: Config, normalized: pl.DataFrame) -> dict[str, dict]:
    """comparison -> the two records' normalized values it compares (an address as its
    standard one-line form)."""
    values = {}
    for comparison in config.comparisons:
        column = F.ADDRESS_LINE if comparison.kind == "address" else column_of(comparison)
        values[comparison.name] = {"value_a": normalized.item(0, column),
                                   "value_b": normalized.item(1, column)}
    return values


def rescore_pair(config: Config, model, normalized: pl.DataFrame,
                 out_dir: Path | None = None) -> Rescored:
    pair = pl.DataFrame({F.UID_L: [0], F.UID_R: [1], F.BLOCKING_RULE: ["explain"]}).cast(
        F.PAIR_SCHEMA)
    gammas = compare_pairs(pair, normalized, config.comparisons)
    tf_columns = sorted({column_of(c) for c in config.comparisons if c.term_frequency})
    needed = sorted({column_of(c) for c in config.comparisons
                     if c.term_frequency and gammas.item(0, F.gamma(c.name)) == 1})
    stored = _stored(out_dir, "frequencies")
    if needed and stored is not None:  # exactly the frequencies the run scored with
        frequencies = frequency_frame(pl.read_parquet(stored))
    else:
        frequencies = _frequency_frame(config, needed, tf_columns) if needed else normalized
    scored = predict(gammas, model, config.comparisons, frequencies).row(0, named=True)
    steps, values = [], compared_values(config, normalized)
    for comparison in config.comparisons:
        labels = ["null", *(lv.label for lv in levels_of(comparison))]
        steps.append({"comparison": comparison.name, **values[comparison.name],
                      "level": labels[scored[F.gamma(comparison.name)]],
                      "weight": scored[F.partial_weight(comparison.name)],
                      "tf_adjustment": scored.get(tf_adjustment_column(comparison), 0.0)})
    return Rescored(steps, scored[F.MATCH_WEIGHT], scored[F.MATCH_PROBABILITY],
                    scored[HOUSEHOLD_ADJUSTMENT])


def steward_no_matches(config: Config, records_a: list[str],
                       records_b: list[str]) -> list[tuple[str, str]]:
    """Steward decisions (the latest per pair) that say a record of one set and a record
    of the other are different people."""
    decisions = read_decisions(config.decisions_path)
    one, other = set(records_a), set(records_b)
    latest: dict[frozenset, tuple[str, str, str]] = {}
    for x, y, decision in decisions.select("record_a", "record_b", "decision").iter_rows():
        if (x in one and y in other) or (x in other and y in one):
            latest[frozenset((x, y))] = (x, y, decision)
    return [(x, y) for x, y, decision in latest.values() if decision == "no_match"]
