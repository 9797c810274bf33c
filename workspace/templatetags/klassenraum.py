from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up, for messages like "für 15 Minuten"."""
    if not value:
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))


@register.filter
def markdown(value: str, top_heading: int = 2):
    """``{{ text|markdown }}`` or ``{{ text|markdown:3 }}`` (headings start at h3)."""
    from workspace.markdown import render_markdown

    return render_markdown(value, top_heading=int(top_heading))


@register.filter
def markdown_for(value: str, owner):
    """``{{ result.body|markdown_for:result }}``: Markdown whose images may be ``owner``'s own
    attachments (``workspace.markdown.register_image_source``); headings start at h2."""
    from workspace.markdown import image_resolver_for, render_markdown

    return render_markdown(value, images=image_resolver_for(owner))


@register.filter
def plain_markdown(value: str, top_heading: int = 2):
    """Markdown without what apps add (no glossary links): for mails, feeds and the glossary's
    own definitions, where a link to a definition would be out of place."""
    from workspace.markdown import render_markdown

    return render_markdown(value, top_heading=int(top_heading), post_process=False)


@register.simple_tag(takes_context=True)
def person(context, user) -> str:
    """``{% person user %}`` or ``{% person user as name %}``: the name the viewer may see
    (workspace.people decides: without consent, visitors see the municipality instead)."""
    from workspace.people import public_name

    request = context.get("request")
    cache = request.__dict__.setdefault("_person_labels", {}) if request is not None else None
    return public_name(user, getattr(request, "user", None), cache)
