"""Indicators register themselves: one registry of what each indicator is and how it is computed.

Every indicator column cityind_gis writes is one :class:`Indicator` entry: its
column name (or a pattern such as ``poi_density_{category}``), unit, direction
(``+`` larger is better for its subsystem, ``-`` smaller is better), subsystem
(``industry`` = U1, ``urban`` = U2, ``descriptive`` when it feeds neither by
default), whether it is in the default U1/U2, a label in Chinese and English,
its formula and its citation. An entry also says how the column is made:

* an :class:`Indicator` with a ``func`` is a measure of one column;
* a :class:`Measure` is one function that yields several columns (``space_shares``
  gives three, ``functional_zones`` one per POI category), each described by one
  :class:`Indicator` in its ``columns``; a measure without columns yields an
  intermediate product (the enterprise counts per industry subtype) that other
  measures need;
* an :class:`Indicator` without ``func`` names a column another stage writes
  (``stage="accessibility"``: walking distances, life circles).

A measure's ``func`` is called with its ``needs`` as positional arguments, in
order, and its ``uses`` as keyword arguments named after them. Needs are inputs
(:data:`INPUTS`: ``units``, ``landuse``, ``pois``, ...) or the names of measures
registered before it, whose results are computed once and shared
(``landuse_area``, ``poi_counts``, ...). :func:`cityind_gis.indicators.compute_indicators`
loops the registry in order and calls every measure whose needs are all available.

The measures of :mod:`.landuse`, :mod:`.poi`, :mod:`.roads`, :mod:`.raster` and
:mod:`.buildings` register themselves into the default registry, beside their
functions; ``docs/indicators.md`` is generated from it
(``python -m cityind_gis.indicators docs/indicators.md``) and a test fails when
the two differ. Adding an indicator is one function, one registry entry and one
known-answer test: see ``docs/indicators.md`` ("Adding an indicator").

Column names follow ``{measure}[_{class}][_{distance}m]`` (see
:func:`column_name`): snake_case ASCII, at most 40 characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from .._errors import InputError
from ..columns import column_name

__all__ = [
    "INPUTS",
    "SUBSYSTEMS",
    "Indicator",
    "Measure",
    "Registry",
    "default_registry",
    "indicator",
    "measure",
    "column_entry",
    "column_name",
    "indicator_registry",
    "indicator_info",
    "default_subsystem_indicators",
    "registry_markdown",
    "update_docs",
]

#: Inputs :func:`~cityind_gis.indicators.compute_indicators` knows, in the order of
#: :class:`~cityind_gis.indicators.IndicatorInputs`.
INPUTS: tuple[str, ...] = (
    "units", "landuse", "pois", "buildings", "roads", "population_raster",
    "night_light_raster", "landcover_raster", "landcover_classes", "warp_rasters",
    "job_densities",
)

#: Subsystems an indicator may feed.
SUBSYSTEMS = ("industry", "urban", "descriptive")

#: Stage of an indicator computed by :func:`~cityind_gis.indicators.compute_indicators`.
INDICATOR_STAGE = "indicators"

_PLACEHOLDER = re.compile(r"\{[a-z]+\}")
_DOC_BEGIN = "<!-- registry:begin -->\n"
_DOC_END = "<!-- registry:end -->"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """One indicator column (or pattern of columns) and, optionally, how to compute it.

    Parameters
    ----------
    name : str
        Column name, or a pattern with placeholders (``"poi_density_{category}"``,
        ``"{class}_share"``); snake_case ASCII of at most 40 characters.
    unit : str
        Unit of the values, e.g. ``"share 0-1"``, ``"POIs per km2"``, ``"m"``.
    direction : {"+", "-"}
        ``+`` when a larger value is better for its subsystem.
    subsystem : {"industry", "urban", "descriptive"}
        U1, U2, or neither by default.
    label_zh, label_en : str
        One-line description in Chinese and English.
    formula : str
        The formula in plain text (``"n_k / (A_unit / 1e6)"``).
    citation : str
        Source of the method or standard (``"-"`` when there is none).
    default : bool, default False
        In the pipeline's default U1 or U2.
    func : callable, optional
        Computes this one column: ``func(*needs, **uses)`` returns a Series (or a
        one-column DataFrame) aligned to the units, or None when it does not
        apply. None for a column of a multi-column :class:`Measure` or of another
        stage.
    needs : tuple of str, default ()
        Inputs or earlier measures ``func`` needs, passed positionally in this
        order; ``func`` is skipped when one of them is missing or None.
    uses : tuple of str, default ()
        Optional inputs passed by keyword (None when not given), e.g.
        ``"warp_rasters"``.
    stage : str, default "indicators"
        The stage that writes the column: ``"indicators"``
        (:func:`~cityind_gis.indicators.compute_indicators`), ``"accessibility"``
        (walking distances and life circles) or ``"library"`` (a column of a
        library function the pipeline does not call).
    """

    name: str
    unit: str
    direction: str
    subsystem: str
    label_zh: str
    label_en: str
    formula: str
    citation: str
    default: bool = False
    func: Callable[..., Any] | None = None
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    stage: str = INDICATOR_STAGE

    @property
    def is_pattern(self) -> bool:
        """True when :attr:`name` holds a ``{placeholder}``."""
        return bool(_PLACEHOLDER.search(self.name))

    def matches(self, column: str) -> bool:
        """Whether ``column`` is this entry's name or an instance of its pattern."""
        return column == self.name or (self.is_pattern and bool(_regex(self.name).match(column)))


