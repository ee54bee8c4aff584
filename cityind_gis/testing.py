"""Small generated layers with answers worked out by hand, for tests, docs and scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["three_cell_town", "write_three_cell_town", "random_points", "china_park",
           "write_china_park"]

#: Analysis CRS of the generated layers (WGS 84 / UTM zone 50N, metres).
CRS = "EPSG:32650"


def three_cell_town() -> dict[str, gpd.GeoDataFrame]:
    r"""A 300 m x 100 m town of three 100 m cells with hand-computed answers.

    ::

        y=100 +----------+----------+----------+
              | cell 0   | cell 1   | cell 2   |
              | M (ind.) | M  | R   | R (res.) |
        y=50  o--E--o----o----o-r---o---r-o----o   road, vertex every 50 m
              |          |    |     |          |
        y=0   +----------+----------+----------+
              x=0       100  150   200        300

    Land use (GB 50137 codes): cell 0 all ``M``; cell 1 ``M`` on x 100-150 and
    ``R`` on x 150-200; cell 2 all ``R``. POIs: one enterprise ``E`` at (20, 50),
    retail ``r`` at (160, 50), (240, 50) and (260, 50).

    Known answers (``shift`` off, entropy weights, equal alpha; indicators U1 =
    {industrial_share +}, U2 = {residential_share +, poi_density_retail +}):

    * industrial share (1, 0.5, 0), residential share (0, 0.5, 1), retail per km²
      (0, 100, 200);
    * U1 = (1, 0.5, 0); the two U2 indicators normalise identically, so their
      entropy weights are 0.5 each and U2 = (0, 0.5, 1);
    * C = (0, 1, 0), T = (0.5, 0.5, 0.5), D = (0, √0.5 = 0.70711, 0);
    * walking distance from the cell centroids (on road nodes at x = 50, 150,
      250) to the nearest retail: 100 m along the road + 10 m access = 110 m,
      then 10 m and 10 m; with a 100 m gap distance only cell 0 lacks retail.

    Returns
    -------
    dict of str to GeoDataFrame
        ``landuse`` (column ``code``), ``pois`` (column ``kind``: 企业 or 购物),
        ``roads`` (one line), all in EPSG:32650.
    """
    landuse = gpd.GeoDataFrame(
        {"code": ["M1", "M2", "R2", "R2"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 150, 100),
                  shapely.box(150, 0, 200, 100), shapely.box(200, 0, 300, 100)],
        crs=CRS,
    )
    pois = gpd.GeoDataFrame(
        {"kind": ["企业", "购物", "购物", "购物"], "name": ["工厂", "小卖部", "超市", "便利店"]},
        geometry=gpd.points_from_xy([20, 160, 240, 260], [50, 50, 50, 50]),
        crs=CRS,
    )
    xs = np.arange(0, 301, 50, dtype=float)
    roads = gpd.GeoDataFrame(
        {"name": ["main street"]},
        geometry=[shapely.linestrings(np.column_stack([xs, np.full_like(xs, 50.0)]))],
        crs=CRS,
    )
    return {"landuse": landuse, "pois": pois, "roads": roads}


def write_three_cell_town(folder: str | Path) -> Path:
    """Write :func:`three_cell_town` as a planner would bring it, with a config.

    Land use and roads go to a GeoPackage; POIs to a GBK-encoded CSV with
    ``x``/``y`` columns in metres; a mapping CSV maps GB 50137 codes and the
    Chinese POI kinds; ``town.toml`` ties them together.

    Parameters
    ----------
    folder : str or Path
        Existing folder.

    Returns
    -------
    Path
        The config file.
    """
    folder = Path(folder)
    town = three_cell_town()
    town["landuse"].to_file(folder / "town.gpkg", layer="landuse", driver="GPKG")
    town["roads"].to_file(folder / "town.gpkg", layer="roads", driver="GPKG")
    pois = town["pois"]
    table = pd.DataFrame({"name": pois["name"], "kind": pois["kind"],
                          "x": pois.geometry.x, "y": pois.geometry.y})
    table.to_csv(folder / "pois.csv", index=False, encoding="gbk")
    (folder / "landuse_map.csv").write_text(
        "value,class\nM1,industrial\nM2,industrial\nR2,residential\n", encoding="utf-8")
    (folder / "poi_map.csv").write_text(
        "value,class\n企业,enterprise\n购物,retail\n", encoding="utf-8")
    cfg = folder / "town.toml"
    cfg.write_text(
        """[study]
