"""The cells of an access-matrix page, read back from its HTML (or a browser's DOM) with html.parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageCell:
    subject: str
    route: str
    decision: str
    classes: tuple[str, ...]
    text: list[str] = field(default_factory=list)  # the text of each span, in order


@dataclass
class Page:
    title: str = ""
    cells: list[PageCell] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    column_routes: list[str] = field(default_factory=list)
    tags: dict[str, int] = field(default_factory=dict)  # how many of each element

    def grid(self) -> dict[tuple[str, str], str]:
        return {(cell.subject, cell.route): cell.decision for cell in self.cells}

    def cell(self, subject: str, route: str) -> PageCell:
        return next(c for c in self.cells if (c.subject, c.route) == (subject, route))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.page.tags[tag] = self.page.tags.get(tag, 0) + 1
        if tag == "td" and "data-route" in values:
            self.page.cells.append(
                PageCell(values["data-subject"], values["data-route"], values["data-decision"],
                         tuple(values.get("class", "").split()))
            )
        self._stack.append((tag, values))
        self._text = []

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, values = self._stack.pop()
            text = "".join(self._text)
            self._text = []
            if open_tag == "title":
                self.page.title = text
            elif open_tag == "span" and values.get("class") == "name":
                self.page.row_names.append(text)
            elif open_tag == "span" and self.page.cells and any(t == "td" for t, _ in self._stack):
                self.page.cells[-1].text.append(text)
            elif open_tag == "th" and values.get("scope") == "col":
                self.page.column_routes.append(text)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page
