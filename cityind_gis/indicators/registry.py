"""One registry of indicator metadata and the one function that names output columns.

Every indicator cityind_gis computes is described here once: its column name
pattern, unit, direction (``+`` larger is better for its subsystem, ``-``
smaller is better), subsystem (``industry`` = U1, ``urban`` = U2, or
``descriptive`` when it feeds neither by default), a one-line description in
Chinese and English, its formula and its source. The pipeline's default
indicators and ``docs/indicators.md`` are both derived from this table.

Column names follow ``{measure}[_{class}][_{distance}m]`` (see
:func:`column_name`): snake_case ASCII, at most 40 characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from .._errors import InputError
from ..columns import column_name

__all__ = [
    "column_name",
    "indicator_registry",
    "indicator_info",
    "default_subsystem_indicators",
    "registry_markdown",
]


# pattern, unit, direction, subsystem, default, zh, en, formula, source
_ROWS: tuple[tuple[str, str, str, str, bool, str, str, str, str], ...] = (
    # ------------------------------------------------------------------ industry (U1)
    ("industrial_share", "share 0-1", "+", "industry", True,
     "工业用地占单元面积的比例", "share of the unit's area in industrial land (GB 50137 M)",
     "A_industrial / A_unit", "GB 50137-2011; Xu Weixiang et al. 2020"),
    ("logistics_share", "share 0-1", "+", "industry", True,
     "物流仓储用地占比", "share of the unit's area in logistics and warehousing land (W)",
     "A_logistics / A_unit", "GB 50137-2011"),
    ("industrial_logistics_share", "share 0-1", "+", "industry", False,
     "工业与物流仓储用地合计占比", "share in industrial plus logistics land (M + W)",
     "(A_industrial + A_logistics) / A_unit", "GB 50137-2011"),
    ("landuse_area_industrial_logistics", "m2", "+", "industry", False,
     "工业与物流仓储用地面积", "area of industrial plus logistics land in the unit",
     "A_industrial + A_logistics", "GB 50137-2011"),
    ("poi_density_enterprise", "POIs per km2", "+", "industry", True,
     "企业/工厂POI密度", "enterprise and factory POIs per km2",
     "n_enterprise / (A_unit / 1e6)", "Amap POI class 17 (companies and enterprises)"),
    ("industrial_poi_share", "share 0-1", "+", "industry", False,
     "企业POI占全部POI的比例", "share of enterprise POIs among all analysed POIs",
     "n_enterprise / sum_k n_k (0 where no POI)", "Amap POI class 17"),
    ("building_footprint_industrial", "m2", "+", "industry", False,
     "工业建筑基底面积", "footprint area of industrial buildings in the unit",
     "sum of |building ∩ unit| over industrial buildings",
     "building outlines (e.g. OSM building=industrial)"),
    ("building_floor_area_industrial", "m2", "+", "industry", False,
     "工业建筑面积(基底面积×层数)", "floor area of industrial buildings (footprint x levels)",
     "sum of |building ∩ unit| * levels", "building outlines with a levels column"),
    ("building_coverage_industrial", "share 0-1", "+", "industry", False,
     "工业建筑基底面积占单元面积比例",
     "industrial building footprint over unit area (building coverage)",
     "footprint_industrial / A_unit", "GB 50137-2011 building coverage"),
    ("industrial_plot_ratio", "ratio", "+", "industry", False,
     "工业用地容积率(工业用地上建筑面积/工业用地面积)",
     "plot ratio of industrial land: floor area on it over its area (intensity of use)",
     "sum_b |b ∩ L_ind ∩ z| * levels_b / |L_ind ∩ z| (0 without industrial land)",
     "GB 50137-2011; 工业项目建设用地控制指标 (国土资发〔2008〕24号)"),
    ("industry_shannon", "nats", "+", "industry", False,
     "产业多样性(Shannon指数,按产业细类)",
     "industrial diversity: Shannon entropy over industry subtypes",
     "-sum_i p_i ln p_i, p_i = n_i / sum n",
     "Shannon 1948; Attaran 1986 (industrial diversification)"),
    # ------------------------------------------------------------------ urban function (U2)
    ("residential_share", "share 0-1", "+", "urban", True,
     "居住用地占比", "share of the unit's area in residential land (R)",
     "A_residential / A_unit", "GB 50137-2011"),
    ("public_service_share", "share 0-1", "+", "urban", True,
     "公共管理与公共服务用地占比",
     "share in public administration and services land (A1+A3+A5+A2/A4)",
     "sum of administration, education, healthcare, culture_sports areas / A_unit",
     "GB 50137-2011"),
    ("commercial_share", "share 0-1", "+", "urban", True,
     "商业服务业设施用地占比", "share in commercial land (B1)",
     "A_commercial / A_unit", "GB 50137-2011"),
    ("land_use_mix", "index 0-1", "+", "urban", True,
     "土地利用混合度(归一化Shannon熵)", "normalised Shannon entropy of land-use classes",
     "-sum_k p_k ln p_k / ln K", "Cervero & Kockelman 1997; Frank et al. 2004"),
    ("poi_density_{category}", "POIs per km2", "+", "urban", True,
     "各类服务设施POI密度", "service POIs of one category per km2",
     "n_k / (A_unit / 1e6)", "Amap POI classes 05-16, 20"),
    ("service_completeness", "share 0-1", "+", "urban", False,
     "服务设施完备度(出现的服务类别数/总类别数)", "share of service categories present in the unit",
     "#{k : n_k > 0} / K", "GB 50180-2018 life-circle facility lists"),
    ("service_shannon", "nats", "+", "urban", False,
     "服务设施多样性(Shannon指数)", "Shannon diversity of service POI categories",
     "-sum_k p_k ln p_k, p_k = n_k / sum n", "Shannon 1948"),
    ("service_simpson", "index 0-1", "+", "urban", False,
     "服务设施多样性(Simpson指数)", "Gini-Simpson diversity of service POI categories",
     "1 - sum_k p_k^2", "Simpson 1949"),
    ("road_density", "km per km2", "+", "urban", True,
     "路网密度", "length of road centre lines per km2 of unit",
     "L_roads(km) / (A_unit / 1e6)", "GB 50220-95; Ministry of Housing road-density survey 2018"),
    ("intersection_density", "per km2", "+", "urban", True,
     "交叉口密度", "road intersections (nodes of degree >= 3) per km2",
     "#{v : deg(v) >= 3} / (A_unit / 1e6)", "Cervero & Kockelman 1997; Ewing & Cervero 2010"),
    ("transit_stop_density", "stops per km2", "+", "urban", False,
     "公交站点密度", "transit stops and stations per km2 (= poi_density_transit)",
     "n_transit / (A_unit / 1e6)", "Ewing & Cervero 2010 (distance to transit)"),
    ("population_density", "persons per km2", "+", "urban", False,
     "人口密度(栅格)", "population per km2 from a population raster (sum over the unit)",
     "sum_p w_p v_p / (A_unit / 1e6)", "WorldPop / LandScan grids"),
    ("population_sum", "persons", "+", "descriptive", False,
     "人口数(栅格求和)", "people in the unit: coverage-weighted sum of a population raster",
     "sum_p w_p v_p", "WorldPop / LandScan grids"),
    ("night_light_mean", "raster units (nW/cm2/sr)", "+", "urban", False,
     "夜间灯光均值", "area-weighted mean night-light radiance in the unit",
     "sum_p w_p v_p / sum_p w_p", "Elvidge et al. 2017 (VIIRS); Luojia-1"),
    ("jobs_housing_ratio", "ratio", "+", "urban", False,
     "职住比代理(工业+商务用地/居住用地)",
     "jobs-housing proxy: (industrial + business) land over residential land",
     "(A_industrial + A_business) / A_residential (NaN where A_residential = 0)", "Cervero 1989"),
    ("jobs_housing_balance", "index 0-1", "+", "urban", True,
     "职住平衡度", "jobs-housing balance: 1 - |J - H| / (J + H) of job land J and housing land H",
     "1 - |J - H| / (J + H), 0 where J + H = 0", "Cervero 1989; Peng 1997"),
    # ------------------------------------------------------------------ 三生空间
    ("space_share_{space}", "share 0-1", "+", "descriptive", False,
     "三生空间(生产/生活/生态)占比", "share of production, living or ecological space",
     "sum of class areas of that space / A_unit",
     "landuse_classes.csv `space`; Liu Jilai et al. 2017"),
    # ------------------------------------------------------------------ POI functional zones
    ("fz_density_{category}", "ratio", "+", "descriptive", False,
     "POI频数密度 FD_i",
     "POI frequency density: count of type i in the unit over its study-area total",
     "FD_i = n_i / N_i",
     "Chi Jiao, Jiao Limin, Dong Ting et al. 2016, 测绘地理信息 41(2) "
     "(基于POI数据的城市功能区定量识别)"),
    ("fz_ratio_{category}", "share 0-1", "+", "descriptive", False,
     "POI类型比例 CR_i", "POI category ratio within the unit",
     "CR_i = FD_i / sum_j FD_j", "Chi Jiao et al. 2016"),
    ("fz_ratio_max", "share 0-1", "+", "descriptive", False,
     "最大类型比例", "largest category ratio of the unit", "max_i CR_i", "Chi Jiao et al. 2016"),
    ("fz_type", "label", "+", "descriptive", False,
     "功能区类型(单一功能/混合功能)",
     "functional-zone label: the category when one CR_i >= 0.5, 'mixed' otherwise, "
     "'none' without POIs",
     "argmax CR_i if max CR_i >= 0.5", "Chi Jiao et al. 2016"),
    # ------------------------------------------------------------------ generic and raster
    ("landuse_area_{class}", "m2", "+", "descriptive", False,
     "各类用地面积", "area of one land-use class in the unit (exact intersection)",
     "|landuse_k ∩ unit|", "GB 50137-2011"),
    ("{class}_share", "share 0-1", "+", "descriptive", False,
     "各类用地占比", "share of the unit's area in one land-use class",
     "A_k / A_unit", "GB 50137-2011"),
    ("poi_count_{category}", "POIs", "+", "descriptive", False,
     "各类POI数量", "number of POIs of one category in the unit", "n_k", "-"),
    ("landcover_share_{class}", "share 0-1", "+", "descriptive", False,
     "土地覆盖类别占比(栅格)",
     "share of the unit covered by one land-cover class (exact pixel fractions)",
     "sum_p w_p [v_p = k] a_p / A_unit", "exactextract coverage fractions (Baston 2022)"),
    ("raster_sum", "raster units", "+", "descriptive", False,
     "栅格值加权和", "coverage-weighted sum of a continuous raster", "sum_p w_p v_p", "-"),
    ("raster_mean", "raster units", "+", "descriptive", False,
     "栅格值加权均值", "coverage-weighted mean of a continuous raster",
     "sum_p w_p v_p / sum_p w_p", "-"),
    ("lc_score", "share 0-1", "+", "urban", False,
     "生活圈设施覆盖度(5/10/15分钟全部要求的满足比例)",
     "life-circle coverage: share of all 5/10/15-minute facility requirements met on foot",
     "sum_L |{k : d_k <= D_L}| / sum_L K_L", "GB 50180-2018 life circles; docs/accessibility.md"),
    ("lc5_score", "share 0-1", "+", "urban", False,
     "5分钟生活圈满足度", "share of the 5-minute life circle's categories within its distance",
     "|{k : d_k <= D_5}| / K_5", "GB 50180-2018"),
    ("lc10_score", "share 0-1", "+", "urban", False,
     "10分钟生活圈满足度", "share of the 10-minute life circle's categories within its distance",
     "|{k : d_k <= D_10}| / K_10", "GB 50180-2018"),
    ("lc15_score", "share 0-1", "+", "urban", False,
     "15分钟生活圈满足度", "share of the 15-minute life circle's categories within its distance",
     "|{k : d_k <= D_15}| / K_15", "GB 50180-2018; 社区生活圈规划技术指南 TD/T 1062-2021"),
    ("net_dist_{category}", "m", "-", "urban", True,
     "到最近设施的步行距离", "walking distance from the unit to the nearest facility of a category",
     "shortest path on the walking network", "Dijkstra 1959; GB 50180-2018 life circles"),
)

_COLUMNS = ["unit", "direction", "subsystem", "default", "description_zh", "description_en",
            "formula", "source"]


def indicator_registry() -> pd.DataFrame:
    """Metadata of every indicator cityind_gis computes.

    Returns
    -------
    DataFrame
        Indexed by name pattern (``{category}``, ``{class}``, ``{space}`` are
        placeholders), with columns ``unit``, ``direction`` (``+``/``-``),
        ``subsystem`` (``industry``, ``urban``, ``descriptive``), ``default``
        (in the pipeline's default U1/U2), ``description_zh``, ``description_en``,
        ``formula`` and ``source``.
    """
    df = pd.DataFrame([r[1:] for r in _ROWS], index=pd.Index([r[0] for r in _ROWS], name="name"),
                      columns=_COLUMNS)
    return df


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z]+\}", pattern)
    return re.compile("^" + "([a-z0-9_]+)".join(re.escape(p) for p in parts) + "$")


def indicator_info(column: str) -> pd.Series:
    """Registry entry of a concrete column name.

    Parameters
    ----------
    column : str
        Column of a units layer, e.g. ``"poi_density_food"``.

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
    reg = indicator_registry()
    if column in reg.index:
        s = reg.loc[column].copy()
        s["pattern"] = column
        return s.rename(column)
    for pattern in reg.index:
        if "{" in pattern and _pattern_regex(pattern).match(column):
            s = reg.loc[pattern].copy()
            s["pattern"] = pattern
            return s.rename(column)
    msg = (f"`column` {column!r} is not a registered indicator; see "
           "`cityind_gis.indicators.indicator_registry()` or docs/indicators.md.")
    raise InputError(msg)


def default_subsystem_indicators(
    columns: Iterable[str], subsystem: str, *, categories: Iterable[str] = ()
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

    Returns
    -------
    dict of str to {"+", "-"}
        Indicator -> direction, in registry order, only for available columns.
    """
    if subsystem not in ("industry", "urban"):
        msg = f"`subsystem` must be 'industry' or 'urban', got {subsystem!r}."
        raise InputError(msg)
    available = set(columns)
    cats = list(categories)
    reg = indicator_registry()
    reg = reg[(reg["subsystem"] == subsystem) & reg["default"]]
    out: dict[str, str] = {}
    for pattern, row in reg.iterrows():  # a few dozen metadata rows, not features
        names = [pattern.replace("{category}", c) for c in cats] if "{" in pattern else [pattern]
        for n in names:
            if n in available:
                out[n] = row["direction"]
    return out


def registry_markdown() -> str:
    """The registry as a Markdown table (the body of ``docs/indicators.md``).

    Returns
    -------
    str
        One row per indicator: name, subsystem, direction, unit, zh and en
        descriptions, formula, source.
    """
    reg = indicator_registry()
    lines = ["| name | subsystem | dir | unit | 中文 | description | formula | source |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in reg.iterrows():
        default = " (default)" if r["default"] else ""
        cells = [f"`{name}`", f"{r['subsystem']}{default}", r["direction"], r["unit"],
                 r["description_zh"], r["description_en"], f"`{r['formula']}`", r["source"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
