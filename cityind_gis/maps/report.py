"""``report.html``: one self-contained file a planner can hand in.

It holds the study area, a data summary, the indicator weights, D statistics by
grade, the maps (embedded as images, so the file works offline and by e-mail),
the ranked table of service gaps, the method with its formulas and references,
and the run's parameters. Every value is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import logging
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import InputError
from .._validate import check_lang
from ..io._atomic import atomic_path
from .theme import GRADE_COLORS, NOT_ANALYSED_COLOR

__all__ = ["write_report"]

logger = logging.getLogger(__name__)

_T: dict[str, dict[str, str]] = {
    "zh": {
        "title": "产城融合分析报告",
        "area": "研究区",
        "data": "数据概况",
        "weights": "指标权重",
        "grades": "协调等级统计（D）",
        "maps": "专题图",
        "gaps": "工业用地服务缺口（按严重程度排序）",
        "method": "方法",
        "refs": "参考文献",
        "params": "运行参数",
        "no_gaps": "没有工业网格缺少所检查的服务。",
        "more": "另有 {n} 个缺口网格未列出，完整列表见 GeoPackage 的 service_gaps 图层。",
        "generated": "生成时间",
    },
    "en": {
        "title": "City-industry integration report",
        "area": "Study area",
        "data": "Data summary",
        "weights": "Indicator weights",
        "grades": "Coordination grades (D)",
        "maps": "Maps",
        "gaps": "Service gaps of industrial land, worst first",
        "method": "Method",
        "refs": "References",
        "params": "Run parameters",
        "no_gaps": "No industrial cell lacks any of the checked services.",
        "more": "{n} more gap cells are not listed; see layer service_gaps in the GeoPackage.",
        "generated": "Generated",
    },
}

_MAP_TITLES = {
    "zh": {"typology": "产城融合类型", "bivariate": "产业 U1 × 城市功能 U2",
           "grades": "协调等级", "D": "协调度 D", "U1": "产业子系统 U1",
           "U2": "城市功能子系统 U2", "gaps": "服务缺口"},
    "en": {"typology": "City-industry typology", "bivariate": "Industry U1 x urban function U2",
           "grades": "Coordination grades", "D": "Coordination degree D",
           "U1": "Industrial subsystem U1", "U2": "Urban-function subsystem U2",
           "gaps": "Service gaps"},
}

#: First section of the report: what the maps say, and what D does not say.
_LEAD = {
    "en": {
        "title": "Reading the results",
        "domain": "{n} of {total} units were analysed (rule {rule!r}); {left} not analysed: "
                  "{why}. They have no D, grade or type and are grey on every map.",
        "domain_all": "All {total} units were analysed (rule {rule!r}).",
        "types": "City-industry types",
        "d_says": "D (coupling coordination degree) says how high and how balanced the two "
                  "subsystem indices are together in a unit, relative to the other analysed "
                  "units. It does not say which side is missing (read the type and U1 - U2), "
                  "nor that services are within walking distance of workers (read the service-gap "
                  "map), and a high D where one subsystem barely exists is not integration.",
        "corr": "Correlation of D with U1 (industry): Pearson r = {r1}, Spearman rho = {s1}; "
                "with U2 (urban function): r = {r2}, rho = {s2}.",
        "sens": "Weight sensitivity (D under other weighting methods)",
    },
    "zh": {
        "title": "结果解读",
        "domain": "按规则 {rule!r} 分析了 {total} 个单元中的 {n} 个；{left} 个未分析：{why}。"
                  "这些单元没有 D、等级与类型，在各图中以灰色表示。",
        "domain_all": "全部 {total} 个单元均参与分析（规则 {rule!r}）。",
        "types": "产城融合类型",
        "d_says": "耦合协调度 D 表示单元内两个子系统指数（相对于其他分析单元）"
                  "共同的高低与均衡程度；"
                  "它不说明缺的是哪一方（请看类型与 U1 − U2），也不说明工人步行可达服务"
                  "（请看服务缺口图）；某一子系统几乎不存在时的高 D 并不代表产城融合。",
        "corr": "D 与 U1（产业）的相关：Pearson r = {r1}，Spearman ρ = {s1}；"
                "与 U2（城市功能）：r = {r2}，ρ = {s2}。",
        "sens": "权重敏感性（不同赋权方法下的 D）",
    },
}


def _num(v: Any) -> str:
    return "–" if v is None or pd.isna(v) else f"{float(v):.2f}"


def _few_indicators(params: Mapping[str, Any], lang: str) -> list[str]:
    """The "few indicators" cautions of the subsystems resting on fewer than three."""
    from ..typology import breadth_caution

    names = ({"U1": "产业子系统 U1", "U2": "城市功能子系统 U2"} if lang == "zh"
             else {"U1": "U1 (industry)", "U2": "U2 (urban function)"})
    out = []
    for sub, name in names.items():
        n = params.get(f"n_indicators_{sub}")
        if n is None or pd.isna(n):
            continue
        text = breadth_caution(sub, int(n), label=name, lang=lang)
        if text:
            out.append(text)
    return out


def _lead(results: Mapping[str, Any], params: dict[str, Any], lang: str,
          figures: str) -> str:
    """The report's first section: domain, typology and gap maps, caution, what D says."""
    import json

    t = _LEAD[lang]
    grid = results["grid"]
    parts = [f"<h2>{html.escape(t['title'])}</h2>"]
    total = len(grid)
    n = int(params.get("n_units_analysed", total) or 0)
    left = total - n
    rule = params.get("domain_rule", "all")
    if left:
        why = json.loads(params.get("domain_left_out") or "{}")
        words = "; ".join(f"{r}: {c}" for r, c in why.items())
        text = t["domain"].format(n=n, total=total, rule=rule, left=left, why=words)
        parts.append(f"<p>{html.escape(text)}</p>")
    else:
        parts.append(f"<p>{html.escape(t['domain_all'].format(total=total, rule=rule))}</p>")
    parts.append(figures)
    if "typology" in grid.columns:
        counts = grid["typology"].value_counts()
        rows = pd.DataFrame({t["types"]: counts.index.astype(str),
                             "units": counts.to_numpy()})
        parts.append(_table(rows))
    caution = str(params.get("d_tracks_caution") or "")
    if caution:
        parts.append(f"<p class='caution'><b>{html.escape(caution)}</b></p>")
    parts.append(f"<p>{html.escape(t['d_says'])}</p>")
    if "corr_D_U1_pearson" in params:
        parts.append("<p>" + html.escape(t["corr"].format(
            r1=_num(params.get("corr_D_U1_pearson")), s1=_num(params.get("corr_D_U1_spearman")),
            r2=_num(params.get("corr_D_U2_pearson")), s2=_num(params.get("corr_D_U2_spearman"))))
            + "</p>")
    parts += [f"<p class='caution'><b>{html.escape(text)}</b></p>"
              for text in _few_indicators(params, lang)]
    sens = results.get("weight_sensitivity")
    if isinstance(sens, pd.DataFrame) and len(sens):
        parts.append(f"<h3>{html.escape(t['sens'])}</h3>{_table(sens)}")
    return "".join(parts)


