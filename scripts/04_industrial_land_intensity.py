"""Industrial land intensity (容积率, floor area) and industry diversity of a Chinese park.

Task: how intensively is industrial land used, and how diverse is the industry? From
building outlines with storeys (建筑轮廓 with 层数) and enterprise POIs with an industry
code (GB/T 4754-2017 国民经济行业分类), measure per grid cell the floor area of industrial
buildings, the plot ratio (容积率) of the industrial land and the Shannon diversity of
industry divisions (大类), put them into the industrial subsystem U1 and map
where the enterprises cluster (kernel density).

    python scripts/04_industrial_land_intensity.py

No arguments, no internet. The layers are generated into a temporary folder by
:func:`cityind_gis.testing.write_china_park` and
:func:`~cityind_gis.testing.write_china_park_buildings`: a 600 m x 600 m park in
Suzhou as a Chinese planning study receives it — GB 50137 land use (用地现状.shp,
EPSG:4549, GBK attributes, no .cpg), road centre lines, an Amap POI export (高德POI.csv,
GCJ-02) and building outlines with only 层数 and no use column (建筑轮廓.shp, GBK), so
every building takes the use of the land under it. The POI export has no industry code,
so this script adds a column ``行业代码`` to it and two more enterprises (see
``ENTERPRISES`` below). Outputs go to ``./04-industrial-land-intensity-out``
(GeoPackage with a ``buildings`` layer, ``kde_enterprise.tif``, maps, CSV tables).

Known answers (:func:`cityind_gis.testing.china_park_buildings`), whatever the cells:
industrial buildings 一号厂房 (1,600 m² x 2 storeys) and 二号厂房 (3,600 m² x 1) give
6,800 m² of industrial floor area; 7,400 m² of floor area stands on the 80,000 m² of
industrial land (M1, M2), a plot ratio of 0.0925 for the park's industrial land as a whole.

For your own study: write a config like the one printed below, with your files in
``[landuse]``, ``[pois]``, ``[roads]`` and ``[buildings]`` (``levels_column`` = your storeys
column; ``class_column`` = your use column if you have one) and your industry-code column in
``[pois] industry_column``; then replace the first steps of ``main`` by
``config = load_config("my_study.toml")``. See docs/config.md and docs/inputs/buildings.md.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd

from cityind_gis import workflow
from cityind_gis.config import load_config
from cityind_gis.taxonomy import classify_values, load_mapping
from cityind_gis.testing import write_china_park, write_china_park_buildings

OUT = Path.cwd() / "04-industrial-land-intensity-out"

# GB/T 4754-2017 codes of the park's enterprises (4-digit 小类; the first two digits are
# the 大类, the division): the two of the generated export, plus one more beside each,
# 0.0002° (≈ 22 m) further north.
#   name in 高德POI.csv -> (code, name of the added enterprise, its code)
ENTERPRISES = {
    "精密机械厂": ("3421", "数控机床有限公司", "3422"),  # 34 通用设备制造业, twice
    "电子科技有限公司": ("3982", "汽车零部件有限公司", "3670"),  # 39 电子设备 + 36 汽车制造业
}

CONFIG = """\
[study]
name = "园区工业用地集约度与产业多样性"

[grid]
cell_size = 200              # m; the park is 600 m x 600 m

[landuse]
path = "用地现状.shp"          # GBK without .cpg: the encoding is detected
class_column = "用地代码"
mapping = "gb50137"

[pois]
path = "高德POI.csv"
class_column = "typecode"
mapping = "amap"
coords = "gcj02"             # Amap coordinates
industry_column = "行业代码"   # GB/T 4754 code of each enterprise
industry_digits = 2          # compare divisions (大类): 3421 -> 34

[roads]
path = "道路中心线.shp"

[buildings]
path = "建筑轮廓.shp"          # no use column: each building takes the use of its land
levels_column = "层数"          # 0 = unknown -> default_levels (1)

[indicators]
kernel_density = ["enterprise"]
kde_bandwidth = 150          # m: a quarter of the park's width
kde_pixel = 10               # m

[coupling.industry]
industrial_share = "+"
building_floor_area_industrial = "+"
industrial_plot_ratio = "+"
industry_shannon = "+"

[coupling.urban]
residential_share = "+"
public_service_share = "+"
poi_density_retail = "+"
net_dist_transit = "-"

