import datetime as dt

from django.shortcuts import render
from django.utils import timezone

from budbringer.accounts.access import analytics_required
from budbringer.analytics import reports
from budbringer.timing import service as timing

PERIOD_DAYS = 30


@analytics_required
def overview(request):
    organisation = request.person.organisation
    since = timezone.now() - dt.timedelta(days=PERIOD_DAYS)
    context = {
        "period_days": PERIOD_DAYS,
        "participation": reports.participation(organisation, since),
        "never_shared": reports.never_shared(organisation),
        "networks": reports.by_network(organisation, since),
        "top_items": reports.top_items(organisation, since),
        "bot_clicks": reports.bot_clicks(organisation, since),
    }
    context["heatmaps"], context["hidden_groups"] = timing.group_heatmaps(organisation)
    return render(request, "analytics/overview.html", context)
