"""Writing files and folders all or nothing: a reader (or a run killed half-way) sees the old
content or the new, never a part of it. Everything is first written under a temporary name
beside its target, in the same folder (so `os.replace` is a rename within one file system)."""
from __future__ import annotations

import os
import shutil
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
