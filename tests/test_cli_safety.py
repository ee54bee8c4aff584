"""`cityind run` keeps outputs safe (issue 16): lock, Ctrl-C, inputs in the out folder, OS errors.

Real processes throughout: a second process holds the lock, SIGINT is sent to a
running `cityind run`, and the disk cases run on a real tmpfs when the tests
may mount one (root), else they are skipped (the mocked OSError cases are in
tests/io/test_robust_outputs.py).
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cityind_gis.cli import main
from cityind_gis.io._atomic import LOCK_NAME, STAGING_PREFIX
from cityind_gis.testing import write_three_cell_town

ROOT = Path(__file__).resolve().parent.parent


def _env():
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _cityind(*args, cwd):
    return subprocess.run([sys.executable, "-m", "cityind_gis.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=_env())


def _start(*args, cwd):
    return subprocess.Popen([sys.executable, "-m", "cityind_gis.cli", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())


def _digest(out):
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def town(tmp_path):
    """The three-cell town config (outputs to ``out/``) with one earlier run's outputs."""
    cfg = write_three_cell_town(tmp_path)
    assert main(["run", str(cfg), "-q"]) == 0
    return cfg


def _no_traceback(proc_stderr):
    assert "Traceback" not in proc_stderr, proc_stderr


# -- lock ------------------------------------------------------------------------------------

_HOLDER = """
import sys, time
from cityind_gis.io._atomic import output_lock
with output_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_second_run_into_a_locked_folder_is_refused_and_stale_lock_taken_over(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(tmp_path / "out")],
                              stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert holder.stdout.readline().strip() == "locked"
        proc = _cityind("run", str(cfg), "-q", cwd=tmp_path)
        assert proc.returncode == 2
        _no_traceback(proc.stderr)
        assert f"is in use by another cityind run: process {holder.pid} on" in proc.stderr
        assert not (tmp_path / "out" / "cityind.gpkg").exists()  # refused before running
    finally:
        holder.kill()  # SIGKILL: the lock stays behind, stale
        holder.wait()
        holder.stdout.close()
    assert (tmp_path / "out" / LOCK_NAME).exists()
    proc = _cityind("run", str(cfg), "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"cityind: warning: took over the lock of output folder {tmp_path / 'out'} left by " \
           f"process {holder.pid}" in proc.stderr
    assert not (tmp_path / "out" / LOCK_NAME).exists()


# -- Ctrl-C ----------------------------------------------------------------------------------


def _wait_for(pred, proc, timeout=120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if pred():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("when", ["computing", "writing"])
def test_ctrl_c_exits_130_in_one_line_and_keeps_the_previous_set(town, when):
    out = town.parent / "out"
    before = _digest(out)
    proc = _start("run", str(town), cwd=town.parent)
    if when == "computing":
        assert proc.stdout.readline().startswith("[1/7]")
    else:  # the GeoPackage is staged, the maps are being drawn
        assert _wait_for(lambda: any((s / "cityind.gpkg").exists()
                                     for s in out.glob(f"{STAGING_PREFIX}*")), proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = [ln for ln in err.splitlines() if not ln.startswith("cityind: warning:")]
    assert lines == [f"cityind: error: interrupted (Ctrl-C); no output in {out} was replaced."]
    assert _digest(out) == before  # every earlier file, byte for byte; nothing new
    assert not list(out.glob(f"{STAGING_PREFIX}*"))
    assert not (out / LOCK_NAME).exists()


def test_sigterm_cleans_up_like_ctrl_c(town):
    out = town.parent / "out"
    before = _digest(out)
    proc = _start("run", str(town), cwd=town.parent)
    assert proc.stdout.readline().startswith("[1/7]")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "cityind: error: stopped by signal 15; no output" in err
    _no_traceback(err)
    assert _digest(out) == before
    assert not (out / LOCK_NAME).exists()


# -- inputs in the output folder, --out a file ------------------------------------------------


def test_output_folder_holding_an_input_named_like_an_output_is_refused(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    (tmp_path / "town.gpkg").rename(tmp_path / "cityind.gpkg")
    text = cfg.read_text(encoding="utf-8").replace('"town.gpkg"', '"cityind.gpkg"')
    cfg.write_text(text.replace('dir = "out"', 'dir = "."'), encoding="utf-8")  # input folder
    before = (tmp_path / "cityind.gpkg").read_bytes()
    proc = _cityind("run", str(cfg), "-q", cwd=tmp_path)
    assert proc.returncode == 2
    _no_traceback(proc.stderr)
    assert (f"'{tmp_path / 'cityind.gpkg'}' would replace the input "
            f"'{tmp_path / 'cityind.gpkg'}'") in proc.stderr
    assert (tmp_path / "cityind.gpkg").read_bytes() == before


def test_out_naming_an_existing_file_is_a_clear_error(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    proc = _cityind("run", str(cfg), "--out", str(cfg), cwd=tmp_path)
    assert proc.returncode == 2
    _no_traceback(proc.stderr)
    assert f"`--out` must name a folder, but '{cfg}' is an existing file" in proc.stderr


# -- real read-only and full file systems -----------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs (root only); yields (mount point, remount function)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    point = tmp_path / "disk"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2500k", "tmpfs", str(point)],
                             capture_output=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")

    def remount(opts):
        subprocess.run(["mount", "-o", f"remount,{opts}", str(point)], check=True)

    yield point, remount
    subprocess.run(["umount", "-l", str(point)], check=False)


def test_full_disk_is_named_and_previous_outputs_stay(tmp_path, tmpfs):
    point, _ = tmpfs
    cfg = write_three_cell_town(tmp_path)
    out = point / "out"
    assert main(["run", str(cfg), "-q", "--out", str(out)]) == 0  # ~1.6 MB of 2.5 MB
    before = _digest(out)
    proc = _cityind("run", str(cfg), "-q", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    _no_traceback(proc.stderr)
    assert f"cannot write the outputs to `{out}`: no space is left on the device" in proc.stderr
    assert _digest(out) == before
    assert not list(out.glob(f"{STAGING_PREFIX}*"))


def test_read_only_file_system_is_named_before_the_run(tmp_path, tmpfs):
    point, remount = tmpfs
    cfg = write_three_cell_town(tmp_path)
    out = point / "out"
    out.mkdir()
    (out / "summary.csv").write_text("old", encoding="utf-8")
    remount("ro")
    proc = _cityind("run", str(cfg), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    _no_traceback(proc.stderr)
    assert f"cannot write the outputs to `{out}`: the file system is read-only" in proc.stderr
    assert "[1/7]" not in proc.stdout  # said before any stage starts
    assert (out / "summary.csv").read_text(encoding="utf-8") == "old"


# -- notices ---------------------------------------------------------------------------------

_LOGS = """
import logging, sys, warnings
import cityind_gis.workflow as w
def run(cfg, progress):
    logging.getLogger("cityind_gis.x").warning("a logged notice")
    warnings.warn("a warned notice", stacklevel=1)
    raise KeyboardInterrupt
w.run = run
from cityind_gis.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_every_notice_carries_the_prefix(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    proc = subprocess.run([sys.executable, "-c", _LOGS, "run", str(cfg), "-q"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 130
    lines = proc.stderr.splitlines()
    assert "cityind: warning: a logged notice" in lines
    assert all(ln.startswith("cityind: ") for ln in lines), lines
