"""`resolver run CONFIG --previous OLD --out NEW --incremental`: the stage order of a run
that links today's new and changed records to the run before it.

ingest (all sources) -> the record delta against OLD's store -> normalize the new and
changed records -> block all records, keep the stored levels of unchanged pairs ->
compare the other pairs -> score them with OLD's model and term frequencies (never
trained) -> re-cluster the components the delta touches -> stable IDs -> golden records
(kept from OLD for the individuals whose records did not change, built for the others)
and households (for everyone) -> outputs.

The result is the RunResult a full run gives, so the same files are written. An
incremental run equals a full run on the same records with OLD's model (`[model] path`)
and OLD's term frequencies (`[model] term_frequencies`), both pinned; see README.
"""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.block import candidate_pairs
from resolver.compare.compute import compare_pairs
from resolver.config import Config
from resolver.decisions import decision_pairs, read_decisions
from resolver.errors import InputError
from resolver.golden.ids import assign_entity_ids
from resolver.incremental.clusters import recluster
from resolver.incremental.golden import kept_golden
from resolver.incremental.pairs import score_pairs, split_pairs
from resolver.incremental.records import record_delta
from resolver.ingest import ingest
from resolver.output import read_previous
from resolver.pipeline import (RunResult, StageMeter, _stage, golden_stage,
                               blocking_warnings, peak_memory_mb,
                               with_cap_as_run)
from resolver.score.model import Model, load_model
from resolver.store import read_store


def previous_model(previous: Path, config: Config) -> Model:
    """OLD's model; a config that pins another model is refused (never silently mixed)."""
    model = load_model(previous / "model.json", config.comparisons)
    if config.model_path is not None and load_model(
            config.model_path, config.comparisons).to_json() != model.to_json():
        raise InputError(f"model.path names {config.model_path}, another model than the one "
                         f"{previous} scored with; an incremental run scores with the previous "
                         "run's model.json. Remove model.path or point it at that file, or run "
                         "without --incremental to score everything with the new model")
    return model


def run_incremental(config: Config, previous: Path,
                    progress: Callable[[str], None] | None = None,
                    warn: Callable[[str], None] | None = None) -> RunResult:
    t = StageMeter()
    with _stage(t, "ingest", progress):
        store = read_store(previous, config)
        model = previous_model(previous, config)
        records = ingest(config)
        prior_ids = read_previous(previous)
        decisions = read_decisions(config.decisions_path)
    with _stage(t, "normalize", progress):
        delta = record_delta(records, store, config)
        normalized = delta.normalized
        store = replace(store, records=store.records.clear())  # held in `normalized` now
    with _stage(t, "block", progress):
        pairs, blocking = candidate_pairs(normalized, config.blocking_rules, config.block_cap,
                                          config.link_type == "link_only", config.max_pairs,
                                          config.cap_to_fit)
        config = with_cap_as_run(config, blocking)
        for line in blocking_warnings(blocking, config):
            if warn:
                warn(line)
        split = split_pairs(pairs, store, delta.old_to_new, delta.gone)
        store = replace(store, pairs=store.pairs.clear())  # the reused ones are in `split`
        del pairs
    with _stage(t, "compare", progress):
        gammas = compare_pairs(split.todo, normalized, config.comparisons)
    with _stage(t, "train", progress):  # nothing to train: the model is OLD's
        steward, unknown = decision_pairs(decisions, normalized)
    with _stage(t, "score", progress):
        scored, weights = score_pairs(gammas, split.reused, store, model, config, steward,
                                      normalized)
    with _stage(t, "cluster", progress):
        clustering, reclustered = recluster(normalized, scored, steward, store, delta,
                                            split.touched, model, config)
        members = normalized.select(pl.Series("cluster", clustering.cluster_of), F.RECORD_KEY)
        ids, changes = assign_entity_ids(members, prior_ids)
    keep, kept_rows = kept_golden(previous, config, store.meta, delta.fresh), [0]

    def kept(resolved: pl.DataFrame) -> pl.DataFrame | None:
        standing = keep(resolved) if keep else None
        kept_rows[0] = standing.height if standing is not None else 0
        return standing

    with _stage(t, "golden", progress):
        entities, households, lineage, pair_output = golden_stage(
            config, normalized, ids, clustering, scored, weights, kept)
    result = RunResult(config, records, normalized, scored, model, blocking, clustering,
                       lineage, entities, households, pair_output, changes, unknown, t,
                       peak_memory_mb(t), steward, store.frequencies,
                       store.meta.get("dob_formats", {}))
    result.delta = {**delta.counts, "pairs_compared": split.todo.height,
                    "pairs_reused": split.reused.height, "records_reclustered": reclustered,
                    "golden_records_kept": kept_rows[0]}
    return result
