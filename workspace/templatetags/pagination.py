"""``{% pagination page %}``: the page links under a long list (``templates/_pagination.html``).

Shown only when the list has more than one page, so short lists look as they always did. Each
link keeps the request's other query parameters (the list's filters) and changes only ``seite``.
"""

from __future__ import annotations

from django import template
from django.core.paginator import Page

from workspace.pagination import PAGE_PARAM

register = template.Library()


@register.inclusion_tag("_pagination.html", takes_context=True)
def pagination(
    context, page: Page, label: str = "", param: str = PAGE_PARAM, anchor: str = ""
) -> dict:
    """``param`` names the page number in the query when a page holds two lists (each keeps
    the other's page); ``anchor`` is the id the links jump to, the list's heading."""
    if not page.has_other_pages():
        return {"page": None}
    query = context["request"].GET.copy()
    query.pop(param, None)
    fragment = f"#{anchor}" if anchor else ""

    def url(number: int) -> str:
        query[param] = str(number)
        return "?" + query.urlencode() + fragment

    paginator = page.paginator
    links = [
        {
            "number": n,
            "url": url(n) if n != paginator.ELLIPSIS else None,
            "current": n == page.number,
        }
        for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return {
        "page": page,
        "label": label,
        "links": links,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else None,
        "next_url": url(page.next_page_number()) if page.has_next() else None,
    }
