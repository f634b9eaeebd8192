from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from budbringer.accounts import onboarding


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    # A new organisation's admin starts on the checklist (accounts/onboarding.py).
    if request.person is not None and onboarding.lands_on_checklist(request.person):
        return redirect("onboarding_checklist")
    return redirect("for_you")


@require_safe
def healthz(request):
    """For load balancers and the demo: the process answers and the database is there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
