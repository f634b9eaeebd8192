import zoneinfo

from django.utils import timezone, translation

from budbringer.accounts.models import Person


class PersonMiddleware:
    """Attach the signed-in person (or None), speak their chosen language and show times in
    their time zone (every page; the e-mails use the same zone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.person = None
        if request.user.is_authenticated:
            request.person = (
                Person.objects.select_related("organisation", "department")
                .filter(user=request.user)
                .first()
            )
            if request.person is not None:
                translation.activate(request.person.interface_language)
                request.LANGUAGE_CODE = request.person.interface_language
        if request.person is not None:
            timezone.activate(zoneinfo.ZoneInfo(request.person.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The thread serves other people next: never leave one person's zone behind.
            timezone.deactivate()
