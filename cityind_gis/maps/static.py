"""Static map (PNG or PDF, matplotlib) of the coordination grades and service gaps.

The figure is drawn with matplotlib's object-oriented API on an Agg canvas: no
``pyplot``, no display, and no change to the global backend or rcParams outside
a scoped :func:`matplotlib.rc_context`.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError
from .._validate import (
    check_columns,
    check_geometries,
    check_lang,
    check_projected,
    check_same_crs,
    check_unique_index,
)
from ..io._atomic import atomic_path
from .theme import (
    CHANGE_COLORS,
    GAP_COLORS,
    GRADE_COLORS,
    INDEX_COLORS,
    NODATA_COLOR,
    NOT_ANALYSED_COLOR,
    NOT_ANALYSED_LABEL,
    TYPOLOGY_COLORS,
    gap_color,
    grade_levels,
    grade_names,
    not_analysed,
)

__all__ = ["MAP_KINDS", "find_cjk_font", "plot_change", "plot_coordination", "plot_map"]

logger = logging.getLogger(__name__)

#: Font families that cover simplified Chinese, in order of preference.
_CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "SimSun",
    "AR PL UMing CN",
)

#: Lower-case fragments of font file names worth registering when matplotlib's
#: font cache predates the installation of a CJK font.
_CJK_FILE_HINTS: tuple[str, ...] = (
    "cjk",
    "sourcehan",
    "wqy",
    "wenquanyi",
    "simhei",
    "simsun",
    "msyh",
    "pingfang",
    "hiragino",
    "stheiti",
    "notosanssc",
    "notoserifsc",
    "uming",
)

_FORMATS = {".png": "png", ".pdf": "pdf"}

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "产城融合协调度 D",
        "legend": "协调等级",
        "nodata": "无数据",
        "gap": "服务缺口（工业用地）",
        "title_D": "耦合协调度 D",
        "title_U1": "产业子系统指数 U1",
        "title_U2": "城市功能子系统指数 U2",
        "title_gaps": "工业用地服务缺口",
        "legend_D": "协调度 D",
        "legend_U1": "U1",
        "legend_U2": "U2",
        "legend_gaps": "缺失服务类数",
        "other": "其他网格",
        "title_typology": "产城融合类型",
        "legend_typology": "类型（U1 与 U2 之差）",
        "title_bivariate": "产业 U1 × 城市功能 U2",
        "legend_bivariate": "U1 × U2（三分位）",
    },
    "en": {
        "title": "City-industry coordination degree D",
        "legend": "Coordination grade",
        "nodata": "no data",
        "gap": "Service gap (industrial land)",
        "title_D": "Coupling coordination degree D",
        "title_U1": "Industrial subsystem index U1",
        "title_U2": "Urban-function subsystem index U2",
        "title_gaps": "Service gaps of industrial land",
        "legend_D": "D",
        "legend_U1": "U1",
        "legend_U2": "U2",
        "legend_gaps": "Missing service categories",
        "other": "other cells",
        "title_typology": "City-industry typology",
        "legend_typology": "Type (U1 against U2)",
        "title_bivariate": "Industry U1 x urban function U2",
        "legend_bivariate": "U1 x U2 (terciles)",
    },
}

_INSTALL_HINT = (
    "Install a CJK font, e.g. `sudo apt-get install fonts-noto-cjk` (Debian/Ubuntu), "
    "`sudo dnf install google-noto-sans-cjk-fonts` (Fedora), or Noto Sans CJK SC / "
    "Source Han Sans from https://github.com/notofonts/noto-cjk on Windows and macOS."
)


def find_cjk_font() -> str | None:
    """Family name of an installed font that can draw simplified Chinese.

    Looks through matplotlib's font manager for well-known CJK families, in this
    order: Noto Sans CJK SC, Source Han Sans, WenQuanYi, Microsoft YaHei,
    SimHei, PingFang SC, Hiragino Sans GB, Heiti, then other Noto/Source Han
    variants, SimSun and AR PL UMing. If none is known to the font manager (its
    cache may predate the font's installation), font files whose names suggest
    CJK coverage (``*CJK*``, ``SourceHan*``, ``wqy*``, ``msyh*``, ...) are
    registered from the system font folders and the search is repeated.

    Returns
    -------
    str or None
        A family name to pass to matplotlib (e.g. ``"Noto Sans CJK SC"``), or
        ``None`` if no CJK font is installed.

    Notes
    -----
    Registering fonts adds them to matplotlib's process-wide font manager (as
    :meth:`matplotlib.font_manager.FontManager.addfont` does); nothing else in
    the global state changes.
    """
    from matplotlib import font_manager

    def lookup() -> str | None:
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        return next((family for family in _CJK_FAMILIES if family in names), None)

    found = lookup()
    if found is not None:
        return found
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    added = 0
    for fname in font_manager.findSystemFonts():
        base = os.path.basename(fname).lower()
        if fname in known or not any(hint in base for hint in _CJK_FILE_HINTS):
            continue
        try:
            font_manager.fontManager.addfont(fname)
            added += 1
        except (OSError, RuntimeError, ValueError):  # unreadable or unsupported font file
            logger.debug("Could not register font file %s", fname)
    if added:
        logger.info("Registered %d CJK font file(s) with matplotlib", added)
        return lookup()
    return None


def _has_cjk(text: str | None) -> bool:
    """Whether ``text`` holds characters a Latin-only font cannot draw (CJK and similar)."""
    if not text:
        return False
    return any(
        ord(ch) >= 0x2E80 and unicodedata.category(ch)[0] in {"L", "N", "P", "S"} for ch in text
    )


def _nice_length(target: float) -> float:
    """Largest 1, 2 or 5 x 10^k not above ``target`` (> 0)."""
    exponent = math.floor(math.log10(target))
    base = 10.0**exponent
    for step in (5.0, 2.0, 1.0):
        if step * base <= target:
            return step * base
    return base  # pragma: no cover - unreachable for target > 0


def _format_length(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km"
    return f"{metres:g} m"


def _ground_geometry(crs: Any, x: float, y: float, span: float) -> tuple[float, float]:
    """Scale (ground metres per CRS metre, east-west) and grid-north bearing of true north.

    Computed at ``(x, y)`` from the CRS's own geographic datum (no data leaves the
    CRS). Returns ``(1.0, 0.0)`` if pyproj cannot evaluate the projection there.
    The angle is in radians, clockwise from grid north (+y) to true north.
    """
    try:
        from pyproj import CRS, Geod, Transformer

        pcrs = CRS.from_user_input(crs)
        geographic = pcrs.geodetic_crs
        to_geo = Transformer.from_crs(pcrs, geographic, always_xy=True)
        to_map = Transformer.from_crs(geographic, pcrs, always_xy=True)
        geod = (
            Geod(ellps="WGS84")
            if pcrs.ellipsoid is None
            else Geod(a=pcrs.ellipsoid.semi_major_metre, rf=pcrs.ellipsoid.inverse_flattening)
        )
        half = span / 2
        lon1, lat1 = to_geo.transform(x - half, y)
        lon2, lat2 = to_geo.transform(x + half, y)
        _, _, ground = geod.inv(lon1, lat1, lon2, lat2)
        lon0, lat0 = to_geo.transform(x, y)
        if lat0 > 89.99:  # at the pole every direction is south; keep grid north
            angle = 0.0
        else:
            xn, yn = to_map.transform(lon0, lat0 + 0.001)
            angle = math.atan2(xn - x, yn - y)
        scale = ground / span
        if not (math.isfinite(scale) and scale > 0 and math.isfinite(angle)):
            return 1.0, 0.0
        return scale, angle
    except Exception:  # noqa: BLE001 - cartographic nicety; never fail the map for it
        logger.debug("Could not compute scale factor / convergence; assuming 1 and 0")
        return 1.0, 0.0


def _polygon_paths(geoms: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """Matplotlib paths of (multi)polygons, with holes, and the row of each path."""
    from matplotlib.path import Path as MplPath

    parts, rows = shapely.get_parts(geoms, return_index=True)
    paths = []
    for part in parts:
        rings = [np.asarray(part.exterior.coords)[:, :2]]
        rings += [np.asarray(ring.coords)[:, :2] for ring in part.interiors]
        verts = []
        codes = []
        for ring in rings:
            verts.append(ring)
            ring_codes = np.full(len(ring), MplPath.LINETO, dtype=MplPath.code_type)
            ring_codes[0] = MplPath.MOVETO
            ring_codes[-1] = MplPath.CLOSEPOLY
            codes.append(ring_codes)
        paths.append(MplPath(np.concatenate(verts), np.concatenate(codes)))
    return paths, rows


def _draw_scale_bar(
    ax: Any, data: tuple[float, float, float, float], strip: float, scale: float
) -> None:
    """Two-segment black/white scale bar, labelled in ground metres.

    Drawn at the lower left, in the empty strip of height ``strip`` (CRS units)
    kept below the data extent ``data``, so it never hides a cell.
    """
    from matplotlib.patches import Rectangle

    minx, miny, maxx, _ = data
    width = maxx - minx
    ground = _nice_length(width * scale / 4)
    length = ground / scale  # in CRS units
    bar_h = 0.12 * strip
    x0 = minx
    y0 = miny - 0.75 * strip
    half = length / 2
    for i, face in enumerate(("#000000", "#ffffff")):
        ax.add_patch(
            Rectangle(
                (x0 + i * half, y0),
                half,
                bar_h,
                facecolor=face,
                edgecolor="#000000",
                linewidth=0.8,
                zorder=5,
            )
        )
    style = {"ha": "center", "va": "bottom", "fontsize": 8, "zorder": 5}
    ax.text(x0, y0 + 1.6 * bar_h, "0", **style)
    ax.text(x0 + length, y0 + 1.6 * bar_h, _format_length(ground), **style)


def _draw_north_arrow(
    ax: Any, data: tuple[float, float, float, float], strip: float, angle: float
) -> None:
    """Arrow to true north (grid north turned by the meridian convergence).

    Drawn at the lower right, in the empty strip below the data extent.
    """
    minx, miny, maxx, _ = data
    size = 0.5 * strip
    tail_x = maxx - 0.5 * strip
    tail_y = miny - 0.85 * strip
    tip_x = tail_x + size * math.sin(angle)
    tip_y = tail_y + size * math.cos(angle)
    ax.annotate(
        "",
        xy=(tip_x, tip_y),
        xytext=(tail_x, tail_y),
        arrowprops={
            "arrowstyle": "-|>,head_width=0.35,head_length=0.7",
            "color": "#000000",
            "lw": 1.4,
        },
        zorder=6,
    )
    ax.text(
        tip_x + 0.05 * strip * math.sin(angle),
        tip_y + 0.05 * strip * math.cos(angle),
        "N",
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        zorder=6,
    )


def plot_coordination(
    grid: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    gaps: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    title: str | None = None,
    dpi: float = 150,
    attribution: str | None = None,
) -> Path:
    """Map of the 10 coordination grades of D, with service gaps, to PNG or PDF.

    Parameters
    ----------
    grid : GeoDataFrame
        Grid cells (or zones) in a projected CRS measured in metres, uniquely
        indexed, with columns ``D`` and ``grade_level`` (integers 1-10, missing
        where D is NaN). Not modified.
    path : str or path-like
        Output file; ``.png`` or ``.pdf`` (the suffix picks the format). Its
        folder is created if needed. Written atomically.
    gaps : GeoDataFrame, optional
        Industrial cells with missing services, in the CRS of ``grid``; drawn
        hatched with a dark outline on top of the grades.
    lang : {"zh", "en"}, default "zh"
        Language of the title, legend and grade names (from
        :data:`cityind_gis.coupling.GRADES_10`). If ``"zh"`` and no CJK font is
        installed (see :func:`find_cjk_font`), a warning is issued and English
        labels are drawn instead.
    title : str, optional
        Title above the map. ``None`` gives a default title in ``lang``; ``""``
        draws none.
    dpi : float, default 150
        Resolution of PNG output in dots per inch (PDF is vector).

    Returns
    -------
    pathlib.Path
        ``path``, written.

    Raises
    ------
    CRSError
        If ``grid`` has no CRS, a geographic CRS or non-metre units, or if
        ``gaps`` is in another CRS.
    SchemaError
        If ``D`` or ``grade_level`` is missing, or levels are outside 1-10.
    GeometryError
        If geometries are missing, empty, invalid or not polygons.
    InputError
        If ``lang``, ``dpi`` or the file suffix is not supported.

    Warns
    -----
    UserWarning
        If Chinese text is needed but no CJK font is found; the map is then drawn
        with English labels (a Chinese ``title`` is replaced by the English default)
        so that no character is drawn as an empty box.

    Notes
    -----
    Fill colours are :data:`cityind_gis.maps.theme.GRADE_COLORS` (ColorBrewer
    RdYlBu, red = imbalance, blue = coordination), identical to the web map;
    all 10 grades are listed in the legend whether present or not, so maps stay
    comparable. The scale bar is in ground metres: its length in CRS units is
    corrected by the projection's scale factor at the map centre (about 0.9996
    near a UTM central meridian). The north arrow points to true north, rotated
    from grid north by the meridian convergence at the map centre. Both come
    from pyproj using the CRS's own datum.
    """
    return plot_map(grid, path, kind="grades", gaps=gaps, lang=lang, title=title, dpi=dpi,
                    attribution=attribution)


#: What :func:`plot_map` can draw: typology, U1 x U2, grades, D, U1, U2 or service gaps.
MAP_KINDS: tuple[str, ...] = ("typology", "bivariate", "grades", "D", "U1", "U2", "gaps")

#: Grid column each kind needs beyond ``D`` and ``grade_level``.
_KIND_COLUMNS = {"U1": "U1", "U2": "U2", "typology": "typology_code",
                 "bivariate": "bivar_class"}


def _class_fills(grid: gpd.GeoDataFrame, kind: str, lang: str) -> tuple[list[str], list[Any]]:
    """Fills and legend entries (colour, label) of the class maps ``typology`` / ``bivariate``."""
    from ..typology import BIVARIATE_LABELS, BIVARIATE_PALETTE, TYPOLOGY_CLASSES

    k = 0 if lang == "zh" else 1
    if kind == "typology":
        palette, labels = TYPOLOGY_COLORS, {c: v[k] for c, v in TYPOLOGY_CLASSES.items()}
        codes = grid["typology_code"]
    else:
        palette, labels = BIVARIATE_PALETTE, {c: v[k] for c, v in BIVARIATE_LABELS.items()}
        codes = grid["bivar_class"]
    codes = codes.astype(object).where(codes.notna(), None)
    fills = [palette.get(c, NODATA_COLOR) if c is not None else NODATA_COLOR for c in codes]
    if kind == "bivariate":  # the 3 x 3 key, high urban function first
        order = [f"{x}-{y}" for y in (3, 2, 1) for x in (1, 2, 3)]
    else:
        order = list(TYPOLOGY_CLASSES)
    return fills, [(palette[c], labels[c]) for c in order]


def plot_map(
    grid: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    kind: str = "grades",
    gaps: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    title: str | None = None,
    dpi: float = 150,
    attribution: str | None = None,
) -> Path:
    """Print map (PNG or PDF) of the grades, D, U1, U2 or the service gaps.

    Parameters
    ----------
    grid : GeoDataFrame
        Grid cells (or zones) in a projected CRS measured in metres, uniquely
        indexed, with ``D`` and ``grade_level`` (and ``U1``/``U2`` for those
        kinds). Not modified.
    path : str or path-like
        Output file; ``.png`` or ``.pdf``. Written atomically.
    kind : {"typology", "bivariate", "grades", "D", "U1", "U2", "gaps"}, default "grades"
        ``typology``: the city–industry type of ``typology_code``
        (:data:`~cityind_gis.maps.theme.TYPOLOGY_COLORS`). ``bivariate``: the
        3 x 3 class of U1 x U2 (``bivar_class``) in
        :data:`cityind_gis.typology.BIVARIATE_PALETTE`. ``grades``: the 10
        grades of D in :data:`GRADE_COLORS` with every grade name in the
        legend, gap cells hatched on top. ``D``: D as a continuous diverging
        ramp of the same colours with a colour bar. ``U1``/``U2``: the
        subsystem index on :data:`INDEX_COLORS`, fixed domain [0, 1]. ``gaps``:
        the grid in light grey, gap cells filled by their number of missing
        service categories (:data:`GAP_COLORS`); needs ``gaps`` with
        ``n_missing``. On every kind, units with ``analysed`` False are grey,
        "not analysed / 未分析" in the legend.
    gaps : GeoDataFrame, optional
        Industrial cells with missing services, in the CRS of ``grid``.
    lang : {"zh", "en"}, default "zh"
        Language of title, legend and grade names. Without a CJK font a warning
        is issued and English is drawn (never empty boxes).
    title : str, optional
        Title; ``None`` gives a default in ``lang``, ``""`` none.
    dpi : float, default 150
        PNG resolution (PDF is vector).
    attribution : str, optional
        Data credit printed in small type under the map, e.g.
        ``"Data © OpenStreetMap contributors, ODbL 1.0"`` (the ODbL requires it on
        maps made from OSM data).

    Returns
    -------
    pathlib.Path
        ``path``, written.

    Raises
    ------
    CRSError
        If ``grid`` is not in a projected metric CRS, or ``gaps`` is in another CRS.
    SchemaError
        If a needed column is missing, or levels are outside 1-10.
    GeometryError
        If geometries are missing, empty, invalid or not polygons.
    InputError
        If ``kind``, ``lang``, ``dpi`` or the file suffix is not supported, or
        ``kind="gaps"`` without ``gaps``.

    Warns
    -----
    UserWarning
        If Chinese text is needed but no CJK font is found.

    Notes
    -----
    Every kind has the same frame: title, legend or colour bar at the right, a
    scale bar in ground metres (corrected by the projection's scale factor) and
    a north arrow to true north (rotated by the meridian convergence), both in
    an empty band below the data so they hide no cell.
    """
    # --- validate everything before any work --------------------------------------------
    check_lang(lang)
    if kind not in MAP_KINDS:
        msg = f"`kind` must be one of {list(MAP_KINDS)}, got {kind!r}."
        raise InputError(msg)
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        msg = (
            f"`path` must end in .png or .pdf, got {str(path)!r} (suffix {suffix or 'none'!r}). "
            "Change the file name, e.g. 'coordination.png'."
        )
        raise InputError(msg)
    if (
        isinstance(dpi, bool)
        or not isinstance(dpi, numbers.Real)
        or not math.isfinite(dpi)
        or dpi <= 0
    ):
        msg = f"`dpi` must be a positive number of dots per inch, got {dpi!r}. Try 150 or 300."
        raise InputError(msg)
    if title is not None and not isinstance(title, str):
        msg = f"`title` must be a string or None, got {type(title).__name__}."
        raise InputError(msg)
    check_geometries(grid, "grid", geom_types=("Polygon", "MultiPolygon"))
    check_projected(grid, "grid")
    check_unique_index(grid, "grid")
    check_columns(grid, ["D", "grade_level", *([_KIND_COLUMNS[kind]] if kind in _KIND_COLUMNS
                                               else [])], "grid")
    levels = grade_levels(grid, "grid")
    if kind == "gaps" and gaps is None:
        msg = "`kind='gaps'` needs the `gaps` layer (industrial cells with `n_missing`)."
        raise InputError(msg)
    if kind == "gaps":
        check_columns(gaps, ["n_missing"], "gaps")
    if gaps is not None:
        check_geometries(
            gaps, "gaps", geom_types=("Polygon", "MultiPolygon"), allow_empty_layer=True
        )
        check_projected(gaps, "gaps")
        check_same_crs({"grid": grid, "gaps": gaps})

    # --- fonts: never draw tofu boxes ---------------------------------------------------
    needs_cjk = lang == "zh" or _has_cjk(title)
    font = find_cjk_font() if needs_cjk or not_analysed(grid).any() else None
    if needs_cjk and font is None:
        replaced = (
            " and the Chinese title is replaced by the English default" if _has_cjk(title) else ""
        )
        msg = (
            f"No CJK font found for Chinese map labels (lang={lang!r}); drawing English "
            f"labels instead{replaced}. {_INSTALL_HINT} Then run again."
        )
        warnings.warn(msg, UserWarning, stacklevel=2)
        lang = "en"
        if _has_cjk(title):
            title = None
    text = _TEXT[lang]
    if title is None:
        title = text["title"] if kind == "grades" else text[f"title_{kind}"]

    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rc: dict[str, Any] = {"axes.unicode_minus": False, "hatch.linewidth": 0.6}
    if font is not None:
        rc.update({"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"]})

    minx, miny, maxx, maxy = (float(v) for v in grid.total_bounds)
    width = max(maxx - minx, 1e-9)
    height = max(maxy - miny, 1e-9)
    pad = 0.02 * max(width, height)
    strip = 0.12 * max(width, height)  # empty band below the data: scale bar, north arrow
    view = (minx - pad, miny - strip, maxx + pad, maxy + pad)
    scale, angle = _ground_geometry(
        grid.crs, (minx + maxx) / 2, (miny + maxy) / 2, max(width / 4, 1.0)
    )

    names = grade_names(lang)
    colorbar: tuple[Any, str] | None = None
    classes: list[Any] = []
    if kind == "grades":
        colors = [NODATA_COLOR if pd.isna(v) else GRADE_COLORS[int(v) - 1] for v in levels]
    elif kind in ("typology", "bivariate"):
        colors, classes = _class_fills(grid, kind, lang)
    elif kind == "gaps":
        colors = ["#eeeeee"] * len(grid)
    else:
        from matplotlib.colors import LinearSegmentedColormap, to_hex

        ramp = GRADE_COLORS if kind == "D" else INDEX_COLORS
        cmap = LinearSegmentedColormap.from_list(kind, list(ramp))
        values = pd.to_numeric(grid[kind], errors="coerce").to_numpy(dtype=float)
        colors = [NODATA_COLOR if not np.isfinite(v) else to_hex(cmap(min(max(v, 0.0), 1.0)))
                  for v in values]
        colorbar = (cmap, text[f"legend_{kind}"])
    outside = not_analysed(grid)
    colors = [NOT_ANALYSED_COLOR if o else c for o, c in zip(outside, colors, strict=True)]

    with mpl.rc_context(rc):
        aspect = (view[3] - view[1]) / (view[2] - view[0])
        fig_w = 8.0
        fig = Figure(figsize=(fig_w, min(max(fig_w * aspect, 4.0), 12.0)), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        paths, rows = _polygon_paths(np.asarray(grid.geometry.values, dtype=object))
        edge = 0.3 if len(grid) <= 2000 else 0.0
        ax.add_collection(
            PathCollection(
                paths,
                facecolors=[colors[r] for r in rows],
                edgecolors="#ffffff",
                linewidths=edge,
                zorder=1,
            )
        )
        handles = []
        if kind == "grades":
            handles = [
                Patch(facecolor=GRADE_COLORS[level - 1], edgecolor="#777777", label=names[level])
                for level in range(1, 11)
            ]
        handles += [Patch(facecolor=c, edgecolor="#777777", label=label) for c, label in classes]
        if outside.any():  # both languages when a CJK font can draw them
            handles.append(Patch(facecolor=NOT_ANALYSED_COLOR, edgecolor="#777777",
                                 label=NOT_ANALYSED_LABEL if font is not None
                                 else NOT_ANALYSED_LABEL.split(" / ")[0]))
        if kind != "gaps" and levels[~outside].isna().any():
            handles.append(Patch(facecolor=NODATA_COLOR, edgecolor="#777777", label=text["nodata"]))
        if kind == "gaps" and len(gaps):
            n_miss = pd.to_numeric(gaps["n_missing"], errors="coerce").fillna(1).astype(int)
            gap_face = [gap_color(n) for n in n_miss]
            gap_paths, gap_rows = _polygon_paths(np.asarray(gaps.geometry.values, dtype=object))
            ax.add_collection(
                PathCollection(
                    gap_paths,
                    facecolors=[gap_face[r] for r in gap_rows],
                    edgecolors="#49006a",
                    linewidths=0.8,
                    zorder=2,
                )
            )
            top = len(GAP_COLORS)
            for n in sorted({min(max(int(v), 1), top) for v in n_miss}):
                label = f"≥ {top}" if n == top else str(n)
                handles.append(Patch(facecolor=GAP_COLORS[n - 1], edgecolor="#49006a",
                                     label=label))
            handles.append(Patch(facecolor="#eeeeee", edgecolor="#777777", label=text["other"]))
        elif gaps is not None and len(gaps):
            gap_paths, _ = _polygon_paths(np.asarray(gaps.geometry.values, dtype=object))
            ax.add_collection(
                PathCollection(
                    gap_paths,
                    facecolors="none",
                    edgecolors="#222222",
                    linewidths=1.0,
                    hatch="////",
                    zorder=2,
                )
            )
            handles.append(
                Patch(facecolor="none", edgecolor="#222222", hatch="////", label=text["gap"])
            )
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_aspect("equal")
        ax.set_axis_off()
        data = (minx, miny, maxx, maxy)
        _draw_scale_bar(ax, data, strip, scale)
        _draw_north_arrow(ax, data, strip, angle)
        if colorbar is not None:
            from matplotlib.cm import ScalarMappable
            from matplotlib.colors import Normalize

            sm = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=colorbar[0])
            cb = fig.colorbar(sm, ax=ax, fraction=0.04, pad=0.03)
            cb.set_label(colorbar[1], fontsize=10)
            if kind == "D":
                cb.set_ticks([i / 10 for i in range(11)])
        if handles:
            ax.legend(
                handles=handles,
                title=text["legend"] if kind == "grades" else text.get(f"legend_{kind}")
                if kind in ("gaps", "typology", "bivariate") else None,
                loc="center left",
                bbox_to_anchor=(1.02 if colorbar is None else 1.25, 0.5),
                frameon=False,
                fontsize=9,
                title_fontsize=10,
            )
        if title:
            ax.set_title(title, fontsize=13, pad=10)
        if attribution:
            ax.text(data[2], view[1], attribution, ha="right", va="bottom", fontsize=6.5,
                    color="#555555", zorder=5)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=_FORMATS[suffix], dpi=dpi, bbox_inches="tight")
    logger.info("Wrote coordination map to %s", path)
    return Path(path)


#: Labels of :func:`plot_change`.
_CHANGE_TEXT: dict[str, dict[str, str]] = {
    "zh": {"title": "耦合协调度变化 ΔD", "legend": "ΔD（后期 − 前期）"},
    "en": {"title": "Change of coupling coordination degree D", "legend": "ΔD (later − earlier)"},
}


def plot_change(
    change: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    column: str = "d_change",
    periods: tuple[Any, Any] | None = None,
    lang: str = "zh",
    title: str | None = None,
    dpi: float = 150,
    attribution: str | None = None,
) -> Path:
    r"""Print map (PNG or PDF) of the change of D between two periods, diverging around 0.

    Parameters
    ----------
    change : GeoDataFrame
        Units in a projected CRS measured in metres, uniquely indexed, with the
        change in ``column`` (e.g. ``run_panel(...)["d_change"]``). Not modified.
    path : str or path-like
        Output file; ``.png`` or ``.pdf``. Written atomically.
    column : str, default "d_change"
        Column to draw (:math:`\Delta D = D_{later} - D_{earlier}`, unitless).
    periods : (label, label), optional
        The earlier and later period, added to the default title (``2019 → 2024``).
    lang : {"zh", "en"}, default "zh"
        Language of title and colour bar; without a CJK font a warning is issued
        and English is drawn.
    title : str, optional
        Title; ``None`` gives a default in ``lang``, ``""`` none.
    dpi : float, default 150
        PNG resolution (PDF is vector).
    attribution : str, optional
        Data credit printed under the map.

    Returns
    -------
    pathlib.Path
        ``path``, written.

    Raises
    ------
    CRSError, SchemaError, GeometryError, InputError
        As :func:`plot_map` (wrong CRS, missing ``column``, bad geometries,
        unsupported ``lang``/``dpi``/suffix).

    Notes
    -----
    Colours are ColorBrewer RdBu (red = D fell, blue = D rose, as the grade
    colours run from red imbalance to blue coordination) on a scale centred on
    0 and symmetric, :math:`[-m, m]` with :math:`m = \max_i |\Delta D_i|`
    (at least 0.01), so white means no change and equal changes up and down get
    equally strong colours. Missing values are grey, with a legend entry: "not
    analysed / 未分析" for units whose ``analysed`` column is False (outside the
    analysis domain in either period), "no data" for other missing values. The
    frame (scale bar in ground metres, north arrow to true north, CJK fonts) is
    that of :func:`plot_map`.
    """
    check_lang(lang)
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        msg = f"`path` must end in .png or .pdf, got {str(path)!r}; e.g. 'd_change.png'."
        raise InputError(msg)
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or not math.isfinite(dpi) \
            or dpi <= 0:
        msg = f"`dpi` must be a positive number of dots per inch, got {dpi!r}. Try 150 or 300."
        raise InputError(msg)
    check_geometries(change, "change", geom_types=("Polygon", "MultiPolygon"))
    check_projected(change, "change")
    check_unique_index(change, "change")
    check_columns(change, [column], "change")
    needs_cjk = lang == "zh" or _has_cjk(title)
    font = find_cjk_font() if needs_cjk else None
    if needs_cjk and font is None:
        msg = (f"No CJK font found for Chinese map labels (lang={lang!r}); drawing English "
               f"labels instead. {_INSTALL_HINT} Then run again.")
        warnings.warn(msg, UserWarning, stacklevel=2)
        lang, title = "en", (None if _has_cjk(title) else title)
    text = _CHANGE_TEXT[lang]
    if title is None:
        title = text["title"] + (f"  {periods[0]} → {periods[1]}" if periods else "")

    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import PathCollection
    from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm, to_hex
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    values = pd.to_numeric(change[column], errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(values)
    m = max(float(np.abs(values[finite]).max()) if finite.any() else 0.0, 0.01)
    cmap = LinearSegmentedColormap.from_list("d_change", list(CHANGE_COLORS))  # RdBu 11
    norm = TwoSlopeNorm(vmin=-m, vcenter=0.0, vmax=m)
    colors = np.full(len(values), NODATA_COLOR, dtype=object)
    colors[finite] = [to_hex(c) for c in cmap(norm(values[finite]))]
    outside = not_analysed(change)
    colors[outside] = NOT_ANALYSED_COLOR

    rc: dict[str, Any] = {"axes.unicode_minus": False}
    if font is not None:
        rc.update({"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"]})
    minx, miny, maxx, maxy = (float(v) for v in change.total_bounds)
    width, height = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    pad, strip = 0.02 * max(width, height), 0.12 * max(width, height)
    view = (minx - pad, miny - strip, maxx + pad, maxy + pad)
    scale, angle = _ground_geometry(change.crs, (minx + maxx) / 2, (miny + maxy) / 2,
                                    max(width / 4, 1.0))
    with mpl.rc_context(rc):
        aspect = (view[3] - view[1]) / (view[2] - view[0])
        fig = Figure(figsize=(8.0, min(max(8.0 * aspect, 4.0), 12.0)), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        paths, rows = _polygon_paths(np.asarray(change.geometry.values, dtype=object))
        ax.add_collection(PathCollection(
            paths, facecolors=[colors[r] for r in rows], edgecolors="#ffffff",
            linewidths=0.3 if len(change) <= 2000 else 0.0, zorder=1))
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_aspect("equal")
        ax.set_axis_off()
        data = (minx, miny, maxx, maxy)
        _draw_scale_bar(ax, data, strip, scale)
        _draw_north_arrow(ax, data, strip, angle)
        cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.04, pad=0.03)
        from matplotlib.ticker import MaxNLocator, StrMethodFormatter

        cb.ax.yaxis.set_major_locator(MaxNLocator(nbins=6, symmetric=True))  # 0 is a tick
        cb.ax.yaxis.set_major_formatter(StrMethodFormatter("{x:+.2f}"))
        cb.set_label(text["legend"], fontsize=10)
        handles = []
        if outside.any():  # both languages when a CJK font can draw them
            handles.append(Patch(facecolor=NOT_ANALYSED_COLOR, edgecolor="#777777",
                                 label=NOT_ANALYSED_LABEL if font is not None
                                 else NOT_ANALYSED_LABEL.split(" / ")[0]))
        if (~np.isfinite(values) & ~outside).any():
            handles.append(Patch(facecolor=NODATA_COLOR, edgecolor="#777777",
                                 label=_TEXT[lang]["nodata"]))
        if handles:
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                      ncol=len(handles), frameon=False, fontsize=9)
        if title:
            ax.set_title(title, fontsize=13, pad=10)
        if attribution:
            ax.text(data[2], view[1], attribution, ha="right", va="bottom", fontsize=6.5,
                    color="#555555", zorder=5)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=_FORMATS[suffix], dpi=dpi, bbox_inches="tight")
    logger.info("Wrote change map to %s", path)
    return Path(path)
