"""The ``[zones]`` and ``[statistics]`` checks of :func:`cityind_gis.validate.validation_report`.

Private. Zones: ids (missing, repeated), features that are not polygons, zones
outside or clipped by the boundary, overlaps between zones and the POIs and
land use inside them. Statistics table: how it was read, its key column,
non-numeric and empty cells, keys without a partner among the zones, indicator
names that clash with zone columns, computed indicators or output columns, and
``[coupling.*]`` names nobody provides. Also the signature of a period's units,
which :func:`cityind_gis.validate.validation_report` compares across the
periods of a panel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..config import Config
from ._preflight_report import _FAILED, _Entry, _run

__all__ = [
    "_check_statistics",
    "_computed_names",
    "_describe_grid",
    "_grid_signature",
    "_grid_units",
    "_prepare_zones",
    "_zone_coverage",
]

#: Output columns the run adds after joining the statistics table (it overwrites them).
_OUTPUT_COLUMNS = (
    "U1", "U2", "C", "T", "D", "grade_level", "grade", "grade_zh", "grade_en",
    "coupling_stage", "lag_type", "obstacle_1", "obstacle_2", "obstacle_3", "obstacle_1_pct",
    "obstacle_2_pct", "obstacle_3_pct", "lisa_cluster", "lisa_i", "lisa_p", "gi_z", "gi_p",
    "gi_class", "n_missing_services", "zone_id",
)


def _prepare_zones(entry: _Entry, config: Config, crs: CRS | None,
                   boundary: gpd.GeoDataFrame | None, raw: gpd.GeoDataFrame,
                   out: dict[str, Any]) -> bool:
    """The steps of ``_build_units`` after reading; fills ``out["polygons"]``, ``out["units"]``.

    Returns True when the zones were prepared (``out["units"]`` is set), False
    when a step failed; the caller then checks what the other layers put in them
    (:func:`_zone_coverage`).
    """
    from ..io.crs import analysis_crs, to_analysis_crs
    from ..units import prepare_zones

    zc = config.zones
    assert zc.path is not None  # called for `[zones] path` only (validate._check_zones)
    fname = Path(zc.path).name
    note = ""
    if crs is None:  # the run takes the CRS of the network; without one, the zones' own
        crs = _run(entry, lambda: analysis_crs(raw, None))
        if crs is _FAILED:
            return False
        note = (" (the roads did not load, so the run's analysis CRS is unknown: checked in "
                f"{crs.name})")
    zones = _run(entry, lambda: to_analysis_crs(raw, crs, "zones"))
    if zones is _FAILED:
        return False
    polygonal = zones.geom_type.isin(["Polygon", "MultiPolygon"])
    entry.counts.update(features=len(raw), dropped_not_polygons=int((~polygonal).sum()))
    if not polygonal.all():
        kinds = sorted(set(zones.geom_type[~polygonal].astype(str)))
        entry.warn(f"`[zones] path` ({fname}): {int((~polygonal).sum())} feature(s) are "
                   f"{kinds}, not polygons (rows {list(zones.index[~polygonal][:5])}); the run "
                   "drops them. Give zone polygons (polygonise lines, remove points) in your GIS.")
    zones = zones[polygonal]
    out["polygons"] = zones
    if not _zone_ids_ok(entry, zones, zc.id_column, fname):
        return False
    if zc.id_column is None:
        entry.info(f"ids: row numbers of {fname} (no `[zones] id_column`); give `id_column` "
                   "(e.g. a zone code) for ids that stay the same between runs.")
    units = _run(entry, lambda: prepare_zones(zones, id_column=zc.id_column, boundary=boundary))
    if units is _FAILED:
        return False
    out["units"] = units
    ids = zones[zc.id_column] if zc.id_column is not None else zones.index.to_series()
    before = pd.Series(zones.geometry.area.to_numpy(), index=pd.Index(ids.to_numpy()))
    area = float(units["cell_area_m2"].sum())
    entry.counts.update(zones=len(units), total_area_km2=round(area / 1e6, 6))
    if len(units) < 2:
        entry.fail(f"`[zones] path` ({fname}) gives {len(units)} zone(s)"
                   + (" inside `[study] boundary`" if boundary is not None else "")
                   + "; at least 2 are needed to compare units. Give more zones"
                   + (" or check that the boundary covers them" if boundary is not None else "")
                   + ", or remove `[zones]` to analyse a grid.")
    else:
        idtext = (f"ids from `{zc.id_column}` (unique, none missing)" if zc.id_column
                  else "ids = row numbers")
        entry.ok(f"{len(units)} zones from {fname}, {idtext}, {area / 1e6:,.3f} km² in total; "
                 f"analysis CRS {crs.name}{note}")
    if boundary is not None:
        outside = [k for k in before.index if k not in units.index]
        clipped = int((units["cell_area_m2"] < before.reindex(units.index) * (1 - 1e-9)).sum())
        entry.counts.update(outside_boundary=len(outside), clipped_by_boundary=clipped)
        if outside:
            entry.warn(f"{len(outside)} zone(s) of `[zones] path` lie outside `[study] "
                       f"boundary` and are left out of the run: {outside[:10]}. Widen the "
                       "boundary if they belong to the study.")
        if clipped:
            entry.info(f"{clipped} zone(s) cross `[study] boundary` and are clipped to it "
                       "(their area is the part inside).")
    _zone_overlaps(entry, units)
    return True


def _zone_ids_ok(entry: _Entry, zones: gpd.GeoDataFrame, id_column: str | None,
                 fname: str) -> bool:
    """`[zones] id_column`: present, no missing ids, no repeats (every problem reported)."""
    if id_column is None:
        return True
    columns = [c for c in zones.columns if c != zones.geometry.name]
    if id_column not in zones.columns:
        entry.fail(f"`[zones] id_column` {id_column!r} is not a column of {fname}; columns: "
                   f"{columns}. Set `id_column` to the column holding each zone's code.")
        return False
    ids = zones[id_column]
    ok = True
    missing = ids.isna()
    entry.counts["missing_ids"] = int(missing.sum())
    unique_cols = [c for c in columns if zones[c].notna().all() and zones[c].is_unique]
    hint = (f"; columns with one id per zone: {unique_cols}" if unique_cols else "")
    if missing.any():
        ok = False
        entry.fail(f"`[zones] id_column` {id_column!r} is empty in {int(missing.sum())} zone(s) "
                   f"(rows {list(zones.index[missing][:10])}); every zone needs an id. Fill them "
                   f"in your GIS or choose another `id_column`{hint}.")
    repeated = ids.notna() & ids.duplicated(keep=False)
    entry.counts["duplicate_ids"] = int(ids[repeated].nunique())
    if repeated.any():
        ok = False
        groups = zones.index[repeated].to_series().groupby(ids[repeated].to_numpy())
        shown = "; ".join(f"{k!r} (rows {list(v)[:5]})" for k, v in list(groups)[:5])
        entry.fail(f"`[zones] id_column` {id_column!r} must hold one id per zone, but "
                   f"{int(ids[repeated].nunique())} id(s) repeat: {shown}. Dissolve zones that "
                   f"share an id in your GIS (`zones.dissolve({id_column!r})`) or choose another "
                   f"`id_column`{hint}.")
    return ok


def _zone_overlaps(entry: _Entry, units: gpd.GeoDataFrame) -> None:
    """Zones that overlap each other by more than 1 m² (land there is counted in each)."""
    geoms = units.geometry.values
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    entry.counts["overlapping_pairs"] = 0
    if not len(i):
        return
    area = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    big = area > 1.0
    entry.counts["overlapping_pairs"] = int(big.sum())
    if big.any():
        ids = units.index
        pairs = ", ".join(f"{ids[a]!r}/{ids[b]!r} ({s:,.0f} m²)"
                          for a, b, s in list(zip(i[big], j[big], area[big], strict=True))[:5])
        entry.warn(f"{int(big.sum())} pair(s) of `[zones]` overlap, {area[big].sum():,.0f} m² in "
                   f"total: {pairs}. Land use there is counted in each zone and a POI in the "
                   "first one only. Remove the overlaps in your GIS (a topology check).")


def _zone_coverage(entry: _Entry, units: gpd.GeoDataFrame,
                   layers: dict[str, gpd.GeoDataFrame]) -> None:
    """How many POIs and land-use parcels fall inside some zone."""
    tree = shapely.STRtree(units.geometry.values)
    parts = []
    for name, what in (("pois", "POIs"), ("landuse", "land-use parcels")):
        layer = layers.get(name)
        if layer is None or not len(layer):
            continue
        pts = layer.to_crs(units.crs).geometry
        if name == "landuse":
            pts = pts.representative_point()
        hit, _ = tree.query(pts.values, predicate="intersects")
        inside = len(np.unique(hit))
        entry.counts[f"{name}_outside"] = len(layer) - inside
        parts.append(f"{inside} of {len(layer)} {what}")
        if inside == 0:
            entry.warn(f"no {what} lie inside any zone of `[zones] path`: the zones and "
                       f"`[{name}]` cover different places (a wrong `crs`?), so every zone "
                       "counts zero.")
    if parts:
        entry.info(f"coverage: {' and '.join(parts)} lie inside the zones; the rest are not "
                   "counted in any zone.")


def _table_reading(path: Path, sheet: str | int | None) -> str:
    """How :func:`cityind_gis.io.vector._read_table` reads the file (encoding or sheet)."""
    if path.suffix.lower() in (".xlsx", ".xls"):
        return f"Excel, sheet {sheet!r}" if sheet is not None else "Excel, first sheet"
    data = path.read_bytes()
    for enc, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GBK/GB18030")):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return f"{label} CSV"
    return "CSV"


def _check_cells(entry: _Entry, table: pd.DataFrame, used: dict[str, str], keys: pd.Series,
                 where: str, *, default: bool) -> tuple[int, int]:
    """Non-numeric and empty cells of the indicator columns; returns their counts."""
    n_bad = n_empty = 0
    for col, name in used.items():
        raw = table[col]
        text = raw.astype(str).str.replace(",", "", regex=False).str.strip()
        number = pd.to_numeric(text, errors="coerce")
        bad = number.isna() & raw.notna()
        empty = raw.isna()
        label = f"column {col!r}" + (f" (indicator {name!r})" if name != col else "")
        if bad.any():
            n_bad += int(bad.sum())
            examples = ", ".join(f"{v!r} (key {k!r})" for k, v in
                                 list(zip(keys[bad], raw[bad], strict=True))[:5])
            fix = ("List the indicator columns in `[statistics] indicators` (without it, every "
                   "column but `key` is read as an indicator), or fix the cells"
                   if default else "Fix the cells, or leave the column out of `[statistics] "
                   "indicators`")
            entry.fail(f"{where} {label} has {int(bad.sum())} non-numeric cell(s): {examples}; "
                       "indicators must be numbers (thousands separators are removed; units "
                       f"such as 万元 belong in the header). {fix}.")
        if empty.any():
            n_empty += int(empty.sum())
            entry.fail(f"{where} {label} has {int(empty.sum())} empty cell(s), key(s) "
                       f"{list(keys[empty][:10])}; the run needs a value of every indicator for "
                       "every row. Fill them (e.g. from another yearbook) or leave the column "
                       "out of `[statistics] indicators`.")
    return n_bad, n_empty


def _missing_key(entry: _Entry, key: str, columns: list[str], file: str, reading: str) -> None:
    """`[statistics] key` is not a column: say so, with the nearest names."""
    import difflib

    close = difflib.get_close_matches(key, columns, n=2, cutoff=0.5)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    one = (" The table has one column: its separator is not a comma, tab, ';' or '|' -- "
           "save it as CSV with commas." if len(columns) == 1 else "")
    entry.fail(f"`[statistics] key` {key!r} is not a column of {file} (read as "
               f"{reading}){hint}; columns: {columns}. Set `key` to the column holding the "
               f"zone codes or names.{one}")


def _check_statistics(entry: _Entry, config: Config, units: gpd.GeoDataFrame | None,
                      polygons: gpd.GeoDataFrame | None, computed: tuple[set[str], bool]) -> None:
    """`[statistics]`: read the table as the run does and report every problem at once."""
    from ..io.vector import _read_table

    st = config.statistics
    # called for `[statistics] path` only, and load_config requires `key` with it
    assert st.path is not None and st.key is not None
    key = st.key
    p = Path(st.path)
    where = f"`[statistics] path` ({p.name})"
    if not p.is_file():
        entry.fail(f"{where}: the file does not exist. Fix the path (relative to the config "
                   "file).")
        _check_coupling_names(entry, config, list((st.indicators or {}).values()) or None)
        return
    table = _run(entry, lambda: _read_table(p, "statistics", st.sheet))
    if table is _FAILED:
        _check_coupling_names(entry, config, list((st.indicators or {}).values()) or None)
        return
    table.columns = [str(c).strip() for c in table.columns]
    reading = _table_reading(p, st.sheet)
    entry.counts.update(rows=len(table), columns=len(table.columns))
    columns = list(table.columns)
    has_key = st.key in columns
    if not has_key:
        _missing_key(entry, key, columns, p.name, reading)
    chosen = dict(st.indicators) if st.indicators is not None else {
        c: c for c in columns if c != st.key}
    absent = [c for c in chosen if c not in columns or c == st.key]
    if absent:
        entry.fail(f"`[statistics] indicators` names column(s) {absent} that {p.name} does not "
                   f"have (read as {reading}); columns: {[c for c in columns if c != st.key]}. "
                   "Fix the names (they must match the header exactly) or leave them out.")
    if has_key:
        keys = table[st.key].astype(str).str.strip()
        dup = sorted(set(keys[keys.duplicated()]))
        entry.counts["repeated_keys"] = len(dup)
        if dup:
            entry.fail(f"`[statistics] key` {st.key!r}: {p.name} repeats key(s) {dup[:10]}; the "
                       "run joins one row per zone. Keep one row per zone (e.g. drop subtotal "
                       "rows).")
    else:  # name the rows by their line in the file (header = line 1)
        keys = pd.Series([f"line {i + 2}" for i in range(len(table))], index=table.index)
    used = {c: n for c, n in chosen.items() if c in columns and c != st.key}
    n_bad, n_empty = _check_cells(entry, table, used, keys, where,
                                  default=st.indicators is None)
    entry.counts.update(indicators=len(used), non_numeric_cells=n_bad, empty_cells=n_empty)
    names = list(used.values())
    _check_coupling_names(entry, config, names)
    matched = None
    target = units if units is not None else _zones_as_read(config, polygons)
    if target is None:
        entry.info("keys not matched against the zones: `[zones]` did not load.")
    else:
        if units is None:
            entry.info("keys matched against the zones as read (`[zones]` has problems of its "
                       "own, above).")
        if has_key:
            matched = _match_keys(entry, config, target, keys, p.name)
        _check_clashes(entry, target, names, computed)
    if not entry.failed:
        # every check passed: confirm with the run's own function
        from ..io.statistics import zone_statistics

        zk = None if st.zones_key in (None, config.zones.id_column) else st.zones_key
        if units is not None and _run(entry, lambda: zone_statistics(
                units, p, key=key, zones_key=zk, sheet=st.sheet,
                indicators=st.indicators)) is _FAILED:
            return
        shown = ", ".join(n if n == c else f"{n} <- {c!r}" for c, n in used.items())
        entry.ok(f"{p.name} ({reading}), {len(table)} rows, key `{st.key}`; "
                 f"{len(used)} indicator(s): {shown}"
                 + (f"; all {matched} zones matched" if matched is not None else ""))
    else:
        entry.info(f"read {p.name} as {reading}: {len(table)} rows, columns {columns}.")


def _zones_as_read(config: Config,
                   polygons: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Zones that failed ``prepare_zones`` (repeated or missing ids), indexed like units."""
    if polygons is None:
        return None
    idc = config.zones.id_column
    zones = polygons.set_index(idc) if idc is not None and idc in polygons else polygons
    return zones.assign(cell_area_m2=zones.geometry.area)


