"""Known-answer story of the graded service gaps, through ``run(load_config(path))``.

A 2,000 m x 500 m zone in EPSG:32650 (UTM 50N, metres)::

    y=460        +------------------+
                 |  B1 (12 ha)      |
    y=300  R2    | 4 x 3 origins    |  +-B2-----+         | fragment (1750-1850, y 200)
    y=160  core  +------------------+  | 2.8 ha  |        | inside B2
    y=150 ==S=C=W=W=W=====H=================================  main street (nodes every 100 m)
    y=0          W W W
           x=0  200 250-400  600    1300          1700  1900 2000

* the **served mixed core**: residential land (R2) x 0-250 north of the street; a
  shop, a school and a bus stop on the street at x = 200, a clinic at x = 600;
  six small workshops (M1, 50 x 140 m, x 250-400 on both sides of the street);
* **empty land** x 600-1300: no land use, no POI;
* the **unserved industrial belt**: B1 = box(1300, 160, 1700, 460), 12 ha, and
  B2 = box(1700, 160, 1900, 300), 2.8 ha, with two factories each;
* a two-node road **fragment** inside B2, cut off from the main network;
* no restaurant anywhere: ``food`` is **absent from the data**.

Streets: the main street y = 150 (x 0-2000) and two side streets x = 0 and
x = 2000 (y 0-500) joining it at its ends. The bundled standards give retail,
education, transit and food 500 m, healthcare 1,000 m.

Hand-worked answers (``[gaps]`` defaults, ``origin_min_area`` 10 ha, spacing 100 m):

* workshops: the representative point of W (x0..x0+50, y 160..300) is
  (x0 + 25, 230): 80 m to the street, then 75-175 m to x = 200 (255 m at most)
  and 225-325 m to the clinic: every category within;
* B1 is sampled by 12 origins at the square centres x 1350..1650, y 210, 310,
  410 (weight 1/12 each); origin (x, y) walks (y - 150) + (x - 200) m to the
  shop. The sorted distances 1210, 1310, 1310, 1410 x 3, 1510 x 3, 1610 x 2,
  1710 reach half the area at **1,410 m** (one interior point, (1500, 310),
  would read 1,460 m): far beyond (> 2 x 500). To the clinic 400 m less:
  810, 910, 910, 1010 x 3, ... : median **1,010 m**, beyond (1,000-2,000 m), a
  quarter of the area within (``share_within_healthcare`` 0.25). Score
  2 + 2 + 2 + 1 = 7, workers 1,200, priority 8,400;
* B2: one origin (1800, 230), nearest the fragment (30 m); with
  ``component = "largest"`` it rejoins the main street 80 m away: 80 + 1600 =
  **1,680 m** to the shop (far beyond), 1,280 m to the clinic (beyond); score 7,
  280 workers, priority 1,960. With ``component = "any"`` it stays on the
  fragment and reaches nothing (``beyond_search``).

So the ranked list is B1, B2, then the six workshops (score 0): 2 of 8
industrial parcels (25 %) have gaps, not 100 %; with ``count_absent = true``
every parcel "lacks" food.
"""

import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis._errors import InputError
from cityind_gis.config import AccessibilityConfig, GapConfig, load_config
from cityind_gis.testing import write_zone_layers
from cityind_gis.workflow import run, write_outputs
from cityind_gis.workflow.stages import gap_thresholds

CRS = "EPSG:32650"
CATS = ["retail", "education", "transit", "healthcare", "food"]
WORKSHOPS = [f"W{i}" for i in range(6)]


