"""The apps depend only downward (docs/architecture.md): a new import that points up, closes a
cycle between apps, reaches another app's views or makes the shared package import an app fails here.

Every import counts, at the top of a module, inside a function or under TYPE_CHECKING: an import
moved into a function to dodge this test is still an edge. Migrations are left out (they name
other apps' migrations by design).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Top to bottom; an app may import only apps in lower layers (apps in one layer ignore each other).
LAYERS = [
    ["config"],
    ["simulation"],
    ["housekeeping"],
    ["transparency", "letters"],
    ["staff"],
    ["notifications"],
    ["allocation"],
    ["registrations"],
    ["shared"],
]
APPS = [app for layer in LAYERS for app in layer]
LEVEL = {app: depth for depth, layer in enumerate(LAYERS) for app in layer}


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every absolute module an import statement in this file names, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
    return found


def views_imported(path: Path) -> list[str]:
    """Views modules this file imports, also when named as "from app import views"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found += [
            n
            for n in names
            if n.split(".")[0] in LEVEL and any(p == "views" or p.endswith("_views") for p in n.split(".")[1:])
        ]
    return found


def edges() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → where, as 'file:line module'."""
    graph: dict[tuple[str, str], list[str]] = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for module, line in imports_of(path):
                target = module.split(".")[0]
                if target in LEVEL and target != app:
                    graph.setdefault((app, target), []).append(f"{path.relative_to(ROOT)}:{line} {module}")
    return graph


def find_cycle(pairs: set[tuple[str, str]]) -> list[str] | None:
    """One cycle among the apps, as a path that ends where it starts, or None."""
    after: dict[str, list[str]] = {}
    for a, b in sorted(pairs):
        after.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(app: str, path: list[str]) -> list[str] | None:
        state[app] = 1
        for nxt in after.get(app, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [app, nxt] if nxt in path else [app, nxt]
            if nxt not in state and (cycle := visit(nxt, path + [app])):
                return cycle
        state[app] = 2
        return None

    for app in sorted(after):
        if app not in state and (cycle := visit(app, [])):
            return cycle
    return None


def test_every_app_is_placed_in_a_layer():
    on_disk = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"shared"}
    assert on_disk <= set(APPS), f"place {sorted(on_disk - set(APPS))} in LAYERS and docs/architecture.md"


def test_no_cycle_between_apps():
    graph = edges()
    cycle = find_cycle(set(graph))
    assert cycle is None, (
        "import cycle between apps: "
        + " → ".join(cycle or [])
        + "\n"
        + "\n".join(f"  {a} → {b}: {graph[(a, b)][0]}" for a, b in zip(cycle or [], (cycle or [])[1:]))
    )


def test_apps_import_only_downward():
    upward = {f"{a} → {b}": where for (a, b), where in edges().items() if LEVEL[b] <= LEVEL[a]}
    assert not upward, f"imports that do not point down (docs/architecture.md): {upward}"


def test_the_shared_package_imports_no_app():
    assert not [where for (a, _b), where in edges().items() if a == "shared"]


def test_no_app_imports_another_apps_views():
    """What two apps' pages share lives outside views. config's URL root is the one place that wires
    views of every app together."""
    reached = [
        f"{path.relative_to(ROOT)}: {module}"
        for app in APPS
        if app != "config"
        for path in sorted((ROOT / app).rglob("*.py"))
        for module in views_imported(path)
        if module.split(".")[0] != app
    ]
    assert not reached, f"an app imports another app's views: {reached}"


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == ["a", "b", "c", "a"]
    assert find_cycle({("a", "b"), ("b", "c")}) is None
