"""The layout rules of docs/ARCHITECTURE.md, checked on the source.

Apps form a stack, and imports point down it only:
accounts ← projects ← corpus ← annotations ← analysis ← api ← sampledata. The one exception:
the corpus app may call ``annotations.anchoring`` (a new text of an article re-anchors its
annotations). Modules stay readable (at most 450 lines) and views thin (at most 40 lines).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[1] / "apps"
STACK = ["accounts", "projects", "corpus", "annotations", "analysis", "coding", "api", "sampledata"]
ALLOWED_UPWARD = {("corpus", "apps.annotations.anchoring")}
MAX_MODULE_LINES = 450
MAX_VIEW_LINES = 40


def _modules() -> list[Path]:
    return sorted(p for p in APPS.rglob("*.py") if "migrations" not in p.parts)


def _app(path: Path) -> str:
    return path.relative_to(APPS).parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module an ``apps`` file imports, wherever the import statement sits."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_every_app_is_in_the_stack():
    apps = {p.name for p in APPS.iterdir() if (p / "apps.py").exists()}
    assert apps == set(STACK)


def test_imports_point_down_the_app_stack():
    upward = []
    for path in _modules():
        here = _app(path)
        for line, name in _imports(path):
            parts = name.split(".")
            if parts[0] != "apps" or len(parts) < 2 or parts[1] not in STACK:
                continue
            there = parts[1]
            allowed = any(
                here == app and (name == module or name.startswith(module + "."))
                for app, module in ALLOWED_UPWARD
            )
            if STACK.index(there) > STACK.index(here) and not allowed:
                upward.append(f"{path.relative_to(APPS.parent)}:{line} imports {name}")
    assert upward == []


def test_no_module_is_too_long_to_read():
    long = {
        str(path.relative_to(APPS.parent)): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


VIEW_DECORATORS = {"project_view", "login_required", "require_safe", "require_POST"}


def _decorator_name(decorator: ast.expr) -> str:
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return decorator.id if isinstance(decorator, ast.Name) else ""


def _view_functions() -> list[tuple[str, ast.FunctionDef]]:
    views = []
    for path in _modules():
        if not path.name.startswith("views"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(
                _decorator_name(d) in VIEW_DECORATORS for d in node.decorator_list
            ):
                views.append((f"{path.relative_to(APPS.parent)}:{node.name}", node))
    return views


def test_there_are_views_to_check():
    assert len(_view_functions()) > 20


@pytest.mark.parametrize("name,node", _view_functions(), ids=lambda v: getattr(v, "name", ""))
def test_views_stay_thin(name, node):
    assert node.end_lineno - node.lineno + 1 <= MAX_VIEW_LINES, name
