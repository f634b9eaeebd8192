import zoneinfo

from django.utils import timezone, translation

from budbringer.accounts.models import Person


def activate_person(person: Person) -> None:
    """Speak the person's language and show times in their zone for the rest of the request:
    the signed-in person's (below), or the one a digest's signed link acts for. The
    middleware deactivates the zone when the request ends."""
    translation.activate(person.interface_language)
    timezone.activate(zoneinfo.ZoneInfo(person.time_zone))


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
            activate_person(request.person)
            request.LANGUAGE_CODE = request.person.interface_language
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The thread serves other people next: never leave one person's zone behind.
            timezone.deactivate()
