"""scored pairs -> individuals (guarded clustering) -> households."""
