"""`workflow.run` with buildings, industry subtypes, kernel density and land cover.

Most runs use the three-cell town (:func:`cityind_gis.testing.three_cell_town`), whose
cells are x 0-100 (land M1), 100-200 (M2 on x 100-150, R2 on 150-200) and 200-300 (R2),
all y 0-100 in EPSG:32650.
"""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import InputError
from cityind_gis.cli import main
from cityind_gis.config import load_config, sample_config
from cityind_gis.testing import write_china_park, write_china_park_buildings, write_three_cell_town
from cityind_gis.workflow import run, write_outputs

UTM50 = "EPSG:32650"

# Four buildings on the town, without a use column (all take the use of the land):
#   A x 10-30   on M1, 3 storeys   -> industrial, cell 0
#   B x 120-140 on M2, 2 storeys   -> industrial, cell 1
#   C x 145-165 (y 10-30) astride M2 | R2, storeys unknown (default 1); its representative
#     point (155, 20) is on R2 -> residential, but 5 m x 20 m of it stands on M2
#   D x 220-240 on R2, 5 storeys   -> residential, cell 2
TOWN_BUILDINGS = gpd.GeoDataFrame(
    {"floors": pd.array([3, 2, None, 5], dtype="Int64")},
    geometry=[shapely.box(10, 60, 30, 80), shapely.box(120, 60, 140, 80),
              shapely.box(145, 10, 165, 30), shapely.box(220, 60, 240, 80)],
    crs=UTM50,
)
BUILDINGS_SECTION = """
[buildings]
path = "town.gpkg"
layer = "buildings"
levels_column = "floors"
"""


def _town(folder, *, buildings=True, extra="", pois=None):
    """The town's config, with buildings in town.gpkg and ``extra`` TOML appended.

    ``pois`` replaces pois.csv: rows of (kind, x, y, industry code).
    """
    cfg = write_three_cell_town(folder)
    text = cfg.read_text(encoding="utf-8")
    if buildings:
        TOWN_BUILDINGS.to_file(folder / "town.gpkg", layer="buildings", driver="GPKG")
        text += BUILDINGS_SECTION
    if pois is not None:
        table = pd.DataFrame(pois, columns=["kind", "x", "y", "行业代码"])
        table.insert(0, "name", [f"poi {k}" for k in range(len(table))])
        table.to_csv(folder / "pois.csv", index=False, encoding="gbk")
    cfg.write_text(text + extra, encoding="utf-8")
    return cfg


def _with_section_key(text, section, line):
    """Insert ``line`` right after the ``[section]`` header."""
    return text.replace(f"[{section}]\n", f"[{section}]\n{line}\n", 1)


# --- buildings -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def town_with_buildings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town_buildings")
    return run(load_config(_town(folder)))


def test_building_columns_known_answer(town_with_buildings):
    grid = town_with_buildings.grid
    assert grid["building_footprint_industrial"].tolist() == pytest.approx([400.0, 400.0, 0.0])
    assert grid["building_floor_area_industrial"].tolist() == pytest.approx([1200.0, 800.0, 0.0])
    assert grid["building_coverage_industrial"].tolist() == pytest.approx([0.04, 0.04, 0.0])
    # cell 0: 1200 / 10,000 m2 of M1; cell 1: (800 + 100 m2 of C x 1 storey) / 5000 m2 of M2;
    # cell 2 has no industrial land
    assert grid["industrial_plot_ratio"].tolist() == pytest.approx([0.12, 0.18, 0.0])


def test_buildings_layer_and_counts(town_with_buildings):
    b = town_with_buildings.buildings
    assert b.crs == UTM50
    assert b["use"].tolist() == ["industrial", "industrial", "residential", "residential"]
    assert b["levels"].tolist() == [3.0, 2.0, 1.0, 5.0]
    params = town_with_buildings.parameters.iloc[0]
    assert params["n_buildings"] == 4 and params["n_industrial_buildings"] == 2


def test_buildings_not_in_default_coupling(town_with_buildings):
    indicators = set(town_with_buildings.weights["indicator"])
    assert not {c for c in indicators if "building" in c or "plot_ratio" in c}