name = "three-cell town"

[grid]
cell_size = 100

[landuse]
path = "town.gpkg"
layer = "landuse"
class_column = "code"
mapping = "landuse_map.csv"

[pois]
path = "pois.csv"
crs = "EPSG:32650"
class_column = "kind"
mapping = "poi_map.csv"

[roads]
path = "town.gpkg"
layer = "roads"

[coupling]
shift = false

[coupling.industry]
industrial_share = "+"

[coupling.urban]
residential_share = "+"
poi_density_retail = "+"

[gaps]
distance = 100
categories = ["retail"]

[output]
dir = "out"
""",
        encoding="utf-8",
    )
    return cfg


def random_points(
    bounds: tuple[float, float, float, float],
    n: int,
    *,
    categories: tuple[str, ...] = ("education", "healthcare", "retail"),
    crs: str = CRS,
    seed: int = 0,
) -> gpd.GeoDataFrame:
    """Uniform random points with a random category.

    Parameters
    ----------
    bounds : tuple of 4 floats
        ``(minx, miny, maxx, maxy)`` in metres.
    n : int
        Number of points.
    categories : tuple of str
        Categories drawn uniformly.
    crs : str, default "EPSG:32650"
        CRS of the points.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    GeoDataFrame
        Column ``category`` and point geometry.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(bounds[0], bounds[2], n)
    y = rng.uniform(bounds[1], bounds[3], n)
    cat = rng.choice(np.array(categories, dtype=object), n)
    return gpd.GeoDataFrame({"category": cat}, geometry=gpd.points_from_xy(x, y), crs=crs)


#: CRS of :func:`china_park`'s land use and roads: CGCS2000 / 3-degree Gauss-Kruger CM 120E.
CHINA_CRS = "EPSG:4549"

_PARK_CODES = ("M1", "M2", "W1", "R2", "A33", "B1", "G1", "S42", "U12")
_PARK_NAMES = ("一类工业用地", "二类工业用地", "一类物流仓储用地", "二类居住用地", "中小学用地",
               "商业用地", "公园绿地", "社会停车场用地", "供电用地")
_PARK_POIS = (  # (name, Amap type text, typecode)
    ("精密机械厂", "公司企业;工厂;工厂", "170300"),
    ("电子科技有限公司", "公司企业;公司;公司", "170200"),
    ("园区实验小学", "科教文化服务;学校;小学", "141203"),
    ("社区卫生服务中心", "医疗保健服务;综合医院;卫生院", "090102"),
    ("邻里中心超市", "购物服务;超级市场;超市", "060400"),
    ("兰州拉面", "餐饮服务;中餐厅;中餐厅", "050100"),
    ("星海街公交站", "交通设施服务;公交车站;公交车站", "150700"),
    ("园区图书馆", "科教文化服务;图书馆;图书馆", "140500"),
    ("加油站", "汽车服务;加油站;中国石化", "010101"),
)


