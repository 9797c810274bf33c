"""One access decision, one draft rule per versioned kind: the code is read, not run.

DESIGN.md promises that one place decides. These tests read the source of the apps
(``workspace``, ``projects``, ``steering``, ``network``) and fail when a copy comes back:

- ``raise LoginRequired`` anywhere but ``workspace/access.py``;
- a *refusal sequence* written out: a function that asks ``is_authenticated`` in the test of
  an ``if`` and raises ``Http404`` or ``PermissionDenied`` itself. That is the three-answer
  sequence (anonymous → login, hidden → 404, refused → 403) that ``workspace.access.decide``
  gives. A service that refuses an action with ``PermissionDenied`` without asking whether
  anyone is logged in (services have no anonymous caller) is not one, and stays where it is;
- a filter on a result's draft stage (``filter``/``exclude``/``Q`` on ``maturity`` with the
  draft value, any ``maturity__in``, or a comparison of ``.maturity`` with the draft value)
  outside ``projects/permissions.py``;
- the same for a guide's planned stage (``status`` and ``Guide.Status.PLANNED`` or
  ``"planned"``) outside ``network/guides/permissions.py``.

Each checker is shown to fail on a bad snippet, so a green run means the code is clean, not
that the checker is blind.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("workspace", "projects", "steering", "network")
ACCESS_MODULE = "workspace/access.py"
DRAFT_HOME = "projects/permissions.py"
PLANNED_HOME = "network/guides/permissions.py"
GUIDE_FILES = "network/guides/"
FILTERS = {"filter", "exclude", "Q", "get", "filter_by"}


def _sources() -> dict[str, str]:
    sources = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            sources[relative] = path.read_text(encoding="utf-8")
    return sources


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    if isinstance(exc, ast.Name):
        return exc.id
    if isinstance(exc, ast.Attribute):
        return exc.attr
    return None


def _asks_is_authenticated(test: ast.expr) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr == "is_authenticated"
        for node in ast.walk(test)
    )


def access_violations(path: str, source: str) -> list[str]:
    """``raise LoginRequired`` and refusal sequences outside the one access module."""
    if path == ACCESS_MODULE:
        return []
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and _raised_name(node) == "LoginRequired":
            found.append(f"{path}:{node.lineno}: raise LoginRequired")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            asks = any(
                isinstance(inner, ast.If | ast.IfExp) and _asks_is_authenticated(inner.test)
                for inner in ast.walk(node)
            )
            refuses = [
                inner
                for inner in ast.walk(node)
                if isinstance(inner, ast.Raise)
                and _raised_name(inner) in ("Http404", "PermissionDenied")
            ]
            if asks and refuses:
                found.append(f"{path}:{node.lineno}: {node.name}() writes out a refusal sequence")
    return found


def _is_value(node: ast.expr, *, attr: str, text: str, owner: str | None = None) -> bool:
    """``….DRAFT`` or ``DRAFT`` or the string value; with ``owner``, only ``owner….PLANNED``."""
    if owner is not None:
        return isinstance(node, ast.Attribute) and node.attr == attr and owner in ast.unparse(node)
    if isinstance(node, ast.Constant):
        return node.value == text
    if isinstance(node, ast.Attribute):
        return node.attr == attr
    return isinstance(node, ast.Name) and node.id == attr


def _in_constraints(tree: ast.AST) -> set[int]:
    """Nodes inside a database constraint: what rows may hold, not who reads them."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Constraint"):
            inside |= {id(inner) for inner in ast.walk(node)}
    return inside