def _zone() -> dict[str, gpd.GeoDataFrame]:
    boxes = [("R", "R2", (0, 160, 250, 460)), ("B1", "M1", (1300, 160, 1700, 460)),
             ("B2", "M1", (1700, 160, 1900, 300))]
    for i in range(3):  # workshops north and south of the street
        x0 = 250 + 50 * i
        boxes += [(f"W{i}", "M1", (x0, 160, x0 + 50, 300)),
                  (f"W{i + 3}", "M1", (x0, 0, x0 + 50, 140))]
    landuse = gpd.GeoDataFrame({"name": [b[0] for b in boxes], "code": [b[1] for b in boxes]},
                               geometry=[shapely.box(*b[2]) for b in boxes], crs=CRS)
    pts = [("购物", "超市", 200, 150), ("学校", "小学", 200, 150), ("公交", "公交站", 200, 150),
           ("医院", "社区卫生服务中心", 600, 150), ("企业", "工厂", 1400, 300),
           ("企业", "工厂", 1600, 300), ("企业", "工厂", 1750, 280), ("企业", "工厂", 1850, 280),
           ("企业", "作坊", 275, 250)]
    pois = pd.DataFrame({"kind": [p[0] for p in pts], "name": [p[1] for p in pts],
                         "x": [float(p[2]) for p in pts], "y": [float(p[3]) for p in pts]})
    main = shapely.LineString([(x, 150.0) for x in range(0, 2001, 100)])
    lines = [main, shapely.LineString([(0, 0), (0, 150), (0, 500)]),
             shapely.LineString([(2000, 0), (2000, 150), (2000, 500)]),
             shapely.LineString([(1750, 200), (1850, 200)])]  # the fragment inside B2
    roads = gpd.GeoDataFrame({"name": ["main", "west", "east", "fragment"]}, geometry=lines,
                             crs=CRS)
    return {"landuse": landuse, "pois": pois, "roads": roads}


def _write(folder, gaps: str = "", access: str = ""):
    write_zone_layers(folder, _zone(), poi_classes={
        "企业": "enterprise", "购物": "retail", "学校": "education", "公交": "transit",
        "医院": "healthcare"})
    cfg = folder / "zone.toml"
    cfg.write_text(f"""[study]
name = "gap story zone"
crs = "{CRS}"

[grid]
cell_size = 100

[landuse]
path = "zone.gpkg"
layer = "landuse"
class_column = "code"
mapping = "landuse_map.csv"

[pois]
path = "pois.csv"
crs = "{CRS}"
class_column = "kind"
mapping = "poi_map.csv"

[roads]
path = "zone.gpkg"
layer = "roads"

[domain]
rule = "all"

[coupling]
weights = "equal"

[coupling.industry]
industrial_share = "+"
poi_density_enterprise = "+"

[coupling.urban]
residential_share = "+"
poi_density_retail = "+"
poi_density_education = "+"

[gaps]
categories = {json.dumps(CATS)}
candidates = 1
{gaps}

[accessibility]
{access}

[output]
dir = "out"
""", encoding="utf-8")
    return cfg


def _run(folder, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run(load_config(_write(folder, **kwargs)))
    return res, [str(w.message) for w in caught]


def _named(res):
    """The industrial parcels indexed by their land-use name (B1, B2, W0..W5)."""
    lu = _zone()["landuse"]
    corner = {(b[0], b[1]): n for n, b in zip(lu["name"], lu.geometry.bounds.to_numpy(),
                                              strict=True)}
    ind = res.industrial_service_gaps
    b = ind.geometry.bounds.round(6).to_numpy()
    return ind.set_axis([corner[(x, y)] for x, y in b[:, :2]])


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("gapstory"))


def test_ranked_list_puts_the_belt_first(story):
    res, _ = story
    ind = _named(res)
    assert ind.index[:2].tolist() == ["B1", "B2"]
    assert ind["gap_rank"].tolist() == list(range(1, 9))
    assert ind.loc[["B1", "B2"], "severity_score"].tolist() == [7.0, 7.0]
    np.testing.assert_allclose(ind.loc[["B1", "B2"], "workers"], [1200, 280])
    np.testing.assert_allclose(ind.loc[["B1", "B2"], "priority"], [8400, 1960])
    assert not ind.loc[WORKSHOPS, "has_gap"].any()
    assert (ind.loc[WORKSHOPS, "severity_score"] == 0).all()
    table = res.industrial_gap_table
    assert table["排名 rank"].tolist() == [1, 2]
    assert table["等级-购物服务 grade retail"].tolist() == ["远超 far beyond"] * 2


