"""Feedback on the For-you page: "more like this" and "not for me"."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budbringer.accounts.access import person_required
from budbringer.content.lookups import get_item_for
from budbringer.relevance.events import record_interaction
from budbringer.relevance.models import InteractionKind


@require_POST
@person_required()
def more_like_this(request, item_id: int):
    item = get_item_for(request.person, item_id)
    record_interaction(request.person, item, InteractionKind.MORE_LIKE_THIS)
    messages.success(
        request, _("Thanks. You will see more like “%(title)s”.") % {"title": item.title}
    )
    return redirect("for_you")


@require_POST
@person_required()
def not_for_me(request, item_id: int):
    item = get_item_for(request.person, item_id)
    record_interaction(request.person, item, InteractionKind.DISMISSED)
    messages.success(
        request, _("Thanks. “%(title)s” will not be suggested again.") % {"title": item.title}
    )
    return redirect("for_you")
