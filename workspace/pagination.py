"""One way for every long list to be cut into pages.

A list page calls :func:`paginate` and renders ``{% pagination page %}`` (``workspace/templatetags/
pagination.py``) under the list. The page number travels in the query as ``?seite=`` beside the
list's own filters, so each page has its own URL (and its own copy in the page cache). A number
past the end answers with the last page and anything that is not a number with the first, as
Django's ``Paginator.get_page`` does and as the notifications, the search and the security log
already answer; nobody following an old link to page 9 of a list that shrank gets an error.

The paginator counts the rows once per request (``Paginator.count`` is cached) and fetches only
the rows of the page, so a list costs the same two queries at any size. Callers order their
querysets by something unique at the end (usually ``pk``), so page 2 continues page 1 exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_PARAM = "seite"


def paginate(
    request: HttpRequest,
    object_list: QuerySet | Sequence,
    *,
    per_page: int,
    param: str = PAGE_PARAM,
) -> Page:
    """The page of ``object_list`` that ``request`` asks for (``?seite=``, or ``param`` for a
    second list on the same page)."""
    return Paginator(object_list, per_page).get_page(request.GET.get(param))
