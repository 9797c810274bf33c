from django import template

register = template.Library()


@register.filter
def plain_markdown(value: str, top_heading: int = 2):
    """Markdown without what apps add (no glossary links): for the glossary's own texts."""
    from workspace.markdown import render_markdown

    return render_markdown(value, top_heading=int(top_heading), post_process=False)
