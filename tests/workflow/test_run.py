"""The whole pipeline on the three-cell town, whose answers are worked out by hand."""

import dataclasses

import geopandas as gpd
import numpy as np
import pytest

from cityind_gis.config import load_config
from cityind_gis.testing import write_three_cell_town
from cityind_gis.workflow import run, write_outputs


@pytest.fixture(scope="module")
def town_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    cfg = load_config(write_three_cell_town(folder))
    return cfg, run(cfg)


def test_indicators_known_answer(town_results):
    _, res = town_results
    grid = res.grid
    assert grid.crs == "EPSG:32650"  # a metric input CRS is kept, not re-guessed
    assert grid.index.tolist() == [0, 1, 2]
    assert grid["industrial_share"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert grid["residential_share"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert grid["poi_density_retail"].tolist() == pytest.approx([0.0, 100.0, 200.0])
    assert grid["poi_count_enterprise"].tolist() == [1, 0, 0]
    # 100 m along the road + 10 m from the road node to the shop
    assert grid["net_dist_retail"].tolist() == pytest.approx([110.0, 10.0, 10.0])
    assert grid["land_use_mix"].tolist() == pytest.approx([0.0, 1.0, 0.0])


def test_coupling_known_answer(town_results):
    _, res = town_results
    grid = res.grid
    assert grid["U1"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert grid["U2"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert grid["C"].tolist() == pytest.approx([0.0, 1.0, 0.0])
    assert grid["T"].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert grid["D"].tolist() == pytest.approx([0.0, np.sqrt(0.5), 0.0])
    assert grid["grade_level"].tolist() == [1, 8, 1]
    assert grid["grade_zh"].tolist() == ["极度失调", "中级协调", "极度失调"]
    w = res.weights.set_index("indicator")["weight"]
    assert w["residential_share"] == pytest.approx(0.5)
    assert w["industrial_share"] == pytest.approx(1.0)


def test_gaps_known_answer(town_results):
    _, res = town_results
    gaps = res.service_gaps
    assert gaps.index.tolist() == [0]
    assert gaps.loc[0, "missing"] == "retail"
    assert res.grid["n_missing_services"].tolist()[:2] == [1, 0]
    assert res.grid["n_missing_services"].isna().tolist() == [False, False, True]


def test_unmapped_pois_reported_not_dropped(town_results):
    _, res = town_results
    assert (res.pois["status"] == "analysed").sum() == 4
    assert res.classification_report.empty


def test_write_outputs(town_results, tmp_path):
    import pyogrio

    _, res = town_results
    paths = write_outputs(res, tmp_path)
    layers = set(pyogrio.list_layers(paths["gpkg"])[:, 0])
    assert {"grid", "service_gaps", "landuse", "pois", "network"} <= layers
    grid = gpd.read_file(paths["gpkg"], layer="grid")
    assert {"U1", "U2", "C", "T", "D", "grade", "grade_zh"} <= set(grid.columns)
    assert paths["map_html"].stat().st_size > 1000
    assert paths["map_png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_industrial_parcel_gaps_known_answer(town_results):
    # parcels M1 (0-100 m, 1 ha) and M2 (100-150 m, 0.5 ha) enter the road at (50, 50) and
    # (125, 50); the nearest shop stands on the road at x = 160: 110 m and 35 m
    _, res = town_results
    ind = res.industrial_service_gaps
    assert ind.index.tolist() == [0, 1]
    assert ind["net_dist_retail"].tolist() == pytest.approx([110.0, 35.0])
    # graded against [gaps] distance = 100 m: M1 110 m "beyond" (weight 1), M2 within
    assert ind["gaps"].tolist() == ["retail", ""]
    assert ind["gap_severity_retail"].tolist() == ["beyond", "within"]
    assert ind["workers"].tolist() == pytest.approx([100.0, 50.0])  # 100 workers per ha
    assert ind["severity_score"].tolist() == pytest.approx([1.0, 0.0])
    assert ind["priority"].tolist() == pytest.approx([100.0, 0.0])
    assert ind["rejoined"].tolist() == [False, False]
    assert ind["net_count_retail_300m"].tolist() == [3, 3]
    table = res.industrial_gap_table
    assert table["地块 parcel"].tolist() == [0]
    # every node off industrial land (x = 200, 250, 300) is over 100 m from M1: no site helps
    assert res.candidate_sites.empty


def test_landuse_points_and_lines_are_dropped_with_a_warning(tmp_path):
    import shapely

    from cityind_gis.config import Config, LayerConfig
    from cityind_gis.io.layers import load_landuse as _load_landuse

    layer = gpd.GeoDataFrame(
        {"class": ["industrial", "residential", "green"]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.Point(5, 5),
                  shapely.LineString([(0, 0), (1, 1)])],
        crs="EPSG:32650",
    )
    layer.to_file(tmp_path / "lu.gpkg", layer="landuse")
    cfg = Config(landuse=LayerConfig(path=tmp_path / "lu.gpkg", class_column="class"))
    with pytest.warns(UserWarning, match=r"2 land-use feature\(s\) are \['LineString', 'Point'\]"):
        out, _ = _load_landuse(cfg.landuse, osm=cfg.osm)
    assert out["class"].tolist() == ["industrial"]


def _retail_share(counts):
    """Share of a unit's POIs that are shops (0 where the unit has none)."""
    total = counts.sum(axis=1)
    share = (counts["poi_count_retail"] / total.where(total > 0)).fillna(0.0)
    return share.rename("t_retail_poi_share")


def test_indicator_registered_outside_the_package_enters_a_run(tmp_path):
    from cityind_gis.indicators import Indicator, default_registry

    reg = default_registry().copy()
    reg.register(Indicator(
        name="t_retail_poi_share", func=_retail_share, needs=("poi_counts",),
        unit="share 0-1", direction="+", subsystem="urban", default=True,
        label_zh="购物POI占比", label_en="share of POIs that are shops",
        formula="n_retail / sum_k n_k", citation="-"))
    cfg = load_config(write_three_cell_town(tmp_path))
    plain = run(cfg)
    # the town names its U2 indicators; name the new one beside them
    urban = {**cfg.coupling.urban, "t_retail_poi_share": "+"}
    plugged = run(cfg.replace(coupling=dataclasses.replace(cfg.coupling, urban=urban)),
                  registry=reg)
    counts = plain.grid[[c for c in plain.grid.columns if c.startswith("poi_count_")]]
    expected = _retail_share(counts)
    np.testing.assert_allclose(plugged.grid["t_retail_poi_share"], expected)
    # the town: cell 0 one factory, cell 1 one shop, cell 2 two shops
    np.testing.assert_allclose(plugged.grid["t_retail_poi_share"], [0.0, 1.0, 1.0])
    # it enters U2; the built-in columns are unchanged
    assert "t_retail_poi_share" in set(plugged.weights["indicator"])
    assert "t_retail_poi_share" not in plain.grid.columns
    assert "t_retail_poi_share" not in set(plain.weights["indicator"])
    for c in plain.grid.columns.drop(["U1", "U2", "C", "T", "D"], errors="ignore"):
        if c in ("geometry",) or plain.grid[c].dtype.kind not in "fi":
            continue
        if c.startswith(("poi_", "landuse_", "net_dist_")) or c.endswith("_share"):
            np.testing.assert_allclose(plugged.grid[c], plain.grid[c], err_msg=c)


def test_indicators_job_densities_key_reaches_the_jobs_estimate(town_results, tmp_path):
    # the three-cell town: 100 m cells, industrial land 1.0 and 0.5 of a cell, no buildings, so
    # jobs = land area x default plot ratio / floor area per job; halving the floor area per job
    # in a user table doubles the estimate (known answer from the bundled 0.7 and 36 m2)
    cfg, res = town_results
    bundled = res.grid["industrial_jobs"].to_numpy()
    area = res.grid["industrial_share"].to_numpy() * res.grid.area.to_numpy()
    np.testing.assert_allclose(bundled, area * 0.7 / 36.0)
    table = tmp_path / "jobs.csv"
    table.write_text(
        "class,floor_area_per_job_m2,floor_basis,default_plot_ratio,density_source,"
        "plot_ratio_source,notes\n"
        "industrial,18,GIA,0.7,test,test,half the bundled floor area per job\n"
        "logistics,77,GEA,0.7,test,test,as bundled\n", encoding="utf-8")
    own = run(cfg.replace(indicators=dataclasses.replace(cfg.indicators, job_densities=table)))
    np.testing.assert_allclose(own.grid["industrial_jobs"].to_numpy(), 2 * bundled)