@dataclass(frozen=True, kw_only=True)
class Measure:
    """One function that yields several indicator columns, or an intermediate product.

    Parameters
    ----------
    name : str
        Name of the result, by which later measures ``need`` it (e.g.
        ``"landuse_area"``); unique among measures and not an input name.
    func : callable
        ``func(*needs, **uses)`` returns a DataFrame aligned to the units (or
        anything, for an intermediate product), or None when it does not apply.
    needs : tuple of str
        Inputs or earlier measures, passed positionally in this order; the
        measure is skipped when one of them is missing or None.
    uses : tuple of str, default ()
        Optional inputs passed by keyword (None when not given).
    columns : tuple of Indicator, default ()
        One entry (without ``func``) per column or column pattern the function
        yields, in the order they are documented. Empty for an intermediate
        product, which is computed when needed but not written.
    """

    name: str
    func: Callable[..., Any]
    needs: tuple[str, ...]
    uses: tuple[str, ...] = ()
    columns: tuple[Indicator, ...] = ()

    def entry_of(self, column: str) -> Indicator | None:
        """The column entry describing ``column`` (exact names before patterns), or None."""
        exact = next((c for c in self.columns if c.name == column), None)
        return exact or next((c for c in self.columns if c.matches(column)), None)


def _regex(pattern: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(pattern)
    return re.compile("^" + "([a-z0-9_]+)".join(re.escape(p) for p in parts) + "$")


def _check_entry(ind: Indicator, *, in_measure: str | None) -> None:
    where = f"`Indicator` {ind.name!r}" + (f" of measure {in_measure!r}" if in_measure else "")
    column_name(_PLACEHOLDER.sub("x", ind.name))  # snake_case ASCII, <= 40 characters
    problems = []
    if ind.direction not in ("+", "-"):
        problems.append(f"`direction` must be '+' or '-', got {ind.direction!r}")
    if ind.subsystem not in SUBSYSTEMS:
        problems.append(f"`subsystem` must be one of {list(SUBSYSTEMS)}, got {ind.subsystem!r}")
    empty = [f for f in ("unit", "label_zh", "label_en", "formula", "citation")
             if not str(getattr(ind, f)).strip()]
    if empty:
        problems.append(f"{empty} must not be empty (write '-' for no citation)")
    if in_measure is not None and ind.func is not None:
        problems.append("a column of a Measure has no `func` of its own (the measure's computes "
                        "it); drop `func`")
    if in_measure is None and ind.stage == INDICATOR_STAGE and ind.func is None:
        problems.append("give `func` (called as func(*needs, **uses)), or name the stage that "
                        "writes the column, e.g. stage='accessibility'")
    if ind.func is not None and ind.stage != INDICATOR_STAGE:
        problems.append(f"`stage` {ind.stage!r} writes the column itself; an entry with `func` "
                        f"belongs to stage {INDICATOR_STAGE!r}")
    if problems:
        msg = f"{where} is invalid: " + "; ".join(problems) + "."
        raise InputError(msg)


class Registry:
    """An ordered collection of indicator entries and the measures that compute them.

    Parameters
    ----------
    inputs : sequence of str, default :data:`INPUTS`
        Names of the inputs measures may need besides earlier measures.

    Notes
    -----
    Order matters: measures run in registration order (a measure can only need
    one registered before it), :meth:`entries` and the generated documentation
    list the entries in that order, and the default U1/U2 indicators come in
    that order. :func:`default_registry` is the one the pipeline uses; register
    your own indicators on a :meth:`copy` of it and pass that copy on.

    Examples
    --------
    >>> reg = default_registry().copy()
    >>> "road_density" in reg
    True
    >>> reg.info("poi_density_food").name
    'poi_density_{category}'
    """

    def __init__(self, inputs: Sequence[str] = INPUTS) -> None:
        self._inputs: tuple[str, ...] = tuple(inputs)
        # entry name -> (entry, measure name or None); insertion order is registry order
        self._entries: dict[str, tuple[Indicator, str | None]] = {}
        self._measures: dict[str, Measure] = {}

    # ------------------------------------------------------------------ building
    def register(self, item: Indicator | Measure) -> Indicator | Measure:
        """Add an indicator or a measure at the end of the registry.

        Parameters
        ----------
        item : Indicator or Measure
            An :class:`Indicator` with ``func`` (a one-column measure), an
            :class:`Indicator` without ``func`` of another stage, or a
            :class:`Measure`.

        Returns
        -------
        Indicator or Measure
            ``item``, so the call can be written beside the function.

        Raises
        ------
        InputError
            If an entry is invalid, a name is registered already, or a need is
            neither an input nor a measure registered before.
        """
        m: Measure | None
        if isinstance(item, Measure):
            m = item
            for c in m.columns:
                _check_entry(c, in_measure=m.name)
            entries = list(m.columns)
        elif isinstance(item, Indicator):
            _check_entry(item, in_measure=None)
            entries = [item]
            m = (Measure(name=item.name, func=item.func, needs=tuple(item.needs),
                         uses=tuple(item.uses), columns=(item,))
                 if item.func is not None else None)
        else:
            msg = f"`item` must be an Indicator or a Measure, got {type(item).__name__}."
            raise InputError(msg)
        taken = [e.name for e in entries if e.name in self._entries]
        taken += [e.name for i, e in enumerate(entries) if e.name in {x.name for x in entries[:i]}]
        if taken:
            msg = (f"indicator(s) {sorted(set(taken))} are registered already; "
                   "`unregister` them first, or choose other names.")
            raise InputError(msg)
        if m is not None:
            self._check_measure(m)
            self._measures[m.name] = m
        for e in entries:
            self._entries[e.name] = (e, m.name if m is not None else None)
        return item

    def _check_measure(self, m: Measure) -> None:
        if not callable(m.func):
            msg = f"`func` of measure {m.name!r} must be callable, got {type(m.func).__name__}."
            raise InputError(msg)
        if m.name in self._measures or m.name in self._inputs:
            kind = "an input" if m.name in self._inputs else "a measure"
            msg = (f"measure name {m.name!r} is {kind} already; choose another name (the "
                   "name of its main column, e.g. 'transit_stops_per_1000')."
                   )
            raise InputError(msg)
        known = set(self._inputs) | set(self._measures)
        unknown = [n for n in (*m.needs, *m.uses) if n not in known]
        if unknown:
            msg = (f"measure {m.name!r} needs {unknown}, which are neither inputs "
                   f"{list(self._inputs)} nor measures registered before it "
                   f"{list(self._measures)}; register those first.")
            raise InputError(msg)
        bad_uses = [n for n in m.uses if n not in self._inputs]
        if bad_uses:
            msg = (f"measure {m.name!r}: `uses` {bad_uses} must be inputs {list(self._inputs)}; "
                   "name measures in `needs`.")
            raise InputError(msg)

    def unregister(self, name: str) -> None:
        """Remove a measure (with all its columns) or an entry of another stage.

        Parameters
        ----------
        name : str
            A measure name or an entry name.

        Raises
        ------
        InputError
            If nothing has that name, or a later measure needs it.
        """
        owner = self._measures.get(name)
        if owner is None and name in self._entries:
            mname = self._entries[name][1]
            owner = self._measures.get(mname) if mname is not None else None
        if owner is None and name not in self._entries:
            msg = f"`name` {name!r} is not registered; registered: {self.names()}."
            raise InputError(msg)
        if owner is not None:
            users = [m.name for m in self._measures.values()
                     if owner.name in (*m.needs, *m.uses)]
            if users:
                msg = (f"measure {owner.name!r} is needed by {users}; unregister those first.")
                raise InputError(msg)
            del self._measures[owner.name]
            for e in owner.columns:
                self._entries.pop(e.name, None)
        else:
            del self._entries[name]

    def copy(self) -> Registry:
        """An independent registry with the same inputs, entries and measures."""
        new = Registry(self._inputs)
        new._entries = dict(self._entries)
        new._measures = dict(self._measures)
        return new

    # ------------------------------------------------------------------ reading
    @property
    def inputs(self) -> tuple[str, ...]:
        """Input names measures may need."""
        return self._inputs

    def entries(self) -> tuple[Indicator, ...]:
        """Every indicator entry, in registry order."""
        return tuple(e for e, _ in self._entries.values())

    def measures(self) -> tuple[Measure, ...]:
        """Every measure (one-column indicators included), in the order they run."""
        return tuple(self._measures.values())

    def names(self) -> list[str]:
        """Entry names and patterns, in registry order."""
        return list(self._entries)

    def measure_of(self, name: str) -> Measure | None:
        """The measure computing entry ``name`` (a name or pattern), None for another stage."""
        if name not in self._entries:
            msg = f"`name` {name!r} is not registered; registered: {self.names()}."
            raise InputError(msg)
        mname = self._entries[name][1]
        return None if mname is None else self._measures[mname]

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._measures

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({len(self._entries)} indicators, {len(self._measures)} measures)"

    def info(self, column: str) -> Indicator:
        """The entry of a concrete column name; exact names win over patterns.

        Parameters
        ----------
        column : str
            Column of a units layer, e.g. ``"poi_density_food"``.

        Returns
        -------
        Indicator

        Raises
        ------
        InputError
            If no entry matches.
        """
        if column in self._entries:
            return self._entries[column][0]
        for e, _ in self._entries.values():
            if e.is_pattern and e.matches(column):
                return e
        msg = (f"`column` {column!r} is not a registered indicator; see "
               "`cityind_gis.indicators.indicator_registry()` or docs/indicators.md.")
        raise InputError(msg)

    def sources(self, name: str) -> tuple[str, ...]:
        """Inputs an entry is computed from, through the measures it needs (``units`` left out).

        Parameters
        ----------
        name : str
            Entry name or pattern.

        Returns
        -------
        tuple of str
            Input names in :attr:`inputs` order; ``(stage,)`` for an entry of
            another stage.
        """
        m = self.measure_of(name)
        if m is None:
            return (self._entries[name][0].stage,)
        seen: set[str] = set()
        todo = [*m.needs, *m.uses]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in self._measures:
                todo += [*self._measures[n].needs, *self._measures[n].uses]
        return tuple(n for n in self._inputs if n in seen and n != "units")

    def table(self) -> pd.DataFrame:
        """The registry as a table (see :func:`indicator_registry`)."""
        rows = [[e.unit, e.direction, e.subsystem, e.default, e.label_zh, e.label_en,
                 e.formula, e.citation] for e in self.entries()]
        return pd.DataFrame(rows, index=pd.Index(self.names(), name="name"), columns=_COLUMNS)

    def default_indicators(
        self, columns: Iterable[str], subsystem: str, *, categories: Iterable[str] = ()
    ) -> dict[str, str]:
        """Default indicators of one subsystem among the available columns.

        See :func:`default_subsystem_indicators`.
        """
        if subsystem not in ("industry", "urban"):
            msg = f"`subsystem` must be 'industry' or 'urban', got {subsystem!r}."
            raise InputError(msg)
        available = set(columns)
        cats = list(categories)
        out: dict[str, str] = {}
        for e in self.entries():  # a few dozen metadata entries, not features
            if e.subsystem != subsystem or not e.default:
                continue
            names = [e.name.replace("{category}", c) for c in cats] if e.is_pattern else [e.name]
            for n in names:
                if n in available:
                    out[n] = e.direction
        return out

    def concrete_names(self, fill: Mapping[str, Sequence[str] | None]) -> list[str]:
        """Every concrete column name, patterns expanded.

        Parameters
        ----------
        fill : mapping of str to sequence of str or None
            Values of each placeholder (``{"{category}": [...], "{class}": [...]}``);
            a key may also be a whole pattern, whose values then replace its one
            placeholder (``{"landcover_share_{class}": None}``). Patterns whose
            placeholder has no values (or None: any value, see
            :meth:`unknown_names`) are left out.

        Returns
        -------
        list of str
            In registry order, without duplicates.
        """
        out: list[str] = []
        for e in self.entries():
            if not e.is_pattern:
                out.append(e.name)
                continue
            keys = _PLACEHOLDER.findall(e.name)
            values = _fill_of(e.name, keys, fill)
            out += [e.name.replace(keys[0], v) for v in values or ()]
        return list(dict.fromkeys(out))

    def unknown_names(
        self, names: Iterable[str], fill: Mapping[str, Sequence[str] | None], *,
        extra: Iterable[str] = (),
    ) -> dict[str, str]:
        """Names no entry produces, each with a "did you mean" hint (empty when none is close).

        Parameters
        ----------
        names : iterable of str
            Indicator names, e.g. the keys of ``[coupling.industry]``.
        fill : mapping of str to sequence of str or None
            As in :meth:`concrete_names`; a placeholder (or pattern) mapped to None
            accepts any snake_case value (``{"landcover_share_{class}": None}``:
            the legend decides).
        extra : iterable of str, optional
            Further valid names (``[statistics] indicators``, ``cell_area_m2``).

        Returns
        -------
        dict of str to str
            Unknown name -> ``" (did you mean 'a', 'b'?)"`` or ``""``, in the order given.
        """
        import difflib

        known = set(self.concrete_names(fill)) | set(extra)
        open_patterns = [_regex(e.name) for e in self.entries() if e.is_pattern
                         and _fill_of(e.name, _PLACEHOLDER.findall(e.name), fill) is None]
        out: dict[str, str] = {}
        for n in names:
            if n in known or any(r.match(n) for r in open_patterns):
                continue
            close = difflib.get_close_matches(n, sorted(known), n=3, cutoff=0.6)
            out[n] = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        return out

    def markdown(self) -> str:
        """The registry as a Markdown table (see :func:`registry_markdown`)."""
        lines = ["| name | subsystem | dir | unit | 中文 | description | formula | from | source |",
                 "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for e in self.entries():
            default = " (default)" if e.default else ""
            src = self.sources(e.name)
            origin = (", ".join(src) if self.measure_of(e.name) is not None
                      else f"{src[0]} stage")
            cells = [f"`{e.name}`", f"{e.subsystem}{default}", e.direction, e.unit, e.label_zh,
                     e.label_en, f"`{e.formula}`", origin or "units", e.citation]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines) + "\n"


def _fill_of(pattern: str, keys: list[str],
             fill: Mapping[str, Sequence[str] | None]) -> Sequence[str] | None:
    """Values of a one-placeholder pattern: its own key, else its placeholder's; () if none."""
    if len(keys) != 1:
        return ()
    if pattern in fill:
        return fill[pattern]
    return fill.get(keys[0], ())


_COLUMNS = ["unit", "direction", "subsystem", "default", "description_zh", "description_en",
            "formula", "source"]

_DEFAULT = Registry()


def default_registry() -> Registry:
    """The registry the pipeline uses, holding every built-in indicator.

    Returns
    -------
    Registry
        The shared instance (not a copy): registering on it changes every later
        run. To add indicators for one run, register them on ``.copy()`` and pass
        that copy (``compute_indicators(inputs, registry=...)``).
    """
    return _DEFAULT


def indicator(*, registry: Registry | None = None, **fields: Any) -> Callable[[F], F]:
    """Decorator: register the decorated function as a one-column :class:`Indicator`.

    Parameters
    ----------
    registry : Registry, optional
        Where to register; default :func:`default_registry`.
    **fields
        The :class:`Indicator` fields but ``func`` (``name``, ``needs``, ``unit``, ...).

    Returns
    -------
    callable
        A decorator returning the function unchanged.

    Examples
    --------
    >>> reg = default_registry().copy()
    >>> @indicator(registry=reg, name="poi_total", needs=("poi_counts",), unit="POIs",
    ...            direction="+", subsystem="descriptive", label_zh="POI总数",
    ...            label_en="all analysed POIs in the unit", formula="sum_k n_k", citation="-")
    ... def poi_total(counts):
    ...     return counts.sum(axis=1).rename("poi_total")
    >>> reg.measure_of("poi_total").needs
    ('poi_counts',)
    """
    def wrap(func: F) -> F:
        (registry or _DEFAULT).register(Indicator(func=func, **fields))
        return func
    return wrap


def measure(
    *, name: str, needs: Sequence[str], columns: Sequence[Indicator] = (), uses: Sequence[str] = (),
    registry: Registry | None = None,
) -> Callable[[F], F]:
    """Decorator: register the decorated function as a multi-column :class:`Measure`.

    Parameters
    ----------
    name : str
        Measure name (later measures need it by this name).
    needs, uses : sequence of str
        See :class:`Measure`.
    columns : sequence of Indicator
        One entry per column or column pattern the function yields; empty for an
        intermediate product.
    registry : Registry, optional
        Where to register; default :func:`default_registry`.

    Returns
    -------
    callable
        A decorator returning the function unchanged.
    """
    def wrap(func: F) -> F:
        (registry or _DEFAULT).register(Measure(name=name, func=func, needs=tuple(needs),
                                                uses=tuple(uses), columns=tuple(columns)))
        return func
    return wrap


def column_entry(name: str, unit: str, direction: str, subsystem: str, label_zh: str, label_en: str,
           formula: str, citation: str, *, default: bool = False,
           stage: str = INDICATOR_STAGE) -> Indicator:
    """Shorthand for a column entry of a :class:`Measure` (positional, in table order)."""
    return Indicator(name=name, unit=unit, direction=direction, subsystem=subsystem,
                     label_zh=label_zh, label_en=label_en, formula=formula, citation=citation,
                     default=default, stage=stage)


# ---------------------------------------------------------------------- the units' area
def _cell_area(units: Any) -> pd.Series:
    """Area of each unit in m² (``cell_area_m2``), the denominator of densities and shares."""
    from .._validate import check_columns

    check_columns(units, ["cell_area_m2"], "units")
    return units["cell_area_m2"]


_DEFAULT.register(Measure(name="cell_area", func=_cell_area, needs=("units",)))


# ---------------------------------------------------------------------- the public functions
def indicator_registry(registry: Registry | None = None) -> pd.DataFrame:
    """Metadata of every indicator cityind_gis computes.

    Parameters
    ----------
    registry : Registry, optional
        Default :func:`default_registry`.

    Returns
    -------
    DataFrame
        Indexed by name pattern (``{category}``, ``{class}``, ``{space}`` are
        placeholders), with columns ``unit``, ``direction`` (``+``/``-``),
        ``subsystem`` (``industry``, ``urban``, ``descriptive``), ``default``
        (in the pipeline's default U1/U2), ``description_zh``, ``description_en``,
        ``formula`` and ``source``.
    """
    return (registry or _DEFAULT).table()


def indicator_info(column: str, *, registry: Registry | None = None) -> pd.Series:
    """Registry entry of a concrete column name.

    Parameters
    ----------
    column : str
        Column of a units layer, e.g. ``"poi_density_food"``.
    registry : Registry, optional
        Default :func:`default_registry`.

    Returns
    -------
    Series
        The registry row (see :func:`indicator_registry`), named ``column``, with
        ``pattern`` added. Exact names win over patterns.

    Raises
    ------
    InputError
        If no registry entry matches.
    """
    reg = registry or _DEFAULT
    e = reg.info(column)
    s = reg.table().loc[e.name].copy()
    s["pattern"] = e.name
    return s.rename(column)


def default_subsystem_indicators(
    columns: Iterable[str], subsystem: str, *, categories: Iterable[str] = (),
    registry: Registry | None = None,
) -> dict[str, str]:
    """Default indicators of one subsystem among the available columns.

    Parameters
    ----------
    columns : iterable of str
        Columns available (e.g. of the grid layer).
    subsystem : {"industry", "urban"}
        U1 or U2.
    categories : iterable of str, optional
        Values substituted into ``{category}`` patterns, in order (e.g. the
        service categories, then the walking-distance categories).
    registry : Registry, optional
        Default :func:`default_registry`.

    Returns
    -------
    dict of str to {"+", "-"}
        Indicator -> direction, in registry order, only for available columns.
    """
    return (registry or _DEFAULT).default_indicators(columns, subsystem, categories=categories)


def registry_markdown(registry: Registry | None = None) -> str:
    """The registry as a Markdown table (the body of ``docs/indicators.md``).

    Parameters
    ----------
    registry : Registry, optional
        Default :func:`default_registry`.

    Returns
    -------
    str
        One row per indicator: name, subsystem, direction, unit, zh and en
        descriptions, formula, the inputs it is computed from (or the stage that
        writes it), source.
    """
    return (registry or _DEFAULT).markdown()


def update_docs(path: str | Path, *, registry: Registry | None = None) -> bool:
    """Rewrite the generated table of a Markdown page from the registry.

    Parameters
    ----------
    path : str or path-like
        A page holding ``<!-- registry:begin -->`` and ``<!-- registry:end -->``
        lines (``docs/indicators.md``); the text between them is replaced by
        :func:`registry_markdown`.
    registry : Registry, optional
        Default :func:`default_registry`.

    Returns
    -------
    bool
        True when the page changed.

    Raises
    ------
    InputError
        If the page lacks the two marker lines.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if _DOC_BEGIN not in text or _DOC_END not in text.split(_DOC_BEGIN, 1)[1]:
        msg = (f"`path` {p.name!r} has no {_DOC_BEGIN.strip()!r} ... {_DOC_END!r} block; add "
               "the two lines where the generated table goes.")
        raise InputError(msg)
    head, rest = text.split(_DOC_BEGIN, 1)
    tail = rest.split(_DOC_END, 1)[1]
    new = head + _DOC_BEGIN + registry_markdown(registry) + _DOC_END + tail
    if new == text:
        return False
    p.write_text(new, encoding="utf-8")
    return True
