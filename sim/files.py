"""Writing files and folders all or nothing: a reader (or a run killed half-way) sees the old
content or the new, never a part of it. Everything is first written under a temporary name
beside its target, in the same folder (so `os.replace` is a rename within one file system)."""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


def write_whole(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` to write a temporary file beside `path`, then rename it onto `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text_whole(path: str | Path, text: str) -> Path:
    return write_whole(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


@contextmanager
def folder_written_whole(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside `out` to write files into; when the block ends without an
    error, move them into `out` (created if needed; other files in it are kept). On an error
    nothing reaches `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        out.mkdir(exist_ok=True)
        for f in sorted(tmp.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- a run's output folder, replaced whole -------------------------------------------------

PARTIAL = ".urbsim-partial"   # beside the outputs; `runs/*/outcomes.parquet` never reaches into it
RUN_FILES = frozenset({"outcomes.parquet", "outcomes.csv", "manifest.json", "persons.parquet", "households.parquet"})


class OutputError(ValueError):
    """`--out` names no folder a run can be written to; the message is one line."""


def check_output_folder(out: str | Path, overwrite: bool, owned: frozenset[str] = RUN_FILES) -> Path:
    """Refuse, before any work, an output folder that cannot take a run's files: a file, a path under a
    file, a folder that cannot be written, or one that holds files (a previous run's, which
    `overwrite` allows; anything else never, as replacing the folder would delete it)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: a file exists there; expected a folder for the run's files")
    if out.is_dir():
        held = {p.name for p in out.iterdir()}
        if held - owned:
            raise OutputError(f"{out}: the folder holds other files ({', '.join(sorted(held - owned)[:3])}); "
                              "expected a new or empty folder, or a previous run's output")
        if held and not overwrite:
            raise OutputError(f"{out}: the folder holds a previous run's output; expected a new or empty folder, "
                              "or --overwrite to replace it")
    # the partial folder and the rename happen in the parent: it (or what will hold it) must be writable
    anchor = next(p for p in [out.parent, *out.parent.parents] if p.exists())
    if not anchor.is_dir():
        raise OutputError(f"{out}: {anchor} is a file; expected a path of folders")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: {anchor} cannot be written; expected a writable folder")
    return out


@contextmanager
def folder_replaced_whole(out: str | Path) -> Iterator[Path]:
    """Yield a hidden partial folder to write a run's files into; when the block ends without an error,
    it becomes `out` in one rename (on Linux an atomic exchange with an existing `out`, elsewhere two
    renames). A reader, or a later run, finds the old folder or the complete new one, never a mix.
    Partial folders of processes that are gone (killed runs) are removed first."""
    out = Path(out).absolute()
    holder = out.parent / PARTIAL
    remove_stale_partials(out.parent)
    holder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{out.name}.{os.getpid()}.", dir=holder))
    try:
        yield tmp
        _fsync_folder(tmp)
        if out.is_dir() and any(out.iterdir()):
            _swap_in(tmp, out)
        else:
            if out.is_dir():
                out.rmdir()
            os.rename(tmp, out)
        _fsync_folder(out.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_if_empty(holder)


def remove_stale_partials(parent: str | Path) -> list[str]:
    """Delete partial folders under `parent` whose writing process no longer runs; their names."""
    holder = Path(parent) / PARTIAL
    gone = []
    if not holder.is_dir():
        return gone
    for entry in holder.iterdir():
        parts = entry.name.rsplit(".", 2)
        pid = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
        if pid is None or not _running(pid):
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            gone.append(entry.name)
    _remove_if_empty(holder)
    return gone


def _swap_in(new: Path, out: Path) -> None:
    """Put `new` at `out` and the old `out` at `new` (deleted by the caller)."""
    if _exchange(new, out):
        return
    old = new.with_name(new.name + "-old")   # not Linux: a kill between the renames leaves no `out`
    os.rename(out, old)
    os.rename(new, out)
    os.rename(old, new)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths atomically (Linux 3.15+, glibc 2.28+)."""
    if sys.platform != "linux":
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):   # file system without exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_folder(path: Path) -> None:
    """Make the files' content and the rename durable before reporting success (POSIX only)."""
    if os.name != "posix":
        return
    for f in [*path.iterdir(), path] if path.is_dir() else [path]:
        if f.is_dir() and f != path:
            continue
        fd = os.open(f, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
