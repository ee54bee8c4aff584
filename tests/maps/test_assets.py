# ruff: noqa: D103  (test names say what they check)
"""Tests of the web map's assets: URLs, offline copies and the outside-fetch check."""

from __future__ import annotations

import pytest

from cityind_gis._errors import InputError
from cityind_gis.maps.assets import (
    ASSET_FILES,
    CDN_URLS,
    asset_urls,
    copy_assets,
    external_assets,
)


@pytest.mark.parametrize(
    ("assets", "leaflet"),
    [(None, CDN_URLS["leaflet_js"]),
     ("https://intranet/static", "https://intranet/static/leaflet.js"),
     ("assets/", "assets/leaflet.js"),
     ("file:///D:/leaflet/", "file:///D:/leaflet/leaflet.js")],
    ids=["cdn", "intranet", "relative", "file-url"],
)
def test_asset_urls(assets, leaflet):
    urls = asset_urls(assets)
    assert set(urls) == set(ASSET_FILES)
    assert urls["leaflet_js"] == leaflet


def test_asset_urls_of_a_local_folder_are_file_uris(tmp_path):
    assert asset_urls(tmp_path)["leaflet_css"] == tmp_path.resolve().as_uri() + "/leaflet.css"


def test_asset_urls_rejects_empty():
    with pytest.raises(InputError, match="`assets` is empty"):
        asset_urls("  ")


def test_copy_assets_from_installed_packages(tmp_path):
    files = copy_assets(tmp_path / "a")
    names = {p.relative_to(tmp_path / "a").as_posix() for p in files}
    assert set(ASSET_FILES.values()) <= names
    assert "images/layers.png" in names
    assert (tmp_path / "a" / "leaflet.js").stat().st_size > 100_000


def test_copy_assets_from_a_copy(tmp_path):
    copy_assets(tmp_path / "a")
    again = copy_assets(tmp_path / "b", source=tmp_path / "a")
    assert {p.name for p in again} >= set(ASSET_FILES.values())


def test_copy_assets_reports_what_is_missing(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "leaflet.js").write_text("//", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing leaflet\.css, leaflet\.markercluster\.js"):
        copy_assets(tmp_path / "dst", source=tmp_path / "src")


HTML = """<html><head>
<script src="https://cdn.example.org/leaflet.js"></script>
<script src="assets/leaflet.markercluster.js"></script>
<link rel="stylesheet" href="//fonts.example.net/font.css"/>
<link rel="stylesheet" href="https://intranet/static/leaflet.css"/>
<style>.x { background: url('https://img.example.com/a.png'); } \
.y { background: url(images/b.png) }</style>
</head><body><img src="data:image/png;base64,AAAA">
<script>L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {}).addTo(m);
L.tileLayer('http://127.0.0.1:8000/tiles/{z}/{x}/{y}.png').addTo(m);</script>
</body></html>"""


def test_external_assets_lists_outside_urls():
    assert external_assets(HTML, allowed=["https://intranet/static/"]) == [
        "//fonts.example.net/font.css",
        "https://cdn.example.org/leaflet.js",
        "https://img.example.com/a.png",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    ]


def test_external_assets_reads_a_file(tmp_path):
    page = tmp_path / "map.html"
    page.write_text('<script src="leaflet.js"></script>', encoding="utf-8")
    assert external_assets(page) == []
