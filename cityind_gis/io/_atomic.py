"""Atomic file writing: write beside the target, then rename over it.

A failed or interrupted run therefore never leaves a half-written output and
never destroys the previous good file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it to ``path`` on success.

    Parameters
    ----------
    path : str or path-like
        Final location of the file. Its folder is created if needed.

    Yields
    ------
    pathlib.Path
        Temporary file path (same folder and suffix as ``path``) to write to.
        It does not exist yet when yielded.

    Notes
    -----
    ``os.replace`` is atomic on POSIX and Windows when source and target are on
    the same file system, which holds because the temporary file lives in the
    target's own folder. On any exception the temporary file is removed and the
    previous ``path`` (if any) is left untouched.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{final.stem}.", suffix=f".tmp{final.suffix}", dir=final.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        for leftover in (tmp, Path(str(tmp) + "-journal"), Path(str(tmp) + "-wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
