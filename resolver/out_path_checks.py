"""Checks of `run --out` that need no data: done before any work, so a run that could
never write its outputs stops at once with a clear message instead of failing (or
failing obscurely) at the end.

They look only at the path and try creating (then remove) one empty folder where the
outputs would go; deciding whether an existing folder may be replaced is the publish
step's business.
"""

import errno
import os
import tempfile
from pathlib import Path

from resolver.errors import OutputError

# the publish step writes beside OUT under names made from it (".OUT.staging-PID")
STAGING_NAME_ROOM = 32

WHY = {errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
       errno.EPERM: "the operation is not permitted there",
       errno.ENOSPC: "no space left on device", errno.EDQUOT: "the disk quota is exhausted",
       errno.ENAMETOOLONG: "the name is too long", errno.ENOENT: "the location does not exist"}


def check_out_path(out_dir: Path) -> None:
    """Raise OutputError when outputs could not be written at `out_dir`."""
    target = Path(os.path.abspath(out_dir))
    if target.parent == target:
        raise OutputError(f"--out {out_dir} is the root folder. Give a folder of its own, "
                          "e.g. --out out")
    if target.exists() and not target.is_dir():
        raise OutputError(f"--out {out_dir} is a file. Give a folder path")
    _check_names(out_dir, target)
    existing = target.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"--out {out_dir}: {existing} is a file, so no folder can be made "
                          "under it. Give a path under a folder")
    _try_writing(out_dir, existing)


def _check_names(out_dir: Path, target: Path) -> None:
    ancestor = next(p for p in target.parents if p.exists())
    try:
        name_max = os.pathconf(ancestor, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    for part in target.relative_to(ancestor).parts:
        room = name_max - STAGING_NAME_ROOM if part == target.name else name_max
        if len(os.fsencode(part)) > room:
            raise OutputError(f"--out {out_dir}: the name {part[:20]}... is "
                              f"{len(os.fsencode(part))} bytes long; this file system allows "
                              f"{room} here. Choose a shorter name")


def _try_writing(out_dir: Path, existing: Path) -> None:
    try:
        probe = tempfile.mkdtemp(prefix=".resolver-probe-", dir=existing)
        os.rmdir(probe)
    except OSError as exc:
        why = WHY.get(exc.errno, exc.strerror or type(exc).__name__)
        raise OutputError(f"--out {out_dir}: cannot create a folder in {existing} ({why}). "
                          "Choose a location you can write to") from None
