"""The registry: entries, lookup, validation, docs, and indicators registered from outside."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from cityind_gis import InputError
from cityind_gis.indicators import (
    Indicator,
    IndicatorInputs,
    Measure,
    column_name,
    compute_indicators,
    default_registry,
    default_subsystem_indicators,
    indicator,
    indicator_info,
    indicator_registry,
    measure,
    registry_markdown,
)


@pytest.mark.parametrize(("args", "expected"), [
    (("poi_count", "school", 800), "poi_count_school_800m"),
    (("land_use_mix",), "land_use_mix"),
    (("poi_count", "food", 312.5), "poi_count_food_312p5m"),
], ids=["full", "measure-only", "fractional-distance"])
def test_column_name(args, expected):
    assert column_name(*args) == expected


@pytest.mark.parametrize("args", [("poi_count", "学校"), ("x" * 41,), ("Poi",)],
                         ids=["non-ascii", "too-long", "upper-case"])
def test_column_name_rejects(args):
    with pytest.raises(InputError, match="snake_case ASCII"):
        column_name(*args)


def test_registry_is_complete_and_valid():
    reg = indicator_registry()
    assert reg.index.is_unique
    assert set(reg["direction"]) <= {"+", "-"}
    assert set(reg["subsystem"]) <= {"industry", "urban", "descriptive"}
    text_columns = ["unit", "description_zh", "description_en", "formula", "source"]
    assert not reg[text_columns].eq("").any().any()
    # every concrete name is a valid column name
    concrete = [n for n in reg.index if "{" not in n]
    assert [column_name(n) for n in concrete] == concrete


@pytest.mark.parametrize(("column", "pattern", "subsystem"), [
    ("poi_density_food", "poi_density_{category}", "urban"),
    ("industrial_share", "industrial_share", "industry"),
    ("net_dist_healthcare", "net_dist_{category}", "urban"),
    ("space_share_living", "space_share_{space}", "descriptive"),
], ids=["pattern", "exact-wins", "distance", "space"])
def test_indicator_info(column, pattern, subsystem):
    info = indicator_info(column)
    assert (info["pattern"], info["subsystem"], info.name) == (pattern, subsystem, column)


def test_indicator_info_unknown():
    with pytest.raises(InputError, match="not a registered indicator"):
        indicator_info("bogus_measure")


def test_default_subsystem_indicators():
    cols = ["industrial_share", "poi_density_enterprise", "poi_density_food", "net_dist_food",
            "road_density", "service_shannon"]
    assert default_subsystem_indicators(cols, "industry") == {
        "industrial_share": "+", "poi_density_enterprise": "+"}
    urban = default_subsystem_indicators(cols, "urban", categories=["food"])
    assert urban == {"poi_density_food": "+", "road_density": "+", "net_dist_food": "-"}
    with pytest.raises(InputError, match="subsystem"):
        default_subsystem_indicators(cols, "ecology")


def test_registry_markdown_lists_every_indicator():
    md = registry_markdown()
    assert all(f"`{n}`" in md for n in indicator_registry().index)


def test_docs_table_matches_registry():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    doc = (docs / "indicators.md").read_text(encoding="utf-8")
    body = doc.split("<!-- registry:begin -->\n")[1].split("<!-- registry:end -->")[0]
    assert body == registry_markdown()


def test_docs_table_is_what_update_docs_writes(tmp_path):
    from pathlib import Path

    from cityind_gis.indicators.registry import update_docs

    doc = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"
    copy = tmp_path / "indicators.md"
    copy.write_text(doc.read_text(encoding="utf-8"), encoding="utf-8")
    assert update_docs(copy) is False  # the committed page is up to date
    stale = copy.read_text(encoding="utf-8").replace("| `road_density` |", "| `old_name` |")
    copy.write_text(stale, encoding="utf-8")
    assert update_docs(copy) is True
    assert copy.read_text(encoding="utf-8") == doc.read_text(encoding="utf-8")


def test_update_docs_needs_the_markers(tmp_path):
    from cityind_gis.indicators.registry import update_docs

    page = tmp_path / "page.md"
    page.write_text("# no table here\n", encoding="utf-8")
    with pytest.raises(InputError, match="registry:begin"):
        update_docs(page)


# ---------------------------------------------------------------------- the Registry itself
def _entry(name, **changes):
    fields = dict(name=name, unit="-", direction="+", subsystem="descriptive", label_zh="测试",
                  label_en="test", formula="x", citation="-")
    return Indicator(**{**fields, **changes})


def _ones(units):
    return pd.Series(1.0, index=units.index, name="t_one")


@pytest.mark.parametrize(("item", "match"), [
    (_entry("t_one", func=_ones, needs=("units",), direction="up"), "`direction` must be"),
    (_entry("t_one", func=_ones, needs=("units",), subsystem="ecology"), "`subsystem` must be"),
    (_entry("t_one", func=_ones, needs=("units",), label_en=" "), r"\['label_en'\] must not be"),
    (_entry("t_one"), "give `func`"),
    (_entry("t_one", func=_ones, stage="accessibility"), "belongs to stage 'indicators'"),
    (_entry("t_one", func=_ones, needs=("workers",)), r"needs \['workers'\], which are neither"),
    (_entry("road_density", func=_ones, needs=("units",)), "registered already"),
    (_entry("T_One", func=_ones, needs=("units",)), "snake_case ASCII"),
    (Measure(name="t_m", func=_ones, needs=("units",),
             columns=(_entry("t_one", func=_ones),)), "has no `func` of its own"),
    (Measure(name="poi_counts", func=_ones, needs=("units",)), "is a measure already"),
    (Measure(name="roads", func=_ones, needs=("units",)), "is an input already"),
    (Measure(name="t_m", func=_ones, needs=("units",), uses=("poi_counts",)),
     "`uses` .* must be inputs"),
    (Measure(name="t_m", func="not callable", needs=("units",)), "must be callable"),
    ("t_one", "must be an Indicator or a Measure"),
], ids=["direction", "subsystem", "empty-label", "no-func", "stage-with-func", "unknown-need",
        "duplicate", "not-snake-case", "func-in-measure-column", "measure-name-taken",
        "input-name", "uses-a-measure", "not-callable", "not-an-entry"])
def test_register_rejects(item, match):
    reg = default_registry().copy()
    with pytest.raises(InputError, match=match):
        reg.register(item)
    assert "t_one" not in reg and "t_m" not in reg


def test_copy_is_independent_and_unregister_removes_a_measure():
    reg = default_registry().copy()
    reg.register(_entry("t_one", func=_ones, needs=("units",)))
    assert "t_one" in reg and "t_one" not in default_registry()
    assert len(reg) == len(default_registry()) + 1
    reg.unregister("fz_type")  # a column names its measure: all four fz_* entries go
    assert not any(n.startswith("fz_") for n in reg.names())
    assert "functional_zones" not in [m.name for m in reg.measures()]
    with pytest.raises(InputError, match="needed by"):
        reg.unregister("poi_counts")
    with pytest.raises(InputError, match="is not registered"):
        reg.unregister("bogus")
    reg.unregister("net_dist_{category}")  # an entry of another stage
    assert "net_dist_{category}" not in reg


def test_registry_lookup_sources_and_names():
    reg = default_registry()
    assert reg.info("fz_ratio_max").name == "fz_ratio_max"  # exact before fz_ratio_{category}
    assert reg.info("fz_ratio_food").name == "fz_ratio_{category}"
    assert reg.measure_of("jobs_housing_balance").name == "jobs_housing"
    assert reg.measure_of("net_dist_{category}") is None
    assert reg.sources("industrial_plot_ratio") == ("landuse", "buildings")
    assert reg.sources("transit_stop_density") == ("pois",)
    assert reg.sources("lc5_score") == ("accessibility",)
    fill = {"{category}": ["food"], "{class}": ["industrial"], "{space}": ["living"],
            "landcover_share_{class}": None}
    names = reg.concrete_names(fill)
    assert {"poi_density_food", "industrial_share", "space_share_living",
            "net_dist_food"} <= set(names)
    assert not any(n.startswith("landcover_share_") for n in names)
    unknown = reg.unknown_names(["landcover_share_tree_cover", "poi_densty_food", "zzz"], fill)
    assert list(unknown) == ["poi_densty_food", "zzz"] and unknown["zzz"] == ""
    assert unknown["poi_densty_food"].startswith(" (did you mean 'poi_density_food'")


def test_default_u1_u2_come_in_registry_order():
    reg = default_registry()
    cols = reg.concrete_names({"{category}": ["food", "transit"], "{class}": [], "{space}": []})
    assert list(reg.default_indicators(cols, "industry")) == [
        "industrial_share", "logistics_share", "poi_density_enterprise",
        "building_floor_area_industrial", "industrial_plot_ratio", "industrial_parcel_size_ha",
        "industrial_parcel_compactness", "industrial_land_diversity"]
    assert list(reg.default_indicators(cols, "urban", categories=["food"])) == [
        "residential_share", "public_service_share", "commercial_share", "land_use_mix",
        "jobs_housing_balance", "poi_density_food", "road_density", "intersection_density",
        "net_dist_food"]


# ---------------------------------------------------------------------- adding an indicator
def _transit_per_1000(counts, population):
    """Written here, outside the package: transit stops per 1,000 residents."""
    stops = counts["poi_count_transit"].to_numpy(dtype=float)
    people = population["population_sum"].to_numpy(dtype=float)
    out = np.divide(1000.0 * stops, people, out=np.full(len(people), np.nan), where=people > 0)
    return pd.Series(out, index=counts.index, name="t_transit_per_1000")


@pytest.fixture
def stops_and_people(grid_2x2, tmp_path):
    from affine import Affine

    from cityind_gis.io.raster import write_geotiff

    stops = gpd.GeoDataFrame({"category": ["transit", "transit", "transit", "retail"]},
                             geometry=gpd.points_from_xy([40, 10, 20, 150], [40, 110, 120, 50]),
                             crs=grid_2x2.crs)
    # 50 m pixels, north row first: cells 0..3 hold 10, 24, 0 and 20 people
    people = np.array([[0, 0, 5, 5], [0, 0, 5, 5], [1, 2, 0, 8], [3, 4, 8, 8]], dtype=np.float32)
    pop = write_geotiff(people, tmp_path / "pop.tif", crs=grid_2x2.crs,
                        transform=Affine(50, 0, 0, 0, -50, 200))
    return IndicatorInputs(units=grid_2x2, pois=stops, population_raster=pop)


def test_an_indicator_registered_outside_the_package_is_computed(stops_and_people):
    reg = default_registry().copy()
    reg.register(Indicator(
        name="t_transit_per_1000", func=_transit_per_1000, needs=("poi_counts", "population"),
        unit="stops per 1,000 residents", direction="+", subsystem="urban", default=True,
        label_zh="每千人公交站点数", label_en="transit stops per 1,000 residents",
        formula="1000 n_transit / P", citation="-"))
    got = compute_indicators(stops_and_people, registry=reg)
    # 1 stop / 10 people; 0 / 24; 2 stops where nobody lives; 0 / 20
    assert got["t_transit_per_1000"].tolist() == pytest.approx([100.0, 0.0, np.nan, 0.0],
                                                               nan_ok=True)
    assert got.columns[-1] == "t_transit_per_1000"  # appended: runs after what it needs
    # the built-ins are unchanged, and the default registry does not know the new one
    pd.testing.assert_frame_equal(got.drop(columns="t_transit_per_1000"),
                                  compute_indicators(stops_and_people))
    assert "t_transit_per_1000" not in compute_indicators(stops_and_people).columns
    # the entry is documented and enters the default U2 of a registry holding it
    assert "`t_transit_per_1000`" in reg.markdown()
    assert reg.info("t_transit_per_1000").label_zh == "每千人公交站点数"
    assert "t_transit_per_1000" in reg.default_indicators(got.columns, "urban")
    # without a population raster its need is missing and it is skipped
    no_pop = compute_indicators({"units": stops_and_people.units,
                                 "pois": stops_and_people.pois}, registry=reg)
    assert "t_transit_per_1000" not in no_pop.columns


def test_a_measure_registered_with_the_decorator(grid_2x2, stops_and_people):
    reg = default_registry().copy()

    @measure(registry=reg, name="t_pair", needs=("units", "poi_counts"), columns=(
        _entry("t_pair_total"), _entry("t_pair_{category}")))
    def t_pair(units, counts):
        return pd.DataFrame({"t_pair_total": counts.sum(axis=1),
                             "t_pair_transit": counts["poi_count_transit"]}, index=units.index)

    @indicator(registry=reg, name="t_half", needs=("t_pair",), unit="-", direction="-",
               subsystem="descriptive", label_zh="半", label_en="half", formula="n / 2",
               citation="-")
    def t_half(pair):
        return (pair["t_pair_total"] / 2).rename("t_half")

    got = compute_indicators(stops_and_people, registry=reg)
    assert got["t_pair_total"].tolist() == [1, 1, 2, 0]
    assert got["t_pair_transit"].tolist() == [1, 0, 2, 0]
    assert got["t_half"].tolist() == [0.5, 0.5, 1.0, 0.0]
    assert reg.info("t_pair_transit").name == "t_pair_{category}"


def _doc_block(marker: str) -> str:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "indicators.md").read_text(
        encoding="utf-8")
    return doc.split(f"<!-- example:{marker} -->\n```python\n")[1].split("```")[0]


def test_the_worked_example_of_the_docs_runs_as_written(tmp_path):
    ns: dict = {}
    exec(compile(_doc_block("function"), "docs/indicators.md:function", "exec"), ns)  # noqa: S102
    exec(compile(_doc_block("test"), "docs/indicators.md:test", "exec"), ns)  # noqa: S102
    ns["test_transit_stops_per_1000"](tmp_path)
    assert "transit_stops_per_1000" in ns["registry"]
    assert "transit_stops_per_1000" not in default_registry()