def _match_keys(entry: _Entry, config: Config, units: gpd.GeoDataFrame, keys: pd.Series,
                fname: str) -> int | None:
    """Table keys against zone keys, as :func:`cityind_gis.panel.join_statistics` compares them."""
    import difflib

    st = config.statistics
    zk = None if st.zones_key in (None, config.zones.id_column) else st.zones_key
    if zk is None:
        zkeys = pd.Series(units.index.astype(str), index=units.index).str.strip()
        side = (f"the zone ids (`[zones] id_column` {config.zones.id_column!r})"
                if config.zones.id_column else "the zone ids (row numbers: no `[zones] "
                "id_column`)")
    elif zk not in units.columns:
        cols = [c for c in units.columns if c not in (units.geometry.name, "cell_area_m2")]
        entry.fail(f"`[statistics] zones_key` {zk!r} is not a column of the zones; columns: "
                   f"{cols}. Set it to the zones' column holding the same codes or names as "
                   f"`key`, or leave it out to match the zone ids.")
        return None
    else:
        zkeys = units[zk].astype(str).str.strip()
        side = f"the zones' `{zk}` (`[statistics] zones_key`)"
    dup = sorted(set(zkeys[zkeys.duplicated()]))
    if dup:
        entry.fail(f"{side} repeats key(s) {dup[:10]}, so the table cannot be joined one row per "
                   "zone. Set `[statistics] zones_key` to a column with one value per zone (or "
                   "leave it out to match the zone ids).")
    only_zones = sorted(set(zkeys) - set(keys))
    only_table = sorted(set(keys) - set(zkeys))
    entry.counts.update(unmatched_zone_keys=len(only_zones), unmatched_table_keys=len(only_table))
    if only_zones or only_table:
        like = []
        for k in only_zones:
            close = difflib.get_close_matches(k, only_table, n=1, cutoff=0.6)
            if close:
                like.append(f"{close[0]!r} looks like {k!r}")
        hint = f" ({'; '.join(like[:5])})" if like else ""
        entry.fail(f"`[statistics] key` {st.key!r} of {fname} and {side} do not match: "
                   f"{len(only_zones)} zone key(s) without a row in the table: "
                   f"{only_zones[:20]}; {len(only_table)} table key(s) without a zone: "
                   f"{only_table[:20]}{hint}. Fix the spelling or codes (e.g. leading zeros, "
                   "市/县 suffixes, spaces) so every key matches.")
        return None
    return len(zkeys)


