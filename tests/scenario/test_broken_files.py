"""Every broken file fails with one positioned line that names the offending node.

Each file in broken/ starts with ``# expect: LINE:COL text``: the first issue must sit at that
position and contain that text.
"""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simgen.api import check_file
from simgen.cli import app

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))


def expectation(path: Path) -> tuple[int, int, str]:
    match = re.match(r"# expect: (\d+):(\d+) (.*)", path.read_text().splitlines()[0])
    assert match, f"{path.name} needs an '# expect: LINE:COL text' first line"
    return int(match[1]), int(match[2]), match[3]


def test_suite_is_large_enough():
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_file_is_pinpointed(path: Path):
    line, col, text = expectation(path)
    result = check_file(path)
    assert not result.ok
    first = result.issues[0]
    rendered = str(first)
    assert rendered.startswith(f"{path}:{line}:{col}: "), rendered
    assert text in rendered, rendered


def test_cli_reports_every_broken_file_without_traceback():
    result = CliRunner().invoke(app, ["validate", *map(str, BROKEN)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    for path in BROKEN:
        line, col, _ = expectation(path)
        assert any(out.startswith(f"{path}:{line}:{col}: ") for out in lines), path.name
    # every reported line has the file:line:col: key.path: message shape
    issue_lines = [ln for ln in lines if not ln.endswith("files invalid")]
    assert all(re.match(r"^.+\.yaml:\d+:\d+: \S+: .+", ln) for ln in issue_lines), issue_lines