def _stage_violations(
    path: str, source: str, *, field: str, attr: str, text: str, owner: str | None, what: str
) -> list[str]:
    found = []
    tree = ast.parse(source)
    skip = _in_constraints(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in FILTERS:
                continue
            for keyword in node.keywords:
                key = keyword.arg or ""
                on_field = key == field or key.endswith(f"__{field}")
                if (on_field and _is_value(keyword.value, attr=attr, text=text, owner=owner)) or (
                    key == f"{field}__in" or key.endswith(f"__{field}__in")
                ):
                    found.append(f"{path}:{node.lineno}: {what} filter {ast.unparse(node)[:80]}")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            on_field = any(isinstance(s, ast.Attribute) and s.attr == field for s in sides)
            valued = any(_is_value(s, attr=attr, text=text, owner=owner) for s in sides)
            if on_field and valued:
                found.append(f"{path}:{node.lineno}: {what} test {ast.unparse(node)[:80]}")
    return found


def draft_violations(path: str, source: str) -> list[str]:
    if path == DRAFT_HOME:
        return []
    return _stage_violations(
        path, source, field="maturity", attr="DRAFT", text="draft", owner=None, what="draft"
    )


def planned_violations(path: str, source: str) -> list[str]:
    if path == PLANNED_HOME:
        return []
    # Outside the guides, "planned" is a meeting's state, not a guide's stage.
    owner = None if path.startswith(GUIDE_FILES) else "Guide"
    return _stage_violations(
        path, source, field="status", attr="PLANNED", text="planned", owner=owner, what="planned"
    )


SOURCES = _sources()


def test_the_sources_are_read():
    assert ACCESS_MODULE in SOURCES and DRAFT_HOME in SOURCES and PLANNED_HOME in SOURCES
    assert len(SOURCES) > 100


def test_no_login_required_or_refusal_sequence_outside_the_access_module():
    found = [v for path, source in SOURCES.items() for v in access_violations(path, source)]
    assert not found, "Use workspace.access.decide:\n" + "\n".join(found)


def test_the_draft_rule_stands_only_in_projects_permissions():
    found = [v for path, source in SOURCES.items() for v in draft_violations(path, source)]
    assert not found, "Ask projects.permissions (without_drafts, reads_drafts):\n" + "\n".join(
        found
    )


def test_the_planned_rule_stands_only_in_guides_permissions():
    found = [v for path, source in SOURCES.items() for v in planned_violations(path, source)]
    assert not found, "Ask network.guides.permissions (without_planned):\n" + "\n".join(found)


# --- The checkers themselves fail on the copies they are there to catch ----------------------

REFUSAL_WRITTEN_OUT = """
def get_thing_for(user, pk):
    thing = Thing.objects.filter(pk=pk).first()
    if thing is None or not thing.visible_to(user):
        if not user.is_authenticated:
            raise LoginRequired
        raise Http404
    return thing
"""

PRIVATE_REFUSE = """
def _refuse(user, message):
    if not user.is_authenticated:
        return redirect_to_login("/")
    raise PermissionDenied(message)
"""

SERVICE_REFUSAL = """
def thing_update(*, thing, by):
    if not is_network_office(by):
        raise PermissionDenied(_("Das tut die Geschäftsstelle."))
    thing.save()
"""

CLEAN_VIEW = """
def thing_detail(request, pk):
    thing = Thing.objects.filter(pk=pk).first()
    decide(request.user, sees=thing is not None and thing.visible_to(request.user))
    if request.user.is_authenticated:
        remember(thing)
    return render(request, "thing.html", {"thing": thing})
"""


def test_the_access_checker_catches_a_refusal_written_out():
    found = access_violations("network/things/permissions.py", REFUSAL_WRITTEN_OUT)
    assert any("raise LoginRequired" in v for v in found)
    assert any("get_thing_for() writes out a refusal sequence" in v for v in found)
    assert access_violations("network/things/permissions.py", PRIVATE_REFUSE)
    # The same text is allowed in the one access module.
    assert access_violations(ACCESS_MODULE, REFUSAL_WRITTEN_OUT) == []


def test_the_access_checker_leaves_services_and_decide_alone():
    assert access_violations("network/things/services.py", SERVICE_REFUSAL) == []
    assert access_violations("network/things/views.py", CLEAN_VIEW) == []


def test_the_draft_checker_catches_a_draft_filter():
    for snippet in (
        "rows = result.history.exclude(maturity='draft')",
        "rows = Result.objects.exclude(maturity=Result.Maturity.DRAFT)",
        "rows = Template.objects.exclude(result__maturity=Result.Maturity.DRAFT)",
        "rows = Result.objects.filter(maturity__in=PUBLISHED)",
        "readable = row.maturity != Result.Maturity.DRAFT",
        "q = Q(maturity=DRAFT)",
    ):
        assert draft_violations("steering/views.py", snippet), snippet
        assert draft_violations(DRAFT_HOME, snippet) == []
    # A result written as a draft is a write, not a filter; a constraint is no reader's rule.
    assert draft_violations("projects/services.py", "Result(maturity=Result.Maturity.DRAFT)") == []
    constraint = "c = models.CheckConstraint(condition=Q(maturity='draft') | Q(x=1), name='c')"
    assert draft_violations("projects/models.py", constraint) == []


def test_the_planned_checker_catches_a_planned_filter():
    for path, snippet in (
        ("network/guides/selectors.py", "h = guide.history.exclude(status=Guide.Status.PLANNED)"),
        ("network/guides/views.py", "hidden = guide.status == 'planned'"),
        ("workspace/search.py", "g = Guide.objects.filter(status=Guide.Status.PLANNED)"),
    ):
        assert planned_violations(path, snippet), snippet
        assert planned_violations(PLANNED_HOME, snippet) == []
    # A meeting that is planned is no guide.
    assert planned_violations("steering/views.py", "m.filter(state=Meeting.State.PLANNED)") == []
    assert planned_violations("steering/views.py", "m.filter(status='planned')") == []