def test_share_of_industrial_units_with_gaps_is_well_below_all(story):
    res, _ = story
    ind = res.industrial_service_gaps
    assert ind["has_gap"].mean() == pytest.approx(2 / 8)
    assert res.params["n_industrial_units"] == 8
    assert res.params["n_industrial_units_with_gaps"] == 2


def test_large_parcel_measured_from_many_origins(story):
    res, _ = story
    b1 = _named(res).loc["B1"]
    assert b1["n_origins"] == 12
    assert b1["net_dist_retail"] == pytest.approx(1410.0)  # one interior point: 1,460 m
    assert b1["net_dist_healthcare"] == pytest.approx(1010.0)
    assert b1["share_within_healthcare"] == pytest.approx(0.25)
    assert b1["share_within_retail"] == 0.0
    assert (b1["gap_severity_retail"], b1["gap_severity_healthcare"]) == ("far_beyond", "beyond")
    w0 = _named(res).loc["W0"]  # (275, 230): 80 + 75 m to the shop, 80 + 325 m to the clinic
    assert (w0["n_origins"], w0["net_dist_retail"]) == (1, pytest.approx(155.0))
    assert w0["net_dist_healthcare"] == pytest.approx(405.0)


def test_absent_category_is_reported_not_counted(story):
    res, messages = story
    ind = res.industrial_service_gaps
    assert (ind["gap_severity_food"] == "absent").all()
    assert not ind["gap_food"].any()
    assert (ind["absent"] == "food").all()
    assert res.params["gap_absent_categories"] == "food"
    absent = [m for m in messages if "absent from the data" in m]
    assert len(absent) == 1 and "not counted as a gap of any unit" in absent[0]
    assert not any("every industrial cell lacks" in m for m in messages)
    assert "food" not in set(res.candidate_sites["category"])
    summary = res.service_gaps
    assert not summary["gap_food"].any() and (summary["absent"] == "food").all()


def test_count_absent_makes_every_unit_a_gap(tmp_path):
    res, messages = _run(tmp_path, gaps="count_absent = true")
    ind = _named(res)
    assert ind["has_gap"].all()
    assert ind.loc[WORKSHOPS, "gaps"].tolist() == ["food"] * 6
    assert ind.index[:2].tolist() == ["B1", "B2"]  # still first: 7 + 2 each
    assert ind.loc["B1", "severity_score"] == 9.0
    assert any("counted as a gap of every industrial unit" in m for m in messages)


def test_cells_use_per_category_thresholds(story):
    res, _ = story
    grid, cells = res.grid, res.service_gaps
    # gap cells: the belt's, columns 13-18 (x >= 1300); none in the served core
    assert len(cells) > 0
    assert (grid.loc[cells.index].geometry.bounds["minx"] >= 1300).all()
    core = grid[(grid["industrial_share"] > 0) & (grid.geometry.bounds["maxx"] <= 400)]
    assert len(core) == 6 and (core["n_missing_services"] == 0).all()
    assert res.params["gap_thresholds_m"] == json.dumps(
        {"retail": 500.0, "education": 500.0, "transit": 500.0, "healthcare": 1000.0,
         "food": 500.0})
    # every distance within the 3 km search is measured (no blank)
    present = [f"net_dist_{c}" for c in CATS if c != "food"]
    assert grid[present].notna().all().all()
    assert res.industrial_service_gaps[present].notna().all().all()


@pytest.mark.parametrize(("component", "retail", "severity", "rejoined"),
                         [("largest", 1680.0, "far_beyond", True),
                          ("any", np.nan, "beyond_search", False)],
                         ids=["largest-rejoins", "any-stays-on-fragment"])
