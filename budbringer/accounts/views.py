from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from budbringer.accounts.access import person_required
from budbringer.accounts.forms import PersonSettingsForm


@person_required()
def person_settings(request):
    form = PersonSettingsForm(request.POST or None, instance=request.person)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
        translation.activate(person.interface_language)
        messages.success(request, _("Your settings are saved."))
        return redirect("person_settings")
    return render(request, "accounts/settings.html", {"form": form})