def _check_clashes(entry: _Entry, units: gpd.GeoDataFrame, names: list[str],
                   computed: tuple[set[str], bool]) -> None:
    """Statistics indicator names that are zone columns, computed indicators or output columns."""
    certain, landcover = computed
    zone_cols = set(units.columns) - {units.geometry.name}
    clash = sorted(n for n in names if n in zone_cols or n in certain)
    if clash:
        entry.fail(f"`[statistics] indicators` name(s) {clash} are also columns of the zones or "
                   "indicators the run computes (docs/indicators.md), which the run refuses. "
                   "Give them other names, e.g. indicators = {\"<column>\" = \"stat_<name>\"}.")
    later = sorted(n for n in names if n in _OUTPUT_COLUMNS)
    if later:
        entry.warn(f"`[statistics] indicators` name(s) {later} are output columns the run writes "
                   "after joining the table, so the table's values are lost from the outputs. "
                   "Rename them, e.g. indicators = {\"<column>\" = \"stat_<name>\"}.")
    lc = sorted(n for n in names if landcover and n.startswith("landcover_share_"))
    if lc:
        entry.warn(f"`[statistics] indicators` name(s) {lc} may clash with the "
                   "landcover_share_* columns of `[indicators] landcover_raster`; rename them.")


def _check_coupling_names(entry: _Entry, config: Config, stats: list[str] | None) -> None:
    """`[coupling.*]` names neither computed nor given by the statistics table."""
    from ..config import unknown_indicator_names

    if stats is None:
        return
    for sub in ("industry", "urban"):
        names = list(getattr(config.coupling, sub) or {})
        for n, hint in unknown_indicator_names(names, set(stats)).items():
            entry.fail(f"`[coupling.{sub}]` names {n!r}{hint}, which neither the run computes "
                       f"nor `[statistics] indicators` gives (statistics indicators: {stats}). "
                       "Fix the name, or add the table column to `[statistics] indicators`.")


