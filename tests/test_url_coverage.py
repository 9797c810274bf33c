"""Every URL of the project stands in a permission matrix; a new page without one fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

from tests.projects.test_permission_matrix import MATRIX as PROJECTS
from tests.projects.test_results_matrix import MATRIX as RESULTS
from tests.projects.test_reuse_matrix import MATRIX as REUSE
from tests.steering.test_permission_matrix import MATRIX as STEERING
from tests.workspace.test_permission_matrix import MATRIX as WORKSPACE

MATRICES = {
    "workspace": WORKSPACE,
    "projects": PROJECTS,
    "results": RESULTS,
    "steering": STEERING,
    "reuse": REUSE,
}


def _all_url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name or f'<ohne Namen: {pattern.pattern}>'}")
    return names


def test_every_url_is_in_a_permission_matrix():
    # Django's admin guards itself (is_staff); its entry point stands for all of its pages.
    project_urls = {n for n in _all_url_names(get_resolver()) if not n.startswith("admin:")}
    project_urls.add("admin:index")
    covered = set().union(*MATRICES.values())
    missing = project_urls - covered
    assert not missing, f"URLs ohne Zeile in einer Berechtigungsmatrix: {sorted(missing)}"
    stale = covered - project_urls
    assert not stale, f"Zeilen für URLs, die es nicht mehr gibt: {sorted(stale)}"
