"""What an edit page needs for the shared editor, the same for every kind of text.

With JavaScript, ``…/bearbeiten/`` opens the shared editor for the text beside a small form
of the other fields (``templates/projects/_coedit.html``, ``static/js/editor/src/coedit.js``);
``?einfach=1`` is the plain form, and without JavaScript the plain form is all there is.
"""

from __future__ import annotations

from django.http import HttpRequest

SIMPLE = "einfach"  # ?einfach=1: the plain form, without the shared editor


def edit_page_context(request: HttpRequest, *, socket_url: str | None, form) -> dict:
    """``socket_url``: the text's co-editing socket, None where there is none (a copy)."""
    if socket_url is None or not request.user.is_authenticated:
        return {}
    if request.GET.get(SIMPLE) == "1":
        return {"coedit_simple": True}
    return {"coedit_url": socket_url, "body_label": form["body"].label}


def coediting(request: HttpRequest) -> bool:
    """The form was sent from beside the shared editor: its body is the room's to save."""
    return request.POST.get("gemeinsam") == "1"
