from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up, for messages like "für 15 Minuten"."""
    if not value:
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))
