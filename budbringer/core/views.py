from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe


@require_safe
def home(request):
    return redirect("for_you" if request.user.is_authenticated else "login")


@require_safe
def healthz(request):
    """For load balancers and the demo: the process answers and the database is there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
