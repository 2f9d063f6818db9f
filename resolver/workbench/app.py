"""The workbench's pages: each route turns a request's path and parameters into a page
rendered from a template (Jinja2, autoescaped), or into a decision appended to the
decisions file. No HTTP here (server.py owns that), so tests can call routes directly."""

import math
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from resolver.config import load_config
from resolver.errors import InputError, ResolverError
from resolver.explain import run_config_path
from resolver.review import decide_pair, decisions_path
from resolver.score.model import load_model
from resolver.workbench import views
from resolver.workbench.queue import PAGE_SIZE, Filters, ReviewQueue, probability_bands

DECISIONS = {"match": "accepted", "no_match": "rejected"}


@dataclass
class Response:
    status: int
    body: str = ""
    location: str | None = None  # a redirect (303) after a decision
    headers: dict = field(default_factory=dict)


def _signed(value: float) -> str:
    return f"{value:+.2f}"


class Workbench:
    def __init__(self, out_dir: Path, reviewer: str = "steward"):
        self.out_dir = out_dir
        self.config = load_config(run_config_path(out_dir))
        self.decisions_path = decisions_path(self.config)  # none named: exit 2 before serving
        self.model = load_model(out_dir / "model.json", self.config.comparisons)
        self.reviewer = reviewer
        self.names = views.RecordNames(self.config, out_dir)
        self.queue = ReviewQueue(out_dir, self.config, self.names)
        self.token = ""  # set by the server; forms carry it back
        self.templates = Environment(loader=PackageLoader("resolver.workbench", "templates"),
                                     autoescape=select_autoescape(["html"], default=True))
        self.templates.filters["signed"] = _signed

    def _page(self, template: str, query: dict | None = None, **context) -> Response:
        done = (query or {}).get("done", [""])[0]
        body = self.templates.get_template(template).render(
            out_dir=str(self.out_dir), token=self.token, config=self.config,
            done=done if done in DECISIONS.values() else None, **context)
        return Response(200, body)

    def error(self, status: int, message: str) -> Response:
        response = self._page("error.html", status=status, message=message)
        response.status = status
        return response

    def get(self, path: str, query: dict[str, list[str]]) -> Response:
        parts = [p for p in path.split("/") if p]
        try:
            if not parts:
                return self.queue_page(query)
            if parts == ["pair"]:
                a, b = (query.get(k, [""])[0] for k in ("a", "b"))
                return self.pair_page(a, b, query)
            if len(parts) == 2 and parts[0] == "entity":
                return self._page("entity.html", **views.entity_view(self.out_dir, parts[1]))
            if len(parts) == 2 and parts[0] == "household":
                return self._page("household.html",
                                  **views.household_view(self.out_dir, parts[1]))
        except ResolverError as exc:
            return self.error(404, str(exc))  # a key, id or pair the run does not hold
        return self.error(404, "no such page")

    def queue_page(self, query: dict[str, list[str]]) -> Response:
        filters = Filters.from_query(query)
        try:
            offset = max(0, int((query.get("offset") or ["0"])[0]))
        except ValueError:
            offset = 0
        page = self.queue.page(filters, offset)
        bands = [(f"{lo:g}-{hi:g}", f"{lo:.2f}–{hi:.2f}")
                 for lo, hi in probability_bands(self.config.review_threshold,
                                                 self.config.match_threshold)]
        found = views.find(self.out_dir, filters.search) if filters.search else {}
        return self._page("queue.html", query, page=page, filters=filters, bands=bands,
                          sources=[s.name for s in self.config.sources],
                          reasons=self.queue.reasons(), size=PAGE_SIZE, found=found,
                          pages=math.ceil(page.total / PAGE_SIZE))

    def pair_page(self, a: str, b: str, query: dict[str, list[str]]) -> Response:
        filters = Filters.from_query(query)
        view = views.pair_view(self.out_dir, self.config, self.model, a, b)
        following = self.queue.after(filters, view["a"], view["b"])
        return self._page("pair.html", query, filters=filters, following=following, **view)

    def decide(self, form: dict[str, list[str]]) -> Response:
        """Append the decision at once (decisions.py: locked, append-only), then go on to
        the next pair of the queue as the steward filtered it."""
        a, b, decision, note = (form.get(k, [""])[0] for k in ("a", "b", "decision", "note"))
        filters = Filters.from_query(form)
        if decision not in DECISIONS:
            return self.error(400, "decision must be match or no_match")
        if views.pair_row(self.out_dir, a, b) is None:
            return self.error(404, "not a pair of this run's pairs.parquet")
        following = self.queue.after(filters, a, b)
        try:
            decide_pair(self.out_dir, a, b, decision, self.reviewer, note.strip() or None)
        except InputError as exc:
            return self.error(400, str(exc))
        if following is None:
            return Response(303, location="/?" + filters.query(done=DECISIONS[decision]))
        return Response(303, location="/pair?" + filters.query(
            a=following[0], b=following[1], done=DECISIONS[decision]))
