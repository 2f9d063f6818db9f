"""resolver: customer identity resolution with golden records, households and lineage."""

__version__ = "0.1.0"


def run(config, out=None, previous=None, output_format=None):
    """The whole job from Python; see resolver.api.run."""
    from resolver.api import run as _run

    return _run(config, out, previous, output_format)
