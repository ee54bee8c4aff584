"""The industrial subsystem: parcels, Polsby-Popper, estimated jobs, land diversity, U1 defaults.

Every answer is worked by hand on 100 m cells of ``make_grid((0, 0, 200, 200), 100)`` (cells
0 | 1 on the south row, 2 | 3 on the north row) in UTM 50N, unless a test says otherwise.
"""

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import CRSError, InputError, SchemaError
from cityind_gis.config.sections import CouplingConfig
from cityind_gis.indicators import compute_indicators
from cityind_gis.indicators.industry import (
    INDUSTRY_CLASSES,
    estimated_jobs,
    industrial_land_diversity,
    industrial_parcels,
    job_densities,
    polsby_popper,
)
from cityind_gis.indicators.registry import default_registry
from cityind_gis.taxonomy import landuse_classes
from cityind_gis.units import make_grid
from cityind_gis.workflow.stages import _subsystem, default_indicators

UTM50 = "EPSG:32650"
CGCS = "EPSG:4547"


def _landuse(rows, crs=UTM50):
    """(class, source_value, (x0, y0, x1, y1)) rows -> land-use polygons."""
    return gpd.GeoDataFrame({"class": [r[0] for r in rows], "source_value": [r[1] for r in rows]},
                            geometry=[shapely.box(*r[2]) for r in rows], crs=crs)


def _buildings(rows, crs=UTM50):
    """(use, levels, (x0, y0, x1, y1)) rows -> building polygons."""
    return gpd.GeoDataFrame({"use": [r[0] for r in rows], "levels": [float(r[1]) for r in rows]},
                            geometry=[shapely.box(*r[2]) for r in rows], crs=crs)


# --- Polsby-Popper ---------------------------------------------------------------------------


@pytest.mark.parametrize(("geom", "expected"), [
    (shapely.box(0, 0, 100, 100), math.pi / 4),                       # 4pi 1e4 / 400^2
    (shapely.box(0, 0, 200, 50), 4 * math.pi * 10_000 / 500**2),      # = 0.16 pi
    # 100 m square with a 50 m hole: A = 7,500, P = 400 + 200 -> 4pi 7500 / 600^2 = pi / 12
    (shapely.box(0, 0, 100, 100).difference(shapely.box(25, 25, 75, 75)), math.pi / 12),
    # two 50 m squares as one multipolygon: A = 5,000, P = 400 -> 4pi 5000 / 400^2 = pi / 8
    (shapely.MultiPolygon([shapely.box(0, 0, 50, 50), shapely.box(100, 0, 150, 50)]),
     math.pi / 8),
], ids=["square", "rectangle_4x1", "square_with_hole", "multipolygon"])
def test_polsby_popper_known_answer(geom, expected):
    out = polsby_popper(gpd.GeoSeries([geom], index=[7], crs=UTM50))
    assert out.name == "polsby_popper" and out.index.tolist() == [7]
    assert out.iloc[0] == pytest.approx(expected, rel=1e-12)


def test_polsby_popper_circle_near_one_and_empty_nan():
    geoms = gpd.GeoSeries([shapely.Point(0, 0).buffer(50, quad_segs=256), shapely.Polygon()],
                          crs=CGCS)
    out = polsby_popper(geoms)
    assert 0.9999 < out.iloc[0] <= 1.0
    assert np.isnan(out.iloc[1])


def test_polsby_popper_refuses_a_geographic_crs():
    with pytest.raises(CRSError, match="geographic CRS"):
        polsby_popper(gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs="EPSG:4326"))


# --- parcel size and compactness -------------------------------------------------------------


