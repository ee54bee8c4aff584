"""QGIS layer styles (QML and SLD) for every result layer, and field aliases.

QGIS applies a style automatically when a GeoPackage layer is added if the file
holds a ``layer_styles`` table with a matching row (see
:func:`cityind_gis.io.writers.write_geopackage`), or when a ``.qml`` file with
the layer's base name sits beside a shapefile. This module builds those styles
from the same fixed palettes as the web and print maps
(:data:`~cityind_gis.maps.theme.GRADE_COLORS` and friends in
:mod:`~cityind_gis.maps.theme`), so a cell has the same colour in QGIS, in the
browser and on paper.

Styles are chosen from the layer's name and columns:

========================  ============================================  =========================
layer                     default style                                 other styles
========================  ============================================  =========================
grid / zones (``D``)      D graduated on the 10 grades, grade names     typology, grade
                          as labels; "not analysed / 未分析" grey for    (categorized), U1 x U2,
                          units outside the analysis domain (NULL)      U1, U2, LISA, missing
                                                                        services (each with
                                                                        "not analysed")
service gaps              number of missing categories (gap severity)   gap score
POIs / facilities         category (categorized)                        --
land use                  land-use class (categorized)                  --
network                   thin grey lines                               --
LISA clusters             HH / LL / LH / HL / not significant           --
candidate sites           red stars                                     --
anything else             one symbol by geometry type                   --
========================  ============================================  =========================
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import columns as _cols
from .._errors import InputError
from .._validate import check_lang
from .theme import (
    BUILDING_COLORS,
    BUILDING_NAMES,
    GAP_COLORS,
    GRADE_COLORS,
    INDEX_COLORS,
    LANDUSE_COLORS,
    LISA_COLORS,
    NODATA_COLOR,
    NOT_ANALYSED_COLOR,
    NOT_ANALYSED_LABEL,
    POI_COLORS,
    TYPOLOGY_COLORS,
    grade_classes,
    lisa_column,
    lisa_key,
    lisa_label,
    not_analysed,
)

__all__ = [
    "LayerStyle",
    "LISA_COLORS",
    "LANDUSE_COLORS",
    "field_aliases",
    "layer_styles",
    "short_field_names",
]

_QGIS_VERSION = "3.22.0-Białowieża"
_STYLE_NAME_MAX = 30  # layer_styles.styleName is TEXT(30) in QGIS's schema


@dataclass(frozen=True)
class LayerStyle:
    """One style of one layer, ready for the GeoPackage ``layer_styles`` table.

    Attributes
    ----------
    name : str
        Style name shown in QGIS (at most 30 characters, QGIS's column width).
    description : str
        One line on what the style shows.
    qml : str
        QGIS style document (``<qgis>`` XML with renderer and field aliases).
    sld : str
        OGC Styled Layer Descriptor 1.1 of the same symbology, for GeoServer and
        other SLD readers.
    default : bool
        Whether QGIS applies it when the layer is added (exactly one per layer).
    """

    name: str
    description: str
    qml: str
    sld: str
    default: bool


# ----------------------------------------------------------------------------- aliases

_FIXED_ALIASES: dict[str, tuple[str, str]] = {
    "cell_id": ("网格编号", "cell id"),
    "row": ("行号", "row"),
    "col": ("列号", "column"),
    "cell_area_m2": ("网格面积 (m²)", "cell area (m²)"),
    "public_service_share": ("公共服务用地占比", "public service land share"),
    "land_use_mix": ("用地混合度", "land-use mix (entropy)"),
    "U1": ("产业子系统指数 U1", "industrial subsystem index U1"),
    "U2": ("城市功能子系统指数 U2", "urban-function subsystem index U2"),
    "C": ("耦合度 C", "coupling degree C"),
    "T": ("综合发展指数 T", "comprehensive development index T"),
    "D": ("耦合协调度 D", "coupling coordination degree D"),
    "grade_level": ("协调等级序号", "coordination grade level"),
    "grade": ("协调等级", "coordination grade"),
    "grade_zh": ("协调等级（中文）", "coordination grade (Chinese)"),
    "grade_en": ("协调等级（英文）", "coordination grade (English)"),
    "coupling_stage": ("耦合阶段", "coupling stage"),
    "lag_type": ("滞后类型", "lagging subsystem"),
    "n_missing_services": ("缺失服务类数", "missing service categories"),
    "n_missing": ("缺失服务类数", "missing service categories"),
    "missing": ("缺失服务", "missing services"),
    "missing_zh": ("缺失服务（中文）", "missing services (Chinese)"),
    "gap_score": ("缺口得分", "gap score"),
    "gap_rank": ("缺口排名", "gap rank"),
    "osm_id": ("OSM 编号", "OSM id"),
    "name": ("名称", "name"),
    "source_value": ("原始分类值", "source value"),
    "category": ("类别", "category"),
    "status": ("状态", "status"),
    "class": ("用地类别", "land-use class"),
    "u": ("起点节点", "from node"),
    "v": ("终点节点", "to node"),
    "length": ("长度 (m)", "length (m)"),
    "lisa_cluster": ("LISA 聚类", "LISA cluster"),
    "lisa_p": ("LISA 显著性 p", "LISA pseudo p-value"),
    "lisa_i": ("局部 Moran's I", "local Moran's I"),
    "use": ("建筑用途", "building use"),
    "levels": ("层数", "storeys"),
    "use_source": ("用途来源", "use from"),
    "industry": ("产业细类", "industry subtype"),
    "building_footprint_industrial": ("工业建筑基底面积 (m²)",
                                      "industrial building footprint (m²)"),
    "building_floor_area_industrial": ("工业建筑面积 (m²)", "industrial floor area (m²)"),
    "building_coverage_industrial": ("工业建筑基底占单元面积比", "industrial building coverage"),
    "industrial_plot_ratio": ("工业用地容积率", "industrial plot ratio"),
    "industry_shannon": ("产业多样性 (Shannon)", "industry diversity (Shannon)"),
    "lc_score": ("生活圈覆盖度", "life-circle coverage"),
    **{f"lc{m}_{part}": (f"{m}分钟生活圈{zh}", f"{m}-minute life circle {en}")
       for m in (5, 10, 15)
       for part, zh, en in (("score", "满足度", "score"), ("complete", "是否完整", "complete"),
                            ("missing", "缺失设施", "missing facilities"))},
}

#: Chinese names of the bundled land-cover legends' classes (ESA WorldCover, CLCD).
_LANDCOVER_ZH = {
    "tree_cover": "林地", "forest": "林地", "shrubland": "灌木", "shrub": "灌木",
    "grassland": "草地", "cropland": "耕地", "built_up": "建设用地", "impervious": "不透水面",
    "bare_sparse": "裸地/稀疏植被", "barren": "裸地", "snow_ice": "冰雪", "water": "水体",
    "herbaceous_wetland": "草本湿地", "wetland": "湿地", "mangroves": "红树林",
    "moss_lichen": "苔藓地衣",
}

def _names() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    from ..taxonomy import landuse_classes, poi_categories

    pc = poi_categories()
    lc = landuse_classes()
    pois = {k: (str(r.name_zh), str(r.name_en)) for k, r in pc.iterrows()}
    land = {k: (str(r.name_zh), str(r.name_en)) for k, r in lc.iterrows()}
    return pois, land


#: Column of a service category a gap cell lacks (``gap_{category}``, True/False).
_GAP = "gap"
#: Measures of per-POI-category columns that get an alias.
_PER_CATEGORY = (_cols.POI_DENSITY, _cols.POI_COUNT, _cols.NET_DIST, _GAP)


def field_aliases(columns: Sequence[str], *, lang: str = "en") -> dict[str, str]:
    """Readable names (Chinese or English) of result columns, for attribute tables.

    Parameters
    ----------
    columns : sequence of str
        Column names of a result layer (e.g. ``grid.columns``).
    lang : {"en", "zh"}, default "en"
        Language of the aliases.

    Returns
    -------
    dict of str to str
        Column -> alias, for every column that has one (fixed names such as
        ``D`` or ``grade``, and patterns such as ``poi_density_{category}``,
        ``net_dist_{category}``, ``{class}_share``, ``landuse_area_{class}``,
        ``gap_{category}``, ``obstacle_{k}``). Columns without a known meaning
        are left out, so QGIS shows their plain name.

    Examples
    --------
    >>> field_aliases(["D", "net_dist_healthcare"], lang="zh")
    {'D': '耦合协调度 D', 'net_dist_healthcare': '步行距离：医疗保健 (m)'}
    """
    check_lang(lang)
    k = 0 if lang == "zh" else 1
    pois, land = _names()
    zh = lang == "zh"
    out: dict[str, str] = {}
    for col in columns:
        if col in _FIXED_ALIASES:
            out[col] = _FIXED_ALIASES[col][k]
            continue
        measure, cat = next(((ms, c) for ms in _PER_CATEGORY
                             if (c := _cols.category_of(col, ms)) in pois), (None, None))
        if measure is not None:
            name = pois[cat][k]
            out[col] = {
                _cols.POI_DENSITY: f"POI 密度：{name} (个/km²)" if zh
                else f"{name} POI density (/km²)",
                _cols.POI_COUNT: f"POI 数量：{name}" if zh else f"{name} POI count",
                _cols.NET_DIST: f"步行距离：{name} (m)" if zh else f"walk to nearest {name} (m)",
                _GAP: f"缺失：{name}" if zh else f"lacks {name}",
            }[measure]
            continue
        cls = _cols.category_of(col, _cols.LANDUSE_AREA)
        if cls in land:
            name = land[cls][k]
            out[col] = f"{name}面积 (m²)" if zh else f"{name} land area (m²)"
            continue
        cls = next((c for c in land if _cols.share(c) == col), None)
        if cls is not None:
            name = land[cls][k]
            out[col] = f"{name}占比" if zh else f"{name} land share"
            continue
        m = re.fullmatch(r"landcover_share_(\w+)", col)
        if m:
            out[col] = (f"地表覆盖占比：{_LANDCOVER_ZH.get(m.group(1), m.group(1))}" if zh
                        else f"land-cover share: {m.group(1).replace('_', ' ')}")
            continue
        m = re.fullmatch(r"obstacle_(\d)(_pct)?", col)
        if m:
            n = m.group(1)
            if m.group(2):
                out[col] = f"第{n}障碍度 (%)" if zh else f"obstacle degree {n} (%)"
            else:
                out[col] = f"第{n}障碍因子" if zh else f"main obstacle {n}"
    return out


def short_field_names(columns: Sequence[str], *, width: int = 10) -> dict[str, str]:
    """Unique ASCII field names of at most ``width`` characters (for shapefiles).

    Parameters
    ----------
    columns : sequence of str
        Original column names (unique).
    width : int, default 10
        Maximum length; the dBASE format behind shapefiles allows 10.

    Returns
    -------
    dict of str to str
        Original -> short name, for every column. Names that already fit are
        kept; longer ones are abbreviated (``poi_density_`` -> ``pd_``,
        ``net_dist_`` -> ``nd_``, ``landuse_area_`` -> ``la_``, ``_share`` ->
        ``_sh``, ...), cut to ``width`` and made unique with a numeric suffix.
        The mapping is deterministic, so every export of a layer uses the same
        names; the ``.qml`` written beside a shapefile carries the full names as
        aliases.

    Examples
    --------
    >>> short_field_names(["D", "poi_density_healthcare", "poi_density_health"])
    {'D': 'D', 'poi_density_healthcare': 'pd_health', 'poi_density_health': 'pd_health1'}
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 4:
        msg = f"`width` must be an integer of at least 4 characters, got {width!r}."
        raise InputError(msg)
    subs = (
        (f"{_cols.POI_DENSITY}_", "pd_"), (f"{_cols.POI_COUNT}_", "pc_"),
        (f"{_cols.NET_DIST}_", "nd_"), (f"{_cols.LANDUSE_AREA}_", "la_"), ("_share", "_sh"),
        ("industrial", "ind"),
        ("residential", "res"), ("commercial", "com"), ("public_admin", "padm"),
        ("administration", "adm"), ("culture_sports", "cultsp"), ("daily_services", "daily"),
        ("accommodation", "accom"), ("agriculture", "agri"), ("logistics", "logi"),
        ("education", "edu"), ("healthcare", "health"), ("transport", "transp"),
        ("obstacle_", "obst"), ("_pct", "p"), ("coupling_", "cpl_"), ("missing", "miss"),
    )
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        name = col.encode("ascii", "ignore").decode() or "field"
        name = re.sub(r"[^0-9A-Za-z_]", "_", name)
        if len(name) > width:
            for a, b in subs:
                name = name.replace(a, b)
        name = name[:width]
        candidate, i = name, 1
        while candidate.lower() in used:
            suffix = str(i)
            candidate = name[: width - len(suffix)] + suffix
            i += 1
        used.add(candidate.lower())
        out[col] = candidate
    return out


# ----------------------------------------------------------------------------- style specs


@dataclass(frozen=True)
class _Class:
    color: str
    label: str
    lower: float | None = None
    upper: float | None = None
    value: Any = None
    null: bool = False  # the range of NULL values (graduated styles with ``null_fill``)


@dataclass(frozen=True)
class _Spec:
    name: str
    description: str
    kind: str  # "graduated" | "categorized" | "single"
    geometry: str  # "fill" | "line" | "marker"
    attribute: str | None
    classes: tuple[_Class, ...]
    outline: str = "#ffffff"
    outline_width: float = 0.1
    alpha: float = 1.0
    brush: str = "solid"
    marker: str = "circle"
    size: float = 2.0
    #: graduated only: NULL is drawn as this value (QGIS ``coalesce``), the ``null`` class
    null_fill: float | None = None


def _geometry_kind(gdf: Any) -> str:
    types = set(pd.Series(gdf.geom_type).dropna())
    if types and types <= {"Point", "MultiPoint"}:
        return "marker"
    if types and types <= {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    return "fill"


#: Value that NULL (not analysed) takes in the graduated styles' ``coalesce`` expression:
#: outside [0, 1], so no grade range holds it.
_NULL_FILL = -1.0


def _not_analysed_range() -> _Class:
    return _Class(NOT_ANALYSED_COLOR, NOT_ANALYSED_LABEL, lower=_NULL_FILL, upper=_NULL_FILL,
                  null=True)


def _d_graduated(lang: str, outside: bool = False) -> _Spec:
    # Listed from grade 10 down: QGIS takes the first range whose closed interval
    # holds the value, so D = 0.5 falls in [0.5, 0.6] (grade 6) as coordination_level
    # says, not in [0.4, 0.5].
    classes = tuple(
        _Class(GRADE_COLORS[level - 1],
               f"{level} {name} [{lo:.1f}, {hi:.1f}{']' if level == 10 else ')'}",
               lower=lo, upper=hi)
        for level, lo, hi, name in reversed(grade_classes(lang))
    )
    zh = lang == "zh"
    return _Spec("D (10 grades)" if not zh else "协调度 D（10 级）",
                 "Coupling coordination degree D, graduated on the 10 grades",
                 "graduated", "fill", "D",
                 classes + ((_not_analysed_range(),) if outside else ()),
                 null_fill=_NULL_FILL if outside else None)


#: Units outside the analysis domain: the catch-all category (QGIS: value "" takes NULL).
_NOT_ANALYSED = _Class(NOT_ANALYSED_COLOR, NOT_ANALYSED_LABEL, value=None)


def _typology_categorized(lang: str, outside: bool) -> _Spec:
    from ..typology import TYPOLOGY_CLASSES

    k = 0 if lang == "zh" else 1
    classes = tuple(_Class(TYPOLOGY_COLORS[c], v[k], value=c) for c, v in TYPOLOGY_CLASSES.items())
    return _Spec("产城融合类型" if lang == "zh" else "City-industry typology",
                 "City-industry type from U1 and U2 (docs/coupling.md, Typology)",
                 "categorized", "fill", "typology_code",
                 classes + ((_NOT_ANALYSED,) if outside else ()))


def _bivariate_categorized(lang: str, outside: bool) -> _Spec:
    from ..typology import BIVARIATE_LABELS, BIVARIATE_PALETTE

    k = 0 if lang == "zh" else 1
    order = [f"{x}-{y}" for y in (3, 2, 1) for x in (1, 2, 3)]
    classes = tuple(_Class(BIVARIATE_PALETTE[c], BIVARIATE_LABELS[c][k], value=c) for c in order)
    return _Spec("产业 U1 × 城市功能 U2" if lang == "zh" else "U1 x U2 (bivariate)",
                 "Terciles of U1 x U2, Stevens' blue-pink bivariate palette",
                 "categorized", "fill", "bivar_class",
                 classes + ((_NOT_ANALYSED,) if outside else ()))


def _grade_categorized(lang: str, outside: bool = False) -> _Spec:
    classes = tuple(_Class(GRADE_COLORS[level - 1], f"{level} {name}", value=level)
                    for level, _, _, name in grade_classes(lang))
    classes += (_NOT_ANALYSED,) if outside else ()
    return _Spec("Grade (categorized)" if lang == "en" else "协调等级（分类）",
                 "Coordination grade level 1-10, one colour per grade",
                 "categorized", "fill", "grade_level", classes)


def _index_graduated(col: str, lang: str, outside: bool = False) -> _Spec:
    # 7 equal classes on the fixed [0, 1] domain with the INDEX_COLORS ramp.
    n = len(INDEX_COLORS)
    edges = [i / n for i in range(n + 1)]
    classes = tuple(
        _Class(INDEX_COLORS[i], f"{edges[i]:.2f} – {edges[i + 1]:.2f}", lower=edges[i],
               upper=edges[i + 1])
        for i in reversed(range(n))
    )
    title = {"U1": ("产业子系统 U1", "Industrial index U1"),
             "U2": ("城市功能子系统 U2", "Urban-function index U2")}[col]
    return _Spec(title[0] if lang == "zh" else title[1],
                 f"{col} on the fixed domain [0, 1], {n} equal classes",
                 "graduated", "fill", col,
                 classes + ((_not_analysed_range(),) if outside else ()),
                 null_fill=_NULL_FILL if outside else None)


def _gap_graduated(col: str, max_n: int, lang: str) -> _Spec:
    n_colors = len(GAP_COLORS)
    top = max(max_n, n_colors)
    classes = []
    for i in reversed(range(n_colors)):
        lo, hi = i + 0.5, (i + 1.5 if i < n_colors - 1 else top + 0.5)
        count = str(i + 1) if i < n_colors - 1 else f"≥ {n_colors}"
        label = f"缺失 {count} 类服务" if lang == "zh" else f"{count} missing"
        classes.append(_Class(GAP_COLORS[i], label, lower=lo, upper=hi))
    return _Spec("服务缺口严重度" if lang == "zh" else "Gap severity",
                 f"Number of missing service categories ({col})",
                 "graduated", "fill", col, tuple(classes), outline="#49006a",
                 outline_width=0.6, alpha=0.85)


def _gap_score(lang: str) -> _Spec:
    edges = [0.0, 0.25, 0.5, 0.75, 1.0]
    classes = tuple(
        _Class(GAP_COLORS[i], f"{edges[i]:.2f} – {edges[i + 1]:.2f}", lower=edges[i],
               upper=edges[i + 1])
        for i in reversed(range(4))
    )
    return _Spec("缺口得分" if lang == "zh" else "Gap score",
                 "Share of checked service categories that are missing",
                 "graduated", "fill", "gap_score", classes, outline="#49006a", outline_width=0.6)


def _lisa_categorized(col: str, values: pd.Series, geometry: str, lang: str) -> _Spec:
    present = pd.unique(values.dropna())
    classes = []
    seen = set()
    for v in present:
        key = lisa_key(v.item() if hasattr(v, "item") else v)
        if key is None or (key, v) in seen:
            continue
        seen.add((key, v))
        label = lisa_label(key, lang)
        classes.append((list(LISA_COLORS).index(key), _Class(LISA_COLORS[key], label,
                        value=v.item() if hasattr(v, "item") else v)))
    classes.sort(key=lambda t: t[0])
    return _Spec("LISA 聚类" if lang == "zh" else "LISA clusters",
                 f"Local Moran clusters of `{col}` (HH, LL, LH, HL, not significant)",
                 "categorized", geometry, col, tuple(c for _, c in classes),
                 outline="#ffffff" if geometry == "fill" else "#333333")


def _poi_categorized(values: pd.Series, lang: str) -> _Spec:
    pois, _ = _names()
    k = 0 if lang == "zh" else 1
    known = sorted({str(v) for v in values.dropna()})
    classes = tuple(
        _Class(POI_COLORS[i % len(POI_COLORS)], pois.get(c, (c, c))[k], value=c)
        for i, c in enumerate(known)
    )
    return _Spec("POI 类别" if lang == "zh" else "POI category",
                 "Facilities coloured by canonical category", "categorized", "marker",
                 "category", classes, outline="#333333", outline_width=0.2, size=2.2)


def _landuse_categorized(values: pd.Series, lang: str) -> _Spec:
    _, land = _names()
    k = 0 if lang == "zh" else 1
    present = {str(v) for v in values.dropna()}
    order = [c for c in LANDUSE_COLORS if c in present] + sorted(present - set(LANDUSE_COLORS))
    classes = tuple(_Class(LANDUSE_COLORS.get(c, NODATA_COLOR), land.get(c, (c, c))[k], value=c)
                    for c in order)
    return _Spec("用地类别" if lang == "zh" else "Land-use class",
                 "Land use by canonical class, customary planning colours",
                 "categorized", "fill", "class", classes, outline="#808080", outline_width=0.15)


def _building_categorized(values: pd.Series, lang: str) -> _Spec:
    names = BUILDING_NAMES[lang]
    present = {str(v) for v in values.dropna()}
    order = [c for c in BUILDING_COLORS if c in present] + sorted(present - set(BUILDING_COLORS))
    classes = tuple(_Class(BUILDING_COLORS.get(c, BUILDING_COLORS["other"]), names.get(c, c),
                           value=c) for c in order)
    return _Spec("建筑用途" if lang == "zh" else "Building use",
                 "Buildings by use (given, or from the land use under them)",
                 "categorized", "fill", "use", classes, outline="#404040", outline_width=0.1)


def _single(geometry: str, name: str, description: str, color: str, **kw: Any) -> _Spec:
    return _Spec(name, description, "single", geometry, None, (_Class(color, ""),), **kw)


def _specs(gdf: Any, layer: str, lang: str) -> list[_Spec]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    geometry = _geometry_kind(gdf)
    name = layer.lower()
    zh = lang == "zh"
    specs: list[_Spec] = []
    lisa = lisa_column(cols)
    if "D" in cols and geometry == "fill":
        outside = bool(not_analysed(gdf).any())
        specs.append(_d_graduated(lang, outside))
        if "typology_code" in cols:
            specs.append(_typology_categorized(lang, outside))
        if "grade_level" in cols:
            specs.append(_grade_categorized(lang, outside))
        if "bivar_class" in cols:
            specs.append(_bivariate_categorized(lang, outside))
        specs += [_index_graduated(c, lang, outside) for c in ("U1", "U2") if c in cols]
        if lisa:
            specs.append(_lisa_categorized(lisa, gdf[lisa], geometry, lang))
        if "n_missing_services" in cols:
            n = pd.to_numeric(gdf["n_missing_services"], errors="coerce").max()
            specs.append(_gap_graduated("n_missing_services",
                                        int(n) if pd.notna(n) else 1, lang))
    elif "gap" in name and "n_missing" in cols:
        n = pd.to_numeric(gdf["n_missing"], errors="coerce").max()
        specs.append(_gap_graduated("n_missing", int(n) if pd.notna(n) else 1, lang))
        if "gap_score" in cols:
            specs.append(_gap_score(lang))
    elif lisa and ("lisa" in name or "cluster" in name):
        specs.append(_lisa_categorized(lisa, gdf[lisa], geometry, lang))
    elif "candidate" in name or "site" in name:
        specs.append(_single(geometry, "候选设施点" if zh else "Candidate sites",
                             "Proposed new facility sites", "#e31a1c", marker="star",
                             size=4.0, outline="#000000", outline_width=0.3))
    elif "building" in name and "use" in cols and geometry == "fill":
        specs.append(_building_categorized(gdf["use"], lang))
    elif "category" in cols and geometry == "marker":
        specs.append(_poi_categorized(gdf["category"], lang))
    elif "class" in cols and geometry == "fill":
        specs.append(_landuse_categorized(gdf["class"], lang))
    elif geometry == "line":
        specs.append(_single("line", "步行网络" if zh else "Walking network",
                             "Network edges", "#7f7f7f", outline_width=0.3))
    if not specs:
        color = {"fill": "#9ecae1", "line": "#636363", "marker": "#3182bd"}[geometry]
        specs.append(_single(geometry, layer[:_STYLE_NAME_MAX], f"Layer {layer}", color,
                             outline="#3182bd" if geometry == "fill" else "#333333",
                             outline_width=0.3 if geometry == "fill" else 0.2))
    return specs


# ----------------------------------------------------------------------------- QML


def _rgba(color: str, alpha: float = 1.0) -> str:
    c = color.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * alpha)}"


