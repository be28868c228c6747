import pickle
import sqlite3

import pytest

from transforms.repair.boilerplate import BoilerplateConfig
from transforms.state.common_lines import SqliteCommonLines
from transforms.state.site_templates import SqliteTemplates


def test_the_run_s_stores_travel_as_their_path_and_read_what_the_launcher_wrote(tmp_path):
    lines = SqliteCommonLines(tmp_path / "lines.sqlite")
    lines.add((("site", f"story {n}", ["Subscribe now", f"line {n}"]) for n in range(4)))
    assert lines.settle(BoilerplateConfig()) >= 1
    templates = SqliteTemplates(tmp_path / "templates.sqlite")
    templates.add([("site", b"\x01\x00\x00\x00\x00\x00\x00\x00")])

    lines_there, templates_there = pickle.loads(pickle.dumps((lines, templates)))
    assert lines_there.path == lines.path and repr(lines_there) == repr(lines)
    assert lines_there.common("site", ["Subscribe now", "line 1"]) == \
        lines.common("site", ["Subscribe now", "line 1"]) == {"Subscribe now"}
    assert list(templates_there.get("site")) == [1]
    assert templates_there.get("elsewhere") is None
    # Workers only read: their connection cannot write.
    with pytest.raises(sqlite3.OperationalError):
        lines_there.reader().execute("DELETE FROM common")
