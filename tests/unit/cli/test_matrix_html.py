"""The access matrix as an HTML page: escaped, self-contained, deterministic; diff --html outlines changes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scopegate_tools.cli.main import main
from tests.support.html_cells import read_page
from tests.support.orders_example import RULES, TABLES, Example
from tests.unit.cli.conftest import run_cli

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "docs" / "access-matrix.html"

SCRIPT_NAME = "<script>document.title='owned'</script>"
IMG_ID = '"><img src=x onerror=alert(1)>'
WIDER = RULES.replace("DELETE /orders/*", '"* /orders/*"')


def hostile_example(orders: Example) -> None:
    """A client name and a rule id that are markup, as a file might hold them."""
    orders.tables.write_text(TABLES.replace("name: nobody", f'name: "{SCRIPT_NAME}"'))
    orders.rules.write_text(RULES.replace("  - route: POST /orders\n", f"  - id: '{IMG_ID}'\n    route: POST /orders\n"))


def test_the_page_shows_every_cell_with_its_decision(orders: Example) -> None:
    result = run_cli("matrix", "--html", "matrix.html", "--scopes", "read:orders")
    page = read_page(Path("matrix.html").read_text(encoding="utf-8"))
    assert (result.code, result.err) == (0, "")
    assert page.row_names == ["reader", "admin", "writer", "nobody", "scopes: read:orders"]
    assert page.column_routes == [
        "GET /orders", "POST /orders", "GET /orders/{id}", "DELETE /orders/{id}",
        "POST /orders/{id}/refunds", "GET /orders/{id}/refunds", "ANY /admin/{proxy+}",
    ]
    assert page.cell("scopes: read:orders", "GET /orders/{id}").text == [
        "partly allowed", "GET /orders/x", "allow", "GET /orders/{id}",
        "GET /orders/1", "deny", "GET /orders/1", "needs vip",
    ]
    assert page.cell("writer", "ANY /admin/{proxy+}").text == ["deny", "deny rule * /admin/*"]
    assert page.cell("admin", "DELETE /orders/{id}").text == ["allow", "DELETE /orders/*"]
    assert page.cell("reader", "POST /orders").text == ["deny", "POST /orders", "needs write:orders"]


def test_names_and_rule_ids_from_files_are_text_not_markup(orders: Example) -> None:
    hostile_example(orders)
    assert run_cli("matrix", "--html", "matrix.html").code == 0
    html = Path("matrix.html").read_text(encoding="utf-8")
    page = read_page(html)
    assert SCRIPT_NAME in page.row_names
    assert (page.tags.get("script", 0), page.tags.get("img", 0)) == (0, 0)
    assert "&lt;script&gt;document.title=&#x27;owned&#x27;&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;: POST /orders" in html


def test_the_page_loads_nothing_and_runs_nothing(orders: Example) -> None:
    run_cli("matrix", "--html", "matrix.html")
    html = Path("matrix.html").read_text(encoding="utf-8")
    assert re.findall(r"<(script|link|img|iframe|object|embed)\b", html, re.IGNORECASE) == []
    assert re.findall(r"(?:src|href)\s*=|url\(|@import", html, re.IGNORECASE) == []
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">' in html


def test_the_same_inputs_give_the_same_bytes_whatever_the_hash_seed(orders: Example) -> None:
    # GIVEN two processes that iterate sets in different orders (set order follows string hashes)
    for seed, page in (("1", "one.html"), ("2", "two.html")):
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        subprocess.run(
            [sys.executable, "-m", "scopegate_tools", "matrix", "--html", page, "--scopes", "b a write:orders"],
            env=environment, check=True, capture_output=True, timeout=120,
        )
    # THEN
    assert Path("one.html").read_bytes() == Path("two.html").read_bytes()


def test_diff_html_outlines_the_cells_that_change_with_their_old_decision(orders: Example) -> None:
    # GIVEN rules that widen DELETE /orders/* to every method (so 'reader' loses GET /orders/{id})
    Path("wider.yaml").write_text(WIDER)
    # WHEN
    result = run_cli("diff", "policies/rules.yaml", "wider.yaml", "--html", "diff.html")
    # THEN the text diff is unchanged and the page outlines exactly the changed pairs
    assert (result.code, result.out.splitlines()[-1]) == (1, "2 (client, route) pairs change.")
    page = read_page(Path("diff.html").read_text(encoding="utf-8"))
    flipped = {(c.subject, c.route): c.text[:2] for c in page.cells if "flipped" in c.classes}
    assert flipped == {
        ("reader", "GET /orders/{id}"): ["deny", "was: allow"],
        ("reader", "GET /orders/{id}/refunds"): ["deny", "was: allow"],
    }
    assert page.title == "Access matrix: changes"
    assert "2 cells change" in Path("diff.html").read_text(encoding="utf-8")


def test_diff_html_with_no_change_outlines_nothing(orders: Example) -> None:
    result = run_cli("diff", "policies/rules.yaml", "policies/rules.yaml", "--html", "diff.html")
    page = read_page(Path("diff.html").read_text(encoding="utf-8"))
    assert result.code == 0
    assert [c for c in page.cells if "flipped" in c.classes] == []
    assert len(page.cells) == 4 * 7


def test_the_committed_access_matrix_is_up_to_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the repository's own rules, template and tables (default paths, from the repository root)
    monkeypatch.chdir(REPO)
    fresh = tmp_path / "access-matrix.html"
    # WHEN
    code = main(["matrix", "--html", str(fresh)], stdout=io.StringIO())
    # THEN
    assert code == 0
    assert fresh.read_bytes() == COMMITTED.read_bytes(), (
        "docs/access-matrix.html is stale: run `python -m scopegate_tools matrix --html docs/access-matrix.html`"
    )


def test_diff_html_that_cannot_be_written_exits_2(orders: Example) -> None:
    result = run_cli("diff", "policies/rules.yaml", "policies/rules.yaml", "--html", "no/such/diff.html")
    assert (result.code, result.out) == (2, "")
    assert result.err == "error: --html no/such/diff.html: cannot write the page (No such file or directory)\n"