def test_component_key_reaches_every_snapping(tmp_path, component, retail, severity, rejoined):
    res, messages = _run(tmp_path, access=f'component = "{component}"')
    b2 = _named(res).loc["B2"]
    np.testing.assert_allclose(b2["net_dist_retail"], retail)
    assert b2["gap_severity_retail"] == severity
    assert bool(b2["rejoined"]) is rejoined
    assert res.params["network_component"] == component
    moved = [m for m in messages if "lie nearest to a network fragment" in m]
    if component == "largest":
        assert res.params["n_industrial_units_rejoined"] == 2  # B2, and B1's far origins
        assert res.grid["rejoined"].sum() == res.params["n_units_rejoined"] > 0
        assert len([m for m in moved if "industrial parcels" in m]) == 1
        assert len([m for m in moved if " units" in m]) == 1
    else:
        assert not moved and not res.grid["rejoined"].any()


def test_gap_outputs_written(story, tmp_path):
    res, _ = story
    paths = write_outputs(res, tmp_path)
    summary = pd.read_csv(paths["industrial_gap_summary"], encoding="utf-8-sig")
    row = summary.set_index("category").loc["retail"]
    assert (row["within"], row["far_beyond"], row["n_gaps"]) == (6, 2, 2)
    assert summary.set_index("category").loc["food", "absent"] == 8
    layer = gpd.read_file(paths["gpkg"], layer="industrial_service_gaps")
    assert {"gap_severity_retail", "share_within_retail", "n_gaps", "severity_score",
            "priority", "gap_rank", "rejoined", "absent"} <= set(layer.columns)
    written = json.loads(paths["parameters"].read_text(encoding="utf-8"))
    assert json.loads(written["n_industrial_units_by_severity"])["retail"]["far_beyond"] == 2


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("gaps", "access", "expected"),
    [({}, {}, {"education": 500.0, "healthcare": 1000.0, "transit": 500.0}),
     ({"distance": 800}, {}, {"education": 800.0, "healthcare": 800.0, "transit": 800.0}),
     ({"life_circle": "5min"}, {}, {"education": 300.0, "healthcare": 300.0, "transit": 300.0}),
     ({"thresholds": {"transit": 300}}, {}, {"education": 500.0, "healthcare": 1000.0,
                                             "transit": 300.0}),
     ({"distance": 800, "thresholds": {"healthcare": 1200}}, {},
      {"education": 800.0, "healthcare": 1200.0, "transit": 800.0}),
     ({}, {"walk_speed": 80}, {"education": 800.0, "healthcare": 1200.0, "transit": 500.0})],
    ids=["standards", "distance-for-all", "life-circle-for-all", "override-one",
         "distance-and-override", "walk-speed-moves-levels"],
)
def test_gap_thresholds_precedence(gaps, access, expected):
    section = GapConfig(categories=("education", "healthcare", "transit"), **gaps)
    got, basis = gap_thresholds(section, AccessibilityConfig(**access))
    assert got == expected
    assert ("[gaps] distance" in basis) is ("distance" in gaps)


def test_gap_thresholds_user_table_must_cover_the_categories(tmp_path):
    table = tmp_path / "std.csv"
    table.write_text("category,life_circle,threshold_m\nretail,,400\n", encoding="utf-8")
    got, basis = gap_thresholds(GapConfig(categories=("retail",), standards=table),
                                AccessibilityConfig())
    assert got == {"retail": 400.0} and "std.csv" in basis
    with pytest.raises(InputError, match=r"std\.csv gives no threshold for `\[gaps\] "
                                         r"categories` \['transit'\]"):
        gap_thresholds(GapConfig(categories=("retail", "transit"), standards=table),
                       AccessibilityConfig())


def test_distance_and_life_circle_together_are_refused():
    with pytest.raises(InputError, match=r"`\[gaps\] distance` \(800 m\) and `\[gaps\] "
                                         r"life_circle` \('5min'\) both set"):
        GapConfig(distance=800, life_circle="5min")