def test_buildings_layer_written_to_gpkg(town_with_buildings, tmp_path):
    import pyogrio

    paths = write_outputs(town_with_buildings, tmp_path)
    assert "buildings" in set(pyogrio.list_layers(paths["gpkg"])[:, 0])
    back = gpd.read_file(paths["gpkg"], layer="buildings")
    assert back["use"].tolist() == ["industrial", "industrial", "residential", "residential"]
    assert back["levels"].tolist() == [3.0, 2.0, 1.0, 5.0]
    grid = gpd.read_file(paths["gpkg"], layer="grid")
    assert grid["industrial_plot_ratio"].tolist() == pytest.approx([0.12, 0.18, 0.0])


def test_buildings_disabled(tmp_path):
    cfg = _town(tmp_path)
    cfg.write_text(_with_section_key(cfg.read_text(encoding="utf-8"), "buildings",
                                     "enabled = false"), encoding="utf-8")
    res = run(load_config(cfg))
    assert res.buildings is None
    assert not [c for c in res.grid.columns if c.startswith("building_") or "plot_ratio" in c]
    assert res.parameters.iloc[0]["n_buildings"] == 0


def test_missing_levels_column_exits_2(tmp_path, capsys):
    cfg = _town(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('levels_column = "floors"',
                                                           'levels_column = "层数"'),
                   encoding="utf-8")
    assert main(["run", str(cfg), "-q"]) == 2
    err = capsys.readouterr().err
    assert "层数" in err and "buildings" in err and "Traceback" not in err


def test_china_park_gbk_buildings_without_use_column(tmp_path):
    """GBK Shapefile in EPSG:4549 with only 层数: uses come from the GB 50137 land use."""
    write_china_park(tmp_path)
    write_china_park_buildings(tmp_path)
    cfg = tmp_path / "park.toml"
    cfg.write_text("""[landuse]
path = "用地现状.shp"
class_column = "用地代码"
mapping = "gb50137"

[pois]
path = "高德POI.csv"
class_column = "typecode"
mapping = "amap"
coords = "gcj02"

[roads]
path = "道路中心线.shp"

[buildings]
path = "建筑轮廓.shp"
levels_column = "层数"

[coupling.industry]
industrial_share = "+"

[coupling.urban]
residential_share = "+"

[gaps]
categories = ["education", "healthcare", "retail", "food", "transit"]
""", encoding="utf-8")
    res = run(load_config(cfg))
    b = res.buildings
    assert b.crs.to_epsg() == 4549
    assert b["use"].tolist() == ["industrial", "industrial", "logistics", "residential",
                                 "logistics"]
    assert b["levels"].tolist() == [2.0, 1.0, 1.0, 6.0, 3.0]  # 层数 0 -> default 1
    grid = res.grid
    # totals do not depend on where the 250 m cell edges fall on the park
    assert grid["building_footprint_industrial"].sum() == pytest.approx(5200.0)
    assert grid["building_floor_area_industrial"].sum() == pytest.approx(6800.0)
    assert grid["landuse_area_industrial"].sum() == pytest.approx(80_000.0)
    # plot ratio x industrial land = floor area on industrial land, whatever its use
    floor_on_land = (grid["industrial_plot_ratio"] * grid["landuse_area_industrial"]).sum()
    assert floor_on_land == pytest.approx(3200.0 + 3600.0 + 200.0 * 3)
    assert res.parameters.iloc[0]["n_industrial_buildings"] == 2
    assert set(b["use_source"]) == {"land_use"}  # no use column: every use from the land


# --- industry diversity ----------------------------------------------------------------------

# two enterprises per cell: divisions 13 and 26 in cell 0, 13 and 13 in cell 1, and in cell 2
# 01 (agriculture: the leading zero must survive) and 11
ENTERPRISES = [("企业", 20, 50, "1310"), ("企业", 30, 50, "2611"),
               ("企业", 110, 50, "1320"), ("企业", 130, 50, "1399"),
               ("企业", 270, 50, "0111"), ("企业", 280, 50, "1120")]
