"""Safe output folders: atomic files, staged sets of files, a run lock, input protection.

* :func:`atomic_path` writes one file beside its target and renames it over it.
* :func:`staged_dir` gives a writer a staging folder inside the output folder;
  on success every staged file is moved over its final name at once
  (:func:`commit_staging`), on any error or interruption the staging folder is
  removed and the previous outputs are left exactly as they were.
* :func:`output_lock` locks an output folder for one run (a lock file with the
  process id, host and start time); a second run into the same folder is
  refused, a lock left by a dead process is taken over with a warning.
* :func:`input_paths` lists every file a config reads; :func:`commit_staging`
  refuses to replace any of them.
* :func:`output_error` turns an ``OSError`` (read-only file system, no space,
  not a folder, permission) into an :class:`~cityind_gis._errors.OutputError`
  that names the folder and the cause.

The guarantee is described precisely in ``docs/outputs.md`` ("Output safety").
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import errno
import json
import logging
import os
import shutil
import signal
import socket
import sqlite3
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .._errors import InputError, OutputError

__all__ = [
    "LOCK_NAME",
    "STAGING_PREFIX",
    "atomic_path",
    "check_not_inputs",
    "check_output_dir",
    "commit_staging",
    "input_paths",
    "output_error",
    "output_lock",
    "recover_staging",
    "staged_dir",
]

log = logging.getLogger(__name__)

#: Name of the lock file a run keeps in its output folder.
LOCK_NAME = ".cityind.lock"
#: Prefix of the staging folders (inside the output folder) a run writes into.
STAGING_PREFIX = ".cityind-staging-"
# Written into a staging folder once every file is staged, just before the renames
# start: a staging folder with it is complete and is rolled forward by the next run.
_COMPLETE = ".cityind-complete"
# Inside a staging folder during the commit: the previous files, to put back on an error.
_PREVIOUS = ".cityind-previous"
# Parts of a shapefile: an input ``x.shp`` protects all of them.
_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qml", ".sbn", ".sbx")

_CAUSES: dict[int, tuple[str, str]] = {
    errno.EROFS: ("the file system is read-only", "choose a writable folder with `--out` or "
                  "`[output] dir`"),
    errno.ENOSPC: ("no space is left on the device", "free some space or choose another folder "
                   "with `--out`"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space or choose another folder "
                   "with `--out`"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "give a folder path with "
                    "`--out` or `[output] dir`"),
    errno.EACCES: ("permission is denied", "choose a folder you may write to with `--out`, or "
                   "change its permissions"),
    errno.EPERM: ("the operation is not permitted", "choose a folder you may write to with "
                  "`--out`"),
    errno.EISDIR: ("an output name is taken by a folder", "move that folder away or choose "
                   "another output folder"),
    errno.EEXIST: ("an output name is taken by a file", "give a folder path with `--out`"),
}


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


# -- errors ---------------------------------------------------------------------------------


def output_error(exc: BaseException, folder: str | os.PathLike[str]) -> OutputError:
    """An :class:`OutputError` naming ``folder`` and the cause of a failed write.

    Parameters
    ----------
    exc : BaseException
        The ``OSError`` (or GDAL/SQLite error) raised while writing.
    folder : str or path-like
        The output folder.

    Returns
    -------
    OutputError
        Message: the folder, the cause in words (read-only file system, no
        space left, not a folder, permission denied, ...), the original error
        and the fix, and that the previous outputs were left as they were.

    Notes
    -----
    GDAL and SQLite do not always report a full disk as ``ENOSPC`` (a full
    disk has been seen as ``FeatureError: no such table``); when the error
    carries no errno, less than 1 MiB free on the folder's file system is
    taken as the cause.
    """
    where = Path(folder)
    code = getattr(exc, "errno", None)
    if code is None and "disk is full" in str(exc).lower():
        code = errno.ENOSPC
    if code is None:
        with contextlib.suppress(OSError):
            probe = next((p for p in (where, *where.parents) if p.exists()), where)
            if shutil.disk_usage(probe).free < 1 << 20:
                code = errno.ENOSPC
    cause, fix = _CAUSES.get(code or -1, ("writing failed", "check the folder and try again"))
    detail = str(exc) or type(exc).__name__
    msg = (f"cannot write the outputs to `{where}`: {cause} ({detail}). Nothing was replaced: "
           f"the previous outputs in that folder are as they were. Fix: {fix}.")
    return OutputError(msg)


def _write_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the file could not be written" (OS, GDAL, SQLite)."""
    import pyogrio.errors as pe

    return (OSError, sqlite3.Error, pe.DataSourceError, pe.DataLayerError)