def china_park(*, origin: tuple[float, float] = (120.70, 31.32)) -> dict[str, gpd.GeoDataFrame]:
    r"""A 600 m x 600 m industrial park in China, in the conventions planners receive.

    ::

        +------+------+------+   3 x 3 parcels of 200 m with GB 50137 codes
        | R2   | A33  | B1   |   (row by row from the south-west):
        +------+------+------+   M1 M2 W1 / R2 A33 B1 / G1 S42 U12
        | M1.. |      |      |   roads: 4 + 4 straight lines on the parcel edges,
        +------+------+------+   split at every crossing, plus a bridge (layer=1)
                                 from corner to corner, crossing two roads.

    Parameters
    ----------
    origin : (lon, lat), default (120.70, 31.32)
        WGS 84 south-west corner (default: Suzhou Industrial Park).

    Returns
    -------
    dict of str to GeoDataFrame
        ``landuse`` (columns ``用地代码``, ``用地名称``; EPSG:4549), ``roads``
        (columns ``name``, ``bridge``, ``layer``; EPSG:4549) and ``pois`` (nine POIs
        10 m north of the southern edge of each parcel, i.e. 10 m from a road,
        with ``名称``, ``type``, ``typecode``; **true** WGS 84 positions, EPSG:4326).
    """
    x0, y0 = gpd.GeoSeries(gpd.points_from_xy([origin[0]], [origin[1]]), crs=4326).to_crs(
        CHINA_CRS).iloc[0].coords[0]
    x0, y0 = round(x0, -1), round(y0, -1)
    i, j = (a.ravel() for a in np.meshgrid(np.arange(3), np.arange(3)))
    landuse = gpd.GeoDataFrame(
        {"用地代码": list(_PARK_CODES), "用地名称": list(_PARK_NAMES)},
        geometry=shapely.box(x0 + 200 * i, y0 + 200 * j, x0 + 200 * i + 200, y0 + 200 * j + 200),
        crs=CHINA_CRS,
    )
    ticks = np.arange(0, 601, 200, dtype=float)
    pts = np.arange(0, 601, 200, dtype=float)
    lines = [np.column_stack([x0 + pts, np.full_like(pts, y0 + t)]) for t in ticks]
    lines += [np.column_stack([np.full_like(pts, x0 + t), y0 + pts]) for t in ticks]
    # the bridge crosses the roads at (200, 200) and (400, 400), where it has vertices too
    lines.append(np.array([[x0, y0], [x0 + 200, y0 + 200], [x0 + 400, y0 + 400],
                           [x0 + 600, y0 + 600]]))
    names = [f"横{k + 1}路" for k in range(4)] + [f"纵{k + 1}路" for k in range(4)] + ["高架桥"]
    roads = gpd.GeoDataFrame(
        {"name": names, "bridge": ["N"] * 8 + ["Y"], "layer": [0] * 8 + [1]},
        geometry=[shapely.linestrings(c) for c in lines],
        crs=CHINA_CRS,
    )
    px = x0 + 200 * i + 100
    py = y0 + 200 * j + 10
    pois = gpd.GeoDataFrame(
        {"名称": [p[0] for p in _PARK_POIS], "type": [p[1] for p in _PARK_POIS],
         "typecode": [p[2] for p in _PARK_POIS]},
        geometry=gpd.points_from_xy(px, py),
        crs=CHINA_CRS,
    ).to_crs(4326)
    return {"landuse": landuse, "roads": roads, "pois": pois}


def write_china_park(folder: str | Path) -> dict[str, Path]:
    """Write :func:`china_park` as a Chinese planning study receives it.

    * ``用地现状.shp``: GB 50137 land use in CGCS2000 3-degree Gauss-Kruger (EPSG:4549),
      attributes in GBK and **no .cpg** (as older ArcGIS/SuperMap exports);
    * ``道路中心线.shp``: road centre lines, same CRS, with ``bridge``/``layer``;
    * ``高德POI.csv``: an Amap-style POI export, UTF-8 with BOM, columns
      ``名称, type, typecode, 经度, 纬度`` with **GCJ-02** coordinates.

    Parameters
    ----------
    folder : str or Path
        Existing folder.

    Returns
    -------
    dict of str to Path
        ``landuse``, ``roads``, ``pois``.
    """
    from .io.coords import wgs84_to_gcj02

    folder = Path(folder)
    park = china_park()
    paths = {"landuse": folder / "用地现状.shp", "roads": folder / "道路中心线.shp",
             "pois": folder / "高德POI.csv"}
    park["landuse"].to_file(paths["landuse"], driver="ESRI Shapefile", encoding="GBK")
    paths["landuse"].with_suffix(".cpg").unlink(missing_ok=True)
    park["roads"].to_file(paths["roads"], driver="ESRI Shapefile", encoding="UTF-8")
    pois = park["pois"]
    lon, lat = wgs84_to_gcj02(pois.geometry.x.to_numpy(), pois.geometry.y.to_numpy())
    table = pd.DataFrame({"名称": pois["名称"], "type": pois["type"], "typecode": pois["typecode"],
                          "经度": np.round(lon, 6), "纬度": np.round(lat, 6)})
    table.to_csv(paths["pois"], index=False, encoding="utf-8-sig")
    return paths


