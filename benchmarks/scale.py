"""Scale: `resolver run` end to end on the project's generated multi-source data at growing
sizes, with Splink 5 (DuckDB) on the same records in the same run wherever it completes.

Each tool runs as its own process; a sampler adds up the resident memory of the process
and all its descendants (parser workers included) every 0.2 s, so "peak RSS" is the whole
tree's. With --repeat N each tool runs N times per size, alternating, and the median
run is reported (peaks: the highest of the runs). Per size: wall time, resolver's
per-stage timings (from run.json), candidate pairs, pairwise F1 of both tools against
the truth file, and the time ratio. Writes results/scale.json and results/scale.md.

    python -m benchmarks.scale 50000 500000 1200000 [--no-splink] [--timeout S]
        [--splink-max N] [--repeat N] [--spark [MASTER] [--spark-min N]]
    python -m benchmarks.scale 1200000 --incremental   (a full run on N records, then 1%
        more records appended and `run --previous --incremental`: its time against the
        full run's; writes results/scale_incremental.json and .md)
    (sizes are records; in the benchmark environment, see README)
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl

from benchmarks.common import score, write_results
from resolver.config import load_config
from resolver.sample.sources import write_sample

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RECORDS_PER_PERSON = 2.06  # what the generator writes on average
SPLINK_JOB = """
import sys
from pathlib import Path
from benchmarks import splink_models
splink_models.multisource(Path(sys.argv[1])).write_parquet(sys.argv[2])
"""


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(statm[1]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measured(command: list[str], timeout: float) -> dict:
    """Run a command; -> wall seconds, CPU seconds (the command and every process it
    waited for: user and system, which a shared machine's stolen time does not inflate as
    it does the wall), peak tree RSS (GB), exit code (None on timeout)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        code = None
    sampler.join()
    lines = process.stderr.read().strip().splitlines()
    seconds = round(time.perf_counter() - start, 1)
    # resolver's plain progress (stderr not a terminal): "resolver: STAGE" as each starts
    stages = [line.removeprefix("resolver: ") for line in lines
              if line.startswith("resolver: ") and " " not in line.removeprefix("resolver: ")]
    where = f", in stage {stages[-1]}" if stages else ""
    if code is None:
        error = f"timed out after {seconds} s{where}"
    elif code < 0:  # SIGKILL: the kernel's OOM killer, when the machine ran out of memory
        error = f"killed by signal {-code} after {seconds} s{where}"
    else:
        error = (lines or ["(no message)"])[-1] if code else None
    return {"seconds": seconds, "cpu_seconds": round(_children_cpu() - cpu, 1),
            "peak_rss_gb": round(peak[0] / 2 ** 30, 2), "exit": code, "error": error}


def dataset(records: int, seed: int, max_pairs: int | None = None) -> Path:
    """The generated data set and its config (the sample's; max_pairs: blocking.max_pairs
    raised, for sizes where the sample config's ceiling refuses the run)."""
    people = round(records / RECORDS_PER_PERSON)
    folder = DATA / f"scale_{records}_seed{seed}"
    if not (folder / "truth.parquet").is_file():
        write_sample(people, seed, folder)
    text = (ROOT / "configs" / "sample.toml").read_text().replace("../sample_data/",
                                                                 f"{folder.resolve()}/")
    if max_pairs is not None:
        text = text.replace("[blocking]\n", f"[blocking]\nmax_pairs = {max_pairs}\n", 1)
    (folder / "config.toml").write_text(text)
    return folder


def truth_of(folder: Path) -> pl.DataFrame:
    return pl.read_parquet(folder / "truth.parquet").select(
        pl.concat_str("source", pl.lit(":"), "record_id").alias("key"),
        pl.col("person_id").alias("person"))


