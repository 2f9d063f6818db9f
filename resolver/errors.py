"""The few errors resolver raises on purpose; cli.py turns them into messages and exit codes.

Messages never contain record values (customer data): they name files, columns, rows and
config keys, and say how to fix the problem.
"""


class ResolverError(Exception):
    """A problem with the user's config or data: exit code 2."""

    exit_code = 2


class ConfigError(ResolverError):
    """One or more problems in a config file, each with its key path."""

    def __init__(self, path, problems: list[str]):
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in config {path}:\n{lines}")


class InputError(ResolverError):
    """A source file, column or row that cannot be read as configured."""


class OutputError(ResolverError):
    """An output directory or file that cannot be read or written."""