def _computed_names(config: Config, pois: gpd.GeoDataFrame | None,
                    buildings: gpd.GeoDataFrame | None) -> tuple[set[str], bool]:
    """Indicator columns this run certainly computes before the statistics join."""
    from ..config import known_indicator_names

    names = set(known_indicator_names()) | {"cell_area_m2"}
    skip = {"raster_sum", "raster_mean"}  # library functions, not run columns
    ic = config.indicators
    if ic.population_raster is None:
        skip |= {"population_sum", "population_density"}
    if ic.night_light_raster is None:
        skip.add("night_light_mean")
    if buildings is None:
        skip |= {n for n in names if n.startswith("building_")} | {"industrial_plot_ratio"}
    if pois is None or "industry" not in pois or not pois["industry"].notna().any():
        skip.add("industry_shannon")
    gaps = set(config.gaps.categories)
    skip |= {n for n in names if n.startswith("net_dist_") and n[9:] not in gaps}
    return names - skip, ic.landcover_raster is not None


def _grid_signature(config: Config, nodes: gpd.GeoDataFrame | None,
                    crs: CRS | None) -> tuple[Any, ...] | None:
    """What decides a period's units: equal signatures give the same cells (None: unknown)."""
    if config.zones.path is not None:
        return ("zones", str(config.zones.path), crs.to_string() if crs else None)
    if config.study.boundary is not None:
        return ("boundary", crs.to_string() if crs else None)
    if nodes is None or crs is None or not len(nodes):
        return None
    minx, miny, maxx, maxy = (float(v) for v in nodes.to_crs(crs).total_bounds)
    s = float(config.grid.cell_size)
    if config.grid.kind != "square" or s <= 0:
        return (config.grid.kind, crs.to_string(), *np.round([minx, miny, maxx, maxy], 3))
    x0, y0 = np.floor(minx / s) * s, np.floor(miny / s) * s  # as make_grid
    n_cols = int(np.floor((maxx - x0) / s)) + 1 - int((maxx - x0) % s == 0 and maxx > minx)
    n_rows = int(np.floor((maxy - y0) / s)) + 1 - int((maxy - y0) % s == 0 and maxy > miny)
    return ("square", crs.to_string(), x0, y0, n_cols, n_rows)


def _grid_units(config: Config, nodes: gpd.GeoDataFrame, crs: CRS,
                boundary: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The grid a run would build (as ``stages.build_units``), for the fragment report.

    None for `[zones]` (their units come from the zones check) or an empty network.
    """
    from ..io.crs import to_analysis_crs
    from ..units import make_grid, make_h3_grid, make_hex_grid

    if config.zones.path is not None or not len(nodes):
        return None
    ext = (boundary.total_bounds if boundary is not None
           else to_analysis_crs(nodes, crs, "network nodes").total_bounds)
    g = config.grid
    if g.kind == "hex":
        return make_hex_grid(ext, g.cell_size, crs=crs, boundary=boundary)
    if g.kind == "h3":
        return make_h3_grid(ext, int(g.h3_resolution), crs=crs, boundary=boundary)
    return make_grid(ext, g.cell_size, crs=crs, boundary=boundary)


def _describe_grid(sig: tuple[Any, ...]) -> str:
    if sig[0] == "square":
        return f"{sig[4]} x {sig[5]} cells from ({sig[2]:.0f}, {sig[3]:.0f})"
    return f"network extent {tuple(round(v) for v in sig[2:])}"
