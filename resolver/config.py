"""TOML config -> frozen dataclasses.

Every problem is collected with its key path (`sources[2].columns.dob`) and reported at
once, before any data is read, in the manner of Splink's settings validation. Relative
paths are resolved against the config file's folder.
"""

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from resolver.compare.library import KINDS, parse_level
from resolver.csv_safety import TRIGGERS
from resolver.errors import ConfigError
from resolver.frames import CANONICAL_FIELDS
from resolver.golden.rules import RULES

DEFAULT_MAX_PAIRS = 25_000_000  # candidate pairs per run: a few GB of pair frames
# A block of n records costs n(n-1)/2 pairs while it holds a few records per person, so a
# cap on block size is a cap on pairs per record (n/2) whatever the size of the data.
DEFAULT_MAX_BLOCK_SIZE = 50
DEFAULT_REFINE_WITH = ("dob_year", "zip3")

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".tsv": "csv"}
# a source name starts every record key (source:record_id): one that a spreadsheet would
# run as a formula (or whose quote csv_safety would double) is refused, so record keys are
# written to CSV files exactly as given
FORMULA_STARTS = tuple(TRIGGERS + "'")
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Source:
    name: str
    path: Path
    format: str
    id_column: str
    updated_at_column: str | None
    # canonical or extra field -> column in the file, or columns joined into one value
    # (dob = ["birth_year", "birth_month", "birth_day"])
    columns: dict[str, str | tuple[str, ...]]
    formats: dict[str, str]  # field -> strptime format (dob, updated_at)
    delimiter: str = ","
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Comparison:
    name: str
    kind: str
    levels: tuple[str, ...]  # labels, most similar first; "null" is implicit and first
    term_frequency: bool = False
    field: str | None = None  # for kind "identifier": the extra field it compares


@dataclass(frozen=True)
class BlockingRule:
    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class BlockCap:
    """A block larger than `size` records is split by each `refine_with` key in turn
    (pairs kept when they also share that key); a sub-block still larger is skipped.
    A rule is capped when its blocks make more than size/2 pairs a record on the whole,
    and a rule named in `capped` whatever its total (block.fit_to_ceiling)."""
    size: int
    refine_with: tuple[str, ...] = ()
    capped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path
    sources: tuple[Source, ...]
    extra_fields: tuple[str, ...]
    blocking_rules: tuple[BlockingRule, ...]
    max_block_size: int
    max_pairs: int
    training_rules: tuple[BlockingRule, ...]
    comparisons: tuple[Comparison, ...]
    match_threshold: float
    review_threshold: float
    default_region: str = "US"
    email_provider_rules: bool = True
    junk_values: tuple[str, ...] = ()
    dob_min: dt.date | None = None  # None: normalize.dates.DOB_MIN
    dob_max: dt.date | None = None  # None: the day of the run
    strong_identifiers: tuple[str, ...] = ("dob", "suffix")
    max_cluster_size: int = 50
    households: bool = True
    survivorship_default: tuple[str, ...] = ("valid_first", "most_recent", "most_frequent")
    survivorship_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source_priority: tuple[str, ...] = ()
    model_path: Path | None = None
    # term-frequency counts to score with (a run store's frequencies.parquet) instead of
    # counting this run's records: a full run then scores as an incremental run does
    term_frequencies_path: Path | None = None
    em_max_iterations: int = 50
    household_class: bool = True  # fit a "same household, other person" class
    u_sample_pairs: int = 1_000_000
    max_training_pairs: int = 300_000  # per training rule, sampled
    seed: int = 42
    decisions_path: Path | None = None
    output_format: str = "parquet"
    private_outputs: bool = True  # a new output folder is owner-only (0700/0600)
    link_type: str = "dedupe"  # dedupe: any two records; link_only: across sources only
    text_hash: str = ""
    refine_with: tuple[str, ...] = DEFAULT_REFINE_WITH
    cap_to_fit: bool = True  # blocking.over_max_pairs: "cap" (block.fit_to_ceiling), "refuse"
    # the cap the blocking rules ran under when fitting max_pairs capped more than the
    # file's settings do (block.fit_to_ceiling); not read from the file, set by the run
    fitted_cap: BlockCap | None = None

    @property
    def block_cap(self) -> BlockCap:
        """The cap the blocking rules run under."""
        return self.fitted_cap or BlockCap(self.max_block_size, self.refine_with)

    @property
    def training_cap(self) -> BlockCap:
        """The cap a training rule runs under: its own total decides, whatever the
        blocking rules were capped to fit (a training rule may share a blocking rule's
        name)."""
        return BlockCap(self.max_block_size, self.refine_with)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(path, [f"file not found: {path}. Pass the path of a TOML config "
                                 "(`resolver init SOURCE...` writes a starter one)"])
    raw_bytes = path.read_bytes()
    try:
        doc = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    reader = _Reader(path.parent.resolve())
    config = reader.config(path, doc, hashlib.sha256(raw_bytes).hexdigest()[:16])
    for key, named in (("model.path", config.model_path),
                       ("model.term_frequencies", config.term_frequencies_path),
                       ("decisions.path", config.decisions_path)):
        if named is not None and named.is_dir():
            reader.problem(key, f"{named} is a folder; name a file")
    if reader.problems:
        raise ConfigError(path, reader.problems)
    return config


