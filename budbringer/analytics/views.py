import csv

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from budbringer.accounts.access import analytics_required
from budbringer.accounts.models import Role
from budbringer.analytics import reports
from budbringer.analytics.filters import parse_filters
from budbringer.analytics.tables import TABLES
from budbringer.timing import service as timing


def _filters(request):
    return parse_filters(
        request.person.organisation,
        request.GET,
        show_small_groups=request.person.role == Role.ADMIN,
    )


@analytics_required
def overview(request):
    organisation = request.person.organisation
    filters, form = _filters(request)
    participation = reports.weekly_participation(organisation, filters)
    networks = reports.networks(organisation, filters)
    items = reports.items(organisation, filters, limit=20)
    heatmaps, hidden_groups = timing.group_heatmaps(organisation)
    context = {
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "participation": participation,
        "departments": reports.departments(organisation, filters),
        "never_shared": _never_shared_page(organisation, filters, request),
        "leaders": reports.leaders(organisation, filters),
        "networks": networks,
        "items": items,
        "left_out": reports.left_out(organisation, filters),
        "heatmaps": heatmaps,
        "hidden_groups": hidden_groups,
        "chart_data": {
            "series": {
                "participation": _("Participation (%)"),
                "shares": _("Shares"),
                "unique_clicks": _("Unique clicks"),
            },
            "participation": {
                "labels": [row.week.isoformat() for row in participation],
                "rates": [round(row.rate * 100, 1) for row in participation],
            },
            "networks": {
                "labels": [row.label for row in networks],
                "shares": [row.shares for row in networks],
                "unique_clicks": [row.unique_clicks for row in networks],
            },
            "items": {
                "labels": [row.title[:40] for row in items[:10]],
                "shares": [row.shares for row in items[:10]],
                "unique_clicks": [row.unique_clicks for row in items[:10]],
            },
        },
    }
    context["left_out_total"] = sum(row.clicks for row in context["left_out"])
    # Chart.js comes from our static files: the baseline policy (lib/csp.py) is enough.
    return render(request, "analytics/overview.html", context)


# Names of people who never shared, per page of the dashboard.
NEVER_SHARED_PER_PAGE = 50


def _never_shared_page(organisation, filters, request):
    names = reports.never_shared(organisation, filters)
    if names is None:
        return None
    query = request.GET.copy()
    query.pop("never_shared_page", None)
    return {
        "page": Paginator(names, NEVER_SHARED_PER_PAGE).get_page(
            request.GET.get("never_shared_page")
        ),
        "department": filters.department,
        "query": query.urlencode(),
    }


class _Echo:
    def write(self, value):
        return value


@analytics_required
def export(request, table):
    """One dashboard table as CSV, streamed row by row, under the page's filters."""
    spec = TABLES.get(table)
    if spec is None:
        raise Http404
    filters = _filters(request)[0]
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([str(column) for column in spec.columns])
        for row in spec.rows(request.person.organisation, filters):
            yield writer.writerow([_safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{table}.csv"'
    return response


def _safe_cell(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @) gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