def run_resolver(folder: Path, timeout: float, spark: str | None = None) -> dict:
    """spark: a master URL to run on the Spark engine (peak RSS then counts the JVM and
    its Python workers, all in the process tree)."""
    out = folder / ("out_spark" if spark else "out")
    engine = ["--engine", "spark", "--master", spark] if spark else []
    # not --quiet: the plain stage lines on stderr name the stage a killed run was in
    result = measured([sys.executable, "-m", "resolver", "run", str(folder / "config.toml"),
                       "--out", str(out), *engine], timeout)
    if result["exit"] != 0:
        return result
    run_doc = json.loads((out / "run.json").read_text())
    lineage = pl.read_parquet(out / "lineage.parquet").select(
        pl.concat_str("source", pl.lit(":"), "record_id").alias("key"),
        pl.col("entity_id").alias("cluster"))
    return {**result, "f1": score(lineage, truth_of(folder))["f1"],
            "pairs": run_doc["counts"]["candidate_pairs"],
            "records": run_doc["counts"]["records"],
            "stages": run_doc["timings_seconds"]}


def run_splink(folder: Path, timeout: float) -> dict:
    clusters = folder / "splink_clusters.parquet"
    result = measured([sys.executable, "-c", SPLINK_JOB, str(folder), str(clusters)], timeout)
    if result["exit"] != 0:
        return result
    return {**result, "f1": score(pl.read_parquet(clusters), truth_of(folder))["f1"]}


def _append_batch(folder: Path, share: float, seed: int) -> Path:
    """A copy of the data set with `share` more records (another generated population's
    first rows appended to each source): -> the copy's folder, config pointed at it."""
    grown = folder.with_name(folder.name + "_grown")
    extra = folder.with_name(folder.name + "_extra")
    if not (grown / "config.toml").is_file():
        people = round(pl.read_parquet(folder / "truth.parquet").height * share
                       / RECORDS_PER_PERSON)
        write_sample(max(people, 1), seed + 1, extra, force=True)
        grown.mkdir(exist_ok=True)
        for source in load_config(folder / "config.toml").sources:
            path, key = source.path, source.id_column
            read = pl.read_parquet if path.suffix == ".parquet" else (
                lambda p: pl.read_csv(p, infer_schema=False))
            # the extra population's ids get a prefix: they must not collide with the base's
            added = read(extra / path.name)
            added = added.with_columns(pl.concat_str(pl.lit("X"), pl.col(key).cast(pl.String))
                                       .alias(key))
            both = pl.concat([read(path), added], how="vertical_relaxed")
            (both.write_parquet if path.suffix == ".parquet" else both.write_csv)(grown / path.name)
        text = (folder / "config.toml").read_text().replace(f"{folder.resolve()}/",
                                                            f"{grown.resolve()}/")
        (grown / "config.toml").write_text(text)
    return grown


