"""The Python API, for notebooks and orchestrators: the same job as `resolver run`,
returning its frames.

    import resolver
    result = resolver.run("configs/sample.toml")               # frames only
    result = resolver.run("configs/sample.toml", out="out/")   # and the output folder
    result.entities, result.lineage, result.households, result.pairs

Errors are the command line's: `resolver.errors.ResolverError` (a problem with the config,
the data or the output folder; its message names the file, column, row or key) and its
subclasses ConfigError, InputError and OutputError.
"""

from pathlib import Path

from resolver.config import Config, load_config
from resolver.pipeline import RunResult, run_pipeline


def run(config: str | Path | Config, out: str | Path | None = None,
        previous: str | Path | None = None, output_format: str | None = None) -> RunResult:
    """Resolve the sources a config names. With `out`, also write and publish the output
    folder exactly as `resolver run CONFIG --out OUT` does (same checks, same files)."""
    cfg = config if isinstance(config, Config) else load_config(config)
    prior = Path(previous) if previous is not None else None
    if out is None:
        return run_pipeline(cfg, prior)
    from resolver.job import run_and_publish

    if output_format not in (None, "parquet", "csv"):
        raise ValueError("output_format must be 'parquet' or 'csv'")
    return run_and_publish(cfg, Path(out), output_format or cfg.output_format, prior)[0]