SHOPS = [("购物", 160, 50, ""), ("购物", 240, 50, ""), ("购物", 260, 50, "")]


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("", [math.log(2), math.log(2), math.log(2)]),
     ("industry_digits = 2", [math.log(2), 0.0, math.log(2)])],
    ids=["whole-codes", "divisions"],
)
def test_industry_shannon(tmp_path, digits, expected):
    cfg = _town(tmp_path, buildings=False, pois=ENTERPRISES + SHOPS)
    cfg.write_text(_with_section_key(cfg.read_text(encoding="utf-8"), "pois",
                                     f'industry_column = "行业代码"\n{digits}'), encoding="utf-8")
    res = run(load_config(cfg))
    assert res.grid["industry_shannon"].tolist() == pytest.approx(expected, abs=1e-12)
    pois = res.pois
    industry = pois.loc[pois["category"] == "enterprise", "industry"].tolist()
    if digits:
        assert industry == ["13", "26", "13", "13", "01", "11"]
    else:
        assert industry == ["1310", "2611", "1320", "1399", "0111", "1120"]
    assert pois.loc[pois["category"] == "retail", "industry"].isna().all()


def test_industry_shannon_zero_without_subtypes_in_a_cell(tmp_path):
    pois = [("企业", 20, 50, "1310"), ("企业", 30, 50, "2611"), *SHOPS]
    cfg = _town(tmp_path, buildings=False, pois=pois)
    cfg.write_text(_with_section_key(cfg.read_text(encoding="utf-8"), "pois",
                                     'industry_column = "行业代码"\nindustry_digits = 2'),
                   encoding="utf-8")
    grid = run(load_config(cfg)).grid
    assert grid["industry_shannon"].tolist() == pytest.approx([math.log(2), 0.0, 0.0])


def test_no_industry_column_no_shannon(tmp_path):
    res = run(load_config(_town(tmp_path, buildings=False)))
    assert "industry_shannon" not in res.grid.columns


@pytest.mark.parametrize("key", ["industry_column = \"代码\"", "industry_digits = 2"],
                         ids=["industry_column", "industry_digits"])
def test_industry_keys_refused_in_landuse(tmp_path, key):
    cfg = _town(tmp_path, buildings=False)
    cfg.write_text(_with_section_key(cfg.read_text(encoding="utf-8"), "landuse", key),
                   encoding="utf-8")
    name = key.split(" ")[0]
    with pytest.raises(InputError, match=rf"`\[landuse\]` has key\(s\) \['{name}'\], which "
                                         r"belong in `\[pois\]`"):
        load_config(cfg)


# --- kernel density --------------------------------------------------------------------------

# enterprises 50 m or more from every edge of the 300 m x 100 m grid (bandwidth 40 m)
KDE_POIS = [("企业", 60, 50, ""), ("企业", 150, 50, ""), ("购物", 160, 50, "")]
KDE_SECTION = """
[indicators]
kernel_density = ["enterprise"]
kde_bandwidth = 40
kde_pixel = 5
"""


def test_kernel_density_geotiff(tmp_path):
    import rasterio

    cfg = _town(tmp_path, buildings=False, pois=KDE_POIS, extra=KDE_SECTION)
    res = run(load_config(cfg))
    arr, transform, crs = res.rasters["kde_enterprise"]
    assert arr.shape == (20, 60)
    assert arr.sum() * 5 * 5 / 1e6 == pytest.approx(2.0, rel=1e-5)  # points per km2
    out = tmp_path / "kde"
    paths = write_outputs(res, out)
    assert paths["kde_enterprise"] == out / "kde_enterprise.tif"
    with rasterio.open(paths["kde_enterprise"]) as src:
        assert src.crs.to_epsg() == 32650
        assert tuple(src.bounds) == pytest.approx(tuple(res.grid.total_bounds))
        assert src.res == (5.0, 5.0)
        data = src.read(1)
    assert data.sum() * 25 / 1e6 == pytest.approx(2.0, rel=1e-5)
    # the quartic kernel peaks on the points' pixels: 3 / (pi r^2) per m2
    peak = 3 / (math.pi * 40**2) * 1e6
    assert data.max() == pytest.approx(peak, rel=0.05)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_kernel_density_counts_pois_just_outside(tmp_path):
    # an enterprise 20 m east of the grid (x = 320) still adds density to its last pixels
    cfg = _town(tmp_path, buildings=False, pois=[("企业", 320, 50, ""), *SHOPS],
                extra=KDE_SECTION)
    arr, _, _ = run(load_config(cfg)).rasters["kde_enterprise"]
    inside = arr.sum() * 25 / 1e6
    assert 0.0 < inside < 0.5
    assert arr[:, -1].max() > 0 and arr[:, :50].max() == 0  # nothing west of x = 250


