"""Files and folders are written all or nothing (sim/files.py)."""
from __future__ import annotations

import pytest

from sim.files import folder_written_whole, write_text_whole, write_whole


def test_folder_is_filled_only_when_the_block_succeeds(tmp_path):
    out = tmp_path / "result"
    out.mkdir()
    (out / "old.csv").write_text("old")
    with pytest.raises(RuntimeError):
        with folder_written_whole(out) as tmp:
            (tmp / "outcomes.csv").write_text("half")
            raise RuntimeError("killed half-way")
    assert sorted(p.name for p in out.iterdir()) == ["old.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"], "no temporary folder is left"
    with folder_written_whole(out) as tmp:
        (tmp / "outcomes.csv").write_text("whole")
    assert (out / "outcomes.csv").read_text() == "whole" and (out / "old.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"]


def test_file_keeps_its_old_content_when_writing_fails(tmp_path):
    path = tmp_path / "calibration.json"
    write_text_whole(path, "old")

    def fail(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_whole(path, fail)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["calibration.json"]
    write_text_whole(tmp_path / "new" / "x.json", "{}")
    assert (tmp_path / "new" / "x.json").read_text() == "{}"