def _props(parent: ET.Element, props: Mapping[str, str]) -> None:
    # <prop k v> is read by every QGIS 3 release (newer ones also read <Option>).
    for k, v in props.items():
        ET.SubElement(parent, "prop", {"k": k, "v": v})


def _qml_symbol(spec: _Spec, cls: _Class, name: str) -> ET.Element:
    sym = ET.Element("symbol", {"type": spec.geometry, "name": name, "alpha": "1",
                                "clip_to_extent": "1", "force_rhr": "0"})
    if spec.geometry == "fill":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1",
                                             "locked": "0", "pass": "0"})
        _props(layer, {
            "color": _rgba(cls.color, spec.alpha), "style": spec.brush,
            "outline_color": _rgba(spec.outline), "outline_style": "solid",
            "outline_width": f"{spec.outline_width:g}", "outline_width_unit": "MM",
            "joinstyle": "bevel", "border_width_map_unit_scale": "3x:0,0,0,0,0,0",
            "offset": "0,0", "offset_unit": "MM",
        })
    elif spec.geometry == "line":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleLine", "enabled": "1",
                                             "locked": "0", "pass": "0"})
        _props(layer, {
            "line_color": _rgba(cls.color), "line_style": "solid",
            "line_width": f"{spec.outline_width:g}", "line_width_unit": "MM",
            "capstyle": "round", "joinstyle": "round", "offset": "0", "offset_unit": "MM",
        })
    else:
        layer = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1",
                                             "locked": "0", "pass": "0"})
        _props(layer, {
            "color": _rgba(cls.color), "name": spec.marker, "size": f"{spec.size:g}",
            "size_unit": "MM", "outline_color": _rgba(spec.outline),
            "outline_style": "solid", "outline_width": f"{spec.outline_width:g}",
            "outline_width_unit": "MM", "angle": "0", "scale_method": "diameter",
            "offset": "0,0", "offset_unit": "MM", "joinstyle": "bevel",
            "horizontal_anchor_point": "1", "vertical_anchor_point": "1",
        })
    return sym


