from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budbringer.accounts.access import person_required
from budbringer.content.lookups import get_item_for
from budbringer.sharing.networks import NETWORKS
from budbringer.sharing.sharing import record_share
from budbringer.sharing.suggestions import suggested_text


class ShareRedirect(HttpResponseRedirect):
    # Share dialogs are web pages, except e-mail, which opens the person's mail program.
    allowed_schemes = ["https", "mailto"]


class ShareForm(forms.Form):
    text = forms.CharField(max_length=3000, required=False)


@require_POST
@person_required()
def share(request, item_id: int, network: str):
    item = get_item_for(request.person, item_id)
    if network not in NETWORKS:
        raise Http404("unknown network")
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The text is too long: at most 3,000 characters."))
        return redirect("item_detail", item_id=item.pk)
    text = form.cleaned_data["text"]
    if text.strip() == suggested_text(item, "", request.person).strip():
        text = ""  # unchanged: let the network's own suggestion apply
    return ShareRedirect(record_share(request.person, item, network, text))
