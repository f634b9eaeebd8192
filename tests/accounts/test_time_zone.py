"""Every request by a person runs in their time zone, and leaves no zone behind for the
next request its thread serves."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from budbringer.accounts.middleware import PersonMiddleware


def _zone_seen(user):
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return "response"

    request = RequestFactory().get("/for-you/")
    request.user = user
    assert PersonMiddleware(view)(request) == "response"
    return seen[0]


def test_a_request_runs_in_the_persons_time_zone(cast):
    cast.bob.time_zone = "America/New_York"
    cast.bob.save()
    assert _zone_seen(cast.bob.user) == "America/New_York"
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_next_persons_request_is_in_their_zone(cast):
    cast.bob.time_zone = "Asia/Tokyo"
    cast.bob.save()
    cast.lena.time_zone = "Europe/Oslo"
    cast.lena.save()
    assert _zone_seen(cast.bob.user) == "Asia/Tokyo"
    assert _zone_seen(cast.lena.user) == "Europe/Oslo"


def test_an_anonymous_request_is_in_the_installation_zone(cast):
    timezone.activate("Asia/Tokyo")  # left behind by something else in this thread
    assert _zone_seen(AnonymousUser()) == "UTC"
