"""The layout docs/architecture.md describes, checked: no module-level import circles inside consult/ (a
package __init__ importing its own route modules is the one exception), the tracking engine imports no
domain, and nothing but the web shell imports a view."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "consult"
DOMAINS = ("disclosure", "drafts", "events", "mailbox", "open311", "practice", "stats", "surveys", "workbench",
           "api")
# Known exceptions, each to be turned into something the kind or domain registers with the engine:
# the engine stamps response times and opens rectification tasks through consult.practice.
ENGINE_EXCEPTIONS = ("consult.practice",)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imported_names(tree: ast.Module, *, module_level: bool):
    """Names of consult modules imported (at module level only, or anywhere)."""
    nodes = []
    for node in tree.body if module_level else ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        nodes.extend(ast.walk(node) if module_level and isinstance(node, (ast.If, ast.Try)) else [node])
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, *, module_level: bool = True) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = {_resolve(name) for name in _imported_names(tree, module_level=module_level)}
    return {name for name in found if name and name != module}


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        targets = imports_of(module)
        if path.name == "__init__.py":  # a package registering its own route modules
            targets = {t for t in targets if not t.startswith(module + ".")}
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_there_are_no_module_level_import_circles_in_consult():
    assert cycles(_graph()) == []


def test_the_cycle_check_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_tracking_engine_imports_no_domain():
    engine = [m for m in MODULES if m == "consult.tracking" or m.startswith("consult.tracking.")]
    leaks = {m: sorted(t for t in imports_of(m, module_level=False)
                       if any(t == f"consult.{d}" or t.startswith(f"consult.{d}.") for d in DOMAINS)
                       and not t.startswith(ENGINE_EXCEPTIONS))
             for m in engine}
    assert {m: t for m, t in leaks.items() if t} == {}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if ".views" not in m and m not in ("consult",)))
def test_only_views_import_views(module):
    """Services, queries, models and the API never import a page module."""
    views = sorted(t for t in imports_of(module, module_level=False) if ".views" in t)
    assert views == []


def test_every_domain_has_its_pages_in_a_views_package():
    for domain in ("accounts", "disclosure", "drafts", "events", "mailbox", "main", "notify", "open311", "stats",
                   "surveys", "tracking"):
        views = PACKAGE / domain / "views"
        assert (views / "__init__.py").is_file(), domain
        assert not (PACKAGE / domain / "views.py").exists(), domain
        # Besides the faces: helpers the faces share, and downloads of one topic that serve several faces.
        modules = {path.stem for path in views.glob("*.py")} - {"__init__", "common", "labels", "documents"}
        faces = {name.split("_")[0] for name in modules}
        assert faces <= {"public", "office", "admin"}, (domain, faces)


# --- the tests' own shape ---------------------------------------------------------------------------------

TESTS = ROOT / "tests"


def _fixtures_in(tree: ast.Module) -> set[str]:
    """Names of the functions a module defines as pytest fixtures."""
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)}


def test_the_tests_share_fixtures_through_conftest_and_import_helpers_by_one_name():
    """A fixture is defined once, in conftest.py or a module its pytest_plugins lists, and never imported;
    a helper module of the tests is imported as ``tests.<name>`` only (one module, not two copies)."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in TESTS.rglob("*.py")}
    local = {path.stem for path in trees}
    shared = {path: _fixtures_in(tree) for path, tree in trees.items() if not path.stem.startswith("test_")}
    owners: dict[str, list[str]] = {}
    for path, names in shared.items():
        for name in names:
            owners.setdefault(name, []).append(str(path.relative_to(TESTS)))
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
    problems = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            top = node.module.split(".")[0]
            if top in local:
                problems.append(f"{path.name}: from {node.module} (import it as tests.{node.module})")
            if top == "tests":
                source = TESTS.joinpath(*node.module.split(".")[1:]).with_suffix(".py")
                fixtures = _fixtures_in(trees[source]) if source in trees else set()
                problems += [f"{path.name}: imports the fixture {alias.name}" for alias in node.names
                             if alias.name in fixtures]
    assert problems == []


def test_the_url_builders_the_tests_share_build_what_fresh_ones_build(app):
    """tests/conftest.py compiles each URL rule's builder once for all the tests' apps: every rule of this app
    builds the same URL, with and without extra arguments, as a builder compiled for it alone."""
    from werkzeug.routing import Rule

    fresh = Rule._compile_builder.original
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        values = {name: "7" for name in rule.arguments}
        for append_unknown, extra in ((False, {}), (True, {"page": "2", "q": "政务 公开"})):
            shared = rule._compile_builder(append_unknown).__get__(rule, None)
            alone = fresh(rule, append_unknown).__get__(rule, None)
            try:
                expected = alone(**values, **extra)
            except Exception as error:  # a converter that refuses "7" refuses it either way
                expected = type(error)
            try:
                built = shared(**values, **extra)
            except Exception as error:
                built = type(error)
            assert built == expected, rule.rule
