"""Schema docs as a person sees them: the HTML page in a real headless Chromium, and our Mermaid
text drawn by Mermaid itself (the library GitHub and GitLab use for ```mermaid blocks).

Chromium is Debian's package, driven by playwright (which never downloads a browser here), and
mermaid.min.js comes from the npm registry; `make browser-tools` (run by `make test`) installs
both. These tests fail, never skip, when either is missing. Screenshots are kept in
build/test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, REPO

from reconciler.load import load_paths
from reconciler.model import QualifiedName
from reconciler.report import schemadoc

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOOLS = Path(os.environ.get("RECONCILER_TOOLS_DIR", Path.home() / ".cache" / "reconciler-tools"))
MERMAID_JS = TOOLS / f"mermaid-{os.environ.get('RECONCILER_MERMAID_VERSION', '11.17.2')}" / "mermaid.min.js"
ARTIFACTS = REPO / "build" / "test-artifacts"
HOSTILE = REPO / "tests" / "fixtures" / "schemadoc" / "hostile"
RECONCILER = str(Path(sys.executable).parent / "reconciler")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: run `make browser-tools` (Debian's chromium package)", pytrace=False)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (loaded only by the browser tests)

    with tempfile.TemporaryDirectory(prefix="reconciler-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": 1400, "height": 1000}
        )
        yield context
        context.close()


@dataclass
class Visit:
    page: Any
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    dialogs: list[str] = field(default_factory=list)  # alert() and friends: a name ran as script


def visit(browser: Any, url: str | None = None) -> Visit:
    page = browser.new_page()
    seen = Visit(page)
    page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    if url is not None:
        page.goto(url)
        page.wait_for_load_state("load")
    return seen


def generate(out: Path, *paths: Path, formats: tuple[str, ...] = ("html",)) -> None:
    """`reconciler docs`, as a user runs it."""
    args = [RECONCILER, "docs", *map(str, paths), "--out", str(out)]
    for fmt in formats:
        args += ["--format", fmt]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def screenshot(seen: Visit, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    seen.page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000
    return path


# --- the HTML page ------------------------------------------------------------------------------


def test_the_example_page_draws_every_table_without_errors(browser: Any, tmp_path: Path) -> None:
    generate(tmp_path, EXAMPLES)
    page_url = (tmp_path / "index.html").as_uri()
    seen = visit(browser, page_url)
    page = seen.page
    tables = [f"{t.schema}.{t.name}" for t in load_paths([EXAMPLES]).catalog.tables]
    for name in tables:
        box = page.locator(f'svg.erd g.entity[data-table="{name}"]')
        assert box.count() == 1, name
        bounds = box.bounding_box()
        assert bounds is not None and bounds["width"] > 100 and bounds["height"] > 60, name
        assert box.locator("text.title").text_content() == name
    # every foreign key is a drawn line, and every column a row of its box
    assert page.locator("svg.erd g.relation path.line").count() == 4
    lengths = page.eval_on_selector_all("svg.erd g.relation path.line", "ps => ps.map(p => p.getTotalLength())")
    assert all(length > 20 for length in lengths)
    assert page.locator('svg.erd g.entity[data-table="shop.orders"] text.col').all_text_contents() == [
        "id",
        "user_id",
        "status",
        "total_cents",
        "placed_at",
        "shipped_at",
    ]
    # the text fits in its box: the widths computed in Python hold in the browser's font
    overflow = page.evaluate("""() => [...document.querySelectorAll('svg.erd g.entity')].flatMap(g => {
        const box = g.querySelector('rect.box').getBBox();
        return [...g.querySelectorAll('text')]
            .filter(t => { const b = t.getBBox(); return b.x + b.width > box.x + box.width; })
            .map(t => t.textContent); })""")
    assert overflow == []
    assert seen.errors == []
    assert seen.requests == [page_url]  # nothing but the page itself: no network needed to view it
    screenshot(seen, "schemadoc-shop.png")
    page.locator("figure.diagram").screenshot(path=str(ARTIFACTS / "schemadoc-shop-diagram.png"))
    page.close()


def test_search_narrows_tables_and_boxes_link_to_their_section(browser: Any, tmp_path: Path) -> None:
    generate(tmp_path, EXAMPLES)
    seen = visit(browser, (tmp_path / "index.html").as_uri())
    page = seen.page
    page.fill("#search", "email")
    visible_sections = page.eval_on_selector_all(
        "section.object", "ss => ss.filter(s => s.offsetParent !== null).map(s => s.dataset.table)"
    )
    assert visible_sections == ["shop.users"]
    assert page.locator("nav li:visible").all_text_contents() == ["users"]
    dimmed = page.eval_on_selector_all("svg.erd g.entity.dim", "gs => gs.map(g => g.dataset.table)")
    assert sorted(dimmed) == ["shop.inventory", "shop.order_items", "shop.orders", "shop.products"]
    screenshot(seen, "schemadoc-shop-search.png", full_page=False)
    page.fill("#search", "")
    assert page.locator("svg.erd g.entity.dim").count() == 0
    page.locator('svg.erd g.entity[data-table="shop.order_items"]').click()
    assert page.evaluate("location.hash").startswith("#t-shop-order-items-")
    heading = page.locator(page.evaluate("location.hash"))
    assert heading.text_content() == "Table shop.order_items" and heading.is_visible()
    assert page.evaluate("document.querySelector(location.hash).getBoundingClientRect().top") < 50  # scrolled to it
    assert seen.errors == []
    page.close()


def test_hostile_names_are_shown_never_run(browser: Any, tmp_path: Path) -> None:
    generate(tmp_path, HOSTILE)
    seen = visit(browser, (tmp_path / "index.html").as_uri())
    page = seen.page
    assert seen.dialogs == [] and seen.errors == []
    assert page.evaluate("document.scripts.length") == 1 and page.locator("img, b, i").count() == 0
    names = page.eval_on_selector_all("svg.erd g.entity", "gs => gs.map(g => g.dataset.table)")
    assert names == [
        '"ev""il <b>".<script>alert(1)</script>',
        '"ev""il <b>"."child ||--o{ x : ""y"""',
        "public.名前 😀",
    ]
    assert page.locator("h3").first.text_content() == 'Table "ev""il <b>".<script>alert(1)</script>'
    assert (
        "<img src=x onerror=alert(2)> %% not a comment #quot; &amp; code | pipe"
        in page.locator("section.object p").first.text_content()
    )
    screenshot(seen, "schemadoc-hostile.png")
    page.close()