# A backslash at the end of a line joins it to the next: the HTML has the long lines.
_METHOD = {
    "en": """
<p>Land use, POIs and the walking network are summarised per grid cell. Every indicator
<i>x<sub>ij</sub></i> (cell <i>i</i>, indicator <i>j</i>) is normalised by min&ndash;max,
<i>x&prime;<sub>ij</sub></i> = (<i>x<sub>ij</sub></i> &minus; min<sub>j</sub>) / \
(max<sub>j</sub> &minus; min<sub>j</sub>)
for positive and (max<sub>j</sub> &minus; <i>x<sub>ij</sub></i>) / \
(max<sub>j</sub> &minus; min<sub>j</sub>) for negative
indicators (walking distances), then shifted into [a, b] (default [0.01, 0.99]) so that no cell
gets an exact zero.</p>
<p>Entropy weights within each subsystem: <i>p<sub>ij</sub></i> = <i>x&prime;<sub>ij</sub></i> / \
&Sigma;<sub>i</sub> <i>x&prime;<sub>ij</sub></i>,
<i>e<sub>j</sub></i> = &minus;(1/ln <i>m</i>) &Sigma;<sub>i</sub> <i>p<sub>ij</sub></i> ln \
<i>p<sub>ij</sub></i>,
<i>w<sub>j</sub></i> = (1 &minus; <i>e<sub>j</sub></i>) / &Sigma;<sub>k</sub> (1 &minus; \
<i>e<sub>k</sub></i>).
Subsystem indices: U1 (industry) and U2 (urban function) = &Sigma;<sub>j</sub> \
<i>w<sub>j</sub></i> <i>x&prime;<sub>ij</sub></i>.</p>
<p>Coupling degree C = 2&radic;(U1&middot;U2) / (U1 + U2) (classic) or
C = &radic;[(1 &minus; |U1 &minus; U2|) &middot; min(U1, U2)/max(U1, U2)] \
(corrected, Wang et al. 2021);
comprehensive development T = &alpha;<sub>1</sub>U1 + &alpha;<sub>2</sub>U2; coupling coordination
degree D = &radic;(C&middot;T), classed in 10 grades of width 0.1 from 极度失调 extreme imbalance
[0, 0.1) to 优质协调 high-quality coordination [0.9, 1.0] (Tian et al. 2021).</p>
<p>Service gaps: an industrial cell lacks a service category when no facility of it is within the
category's walking-distance threshold along the walking network (multi-source Dijkstra from all
facilities of the category; thresholds from GB 50180-2018 unless the config sets them); the gap
score is the share of checked categories that are missing. A category with no facility at all in
the study area is absent from the data and counts as nobody's gap.</p>
""",
    "zh": """
<p>以网格为单元汇总用地、POI 与步行路网。指标 <i>x<sub>ij</sub></i>（网格 <i>i</i>、指标 \
<i>j</i>）采用极差标准化：
正向指标 <i>x&prime;<sub>ij</sub></i> = (<i>x<sub>ij</sub></i> &minus; min<sub>j</sub>) / \
(max<sub>j</sub> &minus; min<sub>j</sub>)，
负向指标（步行距离）(max<sub>j</sub> &minus; <i>x<sub>ij</sub></i>) / \
(max<sub>j</sub> &minus; min<sub>j</sub>)，
再平移到 [a, b]（默认 [0.01, 0.99]），避免出现 0 值。</p>
<p>熵值法确定子系统内权重：<i>p<sub>ij</sub></i> = <i>x&prime;<sub>ij</sub></i> / \
&Sigma;<sub>i</sub> <i>x&prime;<sub>ij</sub></i>，
<i>e<sub>j</sub></i> = &minus;(1/ln <i>m</i>) &Sigma;<sub>i</sub> <i>p<sub>ij</sub></i> ln \
<i>p<sub>ij</sub></i>，
<i>w<sub>j</sub></i> = (1 &minus; <i>e<sub>j</sub></i>) / &Sigma;<sub>k</sub> (1 &minus; \
<i>e<sub>k</sub></i>)。
产业子系统指数 U1 与城市功能子系统指数 U2 = &Sigma;<sub>j</sub> <i>w<sub>j</sub></i> \
<i>x&prime;<sub>ij</sub></i>。</p>
<p>耦合度 C = 2&radic;(U1&middot;U2) / (U1 + U2)（经典模型）或
C = &radic;[(1 &minus; |U1 &minus; U2|) &middot; min(U1, U2)/max(U1, U2)]\
（修正模型，王淑佳等 2021）；
综合发展指数 T = &alpha;<sub>1</sub>U1 + &alpha;<sub>2</sub>U2；耦合协调度 D = &radic;(C&middot;T)，
按 0.1 等距划分为 10 级，从极度失调 [0, 0.1) 到优质协调 [0.9, 1.0]（田深圳等 2021）。</p>
<p>服务缺口：若沿步行路网在该类设施的步行距离标准内（默认取 GB 50180-2018）没有该类设施
（以该类全部设施为源的多源 Dijkstra），则该工业网格缺少此类服务；
缺口得分为缺失类别占所检查类别的比例。研究区内完全没有的设施类别视为数据缺失，不计为任何单元的缺口。</p>
""",
}

