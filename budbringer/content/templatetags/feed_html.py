"""Feed HTML on a page: sanitised once more as it is shown, never trusted as stored."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from budbringer.sources.sanitize import sanitize_html

register = template.Library()


@register.filter
def sanitized(html: str) -> SafeString:
    """`html` through the sanitiser, safe to show.

    Every write is sanitised already (budbringer.content.fields); this covers what was
    stored another way (raw SQL, a restored backup) for about a millisecond a page.
    """
    return mark_safe(sanitize_html(html))  # noqa: S308 - the sanitiser's output
