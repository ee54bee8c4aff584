"""The report of :func:`cityind_gis.validate.validation_report` and the machinery that fills it.

Private. Holds :class:`LayerCheck` and :class:`ValidationReport` (public through
:mod:`cityind_gis.validate`) and what turns the findings of each check into
printed lines and :class:`LayerCheck` records: ``_Recorder`` (lines and finished
checks), ``_Entry`` (one check while it runs), ``_run`` (one loading step, its
warnings and user errors as WARN and FAIL lines) and ``_Session`` (one
validation, each distinct input checked once).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .._errors import CityindError

__all__ = [
    "LayerCheck",
    "ValidationReport",
    "_Entry",
    "_FAILED",
    "_Recorder",
    "_Session",
    "_closing",
    "_run",
]

#: Errors a user can cause while a layer loads; each fails that layer, the others still run.
_USER_ERRORS: tuple[type[BaseException], ...] = (
    CityindError, FileNotFoundError, PermissionError, IsADirectoryError,
    pd.errors.ParserError, pd.errors.EmptyDataError,
)

_PREFIX = {"ok": "  ok", "warn": "WARN", "fail": "FAIL"}


@dataclass(frozen=True)
class LayerCheck:
    """What :func:`validation_report` found about one layer (or check) of one period.

    Attributes
    ----------
    name : str
        ``landuse``, ``pois``, ``buildings``, ``roads``, ``boundary``, ``crs``,
        ``zones``, ``statistics``, a raster key (``population_raster``, ...),
        ``cross-layer`` or ``panel``.
    period : str or None
        Label of the ``[[periods]]`` table, None for a single run (and ``panel``).
    status : {"ok", "warn", "fail"}
        ``fail`` when the run would stop or compute something wrong; ``warn``
        for problems the run survives (dropped or repaired features, unmapped
        codes, duplicates).
    messages : tuple of (level, text)
        Every finding in order; level is ``ok`` (the summary), ``info``,
        ``warn`` or ``fail``.
    counts : dict
        Numbers found (features, zones, unmatched keys, ...), by name.
    same_as : str or None
        The earlier period whose identical input this repeats.
    """

    name: str
    period: str | None
    status: str
    messages: tuple[tuple[str, str], ...]
    counts: dict[str, Any]
    same_as: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``name``, ``period``, ``status``, ``messages``, ``counts``, ``same_as``.

        Returns
        -------
        dict
            ``messages`` as a list of ``{"level": ..., "text": ...}``.
        """
        return {"name": self.name, "period": self.period, "status": self.status,
                "messages": [{"level": lv, "text": t} for lv, t in self.messages],
                "counts": self.counts, "same_as": self.same_as}


