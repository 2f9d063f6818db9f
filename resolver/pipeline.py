"""The stage order of `resolver run`, and nothing else. Each frame a stage hands on is
checked against its declared schema (contract.py), as the Spark engine checks its own.

ingest -> normalize -> block -> compare -> (train) -> score -> decide -> cluster
individuals -> stable IDs -> golden records -> households -> output frames.
"""

import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

from resolver import contract
from resolver import frames as F
from resolver.block import RuleStats, candidate_pairs, cap_as_run, capped_to_fit_warnings
from resolver.cluster.conflicts import model_checkers
from resolver.cluster.individuals import Clustering, cluster_individuals
from resolver.cluster.strong import strong_values
from resolver.compare.compute import compare_pairs
from resolver.config import Config
from resolver.decisions import decision_pairs, read_decisions
from resolver.gc_pause import paused_gc
from resolver.golden.build import golden_records
from resolver.golden.ids import assign_entity_ids
from resolver.households.build import with_households
from resolver.ingest import ingest
from resolver.normalize import normalize_records
from resolver.output import lineage_frame, pairs_frame, read_previous
from resolver.score.batches import score_pairs
from resolver.score.model import Model, load_model
from resolver.score.predict import TermTables, term_tables
from resolver.score.train import labels_from_decisions, train_model
from resolver.store import frequency_frame, scoring_frequencies

STAGES = ("ingest", "normalize", "block", "compare", "train", "score", "cluster", "golden")


@dataclass
class RunResult:
    config: Config
    records: pl.DataFrame
    normalized: pl.DataFrame
    scored: pl.DataFrame
    model: Model
    blocking: list[RuleStats]
    clustering: Clustering
    lineage: pl.DataFrame
    entities: pl.DataFrame
    households: pl.DataFrame
    pairs: pl.DataFrame
    changes: pl.DataFrame
    unknown_decisions: int
    timings: dict[str, float] = field(default_factory=dict)
    peak_memory_mb: dict[str, int] = field(default_factory=dict)
    steward: pl.DataFrame | None = None  # (uid_l, uid_r, decision) applied, for the store
    frequencies: pl.DataFrame | None = None  # term-frequency counts scored with (store.py)
    dob_formats: dict | None = None  # per source, a dob format pinned by an earlier run
    delta: dict | None = None  # an incremental run: records new/changed/deleted, pairs reused


def _counter(progress, stage: str):
    """progress(stage, done, total) as a chunk callback: the long stages count pairs."""
    return (lambda done, total: progress(stage, done, total)) if progress else None


class StageMeter(dict):
    """stage -> seconds; the most memory the parser workers held at a stage's end; and
    this process's high-water resident memory at each stage's end (the stage that
    raised it is where a run's peak is)."""
    workers_mb: int = 0

    def __init__(self):
        super().__init__()
        self.process_mb: dict[str, int] = {}


@contextmanager
def _stage(timings: StageMeter, name: str, progress: Callable[..., None] | None):
    if progress:
        progress(name)
    start = time.perf_counter()
    with paused_gc():
        yield
    timings[name] = round(time.perf_counter() - start, 3)
    timings.workers_mb = max(timings.workers_mb, _workers_mb())
    timings.process_mb[name] = _high_water_mb()


def _workers_mb() -> int:
    """Resident memory of this process's children now (the parser workers), from /proc."""
    total = 0
    for children in Path("/proc/self/task").glob("*/children"):
        try:
            pids = children.read_text().split()
        except OSError:
            continue  # a thread that ended since the listing (the stages run thread pools)
        for pid in pids:
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue  # a worker that just ended
    return total * os.sysconf("SC_PAGE_SIZE") // 2 ** 20


def _high_water_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: kilobytes


def peak_memory_mb(meter: StageMeter) -> dict:
    """The high-water resident memory of this process, the most its parser workers held
    at the end of a stage, and this process's high water at each stage's end."""
    return {"process": _high_water_mb(), "workers": meter.workers_mb,
            "process_by_stage": dict(meter.process_mb)}


