"""The console's script is native ES modules with no build step: the two HTML shells load main.js as a module, every
module it imports is served as JavaScript with the console's headers, and nothing outside the module folder is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from guidebot.api import create_app
from guidebot.api.console import MODULE_NAME, MODULES_DIR
from test_api import sample_settings

CONSOLE = Path(__file__).resolve().parents[1] / "web" / "console"
MODULES = CONSOLE / MODULES_DIR
IMPORT = re.compile(r"^import \{([^}]*)\} from '([^']*)';", re.MULTILINE)
EXPORT = re.compile(r"^export (?:function|var) (\w+)", re.MULTILINE)


def imports_of(module: Path) -> dict[str, list[str]]:
    """Each module a module imports (by its file name) and the names it takes from it."""
    text = module.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for names, spec in IMPORT.findall(text):
        assert spec.startswith("./") and "/" not in spec[2:], f"{module.name} imports {spec!r}: ./name.js only"
        found[spec[2:]] = [n.strip() for n in names.split(",") if n.strip()]
    # every import is in the one form above (no default, namespace, dynamic or bare imports)
    assert len(re.findall(r"\bimport\b", text)) == len(found), f"{module.name} has an import not of that form"
    return found


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> TestClient:
    settings = sample_settings(tmp_path_factory.mktemp("assets"), cache_dir)
    return TestClient(create_app(settings))  # no lifespan: assets need no index


def test_the_shells_load_the_console_as_one_module() -> None:
    for shell in ("index.html", "login.html"):
        scripts = re.findall(r"<script\b[^>]*>", (CONSOLE / shell).read_text(encoding="utf-8"))
        assert scripts == ['<script type="module" src="/console/assets/main.js">'], (shell, scripts)


def test_every_import_resolves_to_an_export_and_every_module_is_reached() -> None:
    modules = {p.name: p for p in MODULES.glob("*.js")}
    assert "main.js" in modules and "strings.js" in modules
    graph = {name: imports_of(path) for name, path in modules.items()}
    for name, deps in graph.items():
        assert MODULE_NAME.fullmatch(name), f"{name} would not be served"
        for dep, names in deps.items():
            assert dep in modules, f"{name} imports {dep}, which is not in {MODULES_DIR}/"
            exported = set(EXPORT.findall(modules[dep].read_text(encoding="utf-8")))
            assert set(names) <= exported, f"{name} imports {set(names) - exported} that {dep} does not export"
    # reached from main.js, and no cycle: the modules import downwards, as the Python stages do
    reached: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name not in reached:
            reached.append(name)
        for dep in graph[name]:
            visit(dep, (*path, name))

    visit("main.js", ())
    assert sorted(reached) == sorted(modules), f"never imported: {set(modules) - set(reached)}"
    # each export is used by another module (what a module keeps to itself is not exported)
    used = {(dep, n) for deps in graph.values() for dep, names in deps.items() for n in names}
    for name, path in modules.items():
        for n in EXPORT.findall(path.read_text(encoding="utf-8")):
            assert (name, n) in used, f"{name} exports {n}, which no module imports"


def test_only_main_puts_anything_on_window() -> None:
    assigned = {
        (p.name, m) for p in MODULES.glob("*.js") for m in re.findall(r"window\.(\w+)\s*=", p.read_text("utf-8"))
    }
    assert assigned == {("main.js", "GuidebotConsole")}


def test_every_module_is_served_as_javascript_with_the_console_headers(http: TestClient) -> None:
    modules = sorted(MODULES.glob("*.js"))
    assert len(modules) >= 10
    for module in modules:
        r = http.get(f"/console/assets/{module.name}")
        assert r.status_code == 200, (module.name, r.status_code)
        assert r.headers["content-type"] == "text/javascript; charset=utf-8"
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-cache"
        assert r.content == module.read_bytes()
    css = http.get("/console/assets/console.css")
    assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    [
        "/console/assets/unknown.js",  # a module that does not exist
        "/console/assets/console.js",  # the single script it replaced
        "/console/assets/%2e%2e",  # ..
        "/console/assets/%2e%2e%2fconsole.css",  # ../console.css
        "/console/assets/..%2f..%2f..%2fsrc%2fguidebot%2fapi%2fconsole.py",
        "/console/assets/%2e%2e%2f%2e%2e%2fwidget.js",  # the widget is not the console's
        "/console/assets/..%5cmain.js",  # a backslash
        "/console/assets/index.html",  # in web/console/ but not an asset
        "/console/assets/login.html",
        "/console/assets/Main.js",
        "/console/assets/.main.js",
        "/console/assets/main.js.map",
        "/console/assets/js",  # the folder itself
        "/console/assets/main.js%00.css",
    ],
)
def test_nothing_outside_the_module_folder_is_served(http: TestClient, url: str) -> None:
    r = http.get(url)
    assert r.status_code == 404, (url, r.status_code)
    assert "text/javascript" not in r.headers.get("content-type", "")


def test_a_file_is_served_only_from_the_module_folder_and_only_under_a_module_name(
    tmp_path: Path, cache_dir: Path
) -> None:
    web = tmp_path / "web"
    files = {
        "console/js/ok.js": "export var ok = 1;",
        "console/js/Upper.js": "secret",  # in the folder, but not a module name
        "console/js/.hidden.js": "secret",
        "console/js/sub/deeper.js": "secret",
        "console/secret.js": "secret",  # beside the folder
        "widget.js": "secret",
    }
    for rel, text in files.items():
        (web / rel).parent.mkdir(parents=True, exist_ok=True)
        (web / rel).write_text(text, encoding="utf-8")
    http = TestClient(create_app(sample_settings(tmp_path, cache_dir, web_dir=web)))
    served = http.get("/console/assets/ok.js")
    assert served.status_code == 200 and served.text == "export var ok = 1;"
    for name in ("Upper.js", ".hidden.js", "sub%2fdeeper.js", "secret.js", "%2e%2e", "%2e%2e%2fsecret.js", "widget.js"):
        r = http.get(f"/console/assets/{name}")
        assert r.status_code == 404 and "secret" not in r.text, (name, r.status_code)
