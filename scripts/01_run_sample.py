"""Run the whole analysis on the bundled Kouvola OpenStreetMap sample.

Task: see what a complete run produces before preparing your own data.

    python scripts/01_run_sample.py

No arguments, no internet. Outputs (styled GeoPackage, web map, print maps, report.html,
CSV tables) go to ``./01-kouvola-out`` in the folder you run it from. Prints the ten worst
service-gap cells of industrial land and the indicator weights of U1 and U2.

The same run from the command line: ``cityind run --out 01-kouvola-out``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cityind_gis import workflow
from cityind_gis.config import sample_config

OUT = Path.cwd() / "01-kouvola-out"


def main() -> None:
    """Run the sample, write the outputs and print the gaps and weights."""
    config = sample_config("kouvola")  # reads layers/kouvola.osm.pbf; 250 m cells; UTM 35N
    results = workflow.run(config, progress=print)
    paths = workflow.write_outputs(results, OUT, lang="en", title=config.study.name,
                                   output=config.output)

    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)

    gaps = results.service_gaps  # industrial cells missing a service within its threshold
    print(f"\n{len(gaps)} industrial cells lack at least one service on foot (thresholds: "
          f"{results.params['gap_basis']}). The ten worst service-gap cells:")
    worst = gaps.sort_values("gap_rank").head(10)
    print(worst[["gap_rank", "industrial_share", "n_missing", "missing", "missing_zh"]]
          .round({"industrial_share": 3}).to_string())

    parcels = results.industrial_service_gaps  # graded by the standards, ranked for action
    print(f"\n{int(parcels['has_gap'].sum())} of {len(parcels)} industrial parcels have gaps; "
          "the five to act on first:")
    print(parcels.sort_values("gap_rank").head(5)[
        ["gap_rank", "area_ha", "n_gaps", "gaps", "severity_score", "priority"]]
        .round({"area_ha": 2, "priority": 1}).to_string())

    print("\nIndicator weights (entropy method; constant indicators were left out):")
    weights = results.weights
    print(weights[["subsystem", "indicator", "direction", "weight"]].round({"weight": 4})
          .to_string(index=False))

    grid = results.grid
    print(f"\nMean coordination degree D over {len(grid)} cells: {grid['D'].mean():.3f}")
    print("\nOutputs:")
    for key, path in paths.items():
        print(f"  {key:<22} {path}")


if __name__ == "__main__":
    main()
