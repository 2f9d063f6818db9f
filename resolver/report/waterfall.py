"""A pair's waterfall: the prior, each comparison's partial weight (its level's weight and
the term-frequency adjustment within it), the household term and the total they add up
to. One computation behind `explain`, report.html and the workbench, so that the three
show the same numbers for the same pair.

The household term is what the third latent class ("another person of the same
household") takes off: the total less the prior and the comparisons' weights.
"""

from dataclasses import dataclass

from resolver import frames as F


@dataclass(frozen=True)
class Term:
    name: str  # "prior", a comparison's name, "household term"
    level: str  # the comparison level's label ("" for the prior and household term)
    level_index: int  # 0 null, 1 the closest level, ... the last is `else` (-1: none)
    weight: float  # bits
    tf_adjustment: float  # of which term frequency
    start: float  # running total before this term
    end: float  # and after it


@dataclass(frozen=True)
class Waterfall:
    terms: list[Term]  # prior, comparisons in config order, household term
    total: float  # match weight, as the run scored it
    probability: float

    @property
    def low(self) -> float:
        return min(0.0, *(min(t.start, t.end) for t in self.terms))

    @property
    def high(self) -> float:
        return max(0.0, *(max(t.start, t.end) for t in self.terms))


def comparison_terms(row: dict, comparisons, model) -> list[tuple[str, str, int, float, float]]:
    """(name, level label, level index, weight, tf adjustment) per comparison of a row of
    pairs.parquet (or of a run's pairs frame)."""
    out = []
    for comparison, params in zip(comparisons, model.comparisons):
        label = str(row[f"{comparison.name}_level"])
        weight = float(row[F.partial_weight(comparison.name)])
        labels = ["null", *params.labels]
        index = labels.index(label) if label in labels else -1
        base = params.weights()[index] if index >= 0 else weight
        out.append((comparison.name, label, index, weight, weight - base))
    return out


def waterfall(row: dict, comparisons, model) -> Waterfall:
    """The waterfall of one scored pair; its terms add up to the row's match weight."""
    total = float(row[F.MATCH_WEIGHT])
    parts = [("prior", "", -1, model.prior_weight, 0.0)]
    parts += comparison_terms(row, comparisons, model)
    household = total - sum(p[3] for p in parts)
    if abs(household) >= 0.005:
        parts.append(("household term", "", -1, household, 0.0))
    terms, running = [], 0.0
    for name, label, index, weight, tf in parts:
        terms.append(Term(name, label, index, weight, tf, running, running + weight))
        running += weight
    return Waterfall(terms, total, float(row[F.MATCH_PROBABILITY]))