def test_no_kernel_density_no_rasters(tmp_path):
    assert run(load_config(_town(tmp_path, buildings=False))).rasters == {}


def test_kde_bandwidth_below_pixel_refused(tmp_path):
    extra = KDE_SECTION.replace("kde_bandwidth = 40", "kde_bandwidth = 4")
    cfg = _town(tmp_path, buildings=False, pois=KDE_POIS, extra=extra)
    with pytest.raises(InputError, match=r"`\[indicators\] kde_bandwidth` \(4 m\) must be at "
                                         r"least `kde_pixel` \(5 m\)"):
        run(load_config(cfg))


@pytest.mark.parametrize(
    ("value", "message"),
    [('["factories"]', r"holds unknown POI categories \['factories'\]"),
     ('"enterprise"', "must be a list of distinct POI categories"),
     ('["retail", "retail"]', "must be a list of distinct POI categories")],
    ids=["unknown-category", "not-a-list", "duplicate"],
)
def test_bad_kernel_density(tmp_path, value, message):
    cfg = _town(tmp_path, buildings=False, extra=f"\n[indicators]\nkernel_density = {value}\n")
    with pytest.raises(InputError, match=rf"`\[indicators\] kernel_density` {message}"):
        load_config(cfg)


@pytest.mark.parametrize("key", ["kde_bandwidth", "kde_pixel"])
def test_bad_kde_numbers(tmp_path, key):
    cfg = _town(tmp_path, buildings=False, extra=f"\n[indicators]\n{key} = 0\n")
    with pytest.raises(InputError, match=rf"`\[indicators\] {key}` must be a positive number"):
        load_config(cfg)


# --- land cover ------------------------------------------------------------------------------


def _write_raster(path, data, *, x0=0.0, nodata=None):
    """A 10 m raster with its top-left corner at (x0, 100), EPSG:32650."""
    import rasterio
    from affine import Affine

    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1],
                       count=1, dtype=data.dtype, crs=UTM50, nodata=nodata,
                       transform=Affine(10.0, 0.0, x0, 0.0, -10.0, 100.0)) as dst:
        dst.write(data, 1)
    return path


def _clcd_raster(path):
    """CLCD codes on the town's grid, 10 m pixels, 30 x 10.

    cell 0: cropland (1); cell 1: impervious (8) on x 100-150, water (5) on x 150-200;
    cell 2: forest (2) on the top 3 rows, grassland (4) on the next 6, nodata (0) on the last.
    """
    data = np.zeros((10, 30), dtype=np.uint8)
    data[:, :10] = 1
    data[:, 10:15] = 8
    data[:, 15:20] = 5
    data[:3, 20:] = 2
    data[3:9, 20:] = 4
    return _write_raster(path, data, nodata=0)


def test_landcover_shares_clcd(tmp_path):
    _clcd_raster(tmp_path / "clcd.tif")
    cfg = _town(tmp_path, buildings=False, extra='\n[indicators]\nlandcover_raster = "clcd.tif"\n'
                                                   'landcover_classes = "clcd"\n')
    grid = run(load_config(cfg)).grid
    expected = {"cropland": [1, 0, 0], "forest": [0, 0, 0.3], "shrub": [0, 0, 0],
                "grassland": [0, 0, 0.6], "water": [0, 0.5, 0], "snow_ice": [0, 0, 0],
                "barren": [0, 0, 0], "impervious": [0, 0.5, 0], "wetland": [0, 0, 0]}
    for name, shares in expected.items():
        assert grid[f"landcover_share_{name}"].tolist() == pytest.approx(shares, abs=1e-9), name


def test_landcover_default_names_by_value(tmp_path):
    _clcd_raster(tmp_path / "clcd.tif")
    cfg = _town(tmp_path, buildings=False,
                extra='\n[indicators]\nlandcover_raster = "clcd.tif"\n')
    grid = run(load_config(cfg)).grid
    cols = sorted(c for c in grid.columns if c.startswith("landcover_share_"))
    # every value present except nodata 0
    assert cols == [f"landcover_share_{v}" for v in (1, 2, 4, 5, 8)]
    assert grid["landcover_share_8"].tolist() == pytest.approx([0, 0.5, 0])


