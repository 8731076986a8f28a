"""docs/operations.md names every setting, every ``aikg serve`` option and every metric."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import DEFAULTS
from service.cli.serving import serve
from service.metrics import Metrics

GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "operations.md").read_text("utf-8")


@pytest.mark.parametrize("setting", sorted(DEFAULTS))
def test_every_setting_is_in_the_configuration_table(setting: str) -> None:
    assert f"| `{setting}` |" in GUIDE


@pytest.mark.parametrize("option", sorted(o for p in serve.params for o in p.opts
                                          if o.startswith("--") and o != "--help"))
def test_every_serve_option_is_in_the_configuration_table(option: str) -> None:
    assert f"`{option}`" in GUIDE


@pytest.mark.parametrize("metric", re.findall(r"^# TYPE (\S+)", Metrics().render(0, 0), re.M))
def test_every_metric_is_in_the_metrics_table(metric: str) -> None:
    assert f"| `{metric}` |" in GUIDE
