"""Drive the runner's web triage without a browser (Starlette's TestClient), as a runner filling in
each page: read the page's form (its labels, inputs and the values already in them), type the
answers given by field key, press Next; at the review press "See my result"."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from footcoach.triage.questionnaire import default_questionnaire, show_json
from tests.conftest import answers_from_show, value_at


def typed_answers(state: dict[str, Any], *, new_runner: bool = False) -> dict[str, str]:
    """What a runner in ``state`` types, by field key (a group: how many, then each entry's fields)."""
    show = show_json(default_questionnaire())
    typed: dict[str, str] = {"new_runner": "yes" if new_runner else "no"}
    for qid, value in answers_from_show(state, show).items():
        if isinstance(value, list):
            question = next(q for q in show if q["id"] == qid)
            typed[qid] = str(len(value))
            for n, entry in enumerate(value, 1):
                for f in question["fields"]:
                    v = value_at(entry, f["maps_to"])
                    typed[f"{qid}.{n}.{f['id']}"] = "" if v is None else _text(v)
        else:
            typed[qid] = _text(value)
    return typed


def _text(v: Any) -> str:
    return "yes" if v is True else "no" if v is False else str(v)


@dataclass
class WebPage:
    """One page of the runner's triage as served: its heading, its labels (by field key) and the
    values its inputs hold (by field key), and the CSRF token."""

    status: int
    url: str
    heading: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    csrf: str = ""
    action: str = ""
    problems: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, page: WebPage) -> None:
        super().__init__()
        self.page = page
        self.in_h1 = False
        self.label_for: str | None = None
        self.select: str | None = None
        self.problem = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "h1":
            self.in_h1 = True
        elif tag == "label":
            self.label_for = a.get("for", "").removeprefix("q-")
            self.page.labels[self.label_for] = ""
        elif tag == "form" and "questions" in a.get("class", ""):
            self.page.action = a.get("action", "")
        elif tag == "input" and a.get("name") == "csrf":
            self.page.csrf = a.get("value", "")
        elif tag == "input" and a.get("type") != "hidden":
            self.page.values[a["name"]] = a.get("value", "")
            self.page.order.append(a["name"])
        elif tag == "select":
            self.select = a["name"]
            self.page.values[self.select] = ""
            self.page.order.append(self.select)
        elif tag == "option" and self.select is not None and "selected" in a:
            self.page.values[self.select] = a.get("value", "")
        elif tag == "p" and a.get("class") == "problem":
            self.problem = True
            self.page.problems.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self.in_h1 = False
        elif tag == "label":
            self.label_for = None
        elif tag == "select":
            self.select = None
        elif tag == "p":
            self.problem = False

    def handle_data(self, text: str) -> None:
        if self.in_h1:
            self.page.heading += text
        if self.label_for is not None:
            self.page.labels[self.label_for] += text
        if self.problem:
            self.page.problems[-1] += text


def read_page(response: Any) -> WebPage:
    page = WebPage(response.status_code, str(response.url))
    _Reader(page).feed(response.text)
    return page


def follow(c: Any, response: Any) -> Any:
    while response.status_code == 303:
        response = c.get(response.headers["location"])
    return response


@dataclass
class Walk:
    """A web triage walked to its end: the pages answered (heading, keys in order, what was posted)
    and the final response (the result or the stop)."""

    pages: list[tuple[str, list[str], dict[str, str]]]
    final: Any


def walk(c: Any, link: str, typed: dict[str, str], *, max_pages: int = 40) -> Walk:
    """Answer every page with ``typed`` (by field key; a key not given keeps what the input holds,
    as a runner pressing Next would), then see the result."""
    response = c.get(f"/t/{link}")
    pages: list[tuple[str, list[str], dict[str, str]]] = []
    while True:
        page = read_page(response)
        assert page.status == 200, (page.url, page.status, page.problems)
        if not page.action:  # the review
            assert page.heading == "Check your answers", page.heading
            break
        form = {key: typed.get(key, page.values[key]) for key in page.order}
        pages.append((page.heading, page.order, form))
        response = c.post(page.action, data={"csrf": page.csrf, "nav": "next", **form})
        if response.status_code != 303:
            raise AssertionError(f"{page.heading}: refused {read_page(response).problems}")
        if response.headers["location"].endswith("/result"):
            return Walk(pages, c.get(response.headers["location"]))
        response = c.get(response.headers["location"])
        assert len(pages) < max_pages, "the questionnaire never ended"
    review = read_page(response)
    csrf = review.csrf or _csrf(response.text)
    done = c.post(f"/t/{link}/review", data={"csrf": csrf})
    assert done.status_code == 303, read_page(done).problems
    return Walk(pages, c.get(done.headers["location"]))


def answer_until(c: Any, link: str, typed: dict[str, str], heading: str, *, max_pages: int = 40) -> Any:
    """Answer pages with ``typed`` until the page whose heading contains ``heading``; its response."""
    response = c.get(f"/t/{link}")
    for _ in range(max_pages):
        page = read_page(response)
        if heading in page.heading:
            return response
        assert page.action, f"reached {page.heading!r} without seeing {heading!r}"
        form = {key: typed.get(key, page.values[key]) for key in page.order}
        moved = c.post(page.action, data={"csrf": page.csrf, "nav": "next", **form})
        assert moved.status_code == 303, read_page(moved).problems
        response = c.get(moved.headers["location"])
    raise AssertionError(f"never reached {heading!r}")


def _csrf(html: str) -> str:
    import re

    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)