def check_run_files(config: Config) -> None:
    """What `run` and `validate` need beyond the config itself: a model file the config
    names must exist (a run never silently trains a model in its place) and fit the
    config's comparisons."""
    from resolver.score.model import load_model

    tf = config.term_frequencies_path
    if tf is not None and not tf.is_file():
        raise ConfigError(config.path, [
            f"model.term_frequencies: file not found: {tf}. Name the store/frequencies.parquet "
            "of an earlier run's output folder, or remove the key to count this run's records"])
    if config.model_path is None:
        return
    if not config.model_path.is_file():
        raise ConfigError(config.path, [
            f"model.path: file not found: {config.model_path}. Write it with `resolver train "
            f"{config.path} --out {config.model_path}`, or remove model.path to train during "
            "the run"])
    load_model(config.model_path, config.comparisons)


class _Reader:
    """Walks the TOML document, collecting problems instead of stopping at the first."""

    def __init__(self, base: Path):
        self.base = base
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def get(self, table: dict, key: str, path: str, kind, default=None, required=False):
        if key not in table:
            if required:
                self.problem(f"{path}{key}", "missing; this key is required")
            return default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.problem(f"{path}{key}", f"expected {name}, got {type(value).__name__}")
            return default
        return value

    def number(self, table: dict, key: str, path: str, kind, default, low, high=None):
        """An int or float config value within [low, high]; the key path names a violation."""
        value = self.get(table, key, path, kind, default)
        if value is not None and (value < low or (high is not None and value > high)):
            bounds = f"between {low:,} and {high:,}" if high is not None else f"at least {low:,}"
            self.problem(f"{path}{key}", f"must be {bounds}, got {value:,}")
            return default
        return value

    def strings(self, table: dict, key: str, path: str, default: list) -> tuple[str, ...]:
        """A list of strings; a non-string item is a problem naming its index."""
        values = self.get(table, key, path, list, default)
        for i, value in enumerate(values):
            if not isinstance(value, str):
                self.problem(f"{path}{key}[{i}]", f"expected a string, got {type(value).__name__}")
        return tuple(v for v in values if isinstance(v, str))

    def unknown_keys(self, table: dict, allowed: set[str], path: str) -> None:
        for key in sorted(set(table) - allowed):
            self.problem(f"{path}{key}", f"unknown key; expected one of {sorted(allowed)}")

    def config(self, path: Path, doc: dict, text_hash: str) -> Config:
        self.unknown_keys(doc, {"run", "normalize", "sources", "extra_fields", "blocking",
                                "comparisons", "thresholds", "clustering", "households",
                                "survivorship", "model", "decisions"}, "")
        extra = self.strings(doc, "extra_fields", "", [])
        for i, name in enumerate(extra):
            if name in CANONICAL_FIELDS or not name.isidentifier():
                self.problem(f"extra_fields[{i}]", f"{name!r} clashes with a canonical field "
                             "or is not a plain name; choose another (e.g. loyalty_id)")
        sources = self.sources(doc.get("sources"), set(extra))
        run = self.table(doc, "run", {"output_format", "seed", "link_type",
                                      "output_permissions"})
        norm = self.table(doc, "normalize", {"default_region", "email_provider_rules",
                                             "junk_values", "dob_min", "dob_max"})
        blocking = self.table(doc, "blocking", {"rules", "max_block_size", "max_pairs",
                                                "refine_with", "over_max_pairs"})
        over_max_pairs = self.get(blocking, "over_max_pairs", "blocking.", str, "cap")
        if over_max_pairs not in ("cap", "refuse"):
            self.problem("blocking.over_max_pairs", "must be \"cap\" (cap the rules until "
                         "the pairs fit) or \"refuse\" (stop the run)")
        thresholds = self.table(doc, "thresholds", {"match", "review"})
        clustering = self.table(doc, "clustering", {"strong_identifiers", "max_cluster_size"})
        households = self.table(doc, "households", {"enabled"})
        surv = self.table(doc, "survivorship", {"default", "fields", "source_priority"})
        model = self.table(doc, "model", {"path", "max_iterations", "u_sample_pairs",
                                          "training_rules", "household_class",
                                          "max_training_pairs", "term_frequencies"})
        decisions = self.table(doc, "decisions", {"path"})
        match = self.get(thresholds, "match", "thresholds.", float, 0.95)
        review = self.get(thresholds, "review", "thresholds.", float, 0.5)
        if not 0 < review <= match < 1:
            self.problem("thresholds", "need 0 < review <= match < 1 (probabilities)")
        fmt = self.get(run, "output_format", "run.", str, "parquet")
        if fmt not in ("parquet", "csv"):
            self.problem("run.output_format", "must be \"parquet\" or \"csv\"")
        permissions = self.get(run, "output_permissions", "run.", str, "private")
        if permissions not in ("private", "umask"):
            self.problem("run.output_permissions", "must be \"private\" (owner only) or "
                         "\"umask\" (as the process umask allows)")
        link_type = self.get(run, "link_type", "run.", str, "dedupe")
        if link_type not in ("dedupe", "link_only"):
            self.problem("run.link_type", "must be \"dedupe\" or \"link_only\"")
        if link_type == "link_only" and len(sources) < 2:
            self.problem("run.link_type", "\"link_only\" links records across sources and "
                         "needs at least two [[sources]]; use \"dedupe\" for one source")
        fields = set(CANONICAL_FIELDS) | set(extra)
        strong = self.strings(clustering, "strong_identifiers", "clustering.",
                              ["dob", "suffix"])
        for i, name in enumerate(strong):
            if name not in ("dob", "suffix", "first_name", *extra):
                self.problem(f"clustering.strong_identifiers[{i}]",
                             f"{name!r} is not dob, suffix, first_name or a declared extra "
                             "field")
        source_names = [s.name for s in sources]
        priority = self.strings(surv, "source_priority", "survivorship.", [])
        for i, name in enumerate(priority):
            if name not in source_names:
                self.problem(f"survivorship.source_priority[{i}]",
                             f"{name!r} is not a source; sources are {source_names}")
        blocking_rules = self.blocking_rules(blocking, "blocking.", set(extra))
        return Config(
            path=path,
            sources=tuple(sources),
            extra_fields=extra,
            blocking_rules=blocking_rules,
            training_rules=self.blocking_rules(model, "model.", set(extra), "training_rules")
            if "training_rules" in model else blocking_rules,
            max_block_size=self.number(blocking, "max_block_size", "blocking.", int,
                                       DEFAULT_MAX_BLOCK_SIZE, 2),
            refine_with=self.refine_keys(blocking, set(extra)),
            max_pairs=self.number(blocking, "max_pairs", "blocking.", int, DEFAULT_MAX_PAIRS, 1),
            cap_to_fit=over_max_pairs == "cap",
            comparisons=self.comparisons(doc.get("comparisons"), set(extra)),
            match_threshold=match,
            review_threshold=review,
            default_region=self.region(norm),
            email_provider_rules=self.get(norm, "email_provider_rules", "normalize.", bool, True),
            junk_values=self.strings(norm, "junk_values", "normalize.", []),
            dob_min=self.date_or_none(norm, "dob_min", "normalize."),
            dob_max=self.date_or_none(norm, "dob_max", "normalize."),
            strong_identifiers=strong,
            max_cluster_size=self.number(clustering, "max_cluster_size", "clustering.", int, 50,
                                         2),
            households=self.get(households, "enabled", "households.", bool, True),
            survivorship_default=self.rule_list(surv.get("default"), "survivorship.default",
                                                ("valid_first", "most_recent", "most_frequent")),
            survivorship_fields=self.survivorship_fields(surv.get("fields", {}), fields),
            source_priority=priority,
            model_path=self.path_or_none(model, "path", "model."),
            term_frequencies_path=self.path_or_none(model, "term_frequencies", "model."),
            em_max_iterations=self.number(model, "max_iterations", "model.", int, 50, 1),
            household_class=self.get(model, "household_class", "model.", bool, True),
            u_sample_pairs=self.number(model, "u_sample_pairs", "model.", int, 1_000_000, 1000),
            max_training_pairs=self.number(model, "max_training_pairs", "model.", int, 300_000,
                                           1),
            seed=self.number(run, "seed", "run.", int, 42, 0, INT64_MAX),
            decisions_path=self.path_or_none(decisions, "path", "decisions."),
            output_format=fmt,
            private_outputs=permissions != "umask",
            link_type=link_type,
            text_hash=text_hash,
        )

    def table(self, doc: dict, key: str, allowed: set[str]) -> dict:
        table = doc.get(key, {})
        if not isinstance(table, dict):
            self.problem(key, "expected a table")
            return {}
        self.unknown_keys(table, allowed, f"{key}.")
        return table

    def date_or_none(self, table: dict, key: str, prefix: str) -> dt.date | None:
        """A date written "1500-01-01" (or as a bare TOML date)."""
        value = table.get(key)
        if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(f"{prefix}{key}", f"expected a date such as \"1500-01-01\", got "
                         f"{value!r}")
            return None

    def path_or_none(self, table: dict, key: str, prefix: str) -> Path | None:
        value = self.get(table, key, prefix, str)
        if value is not None and not value.strip():
            self.problem(f"{prefix}{key}", "is empty; give a file path or remove the key")
        return (self.base / value) if value else None

    def region(self, norm: dict) -> str:
        """normalize.default_region: a region the phone-number library knows (ISO 3166)."""
        import phonenumbers

        region = self.get(norm, "default_region", "normalize.", str, "US")
        if region not in phonenumbers.SUPPORTED_REGIONS:
            self.problem("normalize.default_region", f"{region!r} is not a region the "
                         "phone-number library knows; use an upper-case ISO 3166 code such "
                         "as \"US\", \"GB\" or \"DE\"")
            return "US"
        return region

    def delimiter(self, item: dict, key: str, path: Path) -> str:
        value = self.get(item, "delimiter", key, str, "\t" if path.suffix == ".tsv" else ",")
        if len(value) != 1 or len(value.encode("utf-8")) != 1 or value in "\"\r\n":
            self.problem(f"{key}delimiter", "must be one single-byte character other than a "
                         "quote or line break, e.g. \",\", \";\", \"|\" or \"\\t\"")
            return ","
        return value

    def encoding(self, item: dict, key: str) -> str:
        import codecs

        value = self.get(item, "encoding", key, str, "utf-8")
        try:
            return codecs.lookup(value).name
        except LookupError:
            self.problem(f"{key}encoding", f"unknown encoding {value!r}; use e.g. \"utf-8\", "
                         "\"latin-1\" or \"cp1252\"")
            return "utf-8"

    def sources(self, items, extra: set[str]) -> list[Source]:
        if not isinstance(items, list) or not items:
            self.problem("sources", "at least one [[sources]] table is required")
            return []
        sources, seen = [], set()
        for i, item in enumerate(items):
            key = f"sources[{i}]."
            if not isinstance(item, dict):
                self.problem(f"sources[{i}]", "expected a table; write each source as a "
                             "[[sources]] table with name, path and id_column")
                continue
            self.unknown_keys(item, {"name", "path", "id_column", "updated_at", "columns",
                                     "formats", "delimiter", "format", "encoding"}, key)
            name = self.get(item, "name", key, str, f"source{i}", required=True)
            if name in seen:
                self.problem(f"{key}name", f"duplicate source name {name!r}; names must differ")
            if (":" in name or not name.strip() or name.startswith(FORMULA_STARTS)
                    or not name.isprintable()):
                self.problem(f"{key}name", "must be printable, not empty, not contain ':' "
                             "(records are named source:id) and not start with "
                             "= + - @ or '")
            seen.add(name)
            rel = self.get(item, "path", key, str, "", required=True)
            path = self.base / rel
            fmt = self.get(item, "format", key, str, FORMATS.get(path.suffix.lower()))
            if rel and fmt not in ("csv", "parquet"):
                self.problem(f"{key}path", f"cannot tell the format of {rel!r} from its "
                             "extension; use .csv or .parquet, or set format = \"csv\"")
            if isinstance(item.get("path"), str) and not rel.strip():
                self.problem(f"{key}path", "is empty; give the source file's path")
            columns = self.get(item, "columns", key, dict, {})
            for canonical, column in columns.items():
                if canonical not in CANONICAL_FIELDS and canonical not in extra:
                    self.problem(f"{key}columns.{canonical}", "not a canonical field; "
                                 f"use one of {list(CANONICAL_FIELDS)} or declare it in "
                                 "extra_fields")
                if isinstance(column, list) and column and all(
                        isinstance(c, str) for c in column):
                    columns[canonical] = tuple(column)
                elif not isinstance(column, str):
                    self.problem(f"{key}columns.{canonical}", "expected the column name, or "
                                 "a list of columns to join (dob = [\"year\", \"month\", "
                                 "\"day\"])")
            formats = self.get(item, "formats", key, dict, {})
            for fld, fmt_text in formats.items():
                if fld not in ("dob", "updated_at"):
                    self.problem(f"{key}formats.{fld}", "formats apply to dob and updated_at")
                elif not isinstance(fmt_text, str) or "%" not in fmt_text:
                    self.problem(f"{key}formats.{fld}", "expected a strftime format such as "
                                 "\"%m/%d/%Y\"")
            id_column = self.get(item, "id_column", key, str, "", required=True)
            if isinstance(item.get("id_column"), str) and not id_column.strip():
                self.problem(f"{key}id_column", "is empty; name the column holding record ids")
            sources.append(Source(
                name=name, path=path, format=fmt or "csv", id_column=id_column,
                updated_at_column=self.get(item, "updated_at", key, str),
                columns=dict(columns), formats=dict(formats),
                delimiter=self.delimiter(item, key, path), encoding=self.encoding(item, key),
            ))
        return sources

    def blocking_rules(self, table: dict, prefix: str, extra: set[str],
                       key: str = "rules") -> tuple[BlockingRule, ...]:
        """blocking.rules, or model.training_rules (which default to the blocking rules)."""
        from resolver.block import BLOCKING_KEYS, is_blocking_key

        rules = self.get(table, key, prefix, list, [])
        if not rules:
            self.problem(f"{prefix}{key}", "at least one rule is needed, e.g. [\"dob\"]")
        out = []
        for i, rule in enumerate(rules):
            keys = [rule] if isinstance(rule, str) else rule
            if (not isinstance(keys, list) or not keys
                    or not all(isinstance(k, str) for k in keys)):
                self.problem(f"{prefix}{key}[{i}]", "expected a list of blocking keys")
                continue
            for name in keys:
                if not is_blocking_key(str(name), extra):
                    self.problem(f"{prefix}{key}[{i}]", f"unknown blocking key {name!r}; "
                                   f"use one of {sorted(BLOCKING_KEYS)} or an extra field, "
                                   "or the first N characters of one (\"zip5[:3]\")")
            out.append(BlockingRule(name="+".join(keys), keys=tuple(keys)))
        return tuple(out)

    def refine_keys(self, blocking: dict, extra: set[str]) -> tuple[str, ...]:
        from resolver.block import LIST_KEYS, is_blocking_key

        keys = self.strings(blocking, "refine_with", "blocking.", list(DEFAULT_REFINE_WITH))
        for i, name in enumerate(keys):
            if name in LIST_KEYS or not is_blocking_key(name, extra):
                self.problem(f"blocking.refine_with[{i}]", f"{name!r} is not a single-valued "
                             "blocking key; use e.g. \"dob_year\", \"zip3\" or \"state\"")
        return tuple(keys)

    def comparisons(self, items, extra: set[str]) -> tuple[Comparison, ...]:
        if not isinstance(items, list) or not items:
            self.problem("comparisons", "at least one [[comparisons]] table is required")
            return ()
        out, names = [], set()
        for i, item in enumerate(items):
            key = f"comparisons[{i}]."
            if not isinstance(item, dict):
                self.problem(f"comparisons[{i}]", "expected a table; write each comparison "
                             "as a [[comparisons]] table with a kind")
                continue
            self.unknown_keys(item, {"name", "kind", "levels", "term_frequency", "field"}, key)
            kind = self.get(item, "kind", key, str, "", required=True)
            if kind and kind not in KINDS:
                self.problem(f"{key}kind", f"unknown kind {kind!r}; use one of {sorted(KINDS)}")
                continue
            name = self.get(item, "name", key, str, kind)
            if name and not name.isidentifier():
                self.problem(f"{key}name", f"{name!r} is not a plain name (letters, digits, "
                             "underscores); it names output columns")
            if name in names:
                self.problem(f"{key}name", f"duplicate comparison name {name!r}")
            names.add(name)
            fld = self.get(item, "field", key, str)
            if kind == "identifier" and fld not in extra:
                self.problem(f"{key}field", "an identifier comparison names an extra field")
            elif kind and KINDS[kind].column is None and fld not in (*CANONICAL_FIELDS, *extra):
                self.problem(f"{key}field", f"a {kind} comparison needs field = the canonical "
                             "or extra field it compares")
            spec = KINDS.get(kind)
            if spec is None:
                continue
            levels = self.strings(item, "levels", key, list(spec.default_levels))
            for j, label in enumerate(levels):
                try:
                    parse_level(kind, label)
                except ValueError as exc:
                    self.problem(f"{key}levels[{j}]", str(exc))
            if levels and levels[-1] != "else":
                self.problem(f"{key}levels", "the last level must be \"else\"")
            out.append(Comparison(name=name, kind=kind, levels=levels, field=fld,
                                  term_frequency=self.get(item, "term_frequency", key, bool,
                                                          False)))
        return tuple(out)

    def rule_list(self, value, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        if value is None:
            return default
        if not isinstance(value, list) or not value:
            self.problem(key, f"expected a list of rules from {sorted(RULES)}")
            return default
        for i, rule in enumerate(value):
            if not isinstance(rule, str) or rule not in RULES:
                self.problem(f"{key}[{i}]", f"unknown rule {rule!r}; use one of {sorted(RULES)}")
        return tuple(value)

    def survivorship_fields(self, table, fields: set[str]) -> dict[str, tuple[str, ...]]:
        out = {}
        if not isinstance(table, dict):
            self.problem("survivorship.fields", "expected a table of field = [rules]")
            return out
        for name, rules in table.items():
            if name not in fields and name not in ("name", "address"):
                self.problem(f"survivorship.fields.{name}", "not a canonical or extra field")
            out[name] = self.rule_list(rules, f"survivorship.fields.{name}", ())
        return out
