"""Owning the output folder: what `--out` may replace, one run at a time, atomic publish.

- **Ownership.** A run writes `run.json` with a format tag. An existing `--out` folder is
  replaced only when it is empty or a previous resolver output holding nothing but
  resolver's own files; never a folder that holds the config, a source or another input,
  never `/`, the home folder, the working folder or one of its ancestors.
- **One run per folder.** An exclusive `flock` on `.NAME.lock` beside the folder; a second
  run exits 2 naming the process that holds it.
- **Atomic publish.** Outputs are written to `.NAME.staging-PID` beside the folder, then
  swapped with it in one step (`renameat2(RENAME_EXCHANGE)`, Linux 3.15+); the old output,
  now under the staging name, is deleted after. Where the file system cannot exchange, the
  old folder is first renamed to `.NAME.previous-PID` and the next start puts it back if
  a kill came between the two renames. Either way the folder is at every instant the old
  output or the new one.
- **Cleanup.** Staging is removed on failure, and a killed run's leftovers on the next
  start (under the lock, so no live run owns them).
- **Permissions.** A replaced folder keeps its modes; a new one is owner-only (0700/0600)
  unless `run.output_permissions = "umask"`.
"""

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import stat
from pathlib import Path

from resolver.errors import OutputError
from resolver.out_path_checks import check_out_path

