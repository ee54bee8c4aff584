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


# ---------------------------------------------------------------- one category per kind
# One row per real-world kind: its Amap typecode and type text, its OSM tag, and where the
# land-use taxonomies have a class for it, its EULUC-China and GB 50137-2011 codes. The POI
# mappings (amap codes, amap text, osm_poi) must give the row's category; the land-use
# mappings (euluc codes and names, gb50137) must give the row's land-use class.
# (kind, category, amap code, amap text, osm "key=value", landuse class, euluc, gb50137)
SHARED_KINDS = [
    ("cinema", "leisure", "080601", "体育休闲服务;影剧院;电影院", "amenity=cinema",
     "commercial", None, "B31"),
    ("theatre", "leisure", "080603", "体育休闲服务;影剧院;剧场", "amenity=theatre",
     "commercial", None, "B31"),
    ("veterinary", "daily_services", "090701", "医疗保健服务;动物医疗场所;宠物诊所",
     "amenity=veterinary", None, None, None),
    ("bar", "food", "080304", "体育休闲服务;娱乐场所;酒吧", "amenity=bar",
     "commercial", "0202", "B13"),
    ("university", "education", "141201", "科教文化服务;学校;高等院校", "amenity=university",
     "education", "0502", "A31"),
    ("school", "education", "141202", "科教文化服务;学校;中学", "amenity=school",
     "education", "0502", "A33"),
    ("kindergarten", "education", "141204", "科教文化服务;学校;幼儿园", "amenity=kindergarten",
     "education", "0502", None),
    ("hospital", "healthcare", "090100", "医疗保健服务;综合医院;综合医院", "amenity=hospital",
     "healthcare", "0503", "A51"),
    ("clinic", "healthcare", "090300", "医疗保健服务;诊所;诊所", "amenity=clinic",
     "healthcare", "0503", "A5"),
    ("dentist", "healthcare", "090202", "医疗保健服务;专科医院;口腔医院", "amenity=dentist",
     "healthcare", "0503", "A5"),
    ("pharmacy", "healthcare", "090601", "医疗保健服务;医药保健销售店;药房", "amenity=pharmacy",
     "commercial", "0202", "B11"),
    ("supermarket", "retail", "060400", "购物服务;超级市场;超市", "shop=supermarket",
     "commercial", "0202", "B11"),
    ("convenience store", "retail", "060200", "购物服务;便民商店/便利店;便民商店/便利店",
     "shop=convenience", "commercial", "0202", "B11"),
    ("restaurant", "food", "050100", "餐饮服务;中餐厅;中餐厅", "amenity=restaurant",
     "commercial", "0202", "B13"),
    ("cafe", "food", "050500", "餐饮服务;咖啡厅;咖啡厅", "amenity=cafe",
     "commercial", "0202", "B13"),
    ("hotel", "accommodation", "100100", "住宿服务;宾馆酒店;宾馆酒店", "tourism=hotel",
     "commercial", "0202", "B14"),
    ("hairdresser", "daily_services", "071100", "生活服务;美容美发店;美容美发店",
     "shop=hairdresser", "commercial", "0202", "B1"),
    ("post office", "daily_services", "070400", "生活服务;邮局;邮局", "amenity=post_office",
     "utilities", None, "U21"),
    ("bus stop", "transit", "150700", "交通设施服务;公交车站;公交车站", "highway=bus_stop",
     "transport", "0402", "S41"),
    ("metro station", "transit", "150500", "交通设施服务;地铁站;地铁站", "railway=station",
     "transport", "0402", "S2"),
    ("coach station", "transit", "150400", "交通设施服务;长途汽车站;长途汽车站",
     "amenity=bus_station", "transport", "0402", "S3"),
    ("bank", "finance", "160100", "金融保险服务;银行;银行", "amenity=bank",
     "business", "0201", "B21"),
    ("atm", "finance", "160300", "金融保险服务;自动提款机;自动提款机", "amenity=atm",
     None, None, None),
    ("police", "public_admin", "130501", "政府机构及社会团体;公检法机构;公安警察",
     "amenity=police", "administration", "0501", "A1"),
    ("town hall", "public_admin", "130100", "政府机构及社会团体;政府机关;区县级政府",
     "amenity=townhall", "administration", "0501", "A1"),
    ("library", "culture", "140500", "科教文化服务;图书馆;图书馆", "amenity=library",
     "culture_sports", "0504", "A21"),
    ("museum", "culture", "140100", "科教文化服务;博物馆;博物馆", "tourism=museum",
     "culture_sports", "0504", "A21"),
    ("exhibition hall", "culture", "140200", "科教文化服务;展览馆;展览馆",
     "amenity=exhibition_centre", "culture_sports", "0504", "A21"),
    ("sports centre", "leisure", "080100", "体育休闲服务;运动场馆;运动场馆",
     "leisure=sports_centre", "culture_sports", "0504", "A41"),
    ("fitness centre", "leisure", "080112", "体育休闲服务;运动场馆;健身中心",
     "leisure=fitness_centre", "commercial", "0202", "B32"),
    ("nightclub", "leisure", "080301", "体育休闲服务;娱乐场所;夜总会", "amenity=nightclub",
     "commercial", "0202", "B31"),
    ("park", "leisure", "110101", "风景名胜;公园广场;公园", "leisure=park",
     "green", "0505", "G1"),
    ("zoo", "leisure", "110102", "风景名胜;公园广场;动物园", "tourism=zoo",
     "green", "0505", "G1"),
    ("company", "enterprise", "170200", "公司企业;公司;公司", "office=company",
     "business", "0201", "B29"),
    ("factory", "enterprise", "170300", "公司企业;工厂;工厂", "man_made=works",
     "industrial", "0301", "M1"),
    ("fuel station", "excluded", "010100", "汽车服务;加油站;加油站", "amenity=fuel",
     "utilities", None, "B41"),
    ("car park", "excluded", "150900", "交通设施服务;停车场;停车场", "amenity=parking",
     "transport", None, "S42"),
]
KIND_IDS = [k[0].replace(" ", "_") for k in SHARED_KINDS]


