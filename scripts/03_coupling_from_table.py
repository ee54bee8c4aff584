"""Coupling coordination degree of cities from a plain table (no GIS layers).

Task: the classic regional study — one row per city (or county, or year), indicators
from statistical yearbooks, U1 = industrial subsystem, U2 = urban-function subsystem,
then C, T, D and the 10-grade class.

    python scripts/03_coupling_from_table.py

No arguments, no internet. Writes ``./03-cities-coupling.csv`` (UTF-8 with BOM, opens in
Excel). The numbers below are ILLUSTRATIVE, made up for this example in a plausible range;
they are not official statistics. Replace them with your yearbook table, e.g.
``df = pd.read_excel("统计年鉴指标.xlsx", index_col="城市")``.

Chain: normalize -> entropy_weights -> subsystem_index (per subsystem)
-> coupling_coordination -> coordination_grade.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cityind_gis.coupling import (
    coordination_grade,
    coordination_level,
    coupling_coordination,
    entropy_weights,
    lag_type,
    normalize,
    subsystem_index,
)

OUT = Path.cwd() / "03-cities-coupling.csv"

# Illustrative yearbook-style indicators of five cities (not real data). The index holds the
# unit names: every coupling function keeps it, so results line up with the input rows.
CITIES = pd.DataFrame(
    {
        # industrial subsystem (U1)
        "secondary_share_pct": [47.2, 47.8, 48.0, 48.5, 53.1],  # 第二产业占 GDP 比重, %
        "industrial_output_per_capita": [33.5, 31.2, 28.4, 20.6, 27.9],  # 人均规上工业产值, 万元/人
        "industrial_enterprises": [12500, 7800, 6100, 4900, 5200],  # 规模以上工业企业数, 个
        "industrial_land_output": [95.0, 88.0, 72.0, 60.0, 68.0],  # 工业用地地均产值, 亿元/km²
        # urban-function subsystem (U2)
        "urbanisation_pct": [82.1, 83.1, 78.2, 71.0, 73.0],  # 常住人口城镇化率, %
        "hospital_beds_per_1000": [6.1, 6.5, 6.0, 5.6, 5.9],  # 每千人医疗机构床位, 张
        "green_coverage_pct": [42.5, 43.3, 43.7, 43.1, 44.0],  # 建成区绿化覆盖率, %
        "road_area_per_capita_m2": [24.0, 26.5, 27.8, 25.1, 29.2],  # 人均城市道路面积, m²
        # 平均单程通勤时间, 分钟 (smaller is better)
        "mean_commute_min": [40.0, 36.0, 33.0, 34.0, 31.0],
    },
    index=pd.Index(["苏州 Suzhou", "无锡 Wuxi", "常州 Changzhou", "南通 Nantong", "嘉兴 Jiaxing"],
                   name="city"),
)

# Subsystems: indicator -> direction ("+" larger is better, "-" smaller is better).
INDUSTRY = {
    "secondary_share_pct": "+",
    "industrial_output_per_capita": "+",
    "industrial_enterprises": "+",
    "industrial_land_output": "+",
}
URBAN = {
    "urbanisation_pct": "+",
    "hospital_beds_per_1000": "+",
    "green_coverage_pct": "+",
    "road_area_per_capita_m2": "+",
    "mean_commute_min": "-",
}


def subsystem(df: pd.DataFrame, directions: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Normalise one subsystem's indicators, weight them by entropy, and sum.

    Parameters
    ----------
    df : DataFrame
        Raw indicators, one row per city.
    directions : dict of str to {"+", "-"}
        Indicator -> direction.

    Returns
    -------
    index, weights : Series
        Subsystem index U per city, and the entropy weight per indicator.
    """
    # min-max into [0.01, 0.99]: the weakest city does not get an exact 0 (which forces C = 0)
    normed = normalize(df[list(directions)], directions, shift=(0.01, 0.99))
    weights = entropy_weights(normed)
    return subsystem_index(normed, weights), weights


def main() -> None:
    """Compute U1, U2, C, T, D and the grades of five cities and print them."""
    u1, w1 = subsystem(CITIES, INDUSTRY)
    u2, w2 = subsystem(CITIES, URBAN)
    u = pd.DataFrame({"U1": u1, "U2": u2})

    ctd = coupling_coordination(u, alpha=[0.5, 0.5], model="classic")  # C, T, D
    result = pd.concat([u, ctd], axis=1)
    result["grade_level"] = coordination_level(result["D"])
    result["grade_zh"] = coordination_grade(result["D"], lang="zh")
    result["grade_en"] = coordination_grade(result["D"], lang="en")
    result["lag_type"] = lag_type(u, labels={"U1": "industry", "U2": "urban function"})

    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)
    print("Entropy weights, industrial subsystem (U1):")
    print(w1.round(4).to_string())
    print("\nEntropy weights, urban-function subsystem (U2):")
    print(w2.round(4).to_string())
    print("\nCoupling coordination of five cities (illustrative data):")
    print(result.round(4).to_string())

    result.to_csv(OUT, encoding="utf-8-sig")
    print(f"\nWritten {OUT}")


if __name__ == "__main__":
    main()
