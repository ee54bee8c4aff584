import pandas as pd
import pytest

from cityind_gis import InputError, SchemaError
from cityind_gis.taxonomy import (
    OSM_POI_KEYS,
    classify_tags,
    classify_values,
    landuse_classes,
    load_mapping,
    poi_categories,
    service_categories,
    tag_report,
)


def test_canonical_tables():
    lu = landuse_classes()
    assert {"industrial", "residential", "commercial", "education", "healthcare", "green",
            "other"} <= set(lu.index)
    assert lu.loc["industrial", "name_zh"] == "工业用地"
    cats = poi_categories()
    assert {"enterprise", "education", "healthcare", "retail", "food", "leisure", "transit",
            "public_admin"} <= set(cats.index)
    assert "enterprise" not in service_categories()


@pytest.fixture
def osm_tags():
    return pd.DataFrame({
        "amenity": ["school", "restaurant", "parking", None, None, "life_ring", None],
        "shop": [None, None, None, "bakery", None, None, None],
        "highway": [None, None, None, None, "bus_stop", None, None],
        "office": [None, "company", None, None, None, None, None],
    })


def test_classify_tags_priority_wildcard_and_exclusion(osm_tags):
    got = classify_tags(osm_tags, load_mapping("osm_poi"), keys=OSM_POI_KEYS)
    # amenity beats office; shop=* wildcard; parking excluded; life_ring and no tag unmapped
    assert got.tolist() == ["education", "food", "excluded", "retail", "transit", None, None]


def test_tag_report_counts_unmapped_and_excluded(osm_tags):
    got = classify_tags(osm_tags, load_mapping("osm_poi"), keys=OSM_POI_KEYS)
    rep = tag_report(osm_tags, got, keys=OSM_POI_KEYS, layer="pois")
    rows = {(r.status, r.key, r.value): r.count for r in rep.itertuples()}
    assert rows == {
        ("unmapped", "amenity", "life_ring"): 1,
        ("unmapped", "", "<no tag>"): 1,
        ("excluded", "amenity", "parking"): 1,
    }


def test_classify_values_exact_key_beats_generic():
    mapping = load_mapping(pd.DataFrame({"key": ["*", "code"], "value": ["M1", "M1"],
                                         "class": ["other", "industrial"]}))
    got = classify_values(pd.Series([" M1", "R2", None, ""], name="code"), mapping, key="code")
    assert got.tolist() == ["industrial", None, None, None]


def test_load_mapping_from_dict_and_errors(tmp_path):
    m = load_mapping({"M": "industrial"})
    assert m.to_dict("records") == [{"key": "*", "value": "M", "class": "industrial"}]
    with pytest.raises(InputError, match="does not exist"):
        load_mapping(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,klass\nM,industrial\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"missing column\(s\)"):
        load_mapping(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text("value,class\nM,industrial\nM,logistics\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="more than once"):
        load_mapping(dup)


def test_bundled_mappings_target_canonical_classes():
    from cityind_gis.taxonomy import check_classes

    check_classes(load_mapping("osm_landuse"), list(landuse_classes().index))
    check_classes(load_mapping("osm_poi"), list(poi_categories().index))