__all__ += ["china_park_buildings", "write_china_park_buildings"]

_PARK_BUILDINGS = (  # (名称, 层数, box relative to the park's south-west corner)
    ("一号厂房", 2, (20, 40, 60, 80)),        # on M1: 1,600 m² x 2 storeys
    ("二号厂房", 1, (240, 40, 300, 100)),     # on M2: 3,600 m² x 1
    ("成品仓库", 0, (440, 40, 490, 80)),      # on W1: 2,000 m², storeys unknown -> default 1
    ("职工宿舍", 6, (20, 240, 40, 290)),      # on R2: 1,000 m² x 6
    ("配套用房", 3, (390, 150, 420, 170)),    # astride M2 | W1: 200 m² on M2, 400 m² on W1
)


def china_park_buildings(*, origin: tuple[float, float] = (120.70, 31.32)) -> gpd.GeoDataFrame:
    """Five building outlines on :func:`china_park`, without a use column.

    ::

        parcel  M1 (x 0-200)   M2 (x 200-400)   W1 (x 400-600)    R2 (x 0-200, y 200-400)
        houses  一号厂房        二号厂房          成品仓库           职工宿舍
                               配套用房 at x 390-420, y 150-170: astride the M2 | W1 edge

    Chinese building outline datasets often carry only the number of storeys
    (层数), so every building's use comes from the land under it. Known answers
    (with the ``gb50137`` land-use mapping):

    * use: industrial (一号厂房, 二号厂房), logistics (成品仓库; 配套用房, whose
      representative point lies on W1), residential (职工宿舍);
    * storeys 2, 1, 1 (层数 0 is unknown: the default 1), 6, 3;
    * industrial buildings: footprint 1,600 + 3,600 = 5,200 m², floor area
      3,200 + 3,600 = 6,800 m²;
    * floor area standing on industrial land (M1, M2), whatever the use:
      3,200 + 3,600 + 200 x 3 = 7,400 m² on 80,000 m².

    Parameters
    ----------
    origin : (lon, lat), default (120.70, 31.32)
        As in :func:`china_park`.

    Returns
    -------
    GeoDataFrame
        Columns ``名称``, ``层数``; polygons in EPSG:4549.
    """
    x0, y0 = china_park(origin=origin)["landuse"].total_bounds[:2]
    return gpd.GeoDataFrame(
        {"名称": [b[0] for b in _PARK_BUILDINGS], "层数": [b[1] for b in _PARK_BUILDINGS]},
        geometry=[shapely.box(x0 + b[2][0], y0 + b[2][1], x0 + b[2][2], y0 + b[2][3])
                  for b in _PARK_BUILDINGS],
        crs=CHINA_CRS,
    )


