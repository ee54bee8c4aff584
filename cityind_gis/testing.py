"""Small generated layers with answers worked out by hand, for tests, docs and scripts."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["three_cell_town", "write_three_cell_town", "random_points"]

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
    (folder / "poi_map.csv").write_text("value,class\n企业,enterprise\n购物,retail\n", encoding="utf-8")
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
