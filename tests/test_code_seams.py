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


# --- module-level registries ------------------------------------------------------------------------
# What a crawler process shares belongs to it (newsbot.runtime.resources), so a test or a second
# process never sees another's. Only state that is process-wide by nature stays in a module.
REGISTRY_ALLOWLIST = {
    "newsbot/analysis/heuristic.py:_tokenizer_loads": "jieba keeps its dictionary in its own module: one load per process",
    "newsbot/analysis/tags.py:_jieba_ready": "mirrors jieba's module state: the gazetteer's words added once",
    "newsbot/analysis/tags.py:_jieba_warm": "mirrors jieba's module state: its dictionary loaded",
    "newsbot/runtime/gc_policy.py:_settled": "gc.freeze() acts on the whole interpreter",
    "newsbot/runtime/workers.py:_serving": "set once when this process becomes a worker",
    "newsbot/delivery/secrets.py:_FILTER": "logging's loggers are process-wide; the filter sits on them",
    "newsbot/fetch/browser.py:_GUARDED_PAGES": "scrapy-playwright calls its abort predicate with a request only",
    "newsbot/storage/report_schema.py:_skipped": "an invalid stored report is logged once per process",
    "newsbot/archive/templating.py:_ENV": "the site's Jinja environment, built once (a cache of templates)",
    "newsbot/sources/catalog.py:SOURCES": "the source catalog, read by report/ and health/ without a crawler",
    "newsbot/analysis/breaker.py:_breakers": (
        "an endpoint found down stays down for the process: the report built after its crawlers closed asks too"
    ),
}
MUTATORS = {"add", "append", "clear", "discard", "extend", "insert", "pop", "popitem", "remove", "setdefault", "update"}
# Methods that change an instance the module made (a registry object of its own class).
INSTANCE_MUTATORS = MUTATORS | {"replace", "register"}
CONTAINERS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def module_registries(source: str) -> list[str]:
    """Module-level names that hold state changed at run time: a container or an instance the module
    binds and then changes (an item, an attribute, a mutating method), or a name a function rebinds
    through `global`."""
    tree = ast.parse(source)
    bound: dict[str, ast.expr] = {}
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                bound[target.id] = value
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.update(node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
        ):
            name, method = node.func.value.id, node.func.attr
            value = bound.get(name)
            mutators = (
                MUTATORS if isinstance(value, CONTAINERS) else INSTANCE_MUTATORS if isinstance(value, ast.Call) else ()
            )
            if method in mutators:
                found.add(name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            for target in node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]:
                owner = target.value if isinstance(target, (ast.Subscript, ast.Attribute)) else None
                if isinstance(owner, ast.Name) and owner.id in bound and not isinstance(bound[owner.id], ast.Constant):
                    found.add(owner.id)
    return sorted(found)


def test_module_level_registries_are_only_the_named_few():
    found = {
        f"{path.relative_to(ROOT)}:{name}"
        for path in modules(NEWSBOT)
        for name in module_registries(path.read_text(encoding="utf-8"))
    }
    assert not found - REGISTRY_ALLOWLIST.keys(), (
        "state shared by the crawlers of a process belongs to newsbot.runtime.resources.ProcessResources "
        "(or is passed in); a module may keep it only with a reason in REGISTRY_ALLOWLIST"
    )
    assert not REGISTRY_ALLOWLIST.keys() - found, "an allowlisted registry is gone: take it off the list"


def test_the_registry_check_finds_each_kind_of_registry():
    source = (
        "_cache = {}\n_seen = set()\n_pool = Pool()\n_flag = False\nLIMIT = 4\nNAMES = ('a', 'b')\n"
        "def f(k):\n    _cache[k] = 1\n    _seen.add(k)\n    _pool.size = 2\n    return LIMIT, NAMES.index(k)\n"
        "def g():\n    global _flag\n    _flag = True\n"
    )
    assert module_registries(source) == ["_cache", "_flag", "_pool", "_seen"]
