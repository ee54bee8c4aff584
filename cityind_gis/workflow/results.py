"""Typed results of a run and of a panel run.

:func:`cityind_gis.workflow.run` returns a :class:`RunResult` and
:func:`cityind_gis.workflow.run_panel` a :class:`PanelResult`. Both are frozen
dataclasses whose attributes have one type each, whatever the run: a layer the
run did not make (buildings without a buildings layer) is ``None``, never a
missing key, and panels hold one :class:`RunResult` per period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

__all__ = ["RunResult", "PanelResult", "Raster"]


@dataclass(frozen=True)
class Raster:
    """A raster surface a run computed (e.g. a POI kernel density).

    Attributes
    ----------
    array : ndarray
        Values, rows north to south.
    transform : affine.Affine
        Pixel -> map coordinates in ``crs``.
    crs : pyproj.CRS
        The run's analysis CRS (metres).
    """

    array: np.ndarray
    transform: Any
    crs: CRS

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``array, transform, crs`` (the arguments of ``write_geotiff``)."""
        return iter((self.array, self.transform, self.crs))


@dataclass(frozen=True)
class RunResult:
    """Everything one run computed (:func:`cityind_gis.workflow.run`).

    Attributes
    ----------
    grid : GeoDataFrame
        The units (analysis CRS): every indicator, ``analysed`` and
        ``domain_reason``, ``U1``, ``U2``, ``C``, ``T``, ``D``, grades, coupling
        stage, lag type, typology, relative development, bivariate class, main
        obstacles, spatial statistics columns and ``n_missing_services``; the
        coupling columns are NaN / None where ``analysed`` is False. See
        ``docs/pipeline.md``.
    service_gaps : GeoDataFrame
        Industrial units lacking a service within the gap distance, ranked.
    industrial_service_gaps : GeoDataFrame
        Every industrial parcel (or cell): walking distance per service, what is
        missing, gap score, workers, counts within the walking distances, rank.
    candidate_sites : GeoDataFrame
        Candidate sites for the missing services.
    industrial_gap_table : DataFrame
        The ranked gap list with Chinese and English headers.
    landuse, pois, network : GeoDataFrame
        The canonical input layers in the analysis CRS (``pois`` with
        ``status``; ``network`` the walking edges).
    buildings : GeoDataFrame or None
        Building outlines with ``use`` and ``levels``, when the run had buildings.
    weights, obstacles, summary, classification_report : DataFrame
        Indicator weights, obstacle degrees, D by grade, tag classification.
    parameters : DataFrame
        One row: the run's settings, counts and timings (``run.json``).
    rasters : dict of str to Raster
        ``kde_{category}`` surfaces of ``[indicators] kernel_density`` (empty
        without them).
    weight_sensitivity : DataFrame
        D, grade and typology under entropy, CRITIC and equal weights against
        the run's method: one row per method (``weight_sensitivity.csv``).
    domain : DataFrame
        Units analysed and left out, by reason
        (:func:`cityind_gis.domain.domain_summary`).
    """

    grid: gpd.GeoDataFrame
    service_gaps: gpd.GeoDataFrame
    industrial_service_gaps: gpd.GeoDataFrame
    candidate_sites: gpd.GeoDataFrame
    industrial_gap_table: pd.DataFrame
    landuse: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    network: gpd.GeoDataFrame
    weights: pd.DataFrame
    obstacles: pd.DataFrame
    summary: pd.DataFrame
    classification_report: pd.DataFrame
    parameters: pd.DataFrame
    buildings: gpd.GeoDataFrame | None = None
    rasters: dict[str, Raster] = field(default_factory=dict)
    weight_sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    domain: pd.DataFrame = field(default_factory=pd.DataFrame)

    #: Layers written to the GeoPackage, in this order (then ``buildings``).
    LAYERS = ("grid", "service_gaps", "landuse", "pois", "network",
              "industrial_service_gaps", "candidate_sites")
    #: Tables written as CSV.
    TABLES = ("summary", "weights", "classification_report", "obstacles",
              "industrial_gap_table")

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The spatial layers by name, as written to ``cityind.gpkg``.

        Returns
        -------
        dict of str to GeoDataFrame
        """
        out = {name: getattr(self, name) for name in self.LAYERS}
        if self.buildings is not None:
            out["buildings"] = self.buildings
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The non-spatial tables by name, as written to ``{name}.csv``.

        Returns
        -------
        dict of str to DataFrame
            ``summary`` ends with one "not analysed: <reason>" row per reason
            units were left out of the analysis domain (no grade level), and
            one "few indicators: ..." row per subsystem index resting on fewer
            than three indicators (no count; what data would add more).
        """
        out = {name: getattr(self, name) for name in self.TABLES}
        params = self.params if len(self.parameters) else {}
        out["summary"] = _with_domain(self.summary, self.domain, params)
        return out

    @property
    def params(self) -> dict[str, Any]:
        """The run's parameters as a plain dict (the row of :attr:`parameters`)."""
        return dict(self.parameters.iloc[0].to_dict())

    def names(self) -> list[str]:
        """Names of every attribute, in declaration order.

        Returns
        -------
        list of str
        """
        return [f.name for f in fields(self)]

    def as_dict(self) -> dict[str, Any]:
        """Every attribute by name, leaving out ``buildings`` when None and empty ``rasters``.

        Returns
        -------
        dict of str to object
            For functions that take tables by name (e.g.
            :func:`cityind_gis.maps.report.write_report`).
        """
        out = {name: getattr(self, name) for name in self.names()}
        if self.buildings is None:
            del out["buildings"]
        if not self.rasters:
            del out["rasters"]
        return out