@pytest.mark.parametrize("dtype", ["uint8", "int32"])  # lookup table / sorted search paths
def test_landcover_custom_table_fractional_pixels(tmp_path, dtype):
    # pixels offset 5 m from the cell edges: the column on x 95-105 is built-up, the rest
    # farmland, so each side of x = 100 gets 5 m x 100 m = 5 % built-up
    data = np.ones((10, 31), dtype=dtype)
    data[:, 10] = 2
    _write_raster(tmp_path / "lc.tif", data, x0=-5.0)
    cfg = _town(tmp_path, buildings=False,
                extra='\n[indicators]\nlandcover_raster = "lc.tif"\n'
                      'landcover_classes = {"2" = "built_up", "1" = "farmland"}\n')
    grid = run(load_config(cfg)).grid
    assert grid["landcover_share_built_up"].tolist() == pytest.approx([0.05, 0.05, 0.0])
    assert grid["landcover_share_farmland"].tolist() == pytest.approx([0.95, 0.95, 1.0])


@pytest.mark.parametrize(
    ("value", "message"),
    [('"corine"', "must be a bundled legend"),
     ('{"ten" = "tree_cover"}', "table mapping integer pixel values to class names"),
     ('{"1" = "耕地"}', r"names \['耕地'\] are not usable column names"),
     ('{"1" = "Built-Up"}', "are not usable column names"),
     ("{}", "table mapping integer pixel values")],
    ids=["unknown-legend", "non-integer-key", "chinese-name", "not-snake-case", "empty"],
)
def test_bad_landcover_classes(tmp_path, value, message):
    cfg = _town(tmp_path, buildings=False, extra=f"\n[indicators]\nlandcover_classes = {value}\n")
    with pytest.raises(InputError, match=rf"`\[indicators\] landcover_classes`.*{message}"):
        load_config(cfg)


# --- Kouvola sample (OSM buildings) ----------------------------------------------------------


@pytest.fixture(scope="module")
def kouvola():
    import warnings

    # the sample is a small pyrosm test extract: its data-quality notes (degenerate OSM
    # polygons, service categories absent from the area) are not what is tested here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return run(sample_config("kouvola"))


@pytest.mark.slow
def test_kouvola_osm_buildings(kouvola):
    b = kouvola.buildings
    n_industrial = int((b["use"] == "industrial").sum())
    assert n_industrial > 0
    assert kouvola.parameters.iloc[0]["n_industrial_buildings"] == n_industrial
    assert not b["use"].eq("unknown").any()  # generic buildings took the use of their land
    assert (b["levels"] >= 1).all()
    grid = kouvola.grid
    no_industry = grid["industrial_share"] == 0
    assert no_industry.any()
    assert (grid.loc[no_industry, "industrial_plot_ratio"] == 0).all()
    assert (grid.loc[~no_industry, "industrial_plot_ratio"] >= 0).all()
    assert grid["building_floor_area_industrial"].sum() > 0


# --- config checks found while documenting -----------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('[indicators]\nlandcover_classes = "clcd"\n', r"`landcover_raster` is not"),
        ('[indicators]\nkernel_density = ["all"]\nkde_bandwidth = 20\nkde_pixel = 50\n',
         r"`\[indicators\] kde_bandwidth` \(20 m\) must be at least `kde_pixel` \(50 m\)"),
    ],
    ids=["classes-without-raster", "bandwidth-below-pixel"],
)
def test_indicator_keys_checked_when_read(tmp_path, extra, match):
    with pytest.raises(InputError, match=match):
        load_config(_town(tmp_path, buildings=False, extra=extra))


def test_landcover_duplicate_names_refused(tmp_path):
    (tmp_path / "lc.tif").write_bytes(b"")
    extra = ('[indicators]\nlandcover_raster = "lc.tif"\n'
             '[indicators.landcover_classes]\n8 = "built"\n5 = "built"\n')
    with pytest.raises(InputError, match=r"gives the name\(s\) \['built'\] to several"):
        load_config(_town(tmp_path, buildings=False, extra=extra))