def test_parcels_known_answer_with_a_parcel_across_a_border(grid_2x2):
    lu = _landuse([
        ("industrial", "M1", (0, 0, 100, 100)),       # cell 0: one 1 ha square
        ("residential", "R2", (100, 0, 200, 100)),    # cell 1: no industrial parcel
        ("logistics", "W1", (0, 100, 200, 150)),      # 200 x 50 across cells 2 | 3
        ("industrial", "M2", (150, 150, 200, 200)),   # cell 3: a 50 m square
    ])
    out = industrial_parcels(grid_2x2, lu)
    # cell 2: the whole 1 ha parcel, PP 0.16 pi; cell 3: 5,000 m2 of it and 2,500 m2 of the
    # 0.25 ha square: (5000 * 1 + 2500 * 0.25) / 7500 = 0.75 ha and
    # (5000 * 0.16 pi + 2500 * pi / 4) / 7500 = 0.19 pi
    assert out["industrial_parcel_size_ha"].tolist() == pytest.approx([1.0, 0.0, 1.0, 0.75])
    assert out["industrial_parcel_compactness"].tolist() == pytest.approx(
        [math.pi / 4, 0.0, 0.16 * math.pi, 0.19 * math.pi])
    assert out.index.equals(grid_2x2.index)


def test_parcels_outside_the_units_keep_their_whole_size(grid_2x2):
    # a 300 x 100 m parcel of which only x 100-200 lies in the grid (cell 1)
    lu = _landuse([("industrial", "M1", (100, 0, 400, 100))])
    out = industrial_parcels(grid_2x2, lu)
    assert out["industrial_parcel_size_ha"].tolist() == pytest.approx([0.0, 3.0, 0.0, 0.0])
    assert out.loc[1, "industrial_parcel_compactness"] == pytest.approx(
        4 * math.pi * 30_000 / 800**2)


def test_parcels_multipolygon_parts_are_parcels(grid_2x2):
    two = shapely.MultiPolygon([shapely.box(0, 0, 50, 50), shapely.box(50, 50, 100, 100)])
    lu = gpd.GeoDataFrame({"class": ["industrial"]}, geometry=[two], crs=UTM50)
    out = industrial_parcels(grid_2x2, lu)
    # two 0.25 ha squares, not one 0.5 ha parcel
    assert out.loc[0, "industrial_parcel_size_ha"] == pytest.approx(0.25)
    assert out.loc[0, "industrial_parcel_compactness"] == pytest.approx(math.pi / 4)


@pytest.mark.parametrize("rows", [[], [("residential", "R2", (0, 0, 200, 200))]],
                         ids=["empty_layer", "no_industry"])
def test_parcels_without_industry_are_zero(grid_2x2, rows):
    lu = (_landuse(rows) if rows
          else gpd.GeoDataFrame({"class": []}, geometry=[], crs=UTM50))
    out = industrial_parcels(grid_2x2, lu)
    assert (out.to_numpy() == 0).all()


def test_parcels_do_not_mutate_and_check_crs(grid_2x2):
    lu = _landuse([("industrial", "M1", (0, 0, 100, 100))])
    before = lu.copy()
    industrial_parcels(grid_2x2, lu)
    pd.testing.assert_frame_equal(pd.DataFrame(lu), pd.DataFrame(before))
    with pytest.raises(CRSError, match="CRS"):
        industrial_parcels(grid_2x2, lu.to_crs(CGCS))
    with pytest.raises(InputError, match="unknown class"):
        industrial_parcels(grid_2x2, lu, classes=("factory",))


# --- job densities and estimated jobs --------------------------------------------------------


def test_bundled_job_densities():
    t = job_densities()
    assert list(t.index) == list(INDUSTRY_CLASSES) == ["industrial", "logistics"]
    assert t["floor_area_per_job_m2"].tolist() == [36.0, 77.0]
    assert t["default_plot_ratio"].tolist() == [0.7, 0.7]
    assert t["floor_basis"].tolist() == ["GIA", "GEA"]


def test_industry_classes_are_the_taxonomy_industry_group():
    lc = landuse_classes()
    assert set(INDUSTRY_CLASSES) == set(lc.index[lc["group"] == "industry"])


