"""Synthetic metropolis for the indicator benchmarks, at three sizes.

Everything is generated with ``numpy.random.default_rng(seed)`` in WGS 84 / UTM
zone 50N (EPSG:32650) around (400 000, 3 400 000), so the layers are realistic in
size and structure but need no download:

- POIs: a mixture of uniform points and Gaussian clusters (city centres), in 10
  categories, stored as a pandas categorical column ``category``;
- land use: a Voronoi tessellation of random seeds (parcels, no gaps) with
  canonical classes drawn with realistic frequencies, plus 5 % extra polygons
  (factories drawn over residential areas, parks over anything) that overlap the
  parcels, so overlap resolution is exercised;
- land cover: a uint8 raster of 10 classes made of blobs (nearest of random
  seeds on a coarse grid, upsampled), written as a tiled GeoTIFF whose pixels
  align with the 250 m grid.

Buildings (``buildings``): 20 000 / 200 000 / 1 000 000 rectangles of unknown use.

Sizes (``SIZES``): ``small`` (6 km, 50 000 POIs, 1 000 parcels, 1 000² pixels),
``medium`` (20 km, 500 000 POIs, 10 000 parcels, 3 200² pixels) and ``large``
(60 km, 5 000 000 POIs, 100 000 parcels, 10 000² pixels of 6.25 m, i.e. a
62.5 km square that covers the city).

Usage::

    .venv/bin/python bench/synthetic.py large /tmp/metro   # writes landcover.tif, prints sizes
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:32650"
X0, Y0 = 400_000.0, 3_400_000.0

#: name -> (side m, POIs, land-use polygons, raster pixels per side)
SIZES: dict[str, tuple[float, int, int, int]] = {
    "small": (6_000.0, 50_000, 1_000, 1_000),
    "medium": (20_000.0, 500_000, 10_000, 3_200),
    "large": (60_000.0, 5_000_000, 100_000, 10_000),
}

POI_CATEGORIES = ("enterprise", "education", "healthcare", "retail", "food", "finance",
                  "leisure", "culture", "public_admin", "transit")
_POI_P = np.array([0.12, 0.06, 0.05, 0.25, 0.22, 0.05, 0.08, 0.03, 0.04, 0.10])
LANDUSE_CLASSES = ("industrial", "logistics", "residential", "commercial", "business",
                   "administration", "education", "healthcare", "culture_sports", "transport",
                   "utilities", "green", "water", "agriculture", "other")
_LU_P = np.array([0.14, 0.04, 0.30, 0.06, 0.04, 0.02, 0.03, 0.01, 0.02, 0.08, 0.02, 0.10,
                  0.04, 0.08, 0.02])


def bounds(size: str) -> tuple[float, float, float, float]:
    """Extent of the city, metres in EPSG:32650."""
    side = SIZES[size][0]
    return (X0, Y0, X0 + side, Y0 + side)


def pois(size: str, *, seed: int = 0) -> gpd.GeoDataFrame:
    """Clustered POIs in 10 categories (categorical column ``category``)."""
    side, n, _, _ = SIZES[size]
    rng = np.random.default_rng(seed)
    n_uniform = n // 2
    centres = rng.uniform(0.1 * side, 0.9 * side, size=(20, 2))
    which = rng.integers(0, len(centres), n - n_uniform)
    clustered = centres[which] + rng.normal(0.0, side / 25, size=(n - n_uniform, 2))
    xy = np.vstack([rng.uniform(0, side, size=(n_uniform, 2)), clustered])
    xy = np.clip(xy, 0.0, np.nextafter(side, 0.0))
    cat = pd.Categorical.from_codes(rng.choice(len(POI_CATEGORIES), n, p=_POI_P),
                                    categories=list(POI_CATEGORIES))
    return gpd.GeoDataFrame({"category": cat},
                            geometry=gpd.points_from_xy(X0 + xy[:, 0], Y0 + xy[:, 1]), crs=CRS)


def landuse(size: str, *, seed: int = 0) -> gpd.GeoDataFrame:
    """Voronoi parcels with canonical classes, plus 5 % overlapping polygons."""
    side, _, n, _ = SIZES[size]
    rng = np.random.default_rng(seed + 1)
    n_base = int(n * 0.95)
    seeds = shapely.multipoints(rng.uniform(0, side, size=(n_base, 2)) + [X0, Y0])
    extent = shapely.box(*bounds(size))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=extent))
    cells = shapely.intersection(cells, extent)
    cells = cells[shapely.area(cells) > 0]
    extra_n = n - len(cells)
    cx, cy = rng.uniform(0, side, extra_n) + X0, rng.uniform(0, side, extra_n) + Y0
    half = np.sqrt(side * side / n) * rng.uniform(0.3, 0.8, extra_n)
    extra = shapely.box(cx - half, cy - half, cx + half, cy + half)
    geoms = np.concatenate([cells, extra])
    picks = rng.choice(len(LANDUSE_CLASSES), len(geoms), p=_LU_P)
    cls = np.array(LANDUSE_CLASSES, dtype=object)[picks]
    return gpd.GeoDataFrame({"class": cls}, geometry=geoms, crs=CRS)


#: name -> building outlines (``buildings``)
N_BUILDINGS: dict[str, int] = {"small": 20_000, "medium": 200_000, "large": 1_000_000}


def buildings(size: str, *, seed: int = 0) -> gpd.GeoDataFrame:
    """Rectangular building outlines (8-40 m sides), 1-30 storeys, use unknown (``"unknown"``).

    Denser where POIs cluster; about a fifth of them straddle a parcel edge.
    """
    side = SIZES[size][0]
    n = N_BUILDINGS[size]
    rng = np.random.default_rng(seed + 3)
    cx, cy = rng.uniform(0, side, n) + X0, rng.uniform(0, side, n) + Y0
    w, h = rng.uniform(8, 40, n), rng.uniform(8, 40, n)
    geoms = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    return gpd.GeoDataFrame({"use": np.full(n, "unknown", dtype=object),
                             "levels": rng.integers(1, 31, n).astype(float)},
                            geometry=geoms, crs=CRS)


def landcover(size: str, path: str | Path, *, seed: int = 0) -> Path:
    """Write a uint8 land-cover GeoTIFF (classes 1-10, 0 = nodata) and return its path.

    Pixels are ``250 / k`` m with ``k`` chosen so the raster covers the city, so
    pixel edges fall on the 250 m grid lines.
    """
    import rasterio
    from rasterio.transform import from_origin

    side, _, _, n_px = SIZES[size]
    px = 250.0 / int(np.floor(n_px * 250.0 / side))
    rng = np.random.default_rng(seed + 2)
    coarse = rng.integers(1, 11, size=(n_px // 50 + 1, n_px // 50 + 1), dtype=np.uint8)
    out = Path(path)
    profile = {"driver": "GTiff", "width": n_px, "height": n_px, "count": 1, "dtype": "uint8",
               "crs": CRS, "transform": from_origin(X0, Y0 + n_px * px, px, px), "nodata": 0,
               "tiled": True, "blockxsize": 512, "blockysize": 512}
    with rasterio.open(out, "w", **profile) as dst:
        step = 1000
        for r0 in range(0, n_px, step):  # strips keep memory flat
            rows = np.arange(r0, min(r0 + step, n_px))
            block = np.repeat(np.repeat(coarse[rows // 50][:, :], 50, axis=1)[:, :n_px], 1, axis=0)
            noise = rng.random(block.shape) < 0.02
            block = np.where(noise, rng.integers(0, 11, size=block.shape, dtype=np.uint8), block)
            dst.write(block.astype(np.uint8), 1,
                      window=rasterio.windows.Window(0, r0, n_px, len(rows)))
    return out


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "small"
    folder = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp")
    folder.mkdir(parents=True, exist_ok=True)
    print(len(pois(name)), "POIs;", len(landuse(name)), "land-use polygons;",
          landcover(name, folder / f"landcover_{name}.tif"))
