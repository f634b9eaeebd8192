from django import template

from budbringer.timing.heatmap import layout

register = template.Library()


@register.inclusion_tag("timing/heatmap.html")
def heatmap(shares, label: str):
    """An inline SVG heatmap of a 168-hour profile, with ``label`` as its accessible name."""
    return {"map": layout(shares), "label": label}
