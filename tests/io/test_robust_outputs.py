"""Output safety (issue 16): staged commit, rollback, OSError messages, input protection, lock."""

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cityind_gis._errors import InputError, OutputError
from cityind_gis.io import _atomic
from cityind_gis.io._atomic import (
    LOCK_NAME,
    STAGING_PREFIX,
    check_output_dir,
    commit_staging,
    input_paths,
    output_error,
    output_lock,
    recover_staging,
)
from cityind_gis.workflow.outputs import OutputContext, planned_outputs, write_all


def _text_writer(name, text):
    def writer(ctx):
        path = ctx.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return {name: path}
    return writer


def _failing_writer(exc):
    def writer(ctx):
        raise exc
    return writer


@pytest.fixture
def previous(tmp_path):
    """An output folder holding the previous run's three files (all "old")."""
    out = tmp_path / "out"
    (out / "maps").mkdir(parents=True)
    for name in ("a.csv", "b.json", "maps/c.png"):
        (out / name).write_text("old", encoding="utf-8")
    return out


def _contents(out):
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*")) if p.is_file()}


NEW = [_text_writer("a.csv", "new"), _text_writer("b.json", "new"),
       _text_writer("maps/c.png", "new")]


def test_commit_replaces_the_whole_set(previous):
    paths = write_all(NEW, OutputContext(result=None, out=previous))
    assert _contents(previous) == {"a.csv": "new", "b.json": "new", "maps/c.png": "new"}
    assert paths == {"a.csv": previous / "a.csv", "b.json": previous / "b.json",
                     "maps/c.png": previous / "maps" / "c.png"}  # final paths, not staged ones


@pytest.mark.parametrize("exc", [RuntimeError("bug in a writer"), KeyboardInterrupt()],
                         ids=["error", "ctrl-c"])
def test_stopped_writers_leave_the_previous_set_whole(previous, exc):
    writers = [NEW[0], NEW[1], _failing_writer(exc), NEW[2]]
    with pytest.raises(type(exc)):
        write_all(writers, OutputContext(result=None, out=previous))
    assert _contents(previous) == {"a.csv": "old", "b.json": "old", "maps/c.png": "old"}
    assert not list(previous.glob(f"{STAGING_PREFIX}*"))  # staging removed


def test_rename_failing_mid_commit_puts_every_file_back(previous, monkeypatch):
    real = os.replace
    calls = []

    def replace(src, dst):
        if STAGING_PREFIX in str(src) and ".cityind-previous" not in str(src):
            calls.append(dst)
            if len(calls) == 2:  # the 2nd of 3 renames: a.csv is new already
                raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(_atomic.os, "replace", replace)
    with pytest.raises(OutputError, match=r"no space is left on the device.*previous outputs"):
        write_all(NEW, OutputContext(result=None, out=previous))
    assert _contents(previous) == {"a.csv": "old", "b.json": "old", "maps/c.png": "old"}
    assert not list(previous.glob(f"{STAGING_PREFIX}*"))