def _qml_value(value: Any) -> str:
    if value is None:  # the catch-all category: NULL and any other value
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _qml(spec: _Spec, aliases: Mapping[str, str], fields: Sequence[str],
         rename: Mapping[str, str]) -> str:
    geom_type = {"marker": "0", "line": "1", "fill": "2"}[spec.geometry]
    root = ET.Element("qgis", {
        "version": _QGIS_VERSION,
        "styleCategories": "Symbology|Fields|AttributeTable",
        "labelsEnabled": "0", "hasScaleBasedVisibilityFlag": "0", "readOnly": "0",
        "simplifyDrawingHints": "1", "simplifyAlgorithm": "0", "simplifyDrawingTol": "1",
        "simplifyLocal": "1", "simplifyMaxScale": "1", "minScale": "100000000",
        "maxScale": "0",
    })
    attr = rename.get(spec.attribute, spec.attribute) if spec.attribute else None
    if attr and spec.null_fill is not None:  # NULL (not analysed) drawn by its own range
        attr = f'coalesce("{attr}", {spec.null_fill:g})'
    common = {"forceraster": "0", "symbollevels": "0", "enableorderby": "0",
              "referencescale": "-1"}
    symbols = ET.Element("symbols")
    if spec.kind == "graduated":
        rend = ET.SubElement(root, "renderer-v2", {
            **common, "type": "graduatedSymbol", "attr": attr or "",
            "graduatedMethod": "GraduatedColor"})
        ranges = ET.SubElement(rend, "ranges")
        for i, c in enumerate(spec.classes):
            ET.SubElement(ranges, "range", {
                "symbol": str(i), "lower": f"{c.lower:.15g}", "upper": f"{c.upper:.15g}",
                "label": c.label, "render": "true", "uuid": f"{{cityind-{i}}}"})
    elif spec.kind == "categorized":
        rend = ET.SubElement(root, "renderer-v2", {
            **common, "type": "categorizedSymbol", "attr": attr or ""})
        cats = ET.SubElement(rend, "categories")
        for i, c in enumerate(spec.classes):
            ET.SubElement(cats, "category", {
                "symbol": str(i), "value": _qml_value(c.value), "label": c.label,
                "render": "true", "uuid": f"{{cityind-{i}}}"})
    else:
        rend = ET.SubElement(root, "renderer-v2", {**common, "type": "singleSymbol"})
    for i, c in enumerate(spec.classes):
        symbols.append(_qml_symbol(spec, c, str(i)))
    rend.append(symbols)
    if spec.kind == "graduated":
        ET.SubElement(rend, "mode", {"name": "manual"})
        method = ET.SubElement(rend, "classificationMethod", {"id": "Custom"})
        ET.SubElement(method, "symmetricMode", {"enabled": "0", "symmetrypoint": "0",
                                                 "astride": "0"})
        ET.SubElement(method, "labelFormat", {"format": "%1 - %2", "labelprecision": "2",
                                               "trimtrailingzeroes": "1"})
    ET.SubElement(rend, "rotation")
    ET.SubElement(rend, "sizescale")
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    conf = ET.SubElement(root, "fieldConfiguration")
    for f in fields:
        field = ET.SubElement(conf, "field",
                              {"name": rename.get(f, f), "configurationFlags": "None"})
        widget = ET.SubElement(field, "editWidget", {"type": ""})
        ET.SubElement(widget, "config")
    al = ET.SubElement(root, "aliases")
    for i, f in enumerate(fields):
        ET.SubElement(al, "alias", {"field": rename.get(f, f), "index": str(i),
                                    "name": aliases.get(f, "")})
    ET.SubElement(root, "layerGeometryType").text = geom_type
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


