"""Property tests (issue 16): random small layers never end in anything but a result or our error.

Random geometries (valid, invalid, empty, missing, mixed types, slivers, degenerate
rings), random CRSs (metric, lon/lat, web mercator, none) and random columns go
through the public loaders and through `run`. Any exception that is not a
:class:`cityind_gis._errors.CityindError` fails the test, with hypothesis's
smallest failing example. Examples are few (each `run` takes seconds) and there
is no deadline: nothing here is timed.
"""

import csv
import warnings
from dataclasses import replace

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cityind_gis._errors import CityindError  # noqa: E402
from cityind_gis.config import LayerConfig, load_config  # noqa: E402
from cityind_gis.io.layers import load_landuse  # noqa: E402
from cityind_gis.io.vector import drop_slivers, read_point_table, read_vector  # noqa: E402
from cityind_gis.testing import write_three_cell_town  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

GEOMETRIES = {
    "box": lambda x, y: shapely.box(x, y, x + 50, y + 40),
    "bowtie": lambda x, y: Polygon([(x, y), (x + 50, y + 50), (x + 50, y), (x, y + 50)]),
    "empty": lambda x, y: Polygon(),
    "none": lambda x, y: None,
    "point": lambda x, y: Point(x, y),
    "line": lambda x, y: LineString([(x, y), (x + 10, y)]),
    "multi": lambda x, y: MultiPolygon([shapely.box(x, y, x + 5, y + 5),
                                        shapely.box(x + 10, y, x + 15, y + 5)]),
    "collection": lambda x, y: GeometryCollection([Point(x, y), shapely.box(x, y, x + 5, y + 5)]),
    "sliver": lambda x, y: shapely.box(x, y, x + 0.5, y + 0.02),
    "flat-ring": lambda x, y: Polygon([(x, y), (x + 10, y), (x + 20, y)]),
    "hole-outside": lambda x, y: Polygon(shapely.box(x, y, x + 10, y + 10).exterior.coords,
                                         [shapely.box(x + 20, y, x + 25, y + 5).exterior.coords]),
}
CRSS = ["EPSG:32650", "EPSG:4326", "EPSG:3857", "EPSG:4490", None]
CLASS_VALUES = ["industrial", "residential", "commercial", "green", "M1", "", "工业"]
COLUMN_NAMES = ["class", "code", "name", "名称", "value"]

coord = st.floats(min_value=-10, max_value=320, allow_nan=False)
feature = st.tuples(st.sampled_from(sorted(GEOMETRIES)), coord, coord)


@st.composite
def layers(draw, max_features=6, min_features=0, crss=CRSS, class_column=False):
    feats = draw(st.lists(feature, min_size=min_features, max_size=max_features))
    n = len(feats)
    columns = {}
    if class_column:
        columns["class"] = draw(st.lists(st.sampled_from(CLASS_VALUES), min_size=n, max_size=n))
    for name in draw(st.lists(st.sampled_from(COLUMN_NAMES), unique=True, max_size=3)):
        if draw(st.booleans()):
            columns[name] = draw(st.lists(st.sampled_from(CLASS_VALUES), min_size=n, max_size=n))
        else:
            columns[name] = draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
    geoms = [GEOMETRIES[kind](x, y) for kind, x, y in feats]
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geoms), crs=draw(st.sampled_from(crss)))


def _write(gdf, folder, suffix):
    path = folder / f"layer{suffix}"
    path.unlink(missing_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(path, engine="pyogrio")
    return path


def _ours_or_result(fn, *args, **kwargs):
    """Call fn; a CityindError is an allowed outcome, anything else propagates (fails)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(*args, **kwargs)
        except CityindError as exc:
            hypothesis.event(f"refused: {type(exc).__name__}: {str(exc)[:70]}")
            return None
    hypothesis.event("result")
    return out


@SETTINGS
@given(gdf=layers(), suffix=st.sampled_from([".gpkg", ".geojson"]))
def test_read_vector_gives_a_layer_or_our_error(tmp_path, gdf, suffix):
    out = _ours_or_result(read_vector, _write(gdf, tmp_path, suffix), name="landuse")
    if out is not None:
        assert out.crs is not None
        assert not (out.geometry.isna() | out.geometry.is_empty).any()
        assert out.geometry.is_valid.all()


@SETTINGS
@given(gdf=layers(), column=st.sampled_from(COLUMN_NAMES), crs=st.sampled_from(CRSS))
def test_load_landuse_gives_polygons_or_our_error(tmp_path, gdf, column, crs):
    section = LayerConfig(path=_write(gdf, tmp_path, ".gpkg"), class_column=column, crs=crs,
                          section="landuse")
    out = _ours_or_result(load_landuse, section)
    if out is not None:
        landuse, _report = out
        assert landuse.geom_type.isin(["Polygon", "MultiPolygon"]).all()
        assert set(landuse["class"]) <= {"industrial", "residential", "commercial", "green",
                                         "other"} | set(landuse["class"])


@SETTINGS
@given(gdf=layers(max_features=12))
def test_drop_slivers_keeps_only_area(gdf):
    polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.crs is None:
        polys = polys.set_crs("EPSG:32650")
    kept = _ours_or_result(drop_slivers, polys)
    assert len(kept) <= len(polys)


cell = st.one_of(st.sampled_from(["113.3", "23.1", "39.9", "116.4"]),
                 st.sampled_from(["", "abc", "1,2", "113.3", "23.1", "200", "-91", "nan",
                                  "inf", "１１３", " 39.9 "]),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))


@SETTINGS
@given(header=st.one_of(
           st.just(["name", "lon", "lat"]),
           st.lists(st.sampled_from(["lon", "lat", "x", "y", "location", "name", "经度", "纬度",
                                     "kind"]), unique=True, min_size=1, max_size=4)),
       rows=st.lists(st.lists(cell, min_size=1, max_size=5), max_size=6),
       raw_extra=st.booleans(), crs=st.sampled_from(["EPSG:4326", "EPSG:32650"]),
       bad_rows=st.sampled_from(["error", "skip"]))
def test_read_point_table_gives_points_or_our_error(tmp_path, header, rows, raw_extra, crs,
                                                    bad_rows):
    path = tmp_path / "pois.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(r[:len(header)] for r in rows)
        if raw_extra:  # a row with an unquoted comma too many
            fh.write(",".join(["1"] * (len(header) + 1)) + "\n")
    out = _ours_or_result(read_point_table, path, crs=crs, bad_rows=bad_rows)
    if out is not None:
        assert out.geom_type.eq("Point").all() and out.crs is not None


@pytest.fixture(scope="module")
def town_config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    return folder, load_config(write_three_cell_town(folder))


@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(gdf=layers(min_features=1, crss=["EPSG:32650", "EPSG:32650", "EPSG:4326", "EPSG:3857"],
                  class_column=True),
       column=st.sampled_from(["class", "class", "code"]),
       rule=st.sampled_from(["all", "urban_land"]))
def test_run_on_a_random_land_use_layer_gives_a_result_or_our_error(town_config, gdf, column,
                                                                     rule):
    from cityind_gis.workflow import run

    folder, cfg = town_config
    section = LayerConfig(path=_write(gdf, folder, ".gpkg"), class_column=column,
                          section="landuse")
    config = replace(cfg, landuse=section, domain=replace(cfg.domain, rule=rule))
    result = _ours_or_result(run, config)
    if result is not None:
        assert len(result.grid) > 0
