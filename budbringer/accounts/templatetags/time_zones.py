"""Times of day on pages: in the viewer's zone, and saying which.

Every request of a signed-in person runs in their own time zone (``PersonMiddleware``), so
templates already get local times. The convention for a page that shows times of day:

    {% load time_zones %}
    <td>{{ click.clicked_at|local_time }}</td>    ... every time, in the viewer's zone
    {% time_zone_note %}                          ... once, under the table or list

rather than a zone beside every time, for which a phone has no room.
"""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.filter(expects_localtime=True)
def local_time(value: dt.datetime | None) -> str:
    """ "2026-03-03 14:05" in the active zone, as a ``<time>`` element (its ``datetime``
    with the offset) that wraps only between the date and the time; "" for no time."""
    if not value:
        return ""
    return format_html(
        '<time class="when" datetime="{}"><span>{}</span> <span>{}</span></time>',
        value.isoformat(timespec="minutes"),
        value.strftime("%Y-%m-%d"),
        value.strftime("%H:%M"),
    )


@register.inclusion_tag("partials/time_zone_note.html", takes_context=True)
def time_zone_note(context) -> dict:
    """ "Times are in your time zone, Europe/Oslo. Change it", the link to the person's
    settings ("Times are in UTC." for someone signed out, whose pages are in the
    installation's zone)."""
    request = context.get("request")
    return {
        "zone": timezone.get_current_timezone_name().replace("_", " "),
        "own_zone": getattr(request, "person", None) is not None,
    }
