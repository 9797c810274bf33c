"""Every URL of the project stands in a permission matrix; a new page without one fails here.

A matrix is the ``MATRIX`` of any ``tests/**/test_*matrix*.py`` module, so an app's tests bring
their own rows without editing this file.
"""

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

TESTS = Path(__file__).parent


def _matrices() -> dict[str, dict]:
    matrices = {}
    for path in sorted(TESTS.rglob("test_*matrix*.py")):
        module_name = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        module = importlib.import_module(module_name)
        matrices[module_name] = module.MATRIX
    return matrices


MATRICES = _matrices()


def _all_url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name or f'<ohne Namen: {pattern.pattern}>'}")
    return names


def test_the_known_matrices_are_found():
    # The discovery itself must not silently find nothing.
    assert {
        "tests.workspace.test_permission_matrix",
        "tests.steering.test_permission_matrix",
    } <= set(MATRICES)


def test_every_url_is_in_a_permission_matrix():
    # Django's admin guards itself (is_staff); its entry point stands for all of its pages.
    project_urls = {n for n in _all_url_names(get_resolver()) if not n.startswith("admin:")}
    project_urls.add("admin:index")
    covered = set().union(*MATRICES.values())
    missing = project_urls - covered
    assert not missing, f"URLs ohne Zeile in einer Berechtigungsmatrix: {sorted(missing)}"
    stale = covered - project_urls
    assert not stale, f"Zeilen für URLs, die es nicht mehr gibt: {sorted(stale)}"
