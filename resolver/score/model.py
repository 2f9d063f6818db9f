"""The match model: Fellegi–Sunter m and u probabilities per comparison level and the
prior λ, saved as readable, versioned JSON (never pickle)."""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from resolver.config import Comparison
from resolver.errors import InputError

FORMAT = "resolver-model"
VERSION = 1
MIN_PROBABILITY = 1e-6  # no level is ever impossible under any class


@dataclass
class ComparisonParams:
    name: str
    kind: str
    labels: list[str]  # level labels without "null": level i+1 is labels[i]
    m: list[float]
    u: list[float]
    u_random: list[float]  # u measured on random pairs (for term-frequency scaling)
    term_frequency: bool = False
    h: list[float] | None = None  # the household class: another person of the household
    # email only: u among strangers whose names both agree (score/dependence.py)
    u_given_names: list[float] | None = None

    def weights(self) -> list[float]:
        """log2(m/u) per level, index 0 (null) is 0."""
        return [0.0] + [math.log2(m / u) for m, u in zip(self.m, self.u)]

    def weights_given_names(self) -> list[float] | None:
        """log2(m/u) per level with u among strangers who share the name."""
        if self.u_given_names is None:
            return None
        return [0.0] + [math.log2(m / u) for m, u in zip(self.m, self.u_given_names)]


@dataclass
class Model:
    prior: float  # probability that two random records are one person
    comparisons: list[ComparisonParams]
    trained: dict = field(default_factory=dict)
    household_prior: float = 0.0  # probability that two random records share a household

    @property
    def has_household_class(self) -> bool:
        return self.household_prior > 0 and all(c.h for c in self.comparisons)

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def to_json(self) -> dict:
        return {
            "format": FORMAT, "version": VERSION, "prior": self.prior,
            "prior_match_weight": round(self.prior_weight, 6),
            "household_prior": self.household_prior,
            "comparisons": [{
                "name": c.name, "kind": c.kind, "term_frequency": c.term_frequency,
                "levels": [{"label": "null", "match_weight": 0.0}] + [
                    {"label": label, "m": m, "u": u, "u_random": ur,
                     **({"h": h} if c.h else {}),
                     **({"u_given_names": un} if c.u_given_names else {}),
                     "match_weight": round(math.log2(m / u), 6)}
                    for label, m, u, ur, h, un in zip(
                        c.labels, c.m, c.u, c.u_random, c.h or [None] * len(c.m),
                        c.u_given_names or [None] * len(c.m))],
            } for c in self.comparisons],
            "trained": self.trained,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n")


def load_model(path: Path, comparisons: tuple[Comparison, ...]) -> Model:
    """Read a model file and check it fits the config's comparisons."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read model file {path} ({type(exc).__name__}). Re-create it "
                         "with `resolver train CONFIG`") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise InputError(f"{path} is not a resolver model of version {VERSION}. Re-create it "
                         "with `resolver train CONFIG`")
    try:
        return _model_from_json(doc, path, comparisons)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        what = f"key {exc.args[0]!r} missing" if isinstance(exc, KeyError) else "malformed"
        raise InputError(f"model file {path} is damaged ({what}). Re-create it with "
                         "`resolver train CONFIG`") from None


def _probability(value, path: Path, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise InputError(f"model file {path}: comparison {name!r} has a probability that is "
                         "not a number in (0, 1]. Re-create it with `resolver train CONFIG`")
    return float(value)


def _model_from_json(doc: dict, path: Path, comparisons: tuple[Comparison, ...]) -> Model:
    by_name = {c["name"]: c for c in doc["comparisons"]}
    params = []
    for comparison in comparisons:
        saved = by_name.get(comparison.name)
        labels = [lv["label"] for lv in saved["levels"][1:]] if saved else None
        if labels != list(comparison.levels):
            raise InputError(f"model {path} does not fit the config: comparison "
                             f"{comparison.name!r} has other levels. Retrain with "
                             "`resolver train CONFIG`")
        levels = saved["levels"][1:]

        def column(key: str, levels=levels, name=comparison.name) -> list[float]:
            return [_probability(lv[key], path, name) for lv in levels]

        params.append(ComparisonParams(
            comparison.name, comparison.kind, labels, column("m"), column("u"),
            column("u_random"), comparison.term_frequency,
            column("h") if all("h" in lv for lv in levels) else None,
            column("u_given_names") if comparison.kind == "email" and all(
                "u_given_names" in lv for lv in levels) else None))
    prior = _probability(doc["prior"], path, "prior")
    household_prior = doc.get("household_prior", 0.0)
    if prior >= 1 or not isinstance(household_prior, (int, float)) or not (
            0 <= household_prior < 1):
        raise InputError(f"model file {path}: prior or household_prior out of range. "
                         "Re-create it with `resolver train CONFIG`")
    return Model(prior=prior, comparisons=params, trained=doc.get("trained", {}),
                 household_prior=float(household_prior))
