"""The README's tour shows what each command prints: the ``aikg`` commands of one line are run
here on the bundled graph and their output compared with the comment lines under them (a line
``# ...`` ends the comparison; a line ending in ``...`` is a prefix). The sample files the tour
loads and imports ship with aikg."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.servers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
#: Not run here: commands that write to or serve a store, and those that only count statements
#: (any new fact moves their figures; the README shows them as of its writing).
NOT_RUN = ("load", "import", "serve", "stats", "validate")


def tour() -> list[tuple[str, list[str]]]:
    """Each one-line ``.venv/bin/aikg`` command of the README with the output shown under it."""
    found, lines = [], README.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith(".venv/bin/aikg ") or line.endswith(("'", "\\")):
            continue
        shown = []
        for following in lines[i + 1:]:
            if not following.startswith("# "):
                break
            shown.append(following[2:])
        if shown and shlex.split(line)[1] not in NOT_RUN:
            found.append((line, shown))
    return found


@pytest.mark.parametrize(("command", "shown"), tour(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_each_tour_command_prints_what_the_readme_shows(cli, command, shown):
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    for number, expected in enumerate(shown):
        if expected.strip() == "...":
            break
        got = printed[number].rstrip()
        if expected.endswith("..."):
            assert got.startswith(expected[:-3].rstrip()), (expected, got)
        else:
            assert got == expected.rstrip(), (expected, got)


def test_the_tour_covers_search_circle_rank_and_path():
    commands = {shlex.split(c)[1] for c, _ in tour()}
    assert {"search", "circle", "rank", "path"} <= commands


def test_the_files_the_tour_loads_and_imports_ship_with_aikg():
    named = set(re.findall(r"docs/examples/[\w.-]+", README))
    assert {"docs/examples/my-facts.trig", "docs/examples/notable-ai-models-sample.csv"} <= named
    assert all((ROOT / path).is_file() for path in named)


def test_the_readme_says_how_long_make_test_takes():
    assert re.search(r"`make test` also installs[^`]*It takes\s+about \d+ minutes", README)
