"""Building storeys, use located on land use, plot ratio and the ``building_use`` mapping."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from cityind_gis import CRSError, InputError, SchemaError
from cityind_gis.indicators.buildings import building_levels, classify_by_landuse, plot_ratio
from cityind_gis.taxonomy import classify_values, load_mapping
from cityind_gis.units import make_grid

UTM50 = "EPSG:32650"


# --- building_levels -------------------------------------------------------------------------


def test_levels_height_and_default_known_answer():
    table = pd.DataFrame(
        {"levels": ["3", "2,5", None, "0", "-2", "abc", None, " 4 "],
         "height": [None, None, "12 m", "7", None, None, "1", "30"]},
        index=[10, 11, 12, 13, 14, 15, 16, 17],
    )
    out = building_levels(table, levels_column="levels", height_column="height")
    # 3 and 2.5 from levels; 12 m / 3 = 4; level 0 falls back to 7 m / 3 -> 2; "-2" and
    # "abc" have neither -> default 1; 1 m / 3 rounds to 0 -> at least 1; " 4 " is 4 storeys
    expected = pd.Series([3.0, 2.5, 4.0, 2.0, 1.0, 1.0, 1.0, 4.0], index=table.index,
                         name="levels")
    pd.testing.assert_series_equal(out, expected)
    assert out.attrs["source"] == {"levels": 3, "height": 3, "default": 2}


def test_levels_numeric_columns():
    table = pd.DataFrame({"n": [2.0, np.nan, 0.0, -1.0], "h": [np.nan, 9.0, 11.0, np.nan]})
    out = building_levels(table, levels_column="n", height_column="h", default_levels=2.0)
    # 9 / 3 = 3; 11 / 3 = 3.67 -> 4; -1 storeys and no height -> default 2
    assert out.tolist() == [2.0, 3.0, 4.0, 2.0]
    assert out.attrs["source"] == {"levels": 1, "height": 2, "default": 1}


@pytest.mark.parametrize(("floor_height", "expected"), [(3.0, 5.0), (4.0, 4.0), (5.0, 3.0)],
                         ids=["3m", "4m", "5m"])
def test_height_over_floor_height(floor_height, expected):
    table = pd.DataFrame({"height": ["15.5 m"]})
    out = building_levels(table, height_column="height", floor_height=floor_height)
    # 15.5 / 3 = 5.17 -> 5, 15.5 / 4 = 3.88 -> 4, 15.5 / 5 = 3.1 -> 3
    assert out.tolist() == [expected]


def test_no_columns_gives_the_default():
    table = pd.DataFrame({"x": [1, 2, 3]})
    out = building_levels(table, default_levels=1.5)
    assert out.tolist() == [1.5, 1.5, 1.5]
    assert out.attrs["source"] == {"levels": 0, "height": 0, "default": 3}


def test_levels_does_not_mutate_input():
    table = pd.DataFrame({"levels": ["2,5", "x"]})
    before = table.copy()
    building_levels(table, levels_column="levels")
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize("key", ["floor_height", "default_levels"])
@pytest.mark.parametrize("bad", [0, -3.0, np.nan, np.inf, True],
                         ids=["0", "neg", "nan", "inf", "bool"])
def test_bad_floor_height_or_default_levels(key, bad):
    table = pd.DataFrame({"height": [9.0]})
    with pytest.raises(InputError, match=rf"`{key}` must be a positive number"):
        building_levels(table, height_column="height", **{key: bad})


def test_levels_missing_column_is_named():
    with pytest.raises(SchemaError, match="storeys"):
        building_levels(pd.DataFrame({"height": [3.0]}), levels_column="storeys")


# --- classify_by_landuse ---------------------------------------------------------------------


@pytest.fixture
def land():
    r"""Five 100 m parcels along y 0-100, with a second industrial parcel over x 150-200.

    ::

        x: 0    100    150   200    300    400
           | ind |  res  |res+ind| green | edu |
    """
    return gpd.GeoDataFrame(
        {"class": ["industrial", "residential", "industrial", "green", "education"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100),
                  shapely.box(150, 0, 200, 100), shapely.box(200, 0, 300, 100),
                  shapely.box(300, 0, 400, 100)],
        crs=UTM50,
    )


@pytest.fixture
def houses():
    """20 m squares; ``use`` as a building mapping gives it (unknown = generic)."""
    xs = [10, 40, 110, 160, 210, 310, 500, 520]
    use = ["unknown", "residential", None, "unknown", "unknown", "unknown", "unknown", "logistics"]
    return gpd.GeoDataFrame(
        {"use": use},
        geometry=[shapely.box(x, 10, x + 20, 30) for x in xs],
        index=pd.Index([f"b{k}" for k in range(len(xs))], name="building_id"),
        crs=UTM50,
    )


EXPECTED_USE = ["industrial",   # generic shed on industrial land
                "residential",  # a dormitory typed as such stays residential on industrial land
                "residential",  # missing use on residential land
                "industrial",   # industrial and residential parcels overlap: industrial wins
                "other",        # green space
                "public",       # education land
                "other",        # no land use at all
                "logistics"]    # typed, no land: kept


def test_classify_by_landuse_known_answer(houses, land):
    out = classify_by_landuse(houses, land, class_column="use")
    expected = pd.Series(EXPECTED_USE, index=houses.index, name="use")
    pd.testing.assert_series_equal(out, expected, check_dtype=False)


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]],
                         ids=["as-drawn", "reversed", "shuffled"])
def test_overlap_resolution_does_not_depend_on_row_order(houses, land, order):
    out = classify_by_landuse(houses, land.iloc[order], class_column="use")
    assert out.tolist() == EXPECTED_USE


def test_priority_overrides_the_canonical_order(houses, land):
    out = classify_by_landuse(houses, land, class_column="use",
                              priority=["residential", "industrial", "green", "education"])
    assert out["b3"] == "residential"


def test_classify_by_landuse_other_column_names(houses, land):
    b = houses.rename(columns={"use": "kind"})
    lu = land.rename(columns={"class": "lu"})
    out = classify_by_landuse(b, lu, class_column="kind", landuse_class_column="lu")
    assert out.name == "kind" and out.tolist() == EXPECTED_USE


def test_classify_without_land_gives_other(houses, land):
    out = classify_by_landuse(houses, land.iloc[:0], class_column="use")
    assert out.tolist() == ["other", "residential", "other", "other", "other", "other", "other",
                            "logistics"]


def test_classify_does_not_mutate_input(houses, land):
    before = houses.copy()
    classify_by_landuse(houses, land, class_column="use")
    assert_geodataframe_equal(houses, before)


def test_classify_crs_mismatch(houses, land):
    with pytest.raises(CRSError, match="layers must share one CRS"):
        classify_by_landuse(houses, land.set_crs("EPSG:32651", allow_override=True),
                            class_column="use")


def test_classify_missing_class_column(houses, land):
    with pytest.raises(SchemaError, match="kind"):
        classify_by_landuse(houses, land, class_column="kind")


def test_non_canonical_building_class_warns(houses, land):
    b = houses.assign(use=["shed", *houses["use"].iloc[1:]])
    with pytest.warns(UserWarning, match=r"\['shed'\] are not canonical building classes"):
        out = classify_by_landuse(b, land, class_column="use")
    assert out.iloc[0] == "shed"


# --- plot_ratio ------------------------------------------------------------------------------


@pytest.fixture
def cells():
    """Two 250 m cells: x 0-250 (cell 0) and 250-500 (cell 1), y 0-250."""
    return make_grid((0, 0, 500, 250), cell_size=250, crs=UTM50)


def _layer(boxes, crs=UTM50, **columns):
    return gpd.GeoDataFrame(columns, geometry=[shapely.box(*b) for b in boxes], crs=crs)


PARCEL = (50, 50, 150, 150)  # 100 m x 100 m of industrial land inside cell 0


def test_plot_ratio_one_building(cells):
    land = _layer([PARCEL])
    buildings = _layer([(60, 60, 80, 80), (300, 50, 320, 70)], levels=[3.0, 5.0])
    out = plot_ratio(cells, buildings, land, name="industrial_plot_ratio")
    # 20 m x 20 m x 3 storeys over 1 ha; cell 1 has a building but no industrial land -> 0
    expected = pd.Series([0.12, 0.0], index=cells.index, name="industrial_plot_ratio")
    pd.testing.assert_series_equal(out, expected)


def test_plot_ratio_building_half_on_the_land_counts_half(cells):
    land = _layer([PARCEL])
    buildings = _layer([(60, 60, 80, 80), (140, 100, 160, 120)], levels=[3.0, 2.0])
    out = plot_ratio(cells, buildings, land)
    # (1200 + 10 m x 20 m x 2 storeys) / 10,000
    assert out.name == "plot_ratio"
    assert out.tolist() == pytest.approx([0.16, 0.0], abs=1e-12)


def test_plot_ratio_overlapping_land_not_double_counted(cells):
    land = _layer([PARCEL, (100, 50, 150, 150), PARCEL])
    buildings = _layer([(110, 60, 130, 80)], levels=[3.0])
    out = plot_ratio(cells, buildings, land)
    assert out.tolist() == pytest.approx([0.12, 0.0], abs=1e-12)


def test_plot_ratio_land_and_building_across_cells(cells):
    # a 1 ha parcel split 5000 / 5000 m2 by the cell edge at x = 250; a 2-storey building in
    # cell 0 and a 1-storey building astride the edge (200 m2 on each side)
    land = _layer([(200, 50, 300, 150)])
    buildings = _layer([(220, 60, 240, 80), (240, 100, 260, 120)], levels=[2.0, 1.0])
    out = plot_ratio(cells, buildings, land)
    assert out.tolist() == pytest.approx([(800 + 200) / 5000, 200 / 5000], abs=1e-12)


def test_plot_ratio_without_land_or_buildings(cells):
    buildings = _layer([(60, 60, 80, 80)], levels=[3.0])
    assert plot_ratio(cells, buildings, _layer([])).tolist() == [0.0, 0.0]
    assert plot_ratio(cells, buildings.iloc[:0], _layer([PARCEL])).tolist() == [0.0, 0.0]


def test_plot_ratio_counts_every_use(cells):
    # a residential building on industrial land counts: a parcel's plot ratio is about the land
    land = _layer([PARCEL])
    buildings = _layer([(60, 60, 80, 80)], levels=[3.0], use=["residential"])
    assert plot_ratio(cells, buildings, land).tolist() == pytest.approx([0.12, 0.0])


def test_plot_ratio_crs_checks(cells):
    land = _layer([PARCEL])
    buildings = _layer([(60, 60, 80, 80)], levels=[3.0])
    with pytest.raises(CRSError, match="layers must share one CRS"):
        plot_ratio(cells, buildings.set_crs("EPSG:32651", allow_override=True), land)
    with pytest.raises(CRSError, match="geographic CRS"):
        plot_ratio(cells.to_crs(4326), buildings.to_crs(4326), land.to_crs(4326))


def test_plot_ratio_missing_levels_column(cells):
    with pytest.raises(SchemaError, match="storeys"):
        plot_ratio(cells, _layer([(60, 60, 80, 80)], levels=[3.0]), _layer([PARCEL]),
                   levels_column="storeys")


# --- building_use mapping --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("industrial", "industrial"), ("warehouse", "logistics"), ("dormitory", "residential"),
     ("office", "commercial"), ("school", "public"), ("shed", "other"), ("yes", "unknown"),
     ("厂房", "industrial"), ("仓库", "logistics"), ("住宅", "residential"), ("办公", "commercial"),
     ("公共建筑", "public"), ("未知", "unknown")],
)
def test_building_use_mapping(value, expected):
    mapping = load_mapping("building_use")
    out = classify_values(pd.Series([value]), mapping, key="building")
    assert out.iloc[0] == expected


def test_building_use_mapping_unmapped_is_missing():
    mapping = load_mapping("building_use")
    out = classify_values(pd.Series(["spaceport", None]), mapping, key="建筑类型")
    assert out.isna().all()
