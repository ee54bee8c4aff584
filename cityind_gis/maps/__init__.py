"""Maps of coordination grades and service gaps: interactive (folium) and static (matplotlib).

folium and matplotlib themselves are imported only inside the functions that
draw, so importing this package is cheap.
"""

from __future__ import annotations

from .static import find_cjk_font, plot_coordination
from .web import GRADE_COLORS, save_html, web_map

__all__ = ["GRADE_COLORS", "find_cjk_font", "plot_coordination", "save_html", "web_map"]