_REFS = [
    "Wang Shujia 王淑佳, Kong Wei, Ren Liang, Zhi Dandan, Dai Binting (2021). "
    "国内耦合协调度模型的误区及修正. 自然资源学报 36(3): 793–810.",
    "Tian Shenzhen 田深圳, Li Xueming, Yang Jun, Zhang Wei, Guo Jianke (2021). "
    "东北三省城市拟态与现实人居环境时空耦合协调特征与机制. 地理学报 76(4), Table 1.",
    "Xu Weixiang 徐维祥, Li Lu, Zhou Jianping, Liu Chengjun (2020). "
    "乡村振兴与新型城镇化耦合协调的动态演进及其驱动机制. 自然资源学报 35(9): 2044–2062.",
    "Shannon C. E. (1948). A mathematical theory of communication. Bell System Technical Journal "
    "27(3): 379–423 (entropy weights).",
    "Dijkstra E. W. (1959). A note on two problems in connexion with graphs. Numerische Mathematik "
    "1: 269–271.",
    "OpenStreetMap contributors (sample data, ODbL 1.0).",
]

_CSS = """
body { font: 14px/1.5 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { border-bottom: 3px solid #313695; padding-bottom: .3em; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f0f3f8; } td:first-child, th:first-child { text-align: left; }
figure { display: inline-block; margin: 0 1em 1em 0; width: 47%; vertical-align: top; }
figure img { width: 100%; border: 1px solid #ddd; }
figcaption { text-align: center; font-weight: bold; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #777;
          vertical-align: middle; margin-right: 4px; }
.caution { border-left: 4px solid #d95f02; padding-left: .6em; }
@media print { figure { width: 45%; page-break-inside: avoid; } h2 { page-break-after: avoid; } }
"""


