"""The house rules that keep the code readable, checked by reading the code (``ast``): a module
of at most 400 lines, a function of at most 60 lines of code (its docstring aside: numpydoc
sections are documentation, not code). See docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def offenders(folder: str) -> list[str]:
    """Each module over the line limit and each function over its limit, with its size."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text, filename=name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = _code_lines(node)
                if size > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}(): {size} lines")
    return found


def _code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The function's lines, from ``def`` to its end, less those of its docstring."""
    lines = function.end_lineno - function.lineno + 1
    first = function.body[0]
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def test_graph_modules_and_functions_keep_to_the_house_sizes() -> None:
    assert offenders("graph") == []


def test_service_modules_and_functions_keep_to_the_house_sizes() -> None:
    assert offenders("service") == []


def test_the_check_names_a_function_over_the_limit(tmp_path: Path, monkeypatch) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "mod.py").write_text(f'def long():\n    """Doc."""\n{body}\n')
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert offenders("big") == [f"big/mod.py:1 long(): {MAX_FUNCTION_LINES + 1} lines"]
