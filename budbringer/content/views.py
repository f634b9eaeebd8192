from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budbringer.accounts.access import editor_required, person_required
from budbringer.content.editorial import add_item, approve_item, promote_item, reject_item
from budbringer.content.forms import ItemForm, ShareTextFormSet
from budbringer.content.lookups import get_item_for, get_item_for_editor
from budbringer.content.models import ApprovalState, Item, Promotion
from budbringer.lib.csp import FEED_HTML, csp_allow
from budbringer.lib.saving import save_or_form_error
from budbringer.relevance.events import record_interaction
from budbringer.relevance.reasons import reason_texts
from budbringer.relevance.service import picks_for
from budbringer.sharing.networks import DIALOG_SOURCES, NETWORKS
from budbringer.sharing.suggestions import suggested_text

PAGE_SIZE = 20


@person_required()
def for_you(request):
    """The few items the ranker picks for the person now, each with its reason."""
    picks = picks_for(request.person)
    reasons = reason_texts([pick.reason for _item, pick in picks], request.person.organisation)
    cards = [(item, reason) for (item, _pick), reason in zip(picks, reasons, strict=True)]
    return render(request, "content/for_you.html", {"cards": cards})


@person_required()
@csp_allow(FEED_HTML, {"form-action": DIALOG_SOURCES})  # its images; the share buttons
def item_detail(request, item_id: int):
    item = get_item_for(request.person, item_id)
    record_interaction(request.person, item, "opened")
    context = {
        "item": item,
        "networks": NETWORKS.values(),
        "suggested_text": suggested_text(item, "", request.person),
        "topics": item.topics.all(),
    }
    return render(request, "content/item_detail.html", context)


@editor_required
def editor_items(request):
    state = request.GET.get("state", ApprovalState.PENDING)
    if state not in ApprovalState.values:
        state = ApprovalState.PENDING
    items = (
        Item.objects.in_organisation(request.person.organisation)
        .filter(approval_state=state)
        .select_related("source")
        .order_by("-created_at")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/editor_items.html",
        {
            "page": page,
            "state": state,
            "states": ApprovalState.choices,
            "promotions": Promotion.choices,
        },
    )


@editor_required
def editor_item_new(request):
    organisation = request.person.organisation
    form = ItemForm(request.POST or None, organisation=organisation)
    texts = ShareTextFormSet(
        request.POST or None,
        prefix="texts",
        form_kwargs={"default_language": request.person.interface_language},
    )
    if request.method == "POST" and form.is_valid() and texts.is_valid():
        data = form.cleaned_data
        # An editor, or a feed, may add the same address after the form checked.
        item = save_or_form_error(
            form,
            lambda: add_item(
                request.person,
                url=data["url"],
                canonical_url=form.canonical_url,
                title=data["title"],
                summary=data["summary"],
                language=data["language"],
                expires_at=data["expires_at"],
                topics=data["topics"],
                approve=data["approve"],
                share_texts=[t.cleaned_data for t in texts if t.has_changed() and t.cleaned_data],
            ),
        )
        if item is not None:
            messages.success(request, _("“%(title)s” is added.") % {"title": item.title})
            return redirect("editor_items")
    return render(request, "content/editor_item_new.html", {"form": form, "texts": texts})


@require_POST
@editor_required
def editor_item_approve(request, item_id: int):
    item = get_item_for_editor(request.person, item_id)
    if approve_item(item, request.person):
        messages.success(request, _("“%(title)s” is approved.") % {"title": item.title})
    return redirect("editor_items")


@require_POST
@editor_required
def editor_item_promote(request, item_id: int):
    item = get_item_for_editor(request.person, item_id)
    promotion = request.POST.get("promotion", "")
    if promotion not in Promotion.values:
        messages.error(request, _("Choose how to promote the item."))
    else:
        promote_item(item, promotion)
        messages.success(
            request,
            _("“%(title)s”: %(promotion)s.")
            % {"title": item.title, "promotion": Promotion(promotion).label},
        )
    return redirect("editor_items")


@require_POST
@editor_required
def editor_item_reject(request, item_id: int):
    item = get_item_for_editor(request.person, item_id)
    if reject_item(item, request.person):
        messages.success(request, _("“%(title)s” is rejected.") % {"title": item.title})
    return redirect("editor_items")
