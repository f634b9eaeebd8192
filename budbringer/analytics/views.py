import csv

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from budbringer.accounts.access import analytics_required
from budbringer.analytics import reports
from budbringer.analytics.filters import parse_filters
from budbringer.analytics.tables import TABLES
from budbringer.timing import service as timing


def _filters(request):
    return parse_filters(
        request.person.organisation,
        request.GET,
        show_small_groups=request.person.can_see_individuals,
    )


@analytics_required
def overview(request):
    organisation = request.person.organisation
    parsed = _filters(request)
    filters = parsed.filters
    participation = reports.weekly_participation(organisation, filters)
    networks = reports.networks(organisation, filters)
    items = reports.items(organisation, filters, limit=20)
    heatmaps, hidden_groups = timing.group_heatmaps(organisation)
    context = {
        "zone": timezone.get_current_timezone_name(),
        "min_reach": reports.MIN_REACH_FOR_CLICK_THROUGH,
        "form": parsed.form,
        "problems": parsed.problems,
        "filters": filters,
        "query": parsed.query,
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
                "participation": _("Participation, whole weeks (%)"),
                "partial": _("Partial week: fewer days, not comparable (%)"),
                "shares": _("Shares"),
                "unique_clicks": _("Unique clicks"),
            },
            # Partial weeks apart, as loose points: a line through them would read as a drop.
            "participation": {
                "labels": [row.week.isoformat() for row in participation],
                "complete": [
                    reports.as_percent(row.rate) if row.complete else None for row in participation
                ],
                "partial": [
                    None if row.complete else reports.as_percent(row.rate) for row in participation
                ],
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
    parsed = _filters(request)
    if parsed.problems:
        # Not the export asked for: refused rather than made of other filters unawares.
        context = {"problems": parsed.problems}
        return render(request, "analytics/export_refused.html", context, status=400)
    filters = parsed.filters
    writer = csv.writer(_Echo())

    # The body is made after the view has returned, once the request's zone and language
    # are no longer active: it takes them along.
    zone, language = timezone.get_current_timezone(), translation.get_language()

    def lines():
        with timezone.override(zone), translation.override(language):
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
