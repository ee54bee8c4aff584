"""JavaScript and CSS of the web map: where they load from, offline copies, and a check.

Leaflet and Leaflet.markercluster are all the web map needs. By default they
load from public CDNs; on an intranet or offline machine point the map at a
base URL or a local folder instead (``web_map(..., assets=...)``), fill that
folder with :func:`copy_assets` (``cityind assets DIR``), and confirm with
:func:`external_assets` that the page fetches nothing else from outside.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from .._errors import InputError

__all__ = ["ASSET_FILES", "CDN_URLS", "asset_urls", "copy_assets", "external_assets"]

#: Files the web map loads, by role, as named in an assets folder or base URL.
ASSET_FILES: dict[str, str] = {
    "leaflet_js": "leaflet.js",
    "leaflet_css": "leaflet.css",
    "markercluster_js": "leaflet.markercluster.js",
    "markercluster_css": "MarkerCluster.css",
    "markercluster_default_css": "MarkerCluster.Default.css",
}

#: Public CDN URLs used when no assets location is given (the versions folium uses).
CDN_URLS: dict[str, str] = {
    "leaflet_js": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "leaflet_css": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
    "markercluster_js": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
    "leaflet.markercluster.js",
    "markercluster_css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
    "MarkerCluster.css",
    "markercluster_default_css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/"
    "1.1.0/MarkerCluster.Default.css",
}

_LEAFLET_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
                   "marker-shadow.png")


def asset_urls(assets: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """URLs the page loads its JavaScript and CSS from.

    Parameters
    ----------
    assets : str or path-like, optional
        ``None``: the public CDNs (:data:`CDN_URLS`). A URL or URL prefix
        (``"https://intranet/static/"``, ``"assets/"`` relative to the HTML
        file, ``"file:///D:/leaflet/"``): each file of :data:`ASSET_FILES` is
        loaded from ``{assets}/{file}``. A path to an existing local folder is
        turned into a ``file://`` URL.

    Returns
    -------
    dict of str to str
        Role (``leaflet_js``, ...) -> URL.
    """
    if assets is None:
        return dict(CDN_URLS)
    text = os.fspath(assets)
    if not text.strip():
        msg = "`assets` is empty; give a base URL or a folder, or None for the public CDNs."
        raise InputError(msg)
    if "://" not in text and Path(text).is_absolute():
        base = Path(text).resolve().as_uri()
    else:
        base = text.replace("\\", "/")
    base = base if base.endswith("/") else base + "/"
    return {role: base + name for role, name in ASSET_FILES.items()}


def _sources() -> list[tuple[Path, Path]]:
    """(Leaflet folder, markercluster folder) pairs to copy from, best first."""
    found: list[tuple[Path, Path]] = []
    try:
        import xstatic.pkg.leaflet as xl
        import xstatic.pkg.leaflet_markercluster as xm

        found.append((Path(xl.BASE_DIR), Path(xm.BASE_DIR)))
    except ImportError:
        pass
    debian = Path("/usr/share/javascript")
    found.append((debian / "leaflet", debian / "leaflet.markercluster"))
    return found


def copy_assets(
    folder: str | os.PathLike[str],
    *,
    source: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Copy the web map's JavaScript, CSS and images into ``folder`` for offline use.

    Parameters
    ----------
    folder : str or path-like
        Destination (created if needed). Afterwards it holds
        :data:`ASSET_FILES` and Leaflet's ``images/`` folder; serve it on the
        intranet or keep it beside the HTML and pass it as ``assets``.
    source : str or path-like, optional
        A folder that already holds those files (e.g. an unpacked npm
        ``leaflet/dist`` and ``leaflet.markercluster/dist`` merged, or a copy
        from another machine). By default the copies installed with
        cityind_gis are used (the ``XStatic-Leaflet`` and
        ``XStatic-Leaflet-MarkerCluster`` packages), else Debian's
        ``libjs-leaflet`` and ``libjs-leaflet.markercluster``.

    Returns
    -------
    list of pathlib.Path
        Files written.

    Raises
    ------
    InputError
        If no source holds all the files; the message lists what is missing and
        how to install it.
    """
    dest = Path(folder)
    candidates = ([(Path(source), Path(source))] if source is not None else _sources())
    tried = []
    for leaflet, cluster in candidates:
        files = {
            "leaflet.js": leaflet / "leaflet.js",
            "leaflet.css": leaflet / "leaflet.css",
            "leaflet.markercluster.js": cluster / "leaflet.markercluster.js",
            "MarkerCluster.css": cluster / "MarkerCluster.css",
            "MarkerCluster.Default.css": cluster / "MarkerCluster.Default.css",
        }
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            tried.append(f"{leaflet} (missing {', '.join(Path(m).name for m in missing)})")
            continue
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for name, src in files.items():
            written.append(Path(shutil.copyfile(src, dest / name)))
        images = leaflet / "images"
        if images.is_dir():
            (dest / "images").mkdir(exist_ok=True)
            for img in _LEAFLET_IMAGES:
                if (images / img).is_file():
                    written.append(Path(shutil.copyfile(images / img, dest / "images" / img)))
        return written
    msg = (
        f"no copy of the Leaflet assets found; looked in: {'; '.join(tried)}. Install them with "
        "`pip install XStatic-Leaflet XStatic-Leaflet-MarkerCluster` (they come with "
        "cityind-gis), or on Debian `apt-get install libjs-leaflet libjs-leaflet.markercluster`, "
        "or pass `source=` a folder holding " + ", ".join(ASSET_FILES.values()) + "."
    )
    raise InputError(msg)


