"""resolver: customer identity resolution with golden records, households and lineage."""

__version__ = "0.1.0"
