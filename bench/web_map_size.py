"""HTML size and build time of the web map of a 10,000-cell grid (run on demand).

    .venv/bin/python bench/web_map_size.py

Prints bytes and seconds for a 100 x 100 grid of 250 m cells at precision 6 and 5.
Measured on the 2-core dev machine: 3.19 MB in 2.0 s at precision 6 (the earlier
three-copy map, D + U1 + U2 each embedding the grid, was 9.56 MB in 3.5 s).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cityind_gis.coupling import coordination_level
from cityind_gis.maps.web import save_html, web_map
from cityind_gis.units import make_grid


def main() -> None:
    """Build the grid, write the map at two precisions and print size and time."""
    grid = make_grid((500_000, 3_400_000, 525_000, 3_425_000), cell_size=250, crs="EPSG:32650")
    rng = np.random.default_rng(0)
    u1, u2 = rng.random(len(grid)), rng.random(len(grid))
    d = np.sqrt(u1 * u2)
    grid = grid.assign(U1=u1, U2=u2, C=0.9, T=(u1 + u2) / 2, D=d,
                       grade_level=coordination_level(pd.Series(d, index=grid.index)),
                       industrial_share=rng.random(len(grid)))
    with tempfile.TemporaryDirectory() as folder:
        for precision in (6, 5):
            t0 = time.perf_counter()
            m = web_map(grid, basemap="none", lang="zh", precision=precision)
            n = save_html(m, Path(folder) / "map.html")
            print(f"{len(grid)} cells, precision {precision}: {n / 1e6:.2f} MB "
                  f"in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
