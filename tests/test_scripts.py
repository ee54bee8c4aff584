"""The worked examples in scripts/ run with no arguments and print what their docstrings promise.

Each script runs in a fresh interpreter with ``tmp_path`` as its working folder, exactly
as a planner would run it after copying it, so its outputs land in ``tmp_path``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cityind_gis import config as config_module

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        timeout=300,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("script", "expected", "outputs"),
    [
        (
            "01_run_sample.py",
            ["[7/7] summary tables", "The ten worst service-gap cells", "Indicator weights",
             "industrial_share", "over 100 cells"],
            ["01-kouvola-out/cityind.gpkg", "01-kouvola-out/map.html", "01-kouvola-out/map.png",
             "01-kouvola-out/weights.csv", "01-kouvola-out/run.json"],
        ),
        (
            "02_own_layers.py",
            # known answers of the three-cell town (cityind_gis.testing.three_cell_town)
            ["cell 0: D = 0.00000", "cell 1: D = 0.70711", "cell 2: D = 0.00000", "中级协调"],
            ["02-three-cell-town-out/cityind.gpkg", "02-three-cell-town-out/summary.csv"],
        ),
        (
            "03_coupling_from_table.py",
            ["Entropy weights, industrial subsystem (U1)", "Coupling coordination of five cities",
             "苏州 Suzhou", "嘉兴 Jiaxing", "grade_zh"],
            ["03-cities-coupling.csv"],
        ),
        (
            "04_industrial_land_intensity.py",
            # known answers of the park (cityind_gis.testing.china_park_buildings) and of the
            # two enterprise divisions the script gives cell 1 (ln 2)
            ["industrial floor area 6,800 m²", "7,400 m² on 80,000 m² -> plot ratio 0.0925",
             "industry_shannon 0.69315", "5 of 5 took the use of the land under them",
             "(层数 0 is unknown: the default 1): 2, 1, 1, 6, 3", "kde_enterprise.tif",
             "U1 weights", "building_floor_area_industrial", "industrial_plot_ratio"],
            ["04-industrial-land-intensity-out/cityind.gpkg",
             "04-industrial-land-intensity-out/kde_enterprise.tif",
             "04-industrial-land-intensity-out/weights.csv",
             "04-industrial-land-intensity-out/run.json"],
        ),
    ],
    ids=["01-run-sample", "02-own-layers", "03-coupling-from-table",
         "04-industrial-land-intensity"],
)
def test_script_runs(script: str, expected: list[str], outputs: list[str], tmp_path: Path) -> None:
    proc = _run([str(SCRIPTS / script)], tmp_path)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    for text in expected:
        assert text in proc.stdout, f"{script}: {text!r} not in output:\n{proc.stdout[-3000:]}"
    for rel in outputs:
        assert (tmp_path / rel).is_file(), f"{script} did not write {rel}"


def test_coupling_table_values_in_unit_interval(tmp_path: Path) -> None:
    import pandas as pd

    proc = _run([str(SCRIPTS / "03_coupling_from_table.py")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = pd.read_csv(tmp_path / "03-cities-coupling.csv", encoding="utf-8-sig", index_col="city")
    assert len(table) == 5
    for col in ("U1", "U2", "C", "T", "D"):
        assert table[col].between(0, 1).all(), col
    # D = sqrt(C * T), row by row
    assert ((table["C"] * table["T"]) ** 0.5 - table["D"]).abs().max() == pytest.approx(0, abs=1e-9)


def _documented_keys() -> list[tuple[str, str]]:
    """Every (section, key) that `load_config` accepts, read from `cityind_gis.config` itself."""
    keys = [(s, f.name) for s, cls in config_module._SECTIONS.items()
            for f in dataclasses.fields(cls)
            if not (s != "pois" and f.name in config_module._POI_ONLY_KEYS)]
    keys += [("osm", "path"), ("output", "dir")]
    keys += [("output", f.name) for f in dataclasses.fields(config_module.OutputConfig)]
    if "periods" in {f.name for f in dataclasses.fields(config_module.Config)}:
        keys += [("periods", k) for k in ("year", "label", "osm")]
    return keys


def test_example_config_shows_every_key() -> None:
    text = (SCRIPTS / "example_config.toml").read_text(encoding="utf-8")
    # split into sections; a key counts when it appears as `key =` (active or commented out)
    parts = re.split(r"^#?\s*\[\[?([a-z_.]+)\]\]?\s*$", text, flags=re.MULTILINE)
    body: dict[str, str] = {}
    for i in range(1, len(parts), 2):  # a section may appear more than once ([[periods]])
        body[parts[i]] = body.get(parts[i], "") + parts[i + 1]
    missing = []
    for section, key in _documented_keys():
        if section == "coupling" and key in ("industry", "urban"):
            if f"coupling.{key}" not in body:
                missing.append(f"[coupling.{key}]")
            continue
        if not re.search(rf"^#?\s*{key}\s*=", body.get(section, ""), flags=re.MULTILINE):
            missing.append(f"[{section}] {key}")
    # x, y and sheet are listed on one comment line in [landuse], where they are unused
    missing = [m for m in missing if m not in ("[landuse] x", "[landuse] y", "[landuse] sheet")]
    assert not missing, f"scripts/example_config.toml does not show {missing}"


def test_config_reference_documents_every_key() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs"
    text = (docs / "config.md").read_text(encoding="utf-8")
    missing = [f"[{s}] {k}" for s, k in _documented_keys() if f"`{k}`" not in text]
    assert not missing, f"docs/config.md does not document {missing}"


def test_example_config_runs(tmp_path: Path) -> None:
    from cityind_gis.config import load_config

    example = SCRIPTS / "example_config.toml"
    cfg = load_config(example)
    assert cfg.osm is not None and cfg.osm.is_file()
    out = tmp_path / "out"
    proc = _run(["-m", "cityind_gis.cli", "run", str(example), "--out", str(out), "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "100 cells of 250 m" in proc.stdout
    assert (out / "cityind.gpkg").is_file()
    # the example's [coupling.industry] / [coupling.urban] say they write out the defaults
    import geopandas as gpd

    from cityind_gis.workflow import default_indicators

    columns = list(gpd.read_file(out / "cityind.gpkg", layer="grid", rows=1).columns)
    industry, urban = default_indicators(columns, list(cfg.gaps.categories))
    assert cfg.coupling.industry == industry
    assert cfg.coupling.urban == urban