def _with_domain(summary: pd.DataFrame, domain: pd.DataFrame,
                 params: dict[str, Any] | None = None) -> pd.DataFrame:
    """The grade summary with the not-analysed and "few indicators" rows (``summary.csv``).

    One row per reason units were not analysed ("not analysed: <reason>", with
    the count), then one "few indicators: ..." row per subsystem index that
    rests on fewer than three indicators (no count), saying what data adds more.
    """
    from ..typology import breadth_caution

    if summary.empty:
        return summary
    parts = [summary.astype({"grade_level": "Int64", "cells": "Int64"})]
    left = (domain[domain["reason"] != "analysed"]
            if not domain.empty and "reason" in domain.columns else domain.iloc[0:0])
    if len(left):
        n = int(domain["n_units"].sum())
        parts.append(pd.DataFrame({
            "grade_level": pd.array([pd.NA] * len(left), dtype="Int64"),
            "grade_zh": ("未分析：" + left["reason_zh"].astype(str)).to_numpy(),
            "grade_en": ("not analysed: " + left["reason"].astype(str)).to_numpy(),
            "cells": pd.array(left["n_units"].to_numpy(), dtype="Int64"),
            "share_pct": (100.0 * left["n_units"] / max(n, 1)).to_numpy(),
        }))
    names = {"U1": ("产业子系统 U1", "U1 (industry)"), "U2": ("城市功能子系统 U2",
                                                          "U2 (urban function)")}
    notes = []
    for sub, (zh, en) in names.items():
        count = (params or {}).get(f"n_indicators_{sub}")
        if count is None or pd.isna(count):
            continue
        text = breadth_caution(sub, int(count), label=en)
        if text:
            notes.append((breadth_caution(sub, int(count), label=zh, lang="zh"), text))
    if notes:
        parts.append(pd.DataFrame({
            "grade_level": pd.array([pd.NA] * len(notes), dtype="Int64"),
            "grade_zh": [z for z, _ in notes], "grade_en": [e for _, e in notes],
            "cells": pd.array([pd.NA] * len(notes), dtype="Int64")}))
    if len(parts) == 1:
        return summary
    return pd.concat(parts, ignore_index=True)[list(summary.columns)]


@dataclass(frozen=True)
class PanelResult:
    """Everything a panel run computed (:func:`cityind_gis.workflow.run_panel`).

    Attributes
    ----------
    periods : dict of str to RunResult
        Label -> the run of that period (its own normalisation).
    panel : GeoDataFrame
        One row per period and unit: pooled ``U1``, ``U2``, ``C``, ``T``, ``D``,
        ``grade_level``, ``grade_en``, ``grade_zh``.
    d_change : GeoDataFrame
        Per unit: D of the first and last period, their change, levels, trend.
    weights : DataFrame
        Pooled weights over all periods.
    summary : DataFrame
        Mean U1, U2, D per period.
    parameters : dict
        Settings and counts (``panel.json``).
    """

    periods: dict[str, RunResult]
    panel: gpd.GeoDataFrame
    d_change: gpd.GeoDataFrame
    weights: pd.DataFrame
    summary: pd.DataFrame
    parameters: dict[str, Any]
