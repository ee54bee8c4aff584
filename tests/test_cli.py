"""The `cityind` command: the bundled sample end to end, and user errors (exit 2, no traceback)."""

import json
import subprocess
import sys

import geopandas as gpd
import pyogrio
import pytest

from cityind_gis.cli import main
from cityind_gis.testing import write_three_cell_town


def _cityind(*args, cwd):
    return subprocess.run([sys.executable, "-m", "cityind_gis.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_run_sample_end_to_end(tmp_path):
    proc = _cityind("run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "cityind-out"
    for name in ("cityind.gpkg", "map.html", "map.png", "summary.csv", "weights.csv",
                 "classification_report.csv", "run.json"):
        assert (out / name).is_file(), name
    layers = set(pyogrio.list_layers(out / "cityind.gpkg")[:, 0])
    assert {"grid", "service_gaps", "landuse", "pois", "network"} <= layers
    grid = gpd.read_file(out / "cityind.gpkg", layer="grid")
    assert len(grid) == 100  # 10 x 10 cells of 250 m over Kouvola
    assert grid.crs.to_epsg() == 32635
    # issue 12: D only inside the analysis domain (units with urban or built land)
    inside = grid["analysed"].astype(bool)
    assert inside.sum() == 66
    assert grid.loc[~inside, "domain_reason"].value_counts().to_dict() == {
        "no urban or built land": 25, "no data (no land use, no POIs)": 9}
    for col in ("U1", "U2", "C", "T", "D"):
        assert grid.loc[inside, col].between(0, 1).all(), col
        assert grid.loc[~inside, col].isna().all(), col
    for col in ("industrial_share", "residential_share", "land_use_mix"):
        assert grid[col].between(0, 1).all(), col
    assert grid.loc[inside, "grade_level"].between(1, 10).all()
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert (run_json["n_units_analysed"], run_json["n_units_not_analysed"]) == (66, 34)
    assert (out / "weight_sensitivity.csv").is_file()
    assert grid["net_dist_transit"].dropna().ge(0).all()
    assert (grid["landuse_area_industrial"] > 0).sum() == 19
    gaps = gpd.read_file(out / "cityind.gpkg", layer="service_gaps")
    assert len(gaps) == 19 and (gaps["n_missing"] >= 1).all()
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "FeatureCollection" in html and "L.map" in html
    assert "D (coordination)" in proc.stdout and "Finished in" in proc.stdout


@pytest.mark.slow
def test_run_helsinki_sample(tmp_path):
    proc = _cityind("run", "--sample", "helsinki", "--out", "hel", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    grid = gpd.read_file(tmp_path / "hel" / "cityind.gpkg", layer="grid")
    assert grid["poi_count_food"].sum() > 300
    inside = grid["analysed"].astype(bool)  # Helsinki has no industrial land: D where built
    assert inside.sum() == 31
    assert grid.loc[inside, "D"].between(0, 1).all()
    assert grid.loc[~inside, "D"].isna().all()


def test_run_user_config(tmp_path, capsys):
    cfg = write_three_cell_town(tmp_path)
    assert main(["run", str(cfg), "-q"]) == 0
    assert (tmp_path / "out" / "cityind.gpkg").is_file()
    assert "three-cell town" in capsys.readouterr().out


def _break(tmp_path, old, new):
    cfg = write_three_cell_town(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return cfg


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nope.toml", "does not exist"),
        (lambda p: _break(p, 'path = "pois.csv"', 'path = "missing.csv"'), "missing.csv"),
        (lambda p: _break(p, 'class_column = "kind"', 'class_column = "type"'),
         r"missing column\(s\) \['type'\]"),
        (lambda p: _break(p, 'crs = "EPSG:32650"', 'crs = "EPSG:4326"'), "exceed"),
        (lambda p: _break(p, "[grid]", "[grids]"), "unknown section"),
        (lambda p: _break(p, 'categories = ["retail"]', 'categories = ["retial"]'), "retial"),
    ],
    ids=["missing-config", "missing-layer-file", "missing-column", "wrong-crs", "bad-section",
         "unknown-category"],
)
def test_user_errors_exit_2_without_traceback(tmp_path, make, message):
    import re

    proc = _cityind("run", str(make(tmp_path)), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert re.search(message, proc.stderr), proc.stderr


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_layer_without_crs_exit_2(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    town = gpd.read_file(tmp_path / "town.gpkg", layer="landuse")
    town.set_crs(None, allow_override=True).to_file(tmp_path / "nocrs.shp")
    text = cfg.read_text(encoding="utf-8").replace(
        'path = "town.gpkg"\nlayer = "landuse"', 'path = "nocrs.shp"')
    cfg.write_text(text, encoding="utf-8")
    (tmp_path / "nocrs.prj").unlink(missing_ok=True)
    proc = _cityind("run", str(cfg), cwd=tmp_path)
    assert proc.returncode == 2
    assert "has no CRS" in proc.stderr and "Traceback" not in proc.stderr


def test_failed_run_keeps_earlier_outputs(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    assert main(["run", str(cfg), "-q"]) == 0
    before = (tmp_path / "out" / "cityind.gpkg").read_bytes()
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"pois.csv"', '"gone.csv"'),
                   encoding="utf-8")
    assert main(["run", str(cfg), "-q"]) == 2
    assert (tmp_path / "out" / "cityind.gpkg").read_bytes() == before


def test_validate_command(tmp_path, capsys):
    cfg = write_three_cell_town(tmp_path)
    assert main(["validate", str(cfg)]) == 0
    assert "valid" in capsys.readouterr().out


def test_unknown_coupling_indicator_is_refused_before_loading(tmp_path, capsys):
    """A typo in [coupling.*] fails at once, with the closest registered names."""
    cfg = tmp_path / "typo.toml"
    cfg.write_text('[osm]\npath = "nowhere.osm.pbf"\n[coupling.urban]\n'
                   'poi_density_helthcare = "+"\n', encoding="utf-8")
    assert main(["run", str(cfg), "-q"]) == 2
    err = capsys.readouterr().err
    assert "[coupling.urban] 'poi_density_helthcare' (did you mean 'poi_density_healthcare'" in err
    assert "Traceback" not in err
