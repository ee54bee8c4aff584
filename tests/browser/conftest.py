"""Shared harness of the browser tests: headless Chromium and a quiet local web server.

Chromium comes from Debian (``tests/setup_system.sh``). Where it is genuinely absent the
tests skip; under CI (``CI=true``) they fail instead, so CI cannot pass without them.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

#: headless flags; without the background-networking ones Chromium tries (and fails) to reach
#: Google's hosts on this closed network at every start
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1024,768", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=15000"]


def _chromium() -> str:
    found = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser"))
                  if p), None)
    if found is None:
        reason = "Chromium is not installed (run tests/setup_system.sh on Debian/Ubuntu)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI must run the browser test")
        pytest.skip(reason)
    return found


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).requested.append(self.path)
        super().do_GET()


@pytest.fixture
def serve() -> Iterator[Callable[[Path], tuple[str, list[str]]]]:
    """Serve a folder on 127.0.0.1 (random port): ``serve(folder) -> (base_url, requested)``.

    ``requested`` lists every path the browser asked for, to prove nothing else was fetched.
    """
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> tuple[str, list[str]]:
        handler = type("Handler", (_Quiet,), {"requested": []})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", handler.requested

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def render() -> Callable[[str], tuple[str, str]]:
    """``render(url) -> (dom, log)``: the page's DOM after scripts ran, and Chromium's log."""
    chromium = _chromium()

    def _render(url: str) -> tuple[str, str]:
        with tempfile.TemporaryDirectory(prefix="cityind-chromium-") as profile:
            out = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                                  url], capture_output=True, text=True, timeout=180, check=False)
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout, out.stderr

    return _render