def _table(df: pd.DataFrame, *, digits: int = 4) -> str:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}g}"
                                    if abs(v) >= 1e4 else f"{v:.{digits}f}")
    return out.to_html(index=False, escape=True, border=0, na_rep="")


def _kv(rows: Mapping[str, Any]) -> str:
    cells = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                    for k, v in rows.items())
    return f"<table>{cells}</table>"


def _image(path: Path) -> str:
    mime = "image/png" if path.suffix.lower() == ".png" else "image/svg+xml"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{mime};base64,{data}"


def write_report(
    results: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    lang: str = "en",
    images: Mapping[str, str | os.PathLike[str]] | None = None,
    title: str | None = None,
    max_gap_rows: int = 200,
) -> Path:
    """Write ``report.html``, a self-contained summary of a run, atomically.

    Parameters
    ----------
    results : mapping
        The tables of a :class:`cityind_gis.workflow.RunResult` by name: ``grid``, ``service_gaps``,
        ``weights``, ``summary`` and ``parameters`` are used (``obstacles``
        and ``weight_sensitivity`` when present). The report opens with the
        analysis domain, the typology and gap maps, the caution when D tracks
        one subsystem and what D does and does not say.
    path : str or path-like
        Target ``.html`` file.
    lang : {"en", "zh"}, default "en"
        Language of headings, method text and labels.
    images : mapping of str to path, optional
        Map kind (``typology``, ``bivariate``, ``grades``, ``D``, ``U1``,
        ``U2``, ``gaps``) -> PNG file, e.g.
        from :func:`cityind_gis.maps.static.plot_map`; embedded as data URIs so
        the report is one file that opens offline.
    title : str, optional
        Report title; default: the study name.
    max_gap_rows : int, default 200
        Most gap cells listed (the rest are counted).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If ``lang`` is unknown, a needed result is missing, or an image is not a file.
    """
    check_lang(lang)
    needed = ["grid", "service_gaps", "weights", "summary", "parameters"]
    missing = [k for k in needed if k not in results]
    if missing:
        msg = (f"`results` lacks {missing}; pass the dict returned by "
               "`cityind_gis.pipeline.run`.")
        raise InputError(msg)
    imgs = {k: Path(v) for k, v in (images or {}).items()}
    absent = [str(p) for p in imgs.values() if not p.is_file()]
    if absent:
        msg = f"`images` names file(s) that do not exist: {absent}."
        raise InputError(msg)
    t = _T[lang]
    params = results["parameters"].iloc[0].to_dict()
    grid = results["grid"]
    study = str(params.get("study", "")) or t["title"]
    heading = title or study

    minx, miny, maxx, maxy = (float(v) for v in grid.total_bounds)
    lonlat = grid.geometry.union_all().centroid
    try:
        import geopandas as gpd

        centre = gpd.GeoSeries([lonlat], crs=grid.crs).to_crs(4326).iloc[0]
        centre_txt = f"{centre.y:.5f}° N, {centre.x:.5f}° E"
    except Exception:  # noqa: BLE001 - informative only
        centre_txt = ""
    area = {
        "CRS": params.get("crs", ""),
        "extent (m)": f"{maxx - minx:,.0f} × {maxy - miny:,.0f}",
        "centre": centre_txt,
        "cells": f"{len(grid):,} × {params.get('cell_size_m', ''):g} m",
        "source": params.get("source", ""),
    }
    data = {k: params[k] for k in (
        "n_landuse_polygons", "n_pois_analysed", "n_pois_unmapped", "n_network_nodes",
        "n_network_edges", "n_network_components", "n_industrial_cells", "n_gap_cells")
        if k in params}
    d = pd.to_numeric(grid["D"], errors="coerce")
    data.update({"D mean": f"{d.mean():.4f}", "D min": f"{d.min():.4f}",
                 "D max": f"{d.max():.4f}"})

    summary = results["summary"].copy()
    name_col = "grade_zh" if lang == "zh" else "grade_en"
    grades_rows = []
    for _, r in summary.iterrows():
        mean = {c: "" if pd.isna(r[c]) else f"{r[c]:.4f}" for c in ("mean_U1", "mean_U2", "mean_D")}
        if pd.isna(r["cells"]):  # a note ("few indicators"): in the first section
            continue
        if pd.isna(r["grade_level"]):  # units outside the analysis domain
            grades_rows.append(
                f"<tr><td><span class='swatch' style='background:{NOT_ANALYSED_COLOR}'></span>"
                f"{html.escape(str(r[name_col]))}</td><td></td><td>{int(r['cells'])}</td>"
                f"<td>{r['share_pct']:.1f}</td><td></td><td></td><td></td></tr>")
            continue
        level = int(r["grade_level"])
        grades_rows.append(
            f"<tr><td><span class='swatch' style='background:{GRADE_COLORS[level - 1]}'></span>"
            f"{level} {html.escape(str(r[name_col]))}</td><td>[{r['d_from']:.1f}, {r['d_to']:.1f}"
            f"{']' if level == 10 else ')'}</td><td>{int(r['cells'])}</td>"
            f"<td>{r['share_pct']:.1f}</td><td>{mean['mean_U1']}</td><td>{mean['mean_U2']}</td>"
            f"<td>{mean['mean_D']}</td></tr>")
    grade_table = ("<table><tr><th>grade</th><th>D</th><th>cells</th><th>%</th><th>mean U1</th>"
                   "<th>mean U2</th><th>mean D</th></tr>" + "".join(grades_rows) + "</table>")

    gaps = results["service_gaps"]
    if len(gaps):
        cols = [c for c in ("gap_rank", "industrial_share", "n_missing",
                            "missing_zh" if lang == "zh" else "missing", "gap_score")
                if c in gaps.columns]
        gap_df = pd.DataFrame(gaps[cols]).reset_index()
        if "gap_rank" in gap_df.columns:
            gap_df = gap_df.sort_values("gap_rank", kind="stable")
        shown = gap_df.head(max_gap_rows)
        gap_html = _table(shown)
        if len(gap_df) > len(shown):
            gap_html += f"<p>{html.escape(t['more'].format(n=len(gap_df) - len(shown)))}</p>"
    else:
        gap_html = f"<p>{html.escape(t['no_gaps'])}</p>"

    def figure(k: str, p: Path) -> str:
        name = html.escape(_MAP_TITLES[lang].get(k, k))
        return (f"<figure><img alt='{name}' src='{_image(p)}'>"
                f"<figcaption>{name}</figcaption></figure>")

    first = ("typology", "gaps")  # the report leads with the typology and the gap map
    lead = "".join(figure(k, imgs[k]) for k in first if k in imgs)
    figures = "".join(figure(k, p) for k, p in imgs.items() if k not in first)
    sections = [
        f"<h1>{html.escape(heading)}</h1>",
        f"<p>{html.escape(t['generated'])}: "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} · cityind_gis</p>",
        _lead(results, params, lang, lead),
        f"<h2>{t['area']}</h2>{_kv(area)}",
        f"<h2>{t['data']}</h2>{_kv(data)}",
        f"<h2>{t['weights']}</h2>{_table(results['weights'])}",
        f"<h2>{t['grades']}</h2>{grade_table}",
    ]
    if figures:
        sections.append(f"<h2>{t['maps']}</h2>{figures}")
    sections.append(f"<h2>{t['gaps']}</h2>{gap_html}")
    if "obstacles" in results:
        label = "障碍因子" if lang == "zh" else "Obstacle degree"
        sections.append(f"<h2>{label}</h2>{_table(results['obstacles'].head(15))}")
    sections.append(f"<h2>{t['method']}</h2>{_METHOD[lang]}")
    sections.append(f"<h2>{t['refs']}</h2><ol>"
                    + "".join(f"<li>{html.escape(r)}</li>" for r in _REFS) + "</ol>")
    sections.append(f"<h2>{t['params']}</h2>{_kv(params)}")
    page = (
        f"<!DOCTYPE html>\n<html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head>"
        f"<meta charset='utf-8'><title>{html.escape(heading)}</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )
    with atomic_path(path) as tmp:
        Path(tmp).write_text(page, encoding="utf-8")
    logger.info("Wrote report to %s (%.1f kB)", path, len(page.encode()) / 1e3)
    return Path(path)