FORMAT = "resolver-output"
FORMAT_VERSION = 1
TABLES = ("lineage", "entities", "households", "pairs", "changes")
DOCUMENTS = ("model.json", "report.html", "run.json")
STORE_DIR = "store"  # the run store of incremental runs (store.py)
OWN_FILES = frozenset({f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")}
                      | set(DOCUMENTS) | {STORE_DIR})
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
RENAME_EXCHANGE = 2
FAULT_ENV = "RESOLVER_FAULT"  # tests only: kill this process at a named publish step


def _fault(step: str) -> None:
    """Crash-test hook: SIGKILL ourselves at `step` when RESOLVER_FAULT names it."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), 9)


def is_resolver_output(folder: Path) -> bool:
    """A folder whose run.json says it was written by resolver (or by 0.1, which wrote
    run.json with versions and a config hash but no format tag)."""
    try:
        doc = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(doc, dict):
        return False
    return doc.get("format") == FORMAT or ("config_sha256" in doc and "versions" in doc)


def _forbidden_targets() -> list[Path]:
    cwd = Path.cwd().resolve()
    return [Path("/"), Path.home().resolve(), cwd, *cwd.parents]


def check_replaceable(out_dir: Path, inputs: list[Path]) -> None:
    """Raise OutputError unless resolver may replace `out_dir` (whether anything can be
    written there at all is out_path_checks' question, asked first)."""
    if out_dir in _forbidden_targets():
        raise OutputError(f"--out {out_dir} is the root, home or working folder (or holds "
                          "it); resolver replaces its output folder whole. Give a folder of "
                          "its own, e.g. --out out/")
    for path in inputs:
        if path == out_dir or out_dir in path.parents:
            raise OutputError(f"--out {out_dir} holds an input of this run ({path.name}); "
                              "resolver replaces its output folder whole. Give another "
                              "folder")
    if not out_dir.is_dir():
        return
    entries = sorted(p.name for p in out_dir.iterdir())
    if not entries:
        return
    if not is_resolver_output(out_dir):
        raise OutputError(f"--out {out_dir} is not empty and is not the output of a resolver "
                          "run (no run.json of resolver's); resolver will not replace it. "
                          "Give a new or empty folder")
    foreign = [name for name in entries if name not in OWN_FILES]
    if foreign:
        raise OutputError(f"--out {out_dir} holds {len(foreign)} file(s) resolver did not "
                          f"write (first: {foreign[0]!r}); resolver replaces its output "
                          "folder whole. Move them away or give another folder")


class _Lock:
    """An exclusive flock on a file beside the output folder, removed on release."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise OutputError(f"another resolver run (process {holder}) is writing "
                                  f"{self.path.parent / self.path.name[1:-5]}; wait for it "
                                  "to finish or give another --out") from None
            # the holder before us may have unlinked the file after we opened it
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self.fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system or file system cannot."""
    if os.environ.get("RESOLVER_NO_EXCHANGE"):  # tests: exercise the fallback path
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class OutputFolder:
    """`with OutputFolder(out, inputs) as folder:` write into `folder.staging()`, then
    `folder.publish()`; leaving the block unpublished removes the staging folder."""

    def __init__(self, out_dir: Path, inputs: list[Path], private: bool = True):
        self.given = Path(out_dir)  # as the user wrote it, for messages
        self.out_dir = Path(os.path.abspath(out_dir))
        if self.out_dir.is_symlink():
            self.out_dir = self.out_dir.resolve()
        self.inputs = [Path(os.path.abspath(p)).resolve() for p in inputs]
        self.private = private
        self._lock: _Lock | None = None
        self._staging: Path | None = None

    def _beside(self, tag: str, pid: int | None = None) -> Path:
        suffix = f".{tag}" if pid is None else f".{tag}-{pid}"
        return self.out_dir.with_name(f".{self.out_dir.name}{suffix}")

    def __enter__(self) -> "OutputFolder":
        check_out_path(self.given)  # could the outputs be written there at all?
        check_replaceable(self.out_dir, self.inputs)
        self._lock = _Lock(self._beside("lock"))
        try:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except OSError as exc:
            raise OutputError(f"cannot write beside --out {self.out_dir} "
                              f"({exc.strerror}). Give a writable folder") from None
        try:
            self._recover()
            check_replaceable(self.out_dir, self.inputs)  # may have changed while we waited
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
        finally:
            self._lock.release()

    def _recover(self) -> None:
        """Undo what a killed run left: put a hidden previous output back if the folder
        is missing, and delete stale staging and previous folders."""
        prefix = f".{self.out_dir.name}."
        leftovers = sorted(p for p in self.out_dir.parent.iterdir()
                           if p.name.startswith(prefix)
                           and p.name[len(prefix):].split("-")[0] in ("staging", "previous"))
        previous = [p for p in leftovers if p.name[len(prefix):].startswith("previous")]
        if not self.out_dir.exists() and previous:
            previous[-1].rename(self.out_dir)
            leftovers.remove(previous[-1])
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)

    def staging(self) -> Path:
        """A new, empty folder to write the outputs into."""
        self._staging = self._beside("staging", os.getpid())
        shutil.rmtree(self._staging, ignore_errors=True)
        self._staging.mkdir(mode=PRIVATE_DIR)
        return self._staging

    def publish(self) -> None:
        """Swap the finished staging folder into place as the output folder."""
        staging = self._staging
        assert staging is not None, "staging() first"
        self._set_modes(staging)
        _fsync_dir(staging)
        _fault("before_publish")
        if not self.out_dir.exists():
            staging.rename(self.out_dir)
        elif _exchange(staging, self.out_dir):
            _fault("after_exchange")
            shutil.rmtree(staging, ignore_errors=True)  # now the old output
        else:
            previous = self._beside("previous", os.getpid())
            self.out_dir.rename(previous)
            _fault("between_renames")
            staging.rename(self.out_dir)
            shutil.rmtree(previous, ignore_errors=True)
        self._staging = None

    def _set_modes(self, staging: Path) -> None:
        if self.out_dir.is_dir():  # keep what the owner set on the folder and its files
            dir_mode = stat.S_IMODE(self.out_dir.stat().st_mode)
            old = {p.name: stat.S_IMODE(p.stat().st_mode) for p in self.out_dir.iterdir()
                   if p.is_file()}
            default = (min(old.values(), key=lambda m: bin(m).count("1")) if old
                       else dir_mode & 0o666)
        elif self.private:
            dir_mode, old, default = PRIVATE_DIR, {}, PRIVATE_FILE
        else:
            umask = os.umask(0)
            os.umask(umask)
            dir_mode, old, default = 0o777 & ~umask, {}, 0o666 & ~umask
        for path in staging.iterdir():
            if path.is_dir():  # the run store: its files as the outputs, itself as the folder
                for inner in path.iterdir():
                    inner.chmod(default)
                path.chmod(dir_mode)
            else:
                path.chmod(old.get(path.name, default))
        staging.chmod(dir_mode)
