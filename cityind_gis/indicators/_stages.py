"""Registry entries of the indicator columns other stages write (metadata only).

The accessibility stage (:mod:`cityind_gis.network`) writes the walking distance to
the nearest facility of each category and the 5/10/15-minute life-circle scores;
their entries carry ``stage="accessibility"`` and no ``func``, so
:func:`~cityind_gis.indicators.compute_indicators` skips them while the documentation,
:func:`~cityind_gis.indicators.indicator_info` and the default U2 still know them.
"""

from __future__ import annotations

from .registry import Indicator, default_registry

__all__: list[str] = []

_ACCESSIBILITY = "accessibility"

for _entry in (
    Indicator(name="lc_score", unit="share 0-1", direction="+", subsystem="urban",
              label_zh="生活圈设施覆盖度(5/10/15分钟全部要求的满足比例)",
              label_en="life-circle coverage: share of all 5/10/15-minute facility "
                       "requirements met on foot",
              formula="sum_L |{k : d_k <= D_L}| / sum_L K_L",
              citation="GB 50180-2018 life circles; docs/accessibility.md", stage=_ACCESSIBILITY),
    Indicator(name="lc5_score", unit="share 0-1", direction="+", subsystem="urban",
              label_zh="5分钟生活圈满足度",
              label_en="share of the 5-minute life circle's categories within its distance",
              formula="|{k : d_k <= D_5}| / K_5", citation="GB 50180-2018", stage=_ACCESSIBILITY),
    Indicator(name="lc10_score", unit="share 0-1", direction="+", subsystem="urban",
              label_zh="10分钟生活圈满足度",
              label_en="share of the 10-minute life circle's categories within its distance",
              formula="|{k : d_k <= D_10}| / K_10", citation="GB 50180-2018",
              stage=_ACCESSIBILITY),
    Indicator(name="lc15_score", unit="share 0-1", direction="+", subsystem="urban",
              label_zh="15分钟生活圈满足度",
              label_en="share of the 15-minute life circle's categories within its distance",
              formula="|{k : d_k <= D_15}| / K_15",
              citation="GB 50180-2018; 社区生活圈规划技术指南 TD/T 1062-2021",
              stage=_ACCESSIBILITY),
    Indicator(name="net_dist_{category}", unit="m", direction="-", subsystem="urban",
              default=True, label_zh="到最近设施的步行距离",
              label_en="walking distance from the unit to the nearest facility of a category",
              formula="shortest path on the walking network",
              citation="Dijkstra 1959; GB 50180-2018 life circles", stage=_ACCESSIBILITY),
):
    default_registry().register(_entry)