def candidates(config: Config,
               ) -> tuple[Config, pl.DataFrame, pl.DataFrame, list[RuleStats]]:
    """The first stages alone (for `train` and `blocking`): the config with the rules
    blocking capped to fit (with_cap_as_run), normalized records, candidate pairs and
    per-rule blocking statistics."""
    normalized = normalize_records(ingest(config), config)
    pairs, stats = candidate_pairs(normalized, config.blocking_rules, config.block_cap,
                                   config.link_type == "link_only", config.max_pairs,
                                   config.cap_to_fit)
    return with_cap_as_run(config, stats), normalized, pairs, stats


def with_cap_as_run(config: Config, stats: list[RuleStats]) -> Config:
    """The config later stages read: its block_cap is the one blocking ran under, with the
    rules fitting max_pairs capped (training's rule membership, the recall estimate)."""
    return replace(config, fitted_cap=cap_as_run(config.block_cap, stats))


def blocking_warnings(stats: list[RuleStats], config: Config) -> list[str]:
    """One line per rule capped to fit blocking.max_pairs, then one per rule that skipped
    blocks: counts and sizes only, never a key value."""
    return [*capped_to_fit_warnings(stats, config.max_pairs, config.max_block_size),
            *(f"blocking rule {s.rule} skipped {s.skipped_blocks} block(s) larger than "
              f"blocking.max_block_size = {config.max_block_size:,} after refining by "
              f"blocking.refine_with ({s.skipped_records:,} records in all); add a key to "
              "the rule or to refine_with, or raise the cap"
              for s in stats if s.skipped_blocks)]


def golden_stage(config: Config, normalized: pl.DataFrame, ids: pl.DataFrame,
                 clustering: Clustering, scored: pl.DataFrame, weights: pl.DataFrame,
                 kept: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
                 golden: Callable[[pl.DataFrame], pl.DataFrame] | None = None):
    """-> (entities, households, lineage, pairs output) of clustered records; ids:
    (cluster, entity_id) from assign_entity_ids. weights: score/batches.py. kept: given
    the resolved records, golden rows that stand as they are (incremental/golden.py).
    golden: given each record's (uid, entity_id), the golden records built elsewhere
    (the Spark engine builds them on Spark)."""
    resolved = resolved_records(normalized, ids, clustering)
    flagged = ids.join(clustering.flag_frame(), on="cluster").select(F.ENTITY_ID, F.CLUSTER_FLAG)
    built = (golden(resolved.select(F.UID, F.ENTITY_ID)) if golden
             else _golden(config, resolved, kept))
    entities, households = with_households(built, resolved, config.households)
    # the flags lined up by a join of the IDs alone (not of the golden records' lists)
    entities = entities.with_columns(entities.select(F.ENTITY_ID).join(
        flagged, on=F.ENTITY_ID, how="left", maintain_order="left").get_column(F.CLUSTER_FLAG))
    lineage = lineage_frame(resolved, entities, scored)
    contract.check_golden({"entities": entities, "households": households, "lineage": lineage})
    return (entities, households, lineage,
            pairs_frame(scored, weights, clustering, normalized, config))


def resolved_records(normalized: pl.DataFrame, ids: pl.DataFrame,
                     clustering: Clustering) -> pl.DataFrame:
    """The normalized records with their individual's entity_id, in uid order. The
    entity IDs are gathered by cluster and added as a column, so the records' own
    columns are shared, not copied (a join and sort copied ~1.1 GB at 1.2M records)."""
    records = normalized if normalized.get_column(F.UID).is_sorted() else \
        normalized.sort(F.UID)
    cluster_of = np.asarray(clustering.cluster_of)
    if len(cluster_of) != records.height:
        raise ValueError("one cluster per record is needed")
    clusters = ids.get_column("cluster").to_numpy()
    row_of = np.full(int(max(clusters.max(initial=0), cluster_of.max(initial=0))) + 1, -1,
                     dtype=np.int64)
    row_of[clusters] = np.arange(len(clusters))
    rows = row_of[cluster_of]
    if (rows < 0).any():
        raise ValueError("a record's cluster has no entity ID")
    return records.with_columns(ids.get_column(F.ENTITY_ID).gather(rows))