def write_china_park_buildings(folder: str | Path) -> Path:
    """Write :func:`china_park_buildings` as ``建筑轮廓.shp``: GBK attributes, no .cpg.

    Parameters
    ----------
    folder : str or Path
        Existing folder.

    Returns
    -------
    Path
        The Shapefile.
    """
    path = Path(folder) / "建筑轮廓.shp"
    china_park_buildings().to_file(path, driver="ESRI Shapefile", encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


__all__ += ["domain_story_zone", "write_domain_story_zone", "write_zone_layers"]


def domain_story_zone() -> dict[str, gpd.GeoDataFrame]:
    r"""A 600 m x 300 m zone with a known story: an industrial belt, a mixed core, empty land.

    ::

        y=300 +-----+-----+--+--+--+--+--+-----+
              |   belt    |M | core  |M |  R| fringe  | empty |
              |  M1 (all) |  |  R2   |  |  R2 |R 10 % |       |
        y=0   +-----+-----+--+--+--+--+--+-----+
              x=0        200  300        400    500     600

    Eighteen 100 m cells (6 columns x 3 rows), the walking network three east-west
    streets (y = 50, 150, 250) through the cell centres, joined by north-south
    streets at x = 0, 300, 600.

    * **belt** (columns 0-1): all industrial land (``M1``), two enterprises
      per cell, no service at all;
    * **core** (columns 2-3): 20 % industrial (``M1`` strips x 200-220,
      300-320), 80 % residential (``R2``); per cell one enterprise, one shop
      and one school on the street within 50 m of x = 300;
    * **fringe** (column 4): 10 % residential (``R2``, x 400-410), no POI;
    * **empty** (column 5): no land use, no POI.

    Known answers with the config of :func:`write_domain_story_zone` (``shift``
    off, equal weights; U1 = {industrial_share, poi_density_enterprise}, U2 =
    {residential_share, poi_density_retail, poi_density_education}), over the
    15 analysed units (the empty column is "no data"):

    * U1: belt 1, core (0.2 + 0.5) / 2 = 0.35, fringe 0;
    * U2: belt 0, core 1, fringe 0.125 / 3 = 0.041667;
    * D (classic): belt 0 (C = 0), fringe 0, core
      :math:`\sqrt{C T}` with :math:`C = 2\sqrt{0.35}/1.35`, :math:`T = 0.675`: 0.769161;
    * types: belt industry-leading (industrial empty city), core city-leading,
      fringe both low;
    * gaps (100 m, retail and education): the six belt cells lack both (the
      nearest shop is 140 m or 240 m away along the street); core cells have both
      within 40 m.

    Returns
    -------
    dict of str to GeoDataFrame
        ``landuse`` (column ``code``), ``pois`` (columns ``kind``, ``name``),
        ``roads`` (column ``name``), all in EPSG:32650.
    """
    boxes = [(0, 200, "M1"), (200, 220, "M1"), (220, 300, "R2"), (300, 320, "M1"),
             (320, 400, "R2"), (400, 410, "R2")]
    landuse = gpd.GeoDataFrame(
        {"code": [b[2] for b in boxes]},
        geometry=[shapely.box(x0, 0, x1, 300) for x0, x1, _ in boxes], crs=CRS)
    rows = (50.0, 150.0, 250.0)
    pts: list[tuple[str, str, float, float]] = []
    for y in rows:
        pts += [("企业", "工厂", x, y) for x in (30.0, 70.0, 130.0, 170.0)]  # belt: 2 per cell
        pts += [("企业", "公司", 210.0, y), ("企业", "公司", 390.0, y),  # core: 1 per cell
                ("购物", "超市", 290.0, y), ("学校", "小学", 280.0, y),
                ("购物", "便利店", 310.0, y), ("学校", "幼儿园", 320.0, y)]
    pois = gpd.GeoDataFrame(
        {"kind": [p[0] for p in pts], "name": [p[1] for p in pts]},
        geometry=gpd.points_from_xy([p[2] for p in pts], [p[3] for p in pts]), crs=CRS)
    xs = np.arange(0, 601, 50, dtype=float)
    lines = [shapely.LineString([(a, y), (b, y)]) for y in rows
             for a, b in zip(xs[:-1], xs[1:], strict=True)]
    ys = (0.0, 50.0, 150.0, 250.0, 300.0)
    lines += [shapely.LineString([(x, a), (x, b)]) for x in (0.0, 300.0, 600.0)
              for a, b in zip(ys[:-1], ys[1:], strict=True)]
    roads = gpd.GeoDataFrame({"name": ["street"] * len(lines)}, geometry=lines, crs=CRS)
    return {"landuse": landuse, "pois": pois, "roads": roads}


def write_zone_layers(folder: str | Path, zone: dict[str, Any], *,
                      poi_classes: dict[str, str]) -> None:
    """Write a generated zone as a planner brings it: ``zone.gpkg``, ``pois.csv``, mappings.

    Parameters
    ----------
    folder : str or Path
        Existing folder.
    zone : dict
        ``landuse`` (GeoDataFrame with a GB 50137 ``code`` column: M1 industrial,
        R2 residential), ``roads`` (GeoDataFrame) and ``pois`` (a GeoDataFrame of
        points, or a DataFrame with ``x`` / ``y`` in metres) with ``kind`` and
        ``name`` columns, in one metric CRS.
    poi_classes : dict of str to str
        POI ``kind`` -> canonical category, written as ``poi_map.csv``.

    Returns
    -------
    None
        Writes ``zone.gpkg`` (layers ``landuse`` and ``roads``), ``pois.csv``
        (UTF-8, ``name``, ``kind``, ``x``, ``y``), ``landuse_map.csv`` and
        ``poi_map.csv`` into ``folder``.
    """
    folder = Path(folder)
    zone["landuse"].to_file(folder / "zone.gpkg", layer="landuse", driver="GPKG")
    zone["roads"].to_file(folder / "zone.gpkg", layer="roads", driver="GPKG")
    pois = zone["pois"]
    if isinstance(pois, gpd.GeoDataFrame):
        pois = pd.DataFrame({"name": pois["name"], "kind": pois["kind"],
                             "x": pois.geometry.x, "y": pois.geometry.y})
    pois.to_csv(folder / "pois.csv", index=False, encoding="utf-8")
    (folder / "landuse_map.csv").write_text(
        "value,class\nM1,industrial\nR2,residential\n", encoding="utf-8")
    (folder / "poi_map.csv").write_text(
        "value,class\n" + "".join(f"{k},{v}\n" for k, v in poi_classes.items()),
        encoding="utf-8")


def write_domain_story_zone(folder: str | Path, *, rule: str = "urban_land") -> Path:
    """Write :func:`domain_story_zone` as files with a TOML config.

    Parameters
    ----------
    folder : str or Path
        Existing folder.
    rule : str, default "urban_land"
        ``[domain] rule`` of the config.

    Returns
    -------
    Path
        The config file ``zone.toml`` (land use and roads in ``zone.gpkg``,
        POIs in ``pois.csv`` with x / y in metres).
    """
    folder = Path(folder)
    write_zone_layers(folder, domain_story_zone(),
                      poi_classes={"企业": "enterprise", "购物": "retail", "学校": "education"})
    cfg = folder / "zone.toml"
    cfg.write_text(f"""[study]
name = "domain story zone"

[grid]
cell_size = 100

[landuse]
path = "zone.gpkg"
layer = "landuse"
class_column = "code"
mapping = "landuse_map.csv"

[pois]
path = "pois.csv"
crs = "EPSG:32650"
class_column = "kind"
mapping = "poi_map.csv"

[roads]
path = "zone.gpkg"
layer = "roads"

[domain]
rule = "{rule}"

[coupling]
shift = false
weights = "equal"

[coupling.industry]
industrial_share = "+"
poi_density_enterprise = "+"

[coupling.urban]
residential_share = "+"
poi_density_retail = "+"
poi_density_education = "+"

[gaps]
distance = 100
categories = ["retail", "education"]
units = "cells"

[output]
dir = "out"
""", encoding="utf-8")
    return cfg
