"""`[[pois]]` (several POI sources) and the `[roads]` road-class keys in a TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityind_gis._errors import InputError
from cityind_gis.config import Config, LayerConfig, RoadsConfig, load_config
from cityind_gis.network import WALK_EXCLUDED_CLASSES
from cityind_gis.workflow import period_config

OSM = '[osm]\npath = "x.osm.pbf"\n'
TWO = ('[[pois]]\nname = "amap"\npath = "amap.csv"\nclass_column = "typecode"\n'
       'mapping = "amap"\ncoords = "gcj02"\n'
       '[[pois]]\npath = "data/公交站点.shp"\nclass_column = "类型"\n')


def _load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "run.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_two_sources_parsed_in_order(tmp_path):
    cfg = _load(tmp_path, OSM + TWO)
    d = tmp_path.resolve()
    assert cfg.pois == LayerConfig(path=d / "amap.csv", class_column="typecode",
                                   mapping="amap", coords="gcj02", name="amap")
    assert cfg.extra_pois == (LayerConfig(path=d / "data" / "公交站点.shp", class_column="类型",
                                          name="公交站点"),)  # name from the file
    assert [s.source_name for s in cfg.poi_sources] == ["amap", "公交站点"]
    assert cfg.merge_pois


def test_one_pois_table_unchanged(tmp_path):
    cfg = _load(tmp_path, OSM + '[pois]\npath = "a.csv"\n')
    assert cfg.extra_pois == () and cfg.pois.name is None and not cfg.merge_pois
    assert cfg.poi_sources == (cfg.pois,)


def test_single_pois_array_table_is_merged(tmp_path):
    cfg = _load(tmp_path, OSM + '[[pois]]\npath = "stops.csv"\n')
    assert cfg.merge_pois and cfg.pois.name == "stops" and cfg.extra_pois == ()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[[pois]]\npath = "a/x.csv"\n[[pois]]\npath = "b/x.csv"\n',
         r"sources of the config must have distinct names, but \['x'\]"),
        ('[[pois]]\npath = "a.csv"\n[[pois]]\npath = "b.csv"\ncoords = "wgs"\n',
         r"`\[\[pois\]\] #2 coords` must be one of"),
        ('[[pois]]\npath = "a.csv"\n[[pois]]\npath = "b.csv"\nclass_colum = "t"\n',
         r"config section `\[\[pois\]\] #2` has unknown key\(s\) \['class_colum'\] "
         r"\(did you mean 'class_column'\?\)"),
        ('[pois]\npath = "a.csv"\nname = "amap"\n',
         r"`\[pois\]` has key\(s\) \['name'\], which name one of several POI sources"),
        ('[landuse]\nname = "x"\n', r"`\[landuse\]` has key\(s\) \['name'\]"),
        ('pois = []\n', r"`\[\[pois\]\]` must be one or more tables"),
        ('[roads]\nexclude_classes = "motorway"\n',
         r"`\[roads\] exclude_classes` must be a list of road-class names"),
        ('[roads]\nclass_column = ""\n', r"`\[roads\] class_column` must be a non-empty"),
        ('[roads]\nexclude_clases = []\n', r"did you mean 'exclude_classes'"),
    ],
    ids=["same-name", "bad-coords-2", "unknown-key-2", "name-in-pois", "name-in-landuse",
         "empty-array", "classes-string", "empty-class-column", "misspelt-key"],
)
def test_bad_keys_name_the_table(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        _load(tmp_path, text + OSM)  # top-level keys (`pois = []`) come before any table


def test_osm_sources_need_an_osm_file(tmp_path):
    text = ('[landuse]\npath = "l.shp"\n[roads]\npath = "r.shp"\n'
            '[[pois]]\npath = "a.csv"\n[[pois]]\nname = "osm"\n')
    with pytest.raises(InputError, match=r"no `path` for \['pois'\]"):
        _load(tmp_path, text)


def test_roads_keys(tmp_path):
    cfg = _load(tmp_path, OSM + '[roads]\nclass_column = "等级"\nexclude_classes = ["高速公路"]\n')
    assert cfg.roads == RoadsConfig(class_column="等级", exclude_classes=("高速公路",))
    assert _load(tmp_path, OSM + '[roads]\nexclude_classes = []\n').roads.exclude_classes == ()
    assert RoadsConfig().exclude_classes == WALK_EXCLUDED_CLASSES
    assert RoadsConfig().class_column is None


PANEL = ('[[periods]]\nyear = 2019\n[[periods.pois]]\nname = "amap"\npath = "amap_2019.csv"\n'
         '[[periods]]\nyear = 2024\n')


def test_period_sources_replace_the_top_level_ones(tmp_path):
    cfg = _load(tmp_path, OSM + TWO + PANEL)
    p2019, p2024 = (period_config(cfg, p) for p in cfg.periods)
    assert [s.source_name for s in p2019.poi_sources] == ["amap"]
    assert p2019.pois.path == tmp_path.resolve() / "amap_2019.csv" and p2019.merge_pois
    assert p2024.poi_sources == cfg.poi_sources  # no POIs of its own: the top level's


def test_period_single_table_with_top_level_sources_is_ambiguous(tmp_path):
    text = OSM + TWO + '[[periods]]\nyear = 2019\n[periods.pois]\ncoords = "wgs84"\n' \
        '[[periods]]\nyear = 2024\n'
    with pytest.raises(InputError, match=r"period '2019' gives one `\[periods.pois\]` table, "
                       "but the top level has several"):
        _load(tmp_path, text)


def test_period_sources_with_the_same_name(tmp_path):
    text = OSM + '[[periods]]\nyear = 2019\n[[periods.pois]]\npath = "a/x.csv"\n' \
        '[[periods.pois]]\npath = "b/x.csv"\n[[periods]]\nyear = 2024\n'
    with pytest.raises(InputError, match=r"sources of period '2019' must have distinct names"):
        _load(tmp_path, text)
