"""The access-matrix pages in a real browser: headless Chromium renders them; the DOM and a screenshot are read.

Skipped without Chromium, unless SCOPEGATE_REQUIRE_BROWSER=1 (as .ci/run sets): then it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import chromium_or_skip, dump_dom, screenshot
from tests.support.html_cells import read_page
from tests.support.orders_example import RULES, TABLES, Example
from tests.support.png import read_png
from tests.unit.cli.conftest import run_cli

SCRIPT_NAME = "<script>document.title='owned'</script>"
ROUTES = (
    "GET /orders", "POST /orders", "GET /orders/{id}", "DELETE /orders/{id}",
    "POST /orders/{id}/refunds", "GET /orders/{id}/refunds", "ANY /admin/{proxy+}",
)
A, D, P = "allowed", "denied", "partly allowed"
EXPECTED = {
    "reader": (A, D, A, D, D, A, D),
    "admin": (A, D, A, A, D, A, D),
    "writer": (D, A, D, D, D, D, D),
    SCRIPT_NAME: (D, D, D, D, D, D, D),
    "scopes: read:orders": (A, D, P, D, D, A, D),
}
# the page's CSS colours (matrix_html.STYLE): cell backgrounds and the outline of a changed cell
ALLOW_BG, DENY_BG, PARTLY_BG, CHANGED = (218, 251, 225), (255, 235, 233), (255, 248, 197), (130, 80, 223)
WIDTH, HEIGHT = 1600, 1300  # the whole matrix of the example, its last row included


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture
def matrix_page(orders: Example) -> Path:
    """The example's matrix page, with a client whose name is a script, and one --scopes row."""
    orders.tables.write_text(TABLES.replace("name: nobody", f'name: "{SCRIPT_NAME}"'))
    result = run_cli("matrix", "--html", "matrix.html", "--scopes", "read:orders")
    assert result.code == 0, result.err
    return orders.folder / "matrix.html"


def test_the_rendered_dom_holds_every_cell_with_its_decision(chromium: str, matrix_page: Path) -> None:
    # WHEN Chromium loads and renders the page
    page = read_page(dump_dom(chromium, matrix_page))
    # THEN every (row, route) cell is there with the authorizer's decision
    assert page.column_routes == list(ROUTES)
    assert page.grid() == {
        (name, route): decision for name, row in EXPECTED.items() for route, decision in zip(ROUTES, row)
    }
    assert page.cell("scopes: read:orders", "GET /orders/{id}").text[:4] == [
        "partly allowed", "GET /orders/x", "allow", "GET /orders/{id}"
    ]


def test_a_client_named_like_a_script_is_shown_as_text_and_never_runs(chromium: str, matrix_page: Path) -> None:
    page = read_page(dump_dom(chromium, matrix_page))
    assert SCRIPT_NAME in page.row_names
    assert (page.title, page.tags.get("script", 0)) == ("Access matrix", 0)


def test_the_screenshot_shows_allowed_denied_and_partly_allowed_cells_in_their_colours(
    chromium: str, matrix_page: Path, tmp_path: Path
) -> None:
    image = read_png(screenshot(chromium, matrix_page, tmp_path / "matrix.png", WIDTH, HEIGHT))
    colours = image.colours()
    assert (image.width, image.height) == (WIDTH, HEIGHT)
    # each verdict's background covers at least one cell's worth of pixels (a cell is ~150 x 50)
    covered = {name: colours[rgb] > 5000 for name, rgb in (("allow", ALLOW_BG), ("deny", DENY_BG), ("partly", PARTLY_BG))}
    assert covered == {"allow": True, "deny": True, "partly": True}


def test_the_diff_page_outlines_the_changed_cells(chromium: str, orders: Example, tmp_path: Path) -> None:
    # GIVEN rules that widen DELETE /orders/* to every method, and the diff page of the change
    Path("wider.yaml").write_text(RULES.replace("DELETE /orders/*", '"* /orders/*"'))
    assert run_cli("diff", "policies/rules.yaml", "wider.yaml", "--html", "diff.html").code == 1
    # WHEN Chromium renders it
    page = read_page(dump_dom(chromium, Path("diff.html")))
    image = read_png(screenshot(chromium, Path("diff.html"), tmp_path / "diff.png", WIDTH, HEIGHT))
    # THEN the two changed cells are outlined, say what they were, and the outline is drawn
    changed = {(c.subject, c.route): c.text[:2] for c in page.cells if "flipped" in c.classes}
    assert changed == {
        ("reader", "GET /orders/{id}"): ["deny", "was: allow"],
        ("reader", "GET /orders/{id}/refunds"): ["deny", "was: allow"],
    }
    assert image.colours()[CHANGED] > 500  # two outlines of 3 px around ~150 x 50 cells
