from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from budbringer.analytics.reports import as_percent

register = template.Library()


@register.filter
def percent(fraction):
    """A fraction (0.0168) as the page shows it (1.7%); "n/a" for None, a figure that would
    mean nothing."""
    value = as_percent(fraction)
    if value is None:
        return _("n/a")
    return _("%(number)s%%") % {"number": floatformat(value, 1)}
