"""The project's multi-source customer data (four sources, households, hard cases) at
50,000 people: resolver and Splink (DuckDB) side by side, same records, same machine, one
run. Writes results/multisource.json and results/multisource.md.

Splink is given the same records mapped to one schema with the basic cleaning its
documentation recommends (lower case, trimmed, punctuation removed, nulls standardised,
dates parsed to ISO, names split into first name and surname, phone digits, ZIP), and a
model set up as in its examples: name, date-of-birth, email, phone, postcode and address
comparisons with term frequencies, blocking on name, birth date, email, phone and
postcode, prior from deterministic rules, u by random sampling, EM on two rules.

    python -m benchmarks.multisource [PEOPLE] [SEED]   (in the benchmark environment)
"""

import sys
from pathlib import Path

import duckdb
import polars as pl

from benchmarks.common import score, timed, write_results
from resolver.config import load_config
from resolver.run import execute
from resolver.sample.sources import write_sample

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 0.95


def _clean(col: pl.Expr) -> pl.Expr:
    return (col.str.to_lowercase().str.replace_all(r"[^\w\s@.+-]", " ")
            .str.replace_all(r"\s+", " ").str.strip_chars().replace("", None))


def _split_full_name(col: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """'SMITH, ROBERT J' -> (robert, smith); 'Robert J Smith' -> (robert, smith)."""
    text = col.str.to_lowercase().str.replace_all(r"\.", "")
    comma = text.str.contains(",")
    before, after = text.str.split(",").list.first(), text.str.split(",").list.last()
    words = text.str.replace_all(",", " ").str.strip_chars().str.split(" ")
    first = pl.when(comma).then(after.str.strip_chars().str.split(" ").list.first()).otherwise(
        words.list.first())
    last = pl.when(comma).then(before.str.strip_chars()).otherwise(words.list.last())
    return _clean(first), _clean(last)


def splink_table(data: Path) -> pl.DataFrame:
    """The four sources mapped to one schema with basic cleaning."""
    crm = pl.read_csv(data / "crm.csv", infer_schema=False)
    web = pl.read_parquet(data / "web_signups.parquet").with_columns(pl.all().cast(pl.String))
    pos = pl.read_csv(data / "pos_loyalty.csv", infer_schema=False)
    call = pl.read_csv(data / "call_centre.csv", infer_schema=False)
    zip_of = lambda c: pl.col(c).str.extract(r"(\d{5})(?:-\d{4})?\s*$", 1)  # noqa: E731
    digits = lambda c: pl.col(c).str.replace_all(r"\D", "").str.slice(-10)  # noqa: E731
    frames = [
        crm.select(pl.lit("crm").alias("source"), pl.col("customer_id").alias("record_id"),
                   _clean(pl.col("FirstName")).alias("first_name"),
                   _clean(pl.col("LastName")).alias("surname"),
                   pl.col("BirthDate").str.to_date("%m/%d/%Y", strict=False).alias("dob"),
                   _clean(pl.concat_str("Street1", "Street2", separator=" ", ignore_nulls=True))
                   .alias("address"), pl.col("Zip").str.slice(0, 5).alias("postcode"),
                   _clean(pl.col("Email")).alias("email"), digits("Phone").alias("phone")),
        web.select(pl.lit("web").alias("source"), pl.col("user_id").alias("record_id"),
                   *(e.alias(n) for e, n in zip(_split_full_name(pl.col("name")),
                                                ("first_name", "surname"))),
                   pl.col("birthday").str.to_date("%Y-%m-%d", strict=False).alias("dob"),
                   _clean(pl.col("address").str.split(",").list.first()).alias("address"),
                   zip_of("address").alias("postcode"), _clean(pl.col("email")).alias("email"),
                   digits("mobile").alias("phone")),
        pos.select(pl.lit("pos").alias("source"), pl.col("card_number").alias("record_id"),
                   *(e.alias(n) for e, n in zip(_split_full_name(pl.col("card_holder")),
                                                ("first_name", "surname"))),
                   pl.col("dob").str.to_date("%Y%m%d", strict=False).alias("dob"),
                   _clean(pl.col("addr")).alias("address"), pl.col("zip").alias("postcode"),
                   pl.lit(None, pl.String).alias("email"), digits("phone").alias("phone")),
        call.select(pl.lit("callcenter").alias("source"), pl.col("case_ref").alias("record_id"),
                    *(e.alias(n) for e, n in zip(_split_full_name(pl.col("caller")),
                                                 ("first_name", "surname"))),
                    pl.col("date_of_birth").str.to_date("%d %b %Y", strict=False).alias("dob"),
                    _clean(pl.col("address")).alias("address"),
                    zip_of("address").alias("postcode"), _clean(pl.col("email")).alias("email"),
                    digits("callback").alias("phone")),
    ]
    table = pl.concat(frames, how="vertical_relaxed")
    return table.with_columns(
        pl.concat_str("source", pl.lit(":"), "record_id").alias("unique_id"),
        pl.col("dob").cast(pl.String))


def run_splink(data: Path) -> tuple[pl.DataFrame, dict]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    times: dict = {}
    with timed(times, "seconds"):
        table = splink_table(data)
        con = duckdb.connect()
        db_api = DuckDBAPI(connection=con)
        records = db_api.register(con.from_arrow(table.to_arrow()))
        settings = SettingsCreator(
            link_type="dedupe_only",
            blocking_rules_to_generate_predictions=[
                block_on("first_name", "surname"), block_on("surname", "dob"),
                block_on("first_name", "dob"), block_on("email"), block_on("phone"),
                block_on("postcode", "surname")],
            comparisons=[
                cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("dob", input_is_string=True),
                cl.EmailComparison("email"),
                cl.LevenshteinAtThresholds("phone", [1]),
                cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
                cl.LevenshteinAtThresholds("address", [2, 5])])
        linker = Linker(records, settings)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("first_name", "surname", "dob"), block_on("email")], recall=0.7)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
        for rule in (block_on("dob"), block_on("first_name", "surname")):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        predictions = linker.inference.predict(threshold_match_probability=0.2)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=THRESHOLD)
        frame = pl.from_arrow(clusters.as_duckdbpyrelation().select(
            "unique_id", "cluster_id").arrow())
    return frame.select(pl.col("unique_id").alias("key"),
                        pl.col("cluster_id").cast(pl.String).alias("cluster")), times