def _golden(config: Config, resolved: pl.DataFrame,
            kept: Callable[[pl.DataFrame], pl.DataFrame] | None) -> pl.DataFrame:
    standing = kept(resolved) if kept else None
    if standing is None or standing.height == 0:
        return golden_records(resolved, config)
    built = golden_records(resolved.join(standing.select(F.ENTITY_ID), on=F.ENTITY_ID,
                                         how="anti"), config)
    return pl.concat([standing.select(built.columns).cast(built.schema), built]).sort(
        F.ENTITY_ID)


def _scoring_terms(config: Config, normalized: pl.DataFrame) -> tuple[pl.DataFrame,
                                                                        TermTables]:
    """-> (the term-frequency counts a run scores with, their TermTables)."""
    frequencies = scoring_frequencies(config, normalized)
    return frequencies, term_tables(frequency_frame(frequencies), config.comparisons)


def run_pipeline(config: Config, previous: Path | None = None,
                 progress: Callable[..., None] | None = None,
                 warn: Callable[[str], None] | None = None) -> RunResult:
    """progress(stage) at each stage's start, and progress(stage, done, total) as the
    long stages (compare, score) go through their pairs; warn: told at once of what the
    run works around (oversized blocks)."""
    t = StageMeter()
    with _stage(t, "ingest", progress):
        records = ingest(config)
        contract.check(records, "records", config)
        prior_ids = read_previous(previous) if previous else None
        decisions = read_decisions(config.decisions_path)
    with _stage(t, "normalize", progress):
        normalized = normalize_records(records, config)
        contract.check(normalized, "normalized", config)
    with _stage(t, "block", progress):
        pairs, blocking = candidate_pairs(normalized, config.blocking_rules,
                                          config.block_cap,
                                          config.link_type == "link_only", config.max_pairs,
                                          config.cap_to_fit)
        contract.check(pairs, "pairs", config)
        config = with_cap_as_run(config, blocking)
        for line in blocking_warnings(blocking, config):
            if warn:
                warn(line)
    with _stage(t, "compare", progress):
        gammas = compare_pairs(pairs, normalized, config.comparisons,
                               on_chunk=_counter(progress, "compare"))
        contract.check(gammas, "compared", config)
        del pairs  # the comparison vectors carry the pairs on
    with _stage(t, "train", progress), ThreadPoolExecutor(1) as pool:
        # the term frequencies scoring reads are counted in a thread while training runs
        counting = pool.submit(_scoring_terms, config, normalized)
        steward, unknown = decision_pairs(decisions, normalized)
        model = (load_model(config.model_path, config.comparisons)
                 if config.model_path and config.model_path.is_file()
                 else train_model(config, normalized, gammas,
                                  labels_from_decisions(steward, gammas)))
        frequencies, terms = counting.result()
    with _stage(t, "score", progress):
        scored, weights = score_pairs(gammas, model, config, terms, steward,
                                      _counter(progress, "score"))
        contract.check(scored, "scored", config)
        contract.check(weights, "weights", config, contract.weights_schema(config))
        del gammas
    with _stage(t, "cluster", progress):
        links = scored.filter(pl.col(F.DECISION) == "match")
        checks = model_checkers(model, config.comparisons, config.strong_identifiers,
                                config.match_threshold, config.review_threshold)
        clustering = cluster_individuals(normalized.height, links,
                                         strong_values(normalized, config.strong_identifiers),
                                         steward, config.max_cluster_size, checks, scored,
                                         config.review_threshold)
        members = normalized.select(pl.Series("cluster", clustering.cluster_of), F.RECORD_KEY)
        ids, changes = assign_entity_ids(members, prior_ids)
    with _stage(t, "golden", progress):
        entities, households, lineage, pair_output = golden_stage(
            config, normalized, ids, clustering, scored, weights)
    return RunResult(config, records, normalized, scored, model, blocking, clustering,
                     lineage, entities, households, pair_output, changes, unknown, t,
                     peak_memory_mb(t), steward, frequencies)