def test_osm_buildings_with_a_missing_column_exit_2(tmp_path, capsys):
    from cityind_gis.config import sample_path

    cfg = tmp_path / "osm.toml"
    cfg.write_text(f'[osm]\npath = "{sample_path("kouvola").as_posix()}"\n'
                   '[buildings]\nclass_column = "type"\n', encoding="utf-8")
    assert main(["validate", str(cfg)]) == 2 or "FAIL buildings" in capsys.readouterr().out
    assert main(["run", str(cfg), "-q", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "names column(s) ['type'], but buildings read from the OSM file" in err
    assert "Traceback" not in err


def test_osm_industry_subtype_is_the_enterprise_tag():
    """A POI with an unmapped amenity and office=company gets office=company, not amenity=..."""
    from cityind_gis.io.layers import osm_industry_subtypes as _osm_industry_subtypes
    from cityind_gis.taxonomy import load_mapping

    raw = pd.DataFrame({"amenity": ["no_such_amenity", None, "school"],
                        "office": ["company", None, None], "craft": [None, "brewery", None]})
    got = _osm_industry_subtypes(raw, load_mapping("osm_poi"))
    assert got.tolist() == ["office=company", "craft=brewery", None]


# --- life circles on the grid ------------------------------------------------------------------


def test_life_circle_columns_known_answer(tmp_path):
    """The three-cell town: hand-checked scores from the run's own walking distances."""
    from cityind_gis.network import life_circle_coverage, life_circle_requirements

    cfg = load_config(_town(tmp_path, buildings=False))
    grid = run(cfg).grid
    for m in (5, 10, 15):
        assert {f"lc{m}_score", f"lc{m}_complete", f"lc{m}_missing"} <= set(grid.columns)
    req = life_circle_requirements()
    # the town's facilities: every required category absent except those with net_dist columns
    d = grid[[c for c in grid.columns if c.startswith("net_dist_")]].copy()
    for c in pd.unique(req["poi_category"]):
        if f"net_dist_{c}" not in d.columns:
            d[f"net_dist_{c}"] = np.nan
    want = life_circle_coverage(d, req)
    # categories outside [gaps] are computed for the circles too; in the town they are absent
    assert grid["lc_score"].tolist() == pytest.approx(want["lc_score"].tolist())
    assert grid["lc15_missing"].iloc[0] == want["lc15_missing"].iloc[0]
    k15 = int((req["level"] == "15min").sum())
    met15 = (d[[f"net_dist_{c}" for c in req.loc[req["level"] == "15min", "poi_category"]]]
             .to_numpy() <= 1000).sum(axis=1)
    assert grid["lc15_score"].tolist() == pytest.approx((met15 / k15).tolist())


def test_life_circles_can_be_switched_off(tmp_path):
    cfg = load_config(_town(tmp_path, buildings=False,
                            extra="[accessibility]\nlife_circles = false\n"))
    assert not [c for c in run(cfg).grid.columns if c.startswith("lc")]


def test_life_circles_value_checked(tmp_path):
    with pytest.raises(InputError, match=r"`\[accessibility\] life_circles` must be true or false"):
        load_config(_town(tmp_path, buildings=False, extra="[accessibility]\nlife_circles = 1\n"))


def test_amap_names_are_kept(tmp_path):
    """Amap exports name their POIs 名称: the pois layer keeps them as `name`."""
    cfg = tmp_path / "park.toml"
    write_china_park(tmp_path)
    cfg.write_text('[landuse]\npath = "用地现状.shp"\nclass_column = "用地代码"\n'
                   'mapping = "gb50137"\n'
                   '[pois]\npath = "高德POI.csv"\nclass_column = "typecode"\nmapping = "amap"\n'
                   'coords = "gcj02"\n[roads]\npath = "道路中心线.shp"\n'
                   '[buildings]\nenabled = false\n'
                   '[coupling.industry]\nindustrial_share = "+"\n[coupling.urban]\n'
                   'residential_share = "+"\n', encoding="utf-8")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pois = run(load_config(cfg)).pois
    table = pd.read_csv(tmp_path / "高德POI.csv", encoding="utf-8-sig")
    assert pois["name"].tolist() == table["名称"].tolist()


def test_cli_summary_reports_buildings_and_life_circles(tmp_path, capsys):
    # industrial land 10,000 + 5,000 m2; floor area on it 1,200 + 900 m2 -> 2,100 / 15,000
    cfg = _town(tmp_path)
    assert main(["run", str(cfg), "-q", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Buildings: 4, of which industrial 2; plot ratio of industrial land 0.14" in out
    assert "Life circles (5/10/15 min): mean coverage" in out