@pytest.fixture(scope="module")
def kind_table():
    rows = pd.DataFrame(SHARED_KINDS, columns=["kind", "category", "amap_code", "amap_text",
                                               "osm", "landuse", "euluc", "gb50137"])
    tags = rows["osm"].str.split("=", expand=True).rename(columns={0: "key", 1: "value"})
    wide = pd.DataFrame({key: tags["value"].where(tags["key"] == key).astype(object)
                         for key in OSM_POI_KEYS})
    return rows.assign(
        by_amap_code=classify_values(rows["amap_code"], load_mapping("amap")).to_numpy(),
        by_amap_text=classify_values(rows["amap_text"], load_mapping("amap")).to_numpy(),
        by_osm=classify_tags(wide, load_mapping("osm_poi"), keys=OSM_POI_KEYS).to_numpy(),
        by_euluc=classify_values(rows["euluc"], load_mapping("euluc")).to_numpy(),
        by_gb50137=classify_values(rows["gb50137"], load_mapping("gb50137")).to_numpy(),
    ).set_index("kind")


@pytest.mark.parametrize("kind", [k[0] for k in SHARED_KINDS], ids=KIND_IDS)
def test_one_category_per_kind_across_amap_and_osm(kind_table, kind):
    row = kind_table.loc[kind]
    got = {"amap code": row["by_amap_code"], "amap text": row["by_amap_text"],
           "osm": row["by_osm"]}
    assert got == dict.fromkeys(got, row["category"])


@pytest.mark.parametrize("kind", [k[0] for k in SHARED_KINDS if k[6] or k[7]],
                         ids=[i for i, k in zip(KIND_IDS, SHARED_KINDS, strict=True)
                              if k[6] or k[7]])
def test_one_landuse_class_per_kind_across_euluc_and_gb50137(kind_table, kind):
    row = kind_table.loc[kind]
    got = {name: row[f"by_{name}"] for name in ("euluc", "gb50137") if pd.notna(row[name])}
    assert got == dict.fromkeys(got, row["landuse"])


@pytest.mark.parametrize(
    ("mapping", "key", "value", "expected"),
    [("osm_poi", "amenity", "cinema", "leisure"),  # was culture
     ("osm_poi", "amenity", "theatre", "leisure"),  # was culture
     ("osm_poi", "amenity", "concert_hall", "leisure"),  # was unmapped
     ("amap", "*", "090701", "daily_services"),  # was healthcare
     ("amap", "*", "医疗保健服务;动物医疗场所;兽医站", "daily_services"),  # was healthcare
     ("amap", "*", "080304", "food")],  # was leisure
    ids=["osm-cinema", "osm-theatre", "osm-concert-hall", "amap-vet-code", "amap-vet-text",
         "amap-bar"],
)
def test_changed_mappings(mapping, key, value, expected):
    # the documented changes of the shared-kinds fix (docs/inputs/taxonomies.md)
    got = classify_values(pd.Series([value], name=key), load_mapping(mapping), key=key)
    assert got.iloc[0] == expected