def check_output_dir(out: str | os.PathLike[str], *, name: str = "--out") -> Path:
    """Check that ``out`` is a folder or can become one; return it as a Path.

    Parameters
    ----------
    out : str or path-like
        Output folder.
    name : str, default "--out"
        How the user sets it, for messages.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If ``out`` (or a folder above it) is an existing file.
    """
    p = Path(out)
    for part in (p, *p.parents):
        if part.exists() and not part.is_dir():
            what = "is" if part == p else f"lies inside {str(part)!r}, which is"
            msg = (f"`{name}` must name a folder, but {str(p)!r} {what} an existing file. "
                   "Give a folder path (it is created if missing), e.g. `--out cityind-out`.")
            raise InputError(msg)
        if part.exists():
            break
    return p


# -- inputs ---------------------------------------------------------------------------------


def input_paths(obj: Any, *, exclude: Iterable[str] = ("out_dir",)) -> tuple[Path, ...]:
    """Every file path held anywhere in a (nested) config dataclass.

    Parameters
    ----------
    obj : dataclass instance, tuple, list or dict
        Usually a :class:`cityind_gis.config.Config`: its layers (land use,
        every POI source including ``extra_pois``, buildings, roads, OSM, zones,
        statistics, rasters, domain mask, study boundary, each period's
        layers), the mapping CSVs, the config file itself and a local
        ``[output] assets`` folder.
    exclude : iterable of str, default ("out_dir",)
        Field names not to follow.

    Returns
    -------
    tuple of Path
        The paths, first occurrence first (a ``.shp`` brings its ``.dbf``,
        ``.shx``, ``.prj``, ... along).
    """
    skip = set(exclude)
    found: dict[Path, None] = {}

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, Path):
            found[value] = None
            if value.suffix.lower() == ".shp":
                found.update(dict.fromkeys(value.with_suffix(s) for s in _SHP_PARTS))
        elif (isinstance(value, str) and "://" not in value
              and (key == "assets" or (key == "mapping" and os.path.isfile(value)))):
            found[Path(value)] = None  # a local assets folder, a mapping CSV
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name not in skip:
                    walk(getattr(value, f.name), f.name)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))

    walk(obj)
    return tuple(found)


def _guard(protect: Iterable[str | os.PathLike[str]]) -> tuple[dict[Path, Path], dict[Any, Path]]:
    """Resolved paths and (device, inode) of the protected files (hard links count too)."""
    by_path: dict[Path, Path] = {}
    by_inode: dict[Any, Path] = {}
    for p in protect:
        given = Path(p)
        by_path[given.resolve()] = given
        with contextlib.suppress(OSError):
            st = given.stat()
            by_inode[(st.st_dev, st.st_ino)] = given
    return by_path, by_inode


def check_not_inputs(
    targets: Iterable[str | os.PathLike[str]], protect: Iterable[str | os.PathLike[str]]
) -> None:
    """Refuse output paths that are (or hard-link to) a file the run reads.

    Parameters
    ----------
    targets : iterable of path-like
        Output paths.
    protect : iterable of path-like
        Input paths (:func:`input_paths`).

    Raises
    ------
    InputError
        Naming each output and the input it would replace (at most five).
    """
    by_path, by_inode = _guard(protect)
    if not by_path:
        return
    clashes = []
    for t in map(Path, targets):
        hit = by_path.get(t.resolve())
        if hit is None:
            with contextlib.suppress(OSError):
                st = t.stat()
                hit = by_inode.get((st.st_dev, st.st_ino))
        if hit is not None:
            clashes.append(f"{str(t)!r} would replace the input {str(hit)!r}")
    if clashes:
        msg = (f"the outputs would overwrite {len(clashes)} file(s) the config reads: "
               f"{'; '.join(clashes[:5])}. Nothing was written. Choose another output folder "
               "with `--out` or `[output] dir`, or move the input out of it.")
        raise InputError(msg)