def test_jobs_from_land_known_answer(grid_2x2):
    area = pd.DataFrame({"landuse_area_industrial": [1000.0, 0, 0, 3600.0],
                         "landuse_area_logistics": [1100.0, 0, 0, 0]}, index=grid_2x2.index)
    out = estimated_jobs(grid_2x2, landuse_area=area)
    # cell 0: 1000 * 0.7 / 36 + 1100 * 0.7 / 77 = 19.444 + 10; cell 3: 3600 * 0.7 / 36 = 70
    jobs = [700 / 36 + 10, 0.0, 0.0, 70.0]
    assert out["industrial_jobs"].tolist() == pytest.approx(jobs)
    assert out["industrial_job_density"].tolist() == pytest.approx(jobs)  # 1 ha cells
    assert out.attrs["floor_area_from"] == "land"


def test_jobs_from_buildings_known_answer(grid_2x2):
    b = _buildings([
        ("industrial", 2, (10, 10, 46, 30)),      # cell 0: 720 m2 x 2 = 1,440 m2 -> 40 jobs
        ("logistics", 1, (110, 10, 187, 20)),     # cell 1: 770 m2 -> 10 jobs
        ("residential", 6, (10, 110, 90, 190)),   # not production: no jobs
        ("industrial", 1, (90, 150, 110, 186)),   # 720 m2 astride cells 2 | 3: 10 jobs each
    ])
    area = pd.DataFrame({"landuse_area_industrial": [9e9] * 4, "landuse_area_logistics": 0.0},
                        index=grid_2x2.index)  # ignored: buildings win
    out = estimated_jobs(grid_2x2, landuse_area=area, buildings=b)
    assert out["industrial_jobs"].tolist() == pytest.approx([40.0, 10.0, 10.0, 10.0])
    assert out.attrs["floor_area_from"] == "buildings"


def test_jobs_job_density_per_hectare_of_the_unit():
    cells = make_grid((0, 0, 200, 200), cell_size=200, crs=CGCS)  # one cell of 4 ha
    area = pd.DataFrame({"landuse_area_industrial": [3600.0], "landuse_area_logistics": [0.0]},
                        index=cells.index)
    out = estimated_jobs(cells, landuse_area=area)
    assert out["industrial_jobs"].iloc[0] == pytest.approx(70.0)
    assert out["industrial_job_density"].iloc[0] == pytest.approx(17.5)  # 70 jobs / 4 ha


def test_jobs_user_table_csv_and_frame(grid_2x2, tmp_path):
    path = tmp_path / "dens.csv"
    path.write_text("# light industry\nclass,floor_area_per_job_m2,default_plot_ratio\n"
                    "industrial,72,1.0\nlogistics,100,0.5\n", encoding="utf-8")
    area = pd.DataFrame({"landuse_area_industrial": [720.0, 0, 0, 0],
                         "landuse_area_logistics": [0, 1000.0, 0, 0]}, index=grid_2x2.index)
    # 720 * 1.0 / 72 = 10; 1000 * 0.5 / 100 = 5
    got = estimated_jobs(grid_2x2, landuse_area=area, densities=path)
    assert got["industrial_jobs"].tolist() == pytest.approx([10.0, 5.0, 0.0, 0.0])
    frame = job_densities(path)
    again = estimated_jobs(grid_2x2, landuse_area=area, densities=frame)
    pd.testing.assert_frame_equal(got, again)


@pytest.mark.parametrize(("text", "pattern"), [
    ("class,floor_area_per_job_m2,default_plot_ratio\nindustrial,36,0.7\n",
     r"no row for \['logistics'\]"),
    ("class,floor_area_per_job_m2,default_plot_ratio\nindustrial,36,0.7\nlogistics,-1,0.7\n",
     r"`floor_area_per_job_m2` is not a positive number for \['logistics'\]"),
    ("class,floor_area_per_job_m2,default_plot_ratio\nindustrial,36,0.7\nlogistics,77,0.7\n"
     "factory,40,1\n", r"unknown class\(es\) \['factory'\]"),
    ("class,floor_area_per_job_m2\nindustrial,36\nlogistics,77\n", "default_plot_ratio"),
], ids=["missing_class", "negative", "unknown_class", "missing_column"])
def test_job_density_table_errors(tmp_path, text, pattern):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=pattern):
        job_densities(path)


