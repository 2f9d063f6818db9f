"""`python -m resolver` runs the command line."""

from resolver.cli import entry

entry()