# -- staging and commit ---------------------------------------------------------------------


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back until the block ends (main thread only), then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    sigs = [signal.SIGINT, *([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])]
    old = {s: signal.signal(s, lambda n, _f: got.append(n)) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if got:
            signal.raise_signal(got[0])


def _staged_files(staging: Path) -> tuple[list[Path], list[Path]]:
    files, dirs = [], []
    for root, dnames, fnames in os.walk(staging):
        base = Path(root)
        if base == staging:
            dnames[:] = [d for d in dnames if d != _PREVIOUS]
        dnames.sort()
        dirs.extend(base / d for d in dnames)
        files.extend(base / f for f in sorted(fnames) if not (base == staging and f == _COMPLETE))
    return files, dirs


def commit_staging(
    staging: str | os.PathLike[str], out: str | os.PathLike[str], *,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> list[Path]:
    """Move every file of ``staging`` over its place in ``out``, all together.

    Parameters
    ----------
    staging : str or path-like
        Folder holding the complete new outputs (inside ``out``, so on the same
        file system).
    out : str or path-like
        Output folder.
    protect : iterable of path-like, default ()
        Files that must not be replaced (the inputs of the run,
        :func:`input_paths`).

    Returns
    -------
    list of Path
        The final paths, in commit order.

    Raises
    ------
    InputError
        If an output would replace a protected file (the message names both);
        nothing is moved.
    OutputError
        If an output name is taken by a folder (or a folder name by a file);
        nothing is moved.

    Notes
    -----
    Every check runs before the first rename. Then a marker is written into
    the staging folder and the files are renamed one by one with
    ``os.replace`` (atomic per file: a reader sees the old or the new file,
    never a part) while SIGINT and SIGTERM are held back, so Ctrl-C cannot stop
    the commit half-way. Each previous file is first hard-linked (or copied)
    into the staging folder; should a rename fail (a file held open on
    Windows, a full disk), every file already replaced is put back and the
    error raised, so the folder holds the previous set again. Should the
    process die during the renames anyway (SIGKILL, power loss), the marker
    tells the next run into the folder (:func:`recover_staging`) to finish
    them.
    """
    stage, dest = Path(staging), Path(out)
    files, dirs = _staged_files(stage)
    targets = [dest / f.relative_to(stage) for f in files]
    check_not_inputs(targets, protect)
    taken = [str(t) for t in targets if t.is_dir() and not t.is_symlink()]
    taken += [str(dest / d.relative_to(stage)) for d in dirs
              if (dest / d.relative_to(stage)).exists()
              and not (dest / d.relative_to(stage)).is_dir()]
    if taken:
        raise output_error(OSError(errno.EISDIR, "name taken", taken[0]), dest)
    (stage / _COMPLETE).write_text("complete\n", encoding="ascii")
    with _signals_deferred():
        _move_all(stage, dest, files, dirs)
    return targets


def _keep_previous(target: Path, backup: Path) -> None:
    """Keep the previous ``target`` at ``backup`` without removing it (hard link, else copy)."""
    backup.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(target, backup)
    except OSError:  # no hard links here (FAT, some shares): a copy does
        shutil.copy2(target, backup)


def _move_all(stage: Path, dest: Path, files: list[Path], dirs: list[Path]) -> None:
    """Rename every staged file over its target; on any error put every previous file back."""
    previous = stage / _PREVIOUS
    made = [dest / d.relative_to(stage) for d in dirs if not (dest / d.relative_to(stage)).exists()]
    done: list[tuple[Path, Path | None]] = []
    try:
        for d in dirs:
            (dest / d.relative_to(stage)).mkdir(parents=True, exist_ok=True)
        for f in files:
            rel = f.relative_to(stage)
            target = dest / rel
            backup = None
            if target.is_file():
                backup = previous / rel
                _keep_previous(target, backup)
            done.append((target, backup))
            os.replace(f, target)
    except BaseException:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink()
        for d in reversed(made):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise


@contextlib.contextmanager
def staged_dir(
    out: str | os.PathLike[str], *, protect: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[Path]:
    """Yield a staging folder inside ``out``; commit it on success, remove it always.

    Parameters
    ----------
    out : str or path-like
        Output folder (created if needed).
    protect : iterable of path-like, default ()
        Files the commit must not replace (:func:`commit_staging`).

    Yields
    ------
    pathlib.Path
        An empty folder ``out/.cityind-staging-<pid>-<random>`` to write into,
        laid out as ``out`` will be.

    Raises
    ------
    OutputError
        If writing or committing fails with an ``OSError`` (or a GDAL/SQLite
        write error): read-only file system, no space, not a folder, no
        permission. Nothing of the previous outputs is replaced.
    """
    dest = check_output_dir(out)
    errors = _write_errors()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=dest))
    except OSError as exc:
        raise output_error(exc, dest) from exc
    try:
        try:
            yield stage
            commit_staging(stage, dest, protect=protect)
        except FileNotFoundError as exc:
            if exc.filename and not str(exc.filename).startswith(str(dest)):
                raise  # an input that went missing, not the output folder
            raise output_error(exc, dest) from exc
        except errors as exc:
            raise output_error(exc, dest) from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def recover_staging(out: str | os.PathLike[str]) -> tuple[int, int]:
    """Finish or remove the staging folders an interrupted run left in ``out``.

    Call it only while holding :func:`output_lock` on ``out`` (no other run
    writes there then).

    Parameters
    ----------
    out : str or path-like
        Output folder.

    Returns
    -------
    (int, int)
        Staging folders rolled forward (complete: their commit had started) and
        removed (incomplete: the run stopped before its commit). Each non-zero
        count is also a warning.
    """
    dest = Path(out)
    done = removed = 0
    if not dest.is_dir():
        return 0, 0
    for stage in sorted(dest.glob(f"{STAGING_PREFIX}*")):
        if not stage.is_dir():
            continue
        if (stage / _COMPLETE).exists():
            files, dirs = _staged_files(stage)
            _move_all(stage, dest, files, dirs)
            done += 1
        else:
            removed += 1
        shutil.rmtree(stage, ignore_errors=True)
    if done:
        warnings.warn(f"finished the commit of {done} earlier run(s) into {dest} that stopped "
                      "during it: the folder now holds that run's complete outputs",
                      stacklevel=2)
    if removed:
        warnings.warn(f"removed {removed} staging folder(s) left in {dest} by run(s) that "
                      "stopped before writing their outputs", stacklevel=2)
    return done, removed


# -- lock -----------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (never signals it on Windows)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would terminate it there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _read_lock(lock: Path) -> dict[str, Any]:
    try:
        data = json.loads(lock.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "an unreadable lock"
    return (f"process {holder.get('pid', '?')} on {holder.get('host', '?')}, started "
            f"{holder.get('started', '?')}" + (f" (`{holder['command']}`)"
                                               if holder.get("command") else ""))


def _link_or_create(tmp: Path, lock: Path, text: str) -> None:
    """Make ``lock`` appear complete and only if absent (hard link; O_EXCL where unsupported)."""
    try:
        os.link(tmp, lock)
    except FileExistsError:
        raise
    except OSError:  # file systems without hard links (FAT, some network shares)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)


@contextlib.contextmanager
def output_lock(out: str | os.PathLike[str], *, name: str = "--out") -> Iterator[Path]:
    """Lock an output folder for one run; refuse when another run holds it.

    Parameters
    ----------
    out : str or path-like
        Output folder (created if needed).
    name : str, default "--out"
        How the user sets it, for messages.

    Yields
    ------
    pathlib.Path
        The lock file, ``out/.cityind.lock``: JSON with ``pid``, ``host``,
        ``started`` (ISO 8601, UTC) and ``command``. It is removed when the
        block ends, however it ends (short of SIGKILL).

    Raises
    ------
    InputError
        If ``out`` is an existing file.
    OutputError
        If another run holds the lock (the message names its process, host and
        start time), or the folder cannot be written (read-only, full, ...).

    Notes
    -----
    The lock file is created complete and only if absent (a hard link of a
    fully written temporary file, else ``O_CREAT | O_EXCL``), so of two runs
    started at once exactly one gets it. A lock whose process is dead on this
    host is stale: it is taken over with a warning. A lock from another host
    cannot be checked and is respected; delete the file once you are sure no
    run is writing there. On taking the lock, staging folders of interrupted
    runs are finished or removed (:func:`recover_staging`).
    """
    dest = check_output_dir(out, name=name)
    lock = dest / LOCK_NAME
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
          "command": " ".join(["cityind", *sys.argv[1:]])[:300]}
    text = json.dumps(me)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".cityind.lock.", dir=dest)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise output_error(exc, dest) from exc
    tmp = Path(tmp_name)
    try:
        for _attempt in range(3):
            try:
                _link_or_create(tmp, lock, text)
                break
            except FileExistsError:
                holder = _read_lock(lock)
                if not _take_over_stale(lock, holder):
                    msg = (f"output folder `{dest}` is in use by another cityind run: "
                           f"{_describe(holder)}. Wait for it to finish, or choose another "
                           f"folder with `{name}`. If no run is writing there (e.g. it was "
                           f"killed on another machine), delete {str(lock)!r}.")
                    raise OutputError(msg) from None
        else:  # pragma: no cover - three races lost in a row
            msg = f"could not lock output folder `{dest}`: other runs keep taking it."
            raise OutputError(msg)
    except OSError as exc:
        raise output_error(exc, dest) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    try:
        recover_staging(dest)
        yield lock
    finally:
        if _read_lock(lock) == me:
            with contextlib.suppress(OSError):
                lock.unlink()


def _take_over_stale(lock: Path, holder: dict[str, Any]) -> bool:
    """Remove ``lock`` if its process is dead on this host; True when it is gone now."""
    if not lock.exists():
        return True  # released meanwhile
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int):
        return False
    if pid != os.getpid() and _pid_alive(pid):
        return False
    if pid == os.getpid():
        return False  # this very process holds it (a nested run)
    aside = lock.with_name(f"{LOCK_NAME}.stale-{os.getpid()}")
    try:
        os.replace(lock, aside)
    except FileNotFoundError:
        return True
    if _read_lock(aside) != holder:  # lost a race: put the live lock back
        with contextlib.suppress(OSError):
            os.replace(aside, lock)
        return False
    aside.unlink()
    warnings.warn(f"took over the lock of output folder {lock.parent} left by {_describe(holder)}"
                  ", which is no longer running", stacklevel=3)
    return True
