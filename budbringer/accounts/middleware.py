from django.utils import translation

from budbringer.accounts.models import Person


class PersonMiddleware:
    """Attach the signed-in person (or None) and speak their chosen language."""

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
        return self.get_response(request)
