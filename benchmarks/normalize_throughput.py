"""Normalization throughput: rows per second of the normalize stage on about a million
multi-source records (generated, four sources), on this machine. Each parser runs once per
distinct value, so the number depends on how many distinct values the data holds; that is
reported too. Writes results/normalize.json and results/normalize.md.

    python -m benchmarks.normalize_throughput [PEOPLE] [SEED]
"""

import sys
import time
from pathlib import Path

import polars as pl

from benchmarks.common import write_results
from resolver import frames as F
from resolver.config import load_config
from resolver.ingest import ingest
from resolver.normalize import normalize_records
from resolver.sample.sources import write_sample

ROOT = Path(__file__).resolve().parent.parent


def main(people: int, seed: int) -> None:
    data = ROOT / "benchmarks" / "data" / f"people{people}_seed{seed}"
    if not (data / "truth.parquet").is_file():
        write_sample(people, seed, data)
    config_path = data / "config.toml"
    config_path.write_text((ROOT / "configs" / "sample.toml").read_text().replace(
        "../sample_data/", f"{data.resolve()}/"))
    config = load_config(config_path)
    records = ingest(config)
    start = time.perf_counter()
    normalized = normalize_records(records, config)
    seconds = time.perf_counter() - start
    distinct = {
        "names": records.select(pl.concat_str([pl.col(F.raw(f)).fill_null("")
                                               for f in F.NAME_FIELDS])).n_unique(),
        "addresses": normalized.get_column(F.ADDRESS_LINE).n_unique(),
        "phones": records.get_column(F.raw("phone")).n_unique(),
    }
    write_results("normalize", [{
        "records": f"{normalized.height:,}", "seconds": round(seconds, 1),
        "rows_per_second": f"{normalized.height / seconds:,.0f}",
        "distinct_names": f"{distinct['names']:,}",
        "distinct_addresses": f"{distinct['addresses']:,}",
        "distinct_phones": f"{distinct['phones']:,}"}])


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [480_000, 11][len(args):]))