def test_jobs_errors(grid_2x2, tmp_path):
    with pytest.raises(InputError, match="needs the floor area"):
        estimated_jobs(grid_2x2)
    with pytest.raises(InputError, match="does not exist"):
        job_densities(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="must be a CSV path, a DataFrame or None"):
        job_densities(42)  # type: ignore[arg-type]


# --- industrial land diversity ---------------------------------------------------------------


def test_land_diversity_known_answer(grid_2x2):
    lu = _landuse([
        ("industrial", "M1", (0, 0, 50, 100)),        # cell 0: half M1,
        ("industrial", "M2", (50, 0, 100, 100)),      #         half M2
        ("logistics", "W1", (100, 0, 200, 100)),      # cell 1: all W1
        ("residential", "R2", (0, 100, 100, 200)),    # cell 2: no industrial land
        ("industrial", "M1", (100, 100, 200, 175)),   # cell 3: 3/4 M1,
        ("logistics", "W1", (100, 175, 200, 200)),    #         1/4 W1
    ])
    out = industrial_land_diversity(grid_2x2, lu)
    k = math.log(3)  # three subtypes: industrial:M1, industrial:M2, logistics:W1
    h3 = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / k
    assert out.tolist() == pytest.approx([math.log(2) / k, 0.0, 0.0, h3])  # 0.6309, 0, 0, 0.5119
    assert out.attrs["subtypes"] == ["industrial:M1", "industrial:M2", "logistics:W1"]
    # without subtypes: the two classes, K = 2; cell 3 -> 0.8113, cell 0 all industrial -> 0
    by_class = industrial_land_diversity(grid_2x2, lu, subtype_column=None)
    h2 = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(2)
    assert by_class.tolist() == pytest.approx([0.0, 0.0, 0.0, h2])


def test_land_diversity_overlaps_counted_once(grid_2x2):
    lu = _landuse([
        ("industrial", "M1", (0, 0, 100, 100)),
        ("industrial", "M2", (50, 0, 100, 100)),  # drawn over M1, listed after: loses it all
        ("logistics", "W1", (100, 0, 200, 100)),
    ])
    out = industrial_land_diversity(grid_2x2, lu)
    assert out.attrs["subtypes"] == ["industrial:M1", "logistics:W1"]
    assert out.tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("rows", [
    [("industrial", "industrial", (0, 0, 200, 100))],
    [("residential", "R2", (0, 0, 200, 200))],
], ids=["one_subtype", "no_industry"])
def test_land_diversity_undefined_below_two_subtypes(grid_2x2, rows):
    lu = _landuse(rows)
    out = industrial_land_diversity(grid_2x2, lu)
    assert out.isna().all() and out.name == "industrial_land_diversity"
    got = compute_indicators({"units": grid_2x2, "landuse": lu})
    assert "industrial_land_diversity" not in got.columns  # the measure does not apply
    assert "industrial_parcel_size_ha" in got.columns


def test_land_diversity_empty_subtype_takes_the_class(grid_2x2):
    lu = _landuse([("industrial", "", (0, 0, 100, 100)), ("logistics", None, (0, 100, 100, 200))])
    out = industrial_land_diversity(grid_2x2, lu)
    assert out.attrs["subtypes"] == ["industrial:industrial", "logistics:logistics"]


# --- through the registry, and the default U1 -----------------------------------------------


def _zone():
    """Three 100 m cells (x 0-300) in CGCS2000 3-degree GK 39 (EPSG:4547, metres).

    ::

        cell 0: 1 ha M1 parcel, a 50 x 50 m two-storey factory  -> share 1, floor 5,000 m2
        cell 1: 0.5 ha M2 parcel (50 x 100 m) + housing, a 30 x 30 m shed -> share 0.5, 900 m2
        cell 2: housing only
    """
    cells = make_grid((0, 0, 300, 100), cell_size=100, crs=CGCS)
    lu = _landuse([("industrial", "M1", (0, 0, 100, 100)),
                   ("industrial", "M2", (100, 0, 150, 100)),
                   ("residential", "R2", (150, 0, 300, 100))], crs=CGCS)
    b = _buildings([("industrial", 2, (10, 10, 60, 60)), ("industrial", 1, (110, 10, 140, 40)),
                    ("residential", 3, (200, 10, 240, 50))], crs=CGCS)
    return cells, lu, b