def run_resolver(data: Path, out: Path) -> tuple[pl.DataFrame, dict]:
    text = (ROOT / "configs" / "sample.toml").read_text().replace("../sample_data/",
                                                                 f"{data.resolve()}/")
    config_path = data / "config.toml"
    config_path.write_text(text)
    times: dict = {}
    with timed(times, "seconds"):
        execute(load_config(config_path), out, "parquet")
    lineage = pl.read_parquet(out / "lineage.parquet")
    return lineage.select(pl.concat_str("source", pl.lit(":"), "record_id").alias("key"),
                          pl.col("entity_id").alias("cluster")), times


def main(people: int, seed: int) -> None:
    data = ROOT / "benchmarks" / "data" / f"people{people}_seed{seed}"
    if not (data / "truth.parquet").is_file():
        write_sample(people, seed, data)
    truth = pl.read_parquet(data / "truth.parquet").select(
        pl.concat_str("source", pl.lit(":"), "record_id").alias("key"),
        pl.col("person_id").alias("person"))
    ours, our_time = run_resolver(data, data / "out")
    theirs, their_time = run_splink(data)
    rows = [{"data": f"{people:,} people, {truth.height:,} records", "tool": tool,
             **score(predicted, truth), "seconds": times["seconds"]}
            for tool, predicted, times in (("resolver", ours, our_time),
                                           ("splink", theirs, their_time))]
    write_results("multisource", rows)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [50_000, 2026][len(args):]))
