"""Code health of the seams: the analyzer is chosen in one place, and the pipelines know nothing of
the report nor of the stages after them."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.shared import ROOT

NEWSBOT = ROOT / "newsbot"
PIPELINES = NEWSBOT / "pipelines"
FACTORY = NEWSBOT / "analysis" / "factory.py"
ANALYZER_MODES = {"llm", "heuristic", "auto"}
ANALYZER_CLASSES = {"Analyzer", "OfflineAnalyzer", "LLMAnalyzer"}
# The modules that define the analyzers, and the one that picks one.
ANALYZER_HOMES = {FACTORY, NEWSBOT / "analysis" / "analyzer.py", NEWSBOT / "analysis" / "llm_analyzer.py"}


def modules(folder: Path) -> list[Path]:
    found = sorted(folder.rglob("*.py"))
    assert found, f"no modules under {folder}"
    return found


def imported(tree: ast.AST) -> set[str]:
    """Every module an import names, at module level or inside a function."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def mode_branches(source: str) -> list[str]:
    """Places that branch on which analyzer runs: a comparison with a `mode`, an `is_llm` flag, an
    isinstance test against an analyzer class, or a name of an analyzer implementation used directly."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            names = {
                s.attr if isinstance(s, ast.Attribute) else s.id
                for s in sides
                if isinstance(s, (ast.Attribute, ast.Name))
            }
            constants = {s.value for s in sides if isinstance(s, ast.Constant)}
            if "mode" in names and constants & ANALYZER_MODES:
                found.append(f"line {node.lineno}: compares a mode")
        elif isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name == "is_llm":
                found.append(f"line {node.lineno}: is_llm")
            elif name in ANALYZER_CLASSES - {"Analyzer"}:
                found.append(f"line {node.lineno}: names {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance":
            classes = ast.unparse(node.args[1]) if len(node.args) > 1 else ""
            if any(name in classes for name in ANALYZER_CLASSES):
                found.append(f"line {node.lineno}: isinstance against an analyzer")
    return found


def test_no_pipeline_imports_the_report():
    bad = {
        str(path.relative_to(ROOT)): sorted(
            n for n in imported(ast.parse(path.read_text(encoding="utf-8"))) if n.startswith("newsbot.report")
        )
        for path in modules(PIPELINES)
    }
    assert not {k: v for k, v in bad.items() if v}, (
        "event keys and windows belong to report/ or below it, not to a pipeline"
    )


def test_pipelines_find_each_other_only_through_scrapy():
    for path in modules(NEWSBOT):
        source = path.read_text(encoding="utf-8")
        assert "_newsbot_analyze" not in source, path
    for path in modules(PIPELINES):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ids = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "id" and "item" in ast.unparse(n.args[0])
        ]
        assert not ids, f"{path.relative_to(ROOT)} keys items by id() at lines {ids}: hand them on as items"


def test_only_the_factory_branches_on_the_analyzer():
    offenders = {}
    for path in modules(NEWSBOT):
        if path in ANALYZER_HOMES:
            continue
        found = mode_branches(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, f"choose the analyzer in {FACTORY.relative_to(ROOT)} only: {offenders}"


def test_the_branch_check_finds_each_kind_of_branch():
    source = (
        'if config.mode == "llm":\n    pass\n'
        "if service.is_llm:\n    pass\n"
        "if isinstance(analyzer, OfflineAnalyzer):\n    pass\n"
        'ok = record.get("analyzer") == "llm" and mode == "marked"\n'
    )
    # The record's own kind and another kind of mode are no branch on the analyzer.
    assert sorted({f.split(":")[0] for f in mode_branches(source)}) == ["line 1", "line 3", "line 5"]
    assert any("compares a mode" in f for f in mode_branches(source))
    assert any("isinstance" in f for f in mode_branches(source))
    assert any("is_llm" in f for f in mode_branches(source))