def test_compute_gives_the_industry_columns_known_answer():
    cells, lu, b = _zone()
    got = compute_indicators({"units": cells, "landuse": lu, "buildings": b})
    assert got["industrial_land_ha"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert got["industrial_parcel_size_ha"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert got["industrial_parcel_compactness"].tolist() == pytest.approx(
        [math.pi / 4, 4 * math.pi * 5000 / 300**2, 0.0])
    # floor 5,000 and 900 m2 of industrial buildings over 36 m2 per job
    assert got["industrial_jobs"].tolist() == pytest.approx([5000 / 36, 25.0, 0.0])
    assert got["industrial_job_density"].tolist() == pytest.approx([5000 / 36, 25.0, 0.0])
    # two subtypes M1, M2, each alone in its cell
    assert got["industrial_land_diversity"].tolist() == pytest.approx([0.0, 0.0, 0.0])
    assert got["industrial_plot_ratio"].tolist() == pytest.approx([0.5, 0.18, 0.0])


def test_compute_jobs_without_buildings_use_the_plot_ratio():
    cells, lu, _ = _zone()
    got = compute_indicators({"units": cells, "landuse": lu})
    assert got["industrial_jobs"].tolist() == pytest.approx([7000 / 36, 3500 / 36, 0.0])
    assert "industrial_plot_ratio" not in got.columns  # needs buildings


def test_defaults_give_at_least_three_varying_u1_indicators_with_buildings():
    cells, lu, b = _zone()
    table = compute_indicators({"units": cells, "landuse": lu, "buildings": b})
    industry, _ = default_indicators(list(table.columns), [])
    assert list(industry) == ["industrial_share", "logistics_share",
                              "building_floor_area_industrial", "industrial_plot_ratio",
                              "industrial_parcel_size_ha", "industrial_parcel_compactness",
                              "industrial_land_diversity"]
    varying = [c for c in industry if table[c].nunique() > 1]
    assert varying == ["industrial_share", "building_floor_area_industrial",
                       "industrial_plot_ratio", "industrial_parcel_size_ha",
                       "industrial_parcel_compactness"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, info, _, _ = _subsystem("industry", "U1", table, industry, CouplingConfig())
    messages = [str(w.message) for w in caught]
    assert not any("few indicators" in m for m in messages)
    assert any("constant" in m and "logistics_share" in m for m in messages)
    assert info["indicator"].tolist() == varying


def test_without_buildings_the_land_indicators_still_give_three():
    cells, lu, _ = _zone()
    table = compute_indicators({"units": cells, "landuse": lu})
    industry, _ = default_indicators(list(table.columns), [])
    varying = [c for c in industry if table[c].nunique() > 1]
    assert varying == ["industrial_share", "industrial_parcel_size_ha",
                       "industrial_parcel_compactness"]


def test_registry_entries_of_the_industrial_subsystem():
    reg = default_registry()
    defaults = {e.name for e in reg.entries() if e.subsystem == "industry" and e.default}
    assert {"building_floor_area_industrial", "industrial_plot_ratio",
            "industrial_parcel_size_ha", "industrial_parcel_compactness",
            "industrial_land_diversity"} <= defaults
    # linear in floor or land area, so not default (they would double that weight)
    assert not {"industrial_jobs", "industrial_job_density", "industrial_land_ha",
                "industry_shannon"} & defaults
    assert reg.sources("industrial_jobs") == ("landuse", "buildings", "job_densities")
    assert reg.sources("industrial_parcel_size_ha") == ("landuse",)
    assert reg.info("industrial_parcel_compactness").citation.startswith("Polsby & Popper 1991")
