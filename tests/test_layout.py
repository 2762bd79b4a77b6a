"""The rule between the three wings (STYLE.md section 2), read from the source with ast.

``service/engine/`` is the domain: no web framework, nothing from ``service.web``, and
retrieval only through the protocol of ``service.engine.search``. ``service/retrieval/``
imports nothing from ``service.web``. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[1] / "service"
WEB_FRAMEWORKS = ("flask", "flask_cors", "flask_limiter", "flask_swagger_ui", "werkzeug")
FORBIDDEN = {
    "engine": (*WEB_FRAMEWORKS, "marshmallow", "schemas", "gunicorn", "service.web"),
    "retrieval": (*WEB_FRAMEWORKS, "marshmallow", "schemas", "gunicorn", "service.web"),
}
# The engine reaches retrieval through service.engine.search alone.
FORBIDDEN["engine"] += ("service.retrieval",)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, by absolute name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module or "")
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def breaks(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("wing", sorted(FORBIDDEN))
def test_a_wing_imports_only_what_its_rule_allows(wing: str):
    files = sorted((SERVICE / wing).rglob("*.py"))
    assert files, f"service/{wing}/ has no modules"
    wrong = {
        f"{path.relative_to(SERVICE.parent)}: {name}"
        for path in files
        for name in imported(path)
        if breaks(name, FORBIDDEN[wing])
    }
    assert not wrong, "imports across the rule of STYLE.md section 2:\n" + "\n".join(sorted(wrong))


def test_the_rule_sees_a_forbidden_import(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from service.web.app import create_app\n", encoding="utf-8")
    assert breaks("service.web.app", FORBIDDEN["engine"])
    assert any(breaks(n, FORBIDDEN["engine"]) for n in imported(module))
    assert not breaks("service.websocket", FORBIDDEN["engine"])


def test_the_service_folder_holds_only_the_wings():
    top = sorted(p.name for p in SERVICE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py"], top
    assert {p.name for p in SERVICE.iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "engine",
        "retrieval",
        "web",
    }