[gaps]
categories = ["education", "healthcare", "retail", "food", "transit"]
"""


def add_industry_codes(csv: Path) -> None:
    """Give the enterprise rows of an Amap POI export a GB/T 4754 code, and add two more."""
    table = pd.read_csv(csv, dtype=str, encoding="utf-8-sig")  # str: typecodes keep 0s
    table["行业代码"] = table["名称"].map({k: v[0] for k, v in ENTERPRISES.items()})
    added = table[table["名称"].isin(ENTERPRISES)].copy()
    added["名称"] = added["名称"].map({k: v[1] for k, v in ENTERPRISES.items()})
    added["行业代码"] = added["名称"].map({v[1]: v[2] for v in ENTERPRISES.values()})
    added["纬度"] = (added["纬度"].astype(float) + 0.0002).round(6).astype(str)
    pd.concat([table, added], ignore_index=True).to_csv(csv, index=False, encoding="utf-8-sig")


def main() -> None:
    """Generate the park, run, write the outputs and print intensity and diversity."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_china_park(tmp)  # 用地现状.shp, 道路中心线.shp, 高德POI.csv
        write_china_park_buildings(tmp)  # 建筑轮廓.shp
        add_industry_codes(paths["pois"])
        config_path = Path(tmp) / "park.toml"
        config_path.write_text(CONFIG, encoding="utf-8")
        print(f"Config {config_path.name}:\n\n{CONFIG}")

        config = load_config(config_path)  # paths resolve relative to park.toml
        config = config.replace(out_dir=OUT)
        results = workflow.run(config, progress=print)
        out = workflow.write_outputs(results, config.out_dir, lang=config.study.lang,
                                     title=config.study.name, output=config.output)

    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)
    grid = results.grid
    # Cell edges lie on multiples of 200 m in EPSG:4549 and the park's south-west corner is at
    # (566630, 3466670), so cells straddle parcels: cell 0 holds 170 m x 130 m of M1 and
    # 一号厂房 (3,200 m² / 22,100 m² = 0.14480), cell 1 30 m of M1 + 170 m of M2 and 二号厂房
    # (3,600 / 26,000 = 0.13846), cell 6 a 30 m x 70 m strip of M2 under part of 配套用房.
    industrial = grid[grid["industrial_share"] > 0]
    table = pd.DataFrame({
        "industrial_land_m2": industrial["landuse_area_industrial"],
        "floor_area_m2": industrial["building_floor_area_industrial"],
        "plot_ratio": industrial["industrial_plot_ratio"],
        "enterprises": industrial["poi_count_enterprise"],
        "industry_shannon": industrial["industry_shannon"],
    })
    print(f"\nIntensity and diversity of the {len(industrial)} cells with industrial land "
          f"({config.grid.cell_size:g} m cells):")
    print("  floor_area_m2: floor area of industrial buildings; plot_ratio (容积率): floor area of "
          "every building\n  standing on the cell's industrial land / that land; "
          "industry_shannon: -Σ p ln p over GB/T 4754 divisions")
    print(table.round({"industrial_land_m2": 0, "floor_area_m2": 0, "plot_ratio": 5,
                       "industry_shannon": 5}).to_string())
    odd = table[(table["floor_area_m2"] == 0) & (table["plot_ratio"] > 0)]
    if len(odd):  # here 配套用房: logistics by its representative point on W1, 200 m² on M2
        print(f"  cell(s) {list(odd.index)}: plot ratio without industrial floor area: a building "
              "of another use stands on industrial land there")
    floor = grid["building_floor_area_industrial"].sum()
    land = grid["landuse_area_industrial"].sum()
    on_land = (grid["industrial_plot_ratio"] * grid["landuse_area_industrial"]).sum()
    print(f"\nPark total: industrial floor area {floor:,.0f} m² (expected 6,800); "
          f"floor area on industrial land {on_land:,.0f} m² on {land:,.0f} m² "
          f"-> plot ratio {on_land / land:.4f} (expected 0.0925)")
    print(f"Most diverse cell: industry_shannon {grid['industry_shannon'].max():.5f} "
          f"(two divisions, ln 2 = {math.log(2):.5f})")

    b = results.buildings
    bc = config.buildings
    # a building took its use from the land when it had no use value, or one mapped to unknown
    key = bc.class_column or ("building" if bc.path is None else "*")  # OSM: building=*
    given = classify_values(b["source_value"], load_mapping(bc.mapping or "building_use"),
                            key=key)
    from_land = given.isna() | given.eq("unknown")
    counts = pd.DataFrame({"buildings": b.groupby("use").size(),
                           "use_from_land": from_land.groupby(b["use"]).sum()})
    print(f"\nBuildings by use ({int(from_land.sum())} of {len(b)} took the use of the land "
          "under them):")
    print(counts.to_string())
    print("Storeys per building (层数 0 is unknown: the default 1):",
          ", ".join(f"{lv:g}" for lv in b["levels"]))

    arr, _, _ = results.rasters["kde_enterprise"]
    print(f"\nEnterprise kernel density ({arr.shape[1]} x {arr.shape[0]} pixels of "
          f"{config.indicators.kde_pixel:g} m, bandwidth {config.indicators.kde_bandwidth:g} m, "
          f"peak {arr.max():.1f} per km², two enterprises 22 m apart): {out['kde_enterprise']}")

    weights = results.weights
    print("\nU1 weights (entropy method):")
    print(weights.loc[weights["subsystem"] == "industry", ["indicator", "direction", "weight"]]
          .round({"weight": 4}).to_string(index=False))

    print("\nOutputs:")
    for key, path in out.items():
        print(f"  {key:<22} {path}")


if __name__ == "__main__":
    main()
