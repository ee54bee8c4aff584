"""Broken inputs planners bring (issue 16): BOM, malformed CSV rows, lat 200, .shp/.dbf, slivers."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis._errors import CRSError, InputError
from cityind_gis.config import LayerConfig, load_config
from cityind_gis.io import layers as layers_io
from cityind_gis.io.layers import load_landuse
from cityind_gis.io.vector import drop_slivers, read_point_table, read_vector, shapefile_counts
from cityind_gis.testing import write_three_cell_town

UTM50 = "EPSG:32650"


# -- TOML with a byte-order mark -------------------------------------------------------------


def test_config_with_a_bom_is_read(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    cfg.write_bytes(b"\xef\xbb\xbf" + cfg.read_bytes())  # as Windows Notepad saves it
    assert load_config(cfg).study.name == "three-cell town"


# -- malformed CSV rows ----------------------------------------------------------------------


def _csv_with_extra_commas(path, n=20, bad_lines=(12, 17)):
    lines = ["name,kind,lon,lat"]
    for i in range(2, n + 2):  # file line i holds POI i - 1
        name = "天河区,广州" if i in bad_lines else f"poi{i}"  # unquoted comma: 5 fields
        lines.append(f"{name},shop,113.3{i:02d},23.1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_malformed_rows_are_refused_with_their_line_numbers(tmp_path):
    path = _csv_with_extra_commas(tmp_path / "pois.csv")
    with pytest.raises(InputError, match=r"has 2 malformed row\(s\): line\(s\) 12, 17 hold "
                                         r"more than the 4 fields.*bad_rows = \"skip\""):
        read_point_table(path)


def test_malformed_rows_are_skipped_with_a_count_when_asked(tmp_path):
    path = _csv_with_extra_commas(tmp_path / "pois.csv")
    with pytest.warns(UserWarning, match=r"2 malformed pois row\(s\).*line\(s\) 12, 17"):
        pois = read_point_table(path, bad_rows="skip")
    assert len(pois) == 18 and "天河区" not in set(pois["name"])


def test_many_malformed_rows_are_summarised(tmp_path):
    path = _csv_with_extra_commas(tmp_path / "pois.csv", n=40, bad_lines=range(10, 25))
    with pytest.raises(InputError, match=r"15 malformed.*10, 11, .*, 19 and 5 more"):
        read_point_table(path)


def test_bad_rows_key_is_read_from_pois_only(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace('[pois]\n', '[pois]\nbad_rows = "skip"\n'), encoding="utf-8")
    assert load_config(cfg).pois.bad_rows == "skip"
    cfg.write_text(text.replace('[landuse]\n', '[landuse]\nbad_rows = "skip"\n'),
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"\['bad_rows'\], which belong in `\[pois\]`"):
        load_config(cfg)


def test_bad_rows_value_is_checked(tmp_path):
    with pytest.raises(InputError, match=r"`bad_rows` must be one of \['error', 'skip'\]"):
        read_point_table(tmp_path / "x.csv", bad_rows="drop")


def test_unclosed_quote_is_reported_as_such(tmp_path):
    path = tmp_path / "pois.csv"
    path.write_text('name,lon,lat\n"open,113.3,23.1\nb,113.4,23.2\n', encoding="utf-8")
    with pytest.raises(InputError, match="could not be read as a table"):
        read_point_table(path)


# -- impossible coordinates ------------------------------------------------------------------


def test_rows_at_latitude_200_are_dropped_with_a_count(tmp_path):
    rows = pd.DataFrame({"name": [f"p{i}" for i in range(44)], "lon": 116.4,
                         "lat": [39.9] * 40 + [200.0] * 4})
    rows.to_csv(tmp_path / "pois.csv", index=False)
    with pytest.warns(UserWarning, match=r"4 pois row\(s\) with impossible coordinates.*"
                                         r"line\(s\) 42, 43, 44, 45 of pois.csv"):
        pois = read_point_table(tmp_path / "pois.csv")
    assert len(pois) == 40 and pois.geometry.y.max() == pytest.approx(39.9)


def test_table_mostly_beyond_180_is_still_called_projected(tmp_path):
    rows = pd.DataFrame({"x": [500_000.0, 500_100.0, 500_200.0], "y": [3e6, 3e6, 3e6]})
    rows.to_csv(tmp_path / "pois.csv", index=False)
    with pytest.raises(CRSError, match=r"in 3 of 3 rows.*probably in projected metres"):
        read_point_table(tmp_path / "pois.csv")


# -- shapefile parts that disagree -----------------------------------------------------------


def _parcels(n, crs=UTM50):
    boxes = [shapely.box(i * 100, 0, i * 100 + 90, 90) for i in range(n)]
    return gpd.GeoDataFrame({"class": ["industrial"] * n}, geometry=boxes, crs=crs)


def test_dbf_with_fewer_records_than_shapes_is_reported_with_counts(tmp_path):
    path = tmp_path / "parcels.shp"
    _parcels(40).to_file(path, engine="pyogrio")
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    data[4:8] = (35).to_bytes(4, "little")  # 35 records for 40 shapes
    dbf.write_bytes(bytes(data[:header_len + 35 * record_len]) + b"\x1a")
    assert shapefile_counts(path) == (40, 35)
    with pytest.warns(UserWarning, match=r"holds 40 shapes but its .dbf 35 attribute records; "
                                         r"\d+ feature\(s\) were read and 5 shape\(s\) without"):
        read_vector(path, name="landuse")


def test_matching_shapefile_parts_say_nothing(tmp_path, recwarn):
    path = tmp_path / "parcels.shp"
    _parcels(3).to_file(path, engine="pyogrio")
    assert shapefile_counts(path) == (3, 3)
    assert len(read_vector(path, name="landuse")) == 3
    assert not [w for w in recwarn if "shapes but" in str(w.message)]


# -- slivers, overlaps, huge layers ----------------------------------------------------------


def test_slivers_below_one_square_metre_are_dropped_with_a_count():
    parcels = _parcels(3)
    geoms = ([shapely.box(10 + i, 95, 10.5 + i, 95.02) for i in range(5)]  # 0.01 m² each
             + [shapely.Polygon([(0, 0), (1, 1), (2, 2)])])  # and one with no area
    slivers = gpd.GeoDataFrame({"class": ["other"] * 6}, geometry=geoms, crs=UTM50)
    layer = pd.concat([parcels, slivers], ignore_index=True)
    with pytest.warns(UserWarning, match=r"6 land-use polygon\(s\) smaller than 1 m² \(slivers or "
                                         r"degenerate rings, 0.05 m² in total\) were dropped; 3 "):
        kept = drop_slivers(layer, name="land-use")
    assert len(kept) == 3 and kept.area.min() == pytest.approx(8100.0)
    assert len(layer) == 9  # the input is not changed


def test_sliver_area_in_lon_lat_is_in_square_metres():
    # at 60 N a 0.001 x 0.001 degree box is 111.32 m x 55.66 m = 6,196 m²
    layer = gpd.GeoDataFrame(geometry=[shapely.box(26.0, 60.0, 26.001, 60.001),
                                       shapely.box(26.0, 60.0, 26.000001, 60.000001)],
                             crs="EPSG:4326")
    with pytest.warns(UserWarning, match=r"1 landuse polygon"):
        kept = drop_slivers(layer)
    assert len(kept) == 1
    assert drop_slivers(kept, min_area=6100).equals(kept)
    with pytest.warns(UserWarning, match="smaller than 6300"):
        assert drop_slivers(kept, min_area=6300).empty


def test_many_slivers_are_dropped_in_one_vectorised_pass():
    rng = np.random.default_rng(16)
    x = rng.uniform(0, 4000, 200_000)
    y = rng.uniform(0, 4000, 200_000)
    slivers = gpd.GeoDataFrame({"class": np.full(len(x), "other")},
                               geometry=shapely.box(x, y, x + 0.5, y + 0.02), crs=UTM50)
    layer = pd.concat([_parcels(40), slivers], ignore_index=True)
    with pytest.warns(UserWarning, match=r"200,000 land-use polygon\(s\) smaller"):
        assert len(drop_slivers(layer, name="land-use")) == 40


def _landuse_file(tmp_path, boxes, classes):
    gdf = gpd.GeoDataFrame({"class": classes}, geometry=boxes, crs=UTM50)
    gdf.to_file(tmp_path / "lu.gpkg", engine="pyogrio")
    return LayerConfig(path=tmp_path / "lu.gpkg", section="landuse")


def test_overlapping_parcels_are_counted(tmp_path):
    section = _landuse_file(
        tmp_path, [shapely.box(0, 0, 100, 100), shapely.box(50, 0, 150, 100),
                   shapely.box(200, 0, 300, 100), shapely.box(210, 10, 220, 20),
                   shapely.box(400, 0, 500, 100), shapely.box(500, 0, 600, 100)],  # touching
        ["industrial", "residential", "industrial", "industrial", "green", "green"])
    with pytest.warns(UserWarning, match=r"4 land-use parcel\(s\) overlap one another \(2 "
                                         r"overlapping pair\(s\), 5,100 m² in all; 1 pair\(s\) of "
                                         r"different classes\)"):
        landuse, _ = load_landuse(section)
    assert len(landuse) == 6


def test_huge_land_use_layer_is_announced(tmp_path, monkeypatch):
    monkeypatch.setattr(layers_io, "LARGE_LANDUSE", 2)
    section = _landuse_file(tmp_path, [shapely.box(i * 200, 0, i * 200 + 100, 100)
                                       for i in range(3)], ["industrial"] * 3)
    with pytest.warns(UserWarning, match=r"holds 3 polygons \(more than 2\).*take minutes"):
        load_landuse(section)


def test_malformed_statistics_table_names_its_lines(tmp_path):
    from cityind_gis.io.statistics import read_statistics

    path = tmp_path / "stats.csv"
    path.write_text("zone,population\nA,100\nB,2,00\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"1 malformed row\(s\): line\(s\) 3 .*separator\.$"):
        read_statistics(path, key="zone")
