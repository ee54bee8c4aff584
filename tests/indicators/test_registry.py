import pytest

from cityind_gis import InputError
from cityind_gis.indicators import (
    column_name,
    default_subsystem_indicators,
    indicator_info,
    indicator_registry,
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