_URL_PATTERNS = (
    re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I),
    re.compile(r"<link[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"']", re.I),
    re.compile(r"<(?:img|iframe|source|video|audio)[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I),
    re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)", re.I),
    re.compile(r"@import\s+[\"']([^\"']+)[\"']", re.I),
    re.compile(r"L\.tileLayer(?:\.wms)?\(\s*[\"']([^\"']+)[\"']", re.I),
)


def external_assets(
    html: str | os.PathLike[str],
    *,
    allowed: Sequence[str] = (),
) -> list[str]:
    """Every URL outside ``allowed`` that a page would fetch when opened.

    Parameters
    ----------
    html : str or path-like
        The page's HTML text, or the path of an ``.html`` file.
    allowed : sequence of str, optional
        URL prefixes that count as inside (e.g. ``["https://intranet/static/"]``).
        Relative URLs, ``file:``, ``data:`` and ``blob:`` URLs, and
        ``localhost`` / ``127.0.0.1`` are always inside.

    Returns
    -------
    list of str
        Sorted, unique URLs of scripts, stylesheets, images, CSS ``url()`` and
        ``@import`` targets, and tile-layer templates (``L.tileLayer("...")``)
        that point elsewhere. Empty when the page works without the internet.

    Examples
    --------
    >>> external_assets('<script src="https://cdn.example/leaflet.js"></script>'
    ...                 '<link rel="stylesheet" href="assets/leaflet.css">')
    ['https://cdn.example/leaflet.js']
    """
    text = os.fspath(html)
    if isinstance(html, os.PathLike) or (len(text) < 4096 and "<" not in text
                                          and Path(text).is_file()):
        text = Path(text).read_text(encoding="utf-8")
    found: set[str] = set()
    for pattern in _URL_PATTERNS:
        found.update(m.group(1).strip() for m in pattern.finditer(text))
    local = re.compile(r"^(?:https?:)?//(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?(?:/|$)", re.I)
    out = []
    for url in found:
        lowered = url.lower()
        if not (lowered.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:"))):
            continue  # relative, file:, data:, blob:, javascript:
        if local.match(url) or any(url.startswith(prefix) for prefix in allowed):
            continue
        out.append(url)
    return sorted(out)
