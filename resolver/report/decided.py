"""report.html's precision, recall and F1 across match thresholds, labelled by steward
decisions: `resolver evaluate OUT --sweep`'s computation (evaluate_sweep.sweep) on the
run's frames in memory. `resolver run` takes no truth file, so decisions are the only
labels a run has.

Labelled as `evaluate` labels them: the latest decision per pair of the run's records;
a decided pair the blocking rules never made has no probability and is predicted apart at
every threshold. The chart is drawn only when enough decided pairs are among the scored
pairs, with matches and non-matches both among them."""

from dataclasses import dataclass

import polars as pl

from resolver import frames as F
from resolver.decisions import decision_pairs, read_decisions
from resolver.evaluate_sweep import DECISIONS_NOTE, Labelled, sweep

MIN_DECIDED = 20  # decided pairs among the scored pairs before a sweep is worth showing


@dataclass(frozen=True)
class DecidedSweep:
    decided: int  # decided pairs of the run's records
    scored: int  # of them, pairs the run scored
    matches: int  # among the scored ones
    no_matches: int
    points: pl.DataFrame | None  # evaluate_sweep.sweep's table; None: too few labels

    @property
    def enough(self) -> bool:
        return self.points is not None


def decided_sweep(result) -> DecidedSweep:
    config = result.config
    decided, _ = decision_pairs(read_decisions(config.decisions_path), result.normalized)
    # the scored pairs cut down to the decided ones first: joining the decisions onto
    # every scored pair hashed all of them (1.5 GB at 1.2M records, for a few decisions)
    probability = (result.scored.join(decided.select(F.UID_L, F.UID_R),
                                      on=[F.UID_L, F.UID_R], how="semi")
                   .select(F.UID_L, F.UID_R,
                           pl.col(F.MATCH_PROBABILITY).cast(pl.Float64).alias("p")))
    pairs = decided.join(probability, on=[F.UID_L, F.UID_R], how="left").select(
        "p", (pl.col("decision") == "match").cast(pl.Int64).alias("y"))
    scored = pairs.filter(pl.col("p").is_not_null())
    matches = int(scored.get_column("y").sum())
    enough = scored.height >= MIN_DECIDED and 0 < matches < scored.height
    labelled = Labelled(pairs, int(pairs.get_column("y").sum()), "decisions", DECISIONS_NOTE)
    return DecidedSweep(pairs.height, scored.height, matches, scored.height - matches,
                        sweep(labelled, config.review_threshold) if enough else None)
