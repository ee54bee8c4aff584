"""Maps and styled outputs: web (folium), print (matplotlib), QGIS styles, report.

folium and matplotlib themselves are imported only inside the functions that
draw, so importing this package is cheap.
"""

from __future__ import annotations

from .assets import copy_assets, external_assets
from .report import write_report
from .static import MAP_KINDS, find_cjk_font, plot_coordination, plot_map
from .styles import field_aliases, layer_styles, short_field_names
from .web import BASEMAPS, GRADE_COLORS, save_html, web_map
from .web_panel import panel_web_map

__all__ = [
    "BASEMAPS",
    "GRADE_COLORS",
    "MAP_KINDS",
    "copy_assets",
    "external_assets",
    "field_aliases",
    "find_cjk_font",
    "layer_styles",
    "panel_web_map",
    "plot_coordination",
    "plot_map",
    "save_html",
    "short_field_names",
    "web_map",
    "write_report",
]