def test_new_file_is_removed_again_on_rollback(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.json").write_text("old", encoding="utf-8")
    real = os.replace

    def replace(src, dst):
        if Path(dst).name == "b.json" and STAGING_PREFIX in str(src):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(_atomic.os, "replace", replace)
    with pytest.raises(OutputError, match="permission is denied"):
        write_all(NEW[:2], OutputContext(result=None, out=out))
    assert _contents(out) == {"b.json": "old"}  # a.csv, new in this run, is gone again


@pytest.mark.parametrize(
    ("code", "cause"),
    [(errno.EROFS, "the file system is read-only"), (errno.ENOSPC, "no space is left"),
     (errno.ENOTDIR, "a part of the path is a file, not a folder"),
     (errno.EACCES, "permission is denied")],
    ids=["read-only", "disk-full", "not-a-folder", "permission"],
)
def test_oserror_on_writing_names_folder_and_cause(previous, monkeypatch, code, cause):
    def writer(ctx):
        raise OSError(code, os.strerror(code), str(ctx.out / "a.csv"))

    with pytest.raises(OutputError, match=f"cannot write the outputs to `{previous}`: {cause}"):
        write_all([NEW[0], writer], OutputContext(result=None, out=previous))
    assert _contents(previous)["a.csv"] == "old"


def test_staging_folder_that_cannot_be_made_names_cause(previous, monkeypatch):
    def mkdtemp(**_kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(_atomic.tempfile, "mkdtemp", mkdtemp)
    with pytest.raises(OutputError, match="read-only"):
        write_all(NEW, OutputContext(result=None, out=previous))


def test_gdal_error_on_a_full_disk_is_named_as_such(previous, monkeypatch):
    import pyogrio.errors

    # seen on a full disk: GDAL reports a missing table, not ENOSPC
    def writer(ctx):
        msg = "no such table: candidate_sites"
        raise pyogrio.errors.FeatureError(msg)

    monkeypatch.setattr(_atomic.shutil, "disk_usage",
                        lambda _p: shutil._ntuple_diskusage(1 << 30, 1 << 30, 0))
    with pytest.raises(OutputError, match=r"no space is left.*no such table: candidate_sites"):
        write_all([writer], OutputContext(result=None, out=previous))


def test_output_error_without_errno_and_free_space_is_generic(tmp_path):
    err = output_error(RuntimeError("odd"), tmp_path)
    assert "writing failed (odd)" in str(err) and str(tmp_path) in str(err)


def test_output_that_would_replace_an_input_is_refused(previous):
    protect = [previous / "b.json"]
    with pytest.raises(InputError, match=r"b\.json' would replace the input .*b\.json"):
        write_all(NEW, OutputContext(result=None, out=previous), protect=protect)
    assert _contents(previous) == {"a.csv": "old", "b.json": "old", "maps/c.png": "old"}


def test_hard_link_of_an_input_is_protected(previous, tmp_path):
    source = tmp_path / "landuse.gpkg"
    os.link(previous / "a.csv", source)  # the same file under two names
    with pytest.raises(InputError, match="landuse.gpkg"):
        write_all(NEW, OutputContext(result=None, out=previous), protect=[source])


def test_output_name_taken_by_a_folder_is_refused_before_any_rename(previous):
    (previous / "b.json").unlink()
    (previous / "b.json").mkdir()
    with pytest.raises(OutputError, match="taken by a folder"):
        write_all(NEW, OutputContext(result=None, out=previous))
    assert (previous / "a.csv").read_text(encoding="utf-8") == "old"


@pytest.mark.parametrize("inside", [False, True], ids=["is-a-file", "inside-a-file"])
def test_out_naming_a_file_is_refused(tmp_path, inside):
    f = tmp_path / "report.txt"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="`--out` must name a folder.*existing file"):
        check_output_dir(f / "sub" if inside else f)


def test_input_paths_of_a_config_cover_every_layer(tmp_path):
    from cityind_gis.config import load_config
    from cityind_gis.testing import write_three_cell_town

    cfg = load_config(write_three_cell_town(tmp_path))
    names = {p.name for p in input_paths(cfg)}
    assert {"town.gpkg", "pois.csv", "landuse_map.csv", "poi_map.csv", "town.toml"} <= names
    assert cfg.out_dir not in input_paths(cfg)


def test_input_paths_follow_extra_pois_and_shapefile_parts(tmp_path):
    from dataclasses import replace

    from cityind_gis.config import Config, LayerConfig

    cfg = Config(pois=LayerConfig(path=tmp_path / "a.csv", name="a", section="pois"))
    cfg = replace(cfg, extra_pois=(LayerConfig(path=tmp_path / "b.shp", name="b",
                                               section="pois"),))
    found = {p.name for p in input_paths(cfg)}
    assert {"a.csv", "b.shp", "b.dbf", "b.shx", "b.prj"} <= found


def test_planned_outputs_name_the_exports_of_each_format(tmp_path):
    names = {p.name for p in planned_outputs(tmp_path, ["gpkg", "shp"])}
    assert {"cityind.gpkg", "map.html", "summary.csv", "landuse.shp", "landuse.dbf"} <= names


# -- recovery and signals --------------------------------------------------------------------


def test_recover_finishes_a_complete_staging_and_removes_an_incomplete_one(previous):
    done = previous / f"{STAGING_PREFIX}1-a"
    (done / "maps").mkdir(parents=True)
    (done / "a.csv").write_text("new", encoding="utf-8")
    (done / "maps" / "c.png").write_text("new", encoding="utf-8")
    (done / ".cityind-complete").write_text("complete\n", encoding="ascii")
    partial = previous / f"{STAGING_PREFIX}2-b"
    partial.mkdir()
    (partial / "b.json").write_text("half", encoding="utf-8")
    with pytest.warns(UserWarning, match="finished the commit of 1 earlier run"), \
            pytest.warns(UserWarning, match="removed 1 staging folder"):
        assert recover_staging(previous) == (1, 1)
    assert _contents(previous) == {"a.csv": "new", "b.json": "old", "maps/c.png": "new"}


def test_ctrl_c_during_the_commit_is_held_until_it_ends(previous, monkeypatch):
    real = _atomic._move_all

    def move_all(*args):
        os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of the renames
        real(*args)

    monkeypatch.setattr(_atomic, "_move_all", move_all)
    with pytest.raises(KeyboardInterrupt):
        write_all(NEW, OutputContext(result=None, out=previous))
    assert _contents(previous) == {"a.csv": "new", "b.json": "new", "maps/c.png": "new"}


def test_commit_staging_returns_final_paths(tmp_path):
    stage, out = tmp_path / "out" / f"{STAGING_PREFIX}x", tmp_path / "out"
    stage.mkdir(parents=True)
    (stage / "x.csv").write_text("1", encoding="utf-8")
    assert commit_staging(stage, out) == [out / "x.csv"]


# -- lock ------------------------------------------------------------------------------------


def _lock_of(pid, host=None):
    return json.dumps({"pid": pid, "host": host or socket.gethostname(),
                       "started": "2025-01-01T00:00:00+00:00", "command": "cityind run"})


def test_lock_is_held_during_the_block_and_removed_after(tmp_path):
    out = tmp_path / "out"
    with output_lock(out) as lock:
        held = json.loads(lock.read_text(encoding="utf-8"))
        assert (held["pid"], held["host"]) == (os.getpid(), socket.gethostname())
        with pytest.raises(OutputError, match=f"in use by another cityind run: process "
                                              f"{os.getpid()} on"):
            with output_lock(out):
                pass
    assert not (out / LOCK_NAME).exists()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (out / LOCK_NAME).write_text(_lock_of(int(dead.stdout)), encoding="utf-8")
    with pytest.warns(UserWarning, match=f"took over the lock .* process {int(dead.stdout)}"):
        with output_lock(out):
            assert json.loads((out / LOCK_NAME).read_text())["pid"] == os.getpid()


def test_lock_from_another_host_is_respected(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(_lock_of(1, host="planning-pc-7"), encoding="utf-8")
    with pytest.raises(OutputError, match=r"process 1 on planning-pc-7.*delete"):
        with output_lock(out):
            pass
    assert (out / LOCK_NAME).exists()