@dataclass(frozen=True)
class ValidationReport:
    """Result of :func:`validation_report`.

    Attributes
    ----------
    ok : bool
        True when no check failed (warnings allowed).
    checks : tuple of LayerCheck
        One per layer and period, in the order they were made.
    lines : tuple of str
        The printed report, line by line (``== period ... ==`` headings, ``  ok``,
        ``WARN`` and ``FAIL`` lines, and the closing ``valid``/``invalid`` line).
    source : str or None
        The config file, when known.
    """

    ok: bool
    checks: tuple[LayerCheck, ...]
    lines: tuple[str, ...]
    source: str | None = None

    @classmethod
    def from_error(cls, exc: BaseException, *, source: str | None = None) -> ValidationReport:
        """A report of a config that could not be read at all (one ``config`` check, failed).

        Parameters
        ----------
        exc : Exception
            The error of :func:`cityind_gis.config.load_config`.
        source : str, optional
            The config file.

        Returns
        -------
        ValidationReport
        """
        check = LayerCheck("config", None, "fail", (("fail", str(exc)),), {})
        return cls(False, (check,), (f"FAIL config: {exc}", _closing(False)), source)

    def to_text(self) -> str:
        """The report as printed, one finding per line.

        Returns
        -------
        str
        """
        return "\n".join(self.lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``config``, ``valid``, ``periods``, ``layers`` (per-check dicts).

        Returns
        -------
        dict
        """
        periods = list(dict.fromkeys(c.period for c in self.checks if c.period is not None))
        return {"config": self.source, "valid": self.ok, "periods": periods,
                "layers": [c.to_dict() for c in self.checks]}


def _closing(ok: bool) -> str:
    return "valid" if ok else "invalid: fix the problems above"


class _Recorder:
    """Collects printed lines and finished checks."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress = progress
        self.lines: list[str] = []
        self.checks: list[LayerCheck] = []

    def emit(self, line: str) -> None:
        self.lines.append(line)
        if self.progress is not None:
            self.progress(line)


class _Entry:
    """The findings of one check while it runs; :meth:`close` files them."""

    def __init__(self, rec: _Recorder, name: str, period: str | None) -> None:
        self.rec, self.name, self.period = rec, name, period
        self.messages: list[tuple[str, str]] = []
        self.counts: dict[str, Any] = {}

    def ok(self, text: str) -> None:
        self.rec.emit(f"  ok {self.name}: {text}")
        self.messages.append(("ok", text))

    def info(self, text: str, *, level: str = "info") -> None:
        """An indented detail line; ``level="warn"`` marks it as a problem the run survives."""
        self.rec.emit(f"     {text}")
        self.messages.append((level, text))

    def warn(self, text: str) -> None:
        self.rec.emit(f"WARN {self.name}: {text}")
        self.messages.append(("warn", text))

    def fail(self, text: str) -> None:
        self.rec.emit(f"FAIL {self.name}: {text}")
        self.messages.append(("fail", text))

    @property
    def failed(self) -> bool:
        return any(lv == "fail" for lv, _ in self.messages)

    @property
    def status(self) -> str:
        levels = {lv for lv, _ in self.messages}
        return "fail" if "fail" in levels else "warn" if "warn" in levels else "ok"

    def close(self) -> LayerCheck:
        check = LayerCheck(self.name, self.period, self.status, tuple(self.messages),
                           dict(self.counts))
        self.rec.checks.append(check)
        return check


_FAILED = object()


def _run(entry: _Entry, step: Callable[[], Any]) -> Any:
    """Run one loading step: its warnings become WARN lines, a user error a FAIL line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = step()
        except _USER_ERRORS as exc:
            result = _FAILED
            error: BaseException | None = exc
        else:
            error = None
    for w in caught:
        if not issubclass(w.category, DeprecationWarning | FutureWarning):
            entry.warn(str(w.message))
            _count_repairs(entry, str(w.message))
    if error is not None:
        entry.fail(str(error))
    return result


def _count_repairs(entry: _Entry, text: str) -> None:
    """Counts of the readers' geometry warnings (cityind_gis.io.vector.read_vector)."""
    m = re.match(r"(\d+) invalid .* geometries were repaired", text)
    if m:
        entry.counts["repaired_geometries"] = entry.counts.get("repaired_geometries", 0) + int(m[1])
    m = re.match(r"(\d+) .* without geometry were dropped", text)
    if m:
        entry.counts["dropped_empty"] = entry.counts.get("dropped_empty", 0) + int(m[1])


class _Session:
    """One validation: the recorder and the results of inputs already checked (by input)."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.rec = _Recorder(progress)
        self.cache: dict[str, tuple[str | None, LayerCheck, Any]] = {}

    def step(self, name: str, period: str | None, key: str,
             check: Callable[[_Entry], Any]) -> Any:
        """Run ``check`` once per distinct input ``key``; a repeat refers to the first period."""
        if key in self.cache:
            first, done, result = self.cache[key]
            self.rec.emit(f"{_PREFIX[done.status]} {name}: same input as period {first} "
                          f"(see above)")
            self.rec.checks.append(LayerCheck(name, period, done.status, done.messages,
                                              dict(done.counts), same_as=first))
            return result
        entry = _Entry(self.rec, name, period)
        result = check(entry)
        done = entry.close()
        self.cache[key] = (period, done, result)
        return result