# ----------------------------------------------------------------------------- SLD

_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _sld(spec: _Spec, layer: str, rename: Mapping[str, str]) -> str:
    ET.register_namespace("", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    q = lambda ns, tag: f"{{{ns}}}{tag}"  # noqa: E731
    root = ET.Element(q(_SLD, "StyledLayerDescriptor"), {"version": "1.1.0"})
    nl = ET.SubElement(root, q(_SLD, "NamedLayer"))
    ET.SubElement(nl, q(_SE, "Name")).text = layer
    us = ET.SubElement(nl, q(_SLD, "UserStyle"))
    ET.SubElement(us, q(_SE, "Name")).text = spec.name
    fts = ET.SubElement(us, q(_SE, "FeatureTypeStyle"))
    attr = rename.get(spec.attribute, spec.attribute) if spec.attribute else None
    for i, c in enumerate(spec.classes):
        rule = ET.SubElement(fts, q(_SE, "Rule"))
        ET.SubElement(rule, q(_SE, "Name")).text = c.label or spec.name
        if spec.kind != "single":
            desc = ET.SubElement(rule, q(_SE, "Description"))
            ET.SubElement(desc, q(_SE, "Title")).text = c.label
            flt = ET.SubElement(rule, q(_OGC, "Filter"))
            if c.null:  # units outside the analysis domain (NULL)
                nul = ET.SubElement(flt, q(_OGC, "PropertyIsNull"))
                ET.SubElement(nul, q(_OGC, "PropertyName")).text = attr
            elif spec.kind == "graduated":
                # [lower, upper), the top class closed: the classes listed first in
                # ``classes`` are the higher ones.
                conds = ET.SubElement(flt, q(_OGC, "And"))
                ge = ET.SubElement(conds, q(_OGC, "PropertyIsGreaterThanOrEqualTo"))
                ET.SubElement(ge, q(_OGC, "PropertyName")).text = attr
                ET.SubElement(ge, q(_OGC, "Literal")).text = f"{c.lower:.15g}"
                op = "PropertyIsLessThanOrEqualTo" if i == 0 else "PropertyIsLessThan"
                lt = ET.SubElement(conds, q(_OGC, op))
                ET.SubElement(lt, q(_OGC, "PropertyName")).text = attr
                ET.SubElement(lt, q(_OGC, "Literal")).text = f"{c.upper:.15g}"
            elif c.value is None:  # units outside the analysis domain (NULL)
                nul = ET.SubElement(flt, q(_OGC, "PropertyIsNull"))
                ET.SubElement(nul, q(_OGC, "PropertyName")).text = attr
            else:
                eq = ET.SubElement(flt, q(_OGC, "PropertyIsEqualTo"))
                ET.SubElement(eq, q(_OGC, "PropertyName")).text = attr
                ET.SubElement(eq, q(_OGC, "Literal")).text = _qml_value(c.value)
        if spec.geometry == "fill":
            sym = ET.SubElement(rule, q(_SE, "PolygonSymbolizer"))
            fill = ET.SubElement(sym, q(_SE, "Fill"))
            ET.SubElement(fill, q(_SE, "SvgParameter"), {"name": "fill"}).text = c.color
            ET.SubElement(fill, q(_SE, "SvgParameter"),
                          {"name": "fill-opacity"}).text = f"{spec.alpha:g}"
            stroke = ET.SubElement(sym, q(_SE, "Stroke"))
            ET.SubElement(stroke, q(_SE, "SvgParameter"), {"name": "stroke"}).text = spec.outline
            ET.SubElement(stroke, q(_SE, "SvgParameter"),
                          {"name": "stroke-width"}).text = f"{spec.outline_width * 3.78:.2g}"
        elif spec.geometry == "line":
            sym = ET.SubElement(rule, q(_SE, "LineSymbolizer"))
            stroke = ET.SubElement(sym, q(_SE, "Stroke"))
            ET.SubElement(stroke, q(_SE, "SvgParameter"), {"name": "stroke"}).text = c.color
            ET.SubElement(stroke, q(_SE, "SvgParameter"),
                          {"name": "stroke-width"}).text = f"{spec.outline_width * 3.78:.2g}"
        else:
            sym = ET.SubElement(rule, q(_SE, "PointSymbolizer"))
            graphic = ET.SubElement(sym, q(_SE, "Graphic"))
            mark = ET.SubElement(graphic, q(_SE, "Mark"))
            ET.SubElement(mark, q(_SE, "WellKnownName")).text = spec.marker
            fill = ET.SubElement(mark, q(_SE, "Fill"))
            ET.SubElement(fill, q(_SE, "SvgParameter"), {"name": "fill"}).text = c.color
            stroke = ET.SubElement(mark, q(_SE, "Stroke"))
            ET.SubElement(stroke, q(_SE, "SvgParameter"), {"name": "stroke"}).text = spec.outline
            ET.SubElement(graphic, q(_SE, "Size")).text = f"{spec.size * 3.78:.0f}"
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ----------------------------------------------------------------------------- public


def layer_styles(
    gdf: Any,
    layer: str,
    *,
    lang: str = "en",
    rename: Mapping[str, str] | None = None,
) -> list[LayerStyle]:
    """QGIS styles of one result layer: the default first, then alternatives.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer as it will be written (its columns decide the style; its CRS
        does not matter). Not modified.
    layer : str
        Layer name (GeoPackage table or file stem). Names containing ``gap``,
        ``lisa``/``cluster`` or ``candidate``/``site`` select those styles.
    lang : {"en", "zh"}, default "en"
        Language of legend labels and field aliases.
    rename : mapping of str to str, optional
        Original -> written field names (e.g. from :func:`short_field_names` for
        a shapefile); renderer attributes and aliases then use the written names.

    Returns
    -------
    list of LayerStyle
        At least one; exactly one has ``default=True`` (the first). Style names
        are unique and at most 30 characters.

    Raises
    ------
    InputError
        If ``lang`` is not "zh" or "en", or ``layer`` is empty.

    Notes
    -----
    The graduated style of D lists its 10 ranges from grade 10 down. QGIS draws a
    feature with the first range whose closed interval holds the value, so this
    order gives the half-open classes :math:`[0.1k, 0.1(k+1))` of
    :func:`cityind_gis.coupling.coordination_level` (D = 0.5 is grade 6) and
    puts the best grade at the top of the legend.

    Units outside the analysis domain (``analysed`` False: D, U1, U2, grade,
    typology and bivariate class NULL) get a grey "not analysed / 未分析"
    entry in every style of D, U1, U2, grade, typology and U1 x U2 when the
    layer holds any: the categorized styles add a catch-all category (QGIS
    value "", which takes NULL); a QGIS graduated renderer draws no feature
    outside its ranges, so the graduated styles classify
    ``coalesce("D", -1)`` and add the range [-1, -1]. The SLD rules use
    ``PropertyIsNull``.
    """
    check_lang(lang)
    if not isinstance(layer, str) or not layer:
        msg = f"`layer` must be a non-empty layer name, got {layer!r}."
        raise InputError(msg)
    rename = dict(rename or {})
    fields = [c for c in gdf.columns if c != gdf.geometry.name]
    aliases = field_aliases(fields, lang=lang)
    if rename:  # a renamed field keeps its full name visible
        aliases = {f: aliases.get(f, f) if rename.get(f, f) != f else aliases.get(f, "")
                   for f in fields}
    out = []
    for i, spec in enumerate(_specs(gdf, layer, lang)):
        out.append(LayerStyle(
            name=spec.name[:_STYLE_NAME_MAX],
            description=spec.description,
            qml=_qml(spec, aliases, fields, rename),
            sld=_sld(spec, layer, rename),
            default=i == 0,
        ))
    return out