# --- Mermaid, drawn by Mermaid -----------------------------------------------------------------


def mermaid_page(browser: Any) -> Visit:
    if not MERMAID_JS.is_file():
        pytest.fail(
            f"{MERMAID_JS} not found: run `make browser-tools` (the npm registry's mermaid package)", pytrace=False
        )
    seen = visit(browser)
    seen.page.set_content("<!DOCTYPE html><html><body><div id='out'></div></body></html>")
    seen.page.add_script_tag(path=str(MERMAID_JS))
    seen.page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    return seen


def draw(seen: Visit, text: str) -> list[str]:
    """The texts of the SVG Mermaid draws from `text` (fails with Mermaid's parse error)."""
    result = seen.page.evaluate(
        """async (text) => {
            try {
                const {svg} = await mermaid.render('d' + document.querySelectorAll('svg').length, text);
                document.getElementById('out').innerHTML = svg;
                return {texts: [...document.querySelectorAll('#out svg text, #out svg .label, #out svg foreignObject')]
                               .map(e => e.textContent.trim()).filter(Boolean)};
            } catch (error) { return {error: String(error.message || error)}; }
        }""",
        text,
    )
    assert "error" not in result, result.get("error")
    return list(result["texts"])


def test_mermaid_draws_our_diagrams(browser: Any, tmp_path: Path) -> None:
    generate(tmp_path / "shop", EXAMPLES, formats=("mermaid",))
    generate(tmp_path / "hostile", HOSTILE, formats=("mermaid",))
    seen = mermaid_page(browser)
    texts = draw(seen, (tmp_path / "shop" / "er.mmd").read_text())
    for name in ("shop.users", "shop.orders", "shop.order_items", "orders_user_id_fkey", "PK,FK", "varchar(64)"):
        assert name in texts, name
    texts = draw(seen, (tmp_path / "hostile" / "er.mmd").read_text())
    assert "＂ev＂＂il ‹b›＂.‹script›alert(1)‹/script›" in texts  # look-alikes, never markup
    assert "name: }|{ ％％" in texts and "fk ＂1＂ ‹i›％％‹/i›" in texts
    assert seen.dialogs == [] and seen.errors == []
    seen.page.close()


def test_mermaid_draws_the_plan_diagram(browser: Any) -> None:
    live, desired = load_paths([EXAMPLES]).catalog, load_paths([REPO / "schemas" / "shop-v2"]).catalog
    touched = [QualifiedName("shop", n) for n in ("inventory", "orders", "products", "users")]
    text = schemadoc.plan_diagram(live, desired, touched)
    assert text is not None
    seen = mermaid_page(browser)
    texts = draw(seen, text)
    for label in ("shop.users (changed)", "~ renamed from full_name", "+ added", "- dropped", "shop.order_items"):
        assert label in texts, label
    seen.page.locator("#out svg").screenshot(path=str(ARTIFACTS / "schemadoc-plan-diagram.png"))
    assert seen.errors == []
    seen.page.close()
