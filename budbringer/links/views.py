from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from budbringer.lib.http import client_ip
from budbringer.links.models import TrackedLink
from budbringer.links.tracking import record_click, redirect_target


@require_safe
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """302 to the link's registered target; nothing in the request can change where."""
    link = (
        TrackedLink.objects.filter(code=code)
        .only("id", "organisation_id", "target_url", "network")
        .first()
    )
    if link is None:
        raise Http404("unknown link")
    record_click(
        link,
        method=request.method,
        user_agent=request.headers.get("User-Agent", ""),
        referrer=request.headers.get("Referer", ""),
        ip=client_ip(request),
    )
    return HttpResponseRedirect(redirect_target(link))