def incremental_row(records: int, seed: int, timeout: float) -> dict:
    folder = dataset(records, seed)
    full = run_resolver(folder, timeout)
    grown = _append_batch(folder, 0.01, seed)
    step = measured([sys.executable, "-m", "resolver", "run", str(grown / "config.toml"),
                     "--out", str(grown / "out"), "--previous", str(folder / "out"),
                     "--incremental", "--quiet"], timeout)
    doc = json.loads((grown / "out" / "run.json").read_text()) if step["exit"] == 0 else {}
    delta = doc.get("incremental") or {}
    return {"records": f"{records:,}", "full run s": full["seconds"],
            "incremental s": step["seconds"] if step["exit"] == 0 else
            f"failed ({step['error']})",
            "share of full": round(step["seconds"] / full["seconds"], 3)
            if step["exit"] == 0 and full["exit"] == 0 else "",
            "new records": f"{delta.get('new', 0):,}",
            "pairs compared": f"{delta.get('pairs_compared', 0):,}",
            "pairs reused": f"{delta.get('pairs_reused', 0):,}",
            "records reclustered": f"{delta.get('records_reclustered', 0):,}",
            "incremental stages s": ", ".join(f"{k} {v:.1f}" for k, v in
                                              doc.get("timings_seconds", {}).items())}


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time among those that completed (the middle one; of an even
    count, the slower middle one); the first run when none completed."""
    done = sorted((r for r in runs if r["exit"] == 0), key=lambda r: r["seconds"])
    return done[len(done) // 2] if done else runs[0]


def _times(runs: list[dict]) -> str:
    return ", ".join(str(r["seconds"]) if r["exit"] == 0 else "failed" for r in runs)


def same_outputs(folder: Path) -> str:
    """Whether the Spark engine's lineage, entities and households equal the local
    engine's, frame to frame after sorting."""
    keys = {"lineage": ["source", "record_id"], "entities": ["entity_id"],
            "households": ["household_id"]}
    differ = [name for name, key in keys.items()
              if not pl.read_parquet(folder / "out" / f"{name}.parquet").sort(key).equals(
                  pl.read_parquet(folder / "out_spark" / f"{name}.parquet").sort(key))]
    return "yes" if not differ else "no: " + ", ".join(differ)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int, nargs="+")
    parser.add_argument("--seed", type=int, default=8801)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--splink-max", type=int, default=None, metavar="N",
                        help="run Splink only at sizes of at most N records")
    parser.add_argument("--spark-min", type=int, default=0, metavar="N",
                        help="run the Spark engine only at sizes of at least N records")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--spark", metavar="MASTER", nargs="?", const="local[2]",
                        help="also run the Spark engine (default master local[2])")
    parser.add_argument("--results", default="scale", metavar="NAME",
                        help="results/NAME.json and .md (default scale)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run each tool N times per size: times are the median run's, "
                        "peaks the highest of the runs")
    parser.add_argument("--max-pairs", type=int, default=None, metavar="N",
                        help="blocking.max_pairs for the runs (the sample config's ceiling "
                        "refuses ~3M records and more)")
    parser.add_argument("--incremental", action="store_true",
                        help="a full run, then 1%% more records run incrementally")
    args = parser.parse_args(argv)
    if args.incremental:
        rows = []
        for records in args.records:
            rows.append(incremental_row(records, args.seed, args.timeout))
            write_results("scale_incremental", rows)
        return
    rows = []
    for records in args.records:
        folder = dataset(records, args.seed, args.max_pairs)
        splink = not args.no_splink and (args.splink_max is None or records <= args.splink_max)
        our_runs, their_runs = [], []
        for _ in range(args.repeat):  # alternated, so both tools see the same machine
            our_runs.append(run_resolver(folder, args.timeout))
            if splink:
                their_runs.append(run_splink(folder, args.timeout))
        ours = median_run(our_runs)
        theirs = median_run(their_runs) if splink else None
        on_spark = (run_resolver(folder, args.timeout, args.spark)
                    if args.spark and records >= args.spark_min else None)
        stages = ours.get("stages", {})
        rows.append({
            "records": f"{pl.read_parquet(folder / 'truth.parquet').height:,}",
            "resolver s": ours["seconds"] if ours["exit"] == 0 else f"failed ({ours['error']})",
            **({"resolver runs s": _times(our_runs)} if args.repeat > 1 else {}),
            "resolver CPU s": ours.get("cpu_seconds", ""),
            "resolver peak GB": max(r["peak_rss_gb"] for r in our_runs),
            "pairs": f"{ours.get('pairs', 0):,}",
            "pairs/record": round(ours.get("pairs", 0) / max(ours.get("records", 1), 1), 1),
            "resolver F1": ours.get("f1", ""),
            "stages s": ", ".join(f"{k} {v:.1f}" for k, v in stages.items()),
            **({} if on_spark is None else {
                "spark s": (on_spark["seconds"] if on_spark["exit"] == 0
                            else f"failed ({on_spark['error']})"),
                "spark peak GB": on_spark["peak_rss_gb"],
                "spark F1": on_spark.get("f1", ""),
                "spark outputs = local": same_outputs(folder) if on_spark["exit"] == 0 else "",
                "spark stages s": ", ".join(f"{k} {v:.1f}"
                                            for k, v in on_spark.get("stages", {}).items())}),
            "splink s": "" if theirs is None else (theirs["seconds"] if theirs["exit"] == 0
                                                   else "did not complete"),
            **({"splink runs s": _times(their_runs)} if args.repeat > 1 and theirs else {}),
            "splink CPU s": "" if theirs is None else theirs.get("cpu_seconds", ""),
            "splink peak GB": "" if theirs is None else max(r["peak_rss_gb"] for r in their_runs),
            "splink F1": "" if theirs is None else theirs.get("f1", ""),
            "ratio": (round(ours["seconds"] / theirs["seconds"], 2)
                      if theirs and theirs["exit"] == 0 and ours["exit"] == 0 else ""),
        })
        write_results(args.results, rows)  # after every size: a long run keeps what it measured


if __name__ == "__main__":
    main()
