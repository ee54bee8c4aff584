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


# ---------------------------------------------------------------- bundled code mappings

from cityind_gis.taxonomy import BUNDLED_MAPPINGS, check_classes, normalize_codes  # noqa: E402


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("gb50137", ["M1", "M2", "M3", "A33", "B1", "R2", "W1", "S42", "U12", "G1", "B2", "A51"],
         ["industrial"] * 3 + ["education", "commercial", "residential", "logistics",
                               "transport", "utilities", "green", "business", "healthcare"]),
        ("gb50137", ["m1", "Ｍ２", " r22 ", "E1", "E2", "H5", "X1"],
         ["industrial", "industrial", "residential", "water", "agriculture", "industrial", None]),
        ("gbt21010", ["0601", 601, "0602", "0604", "0701", "0803", "0805", "0810A", "1003", "201"],
         ["industrial", "industrial", "industrial", "logistics", "residential", "education",
          "healthcare", "green", "transport", "other"]),
        ("euluc", ["01", "0101", 101, 201, "0202", 3, "0502", "0505", "Business office"],
         ["residential", "residential", "residential", "business", "commercial", "industrial",
          "education", "green", "business"]),
        ("amap", ["050100", 50100, "170300", "141201", "140500", "150700", "010101|050100",
                  "160100", "090100"],
         ["food", "food", "enterprise", "education", "culture", "transit", "excluded",
          "finance", "healthcare"]),
        ("amap", ["餐饮服务;中餐厅;中餐厅", "科教文化服务;学校;高等院校",
                  "科教文化服务;图书馆;图书馆", "公司企业", "汽车服务;加油站;中国石化",
                  "购物服务；超级市场；超市", "火星服务"],
         ["food", "education", "culture", "enterprise", "excluded", "retail", None]),
        ("ydyh2023", ["100101", "100103", 100102, "1001", "10", "1101", "070101", 70102, "0702",
                      "0804", "0806", "0902", "0903", "1207", "1401", "1403", "1502", "1701",
                      "0301", "2301", "1002"],
         ["industrial", "industrial", "industrial", "industrial", "industrial", "logistics",
          "residential", "residential", "residential", "education", "healthcare", "business",
          "commercial", "transport", "green", "green", "other", "water", "agriculture", "other",
          "industrial"]),
        ("ydyh2023", ["工业用地", "物流仓储用地", "城镇住宅用地", "商务金融用地", "公园绿地",
                      "留白用地"],
         ["industrial", "logistics", "residential", "business", "green", "other"]),
    ],
    ids=["gb50137-codes", "gb50137-messy", "gbt21010", "euluc", "amap-typecode", "amap-text",
         "ydyh2023-codes", "ydyh2023-names"],
)
def test_bundled_code_mappings(name, values, expected):
    got = classify_values(pd.Series(values, dtype=object), load_mapping(name), key="code")
    assert got.tolist() == expected


@pytest.mark.parametrize(
    ("name", "allowed"),
    [(n, "landuse" if spec[1] == "landuse" else "poi") for n, spec in BUNDLED_MAPPINGS.items()],
    ids=list(BUNDLED_MAPPINGS),
)
def test_every_bundled_mapping_targets_its_taxonomy(name, allowed):
    from cityind_gis.indicators.buildings import BUILDING_CLASSES, UNKNOWN

    if BUNDLED_MAPPINGS[name][1] == "building":
        check_classes(load_mapping(name), [*BUILDING_CLASSES, UNKNOWN], name)
        return
    classes = landuse_classes().index if allowed == "landuse" else poi_categories().index
    check_classes(load_mapping(name), list(classes), name)


def test_user_mapping_extends_and_overrides_bundled(tmp_path):
    (tmp_path / "fix.csv").write_text("value,class\nM3,other\nC1,commercial\n", encoding="utf-8")
    table = load_mapping(["gb50137", str(tmp_path / "fix.csv")])
    got = classify_values(pd.Series(["M1", "M3", "c1", "A33"]), table)
    assert got.tolist() == ["industrial", "other", "commercial", "education"]


def test_prefix_rows_in_a_plain_mapping():
    table = load_mapping({"M*": "industrial", "M9": "other", "*": "other"})
    got = classify_values(pd.Series(["M", "M1", "M9", "R"]), table)
    assert got.tolist() == ["industrial", "industrial", "other", "other"]


def test_normalize_codes():
    got = normalize_codes(pd.Series(["50100", 601.0, "２０３", "a33 ", "x|y", None,
                                     "餐饮服务 ； 中餐厅"], dtype=object))
    assert got.tolist() == ["050100", "0601", "203", "A33", "X", None, "餐饮服务;中餐厅"]


def test_load_mapping_empty_list():
    with pytest.raises(InputError, match="empty list"):
        load_mapping([])
