"""Lead pages. Every lead is loaded through ``lookups`` (the person's own leads, or all of
the organisation's for leaders and admins; any other is a 404)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budbringer.accounts.access import leads_required
from budbringer.leads import leads
from budbringer.leads.forms import HandOverForm, LeadForm, LeadLinkForm
from budbringer.leads.lookups import get_lead_for, leads_for, reads_notes, sees_all_leads
from budbringer.links.tracking import short_url

PAGE_SIZE = 100


def _posted(request):
    """The form data of a POST, even an empty one (``request.POST or None`` would show an
    empty POST the form again without saying what is missing)."""
    return request.POST if request.method == "POST" else None


def _render(request, template: str, context: dict):
    """Every lead page knows whether it shows the person's own leads or everyone's."""
    return render(request, template, {"sees_all": sees_all_leads(request.person), **context})


@leads_required
def lead_list(request):
    ordered = leads_for(request.person).order_by("name", "pk")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "leads/lead_list.html", {"page": page})


@leads_required
def hot_now(request):
    return _render(
        request,
        "leads/hot_now.html",
        {"leads": leads.hot_leads(request.person)[:PAGE_SIZE], "hours": leads.HOT_HOURS},
    )


@leads_required
def lead_new(request):
    form = LeadForm(_posted(request), person=request.person)
    if form.is_bound and form.is_valid():
        lead = form.save()
        messages.success(request, _("Lead added."))
        return redirect("lead_detail", lead.pk)
    return _render(request, "leads/lead_form.html", {"form": form})


@leads_required
def lead_edit(request, lead_id):
    lead = get_lead_for(request.person, lead_id)
    form = LeadForm(_posted(request), instance=lead, person=request.person)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("Lead saved."))
        return redirect("lead_detail", lead.pk)
    return _render(request, "leads/lead_form.html", {"form": form, "lead": lead})


@leads_required
def lead_detail(request, lead_id):
    lead = get_lead_for(request.person, lead_id)
    links = [
        (lead_link.link, short_url(lead_link.link))
        for lead_link in lead.lead_links.select_related("link", "link__item").order_by("-pk")
    ]
    context = {
        "lead": lead,
        "reads_notes": reads_notes(request.person, lead),
        "links": links,
        "clicks": leads.lead_clicks(lead)[:PAGE_SIZE],
        "link_form": LeadLinkForm(organisation=lead.organisation),
    }
    return _render(request, "leads/lead_detail.html", context)


@leads_required
@require_POST
def lead_link_new(request, lead_id):
    lead = get_lead_for(request.person, lead_id)
    form = LeadLinkForm(request.POST, organisation=lead.organisation)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("lead_detail", lead.pk)
    link = leads.create_lead_link(
        lead, item=form.cleaned_data["item"], url=form.cleaned_data["url"] or ""
    )
    messages.success(
        request, _("New link for %(lead)s: %(url)s") % {"lead": lead.name, "url": short_url(link)}
    )
    return redirect("lead_detail", lead.pk)


@leads_required
def lead_hand_over(request, lead_id):
    """The confirmation page of a hand-over: who gets the lead, and what that means."""
    lead = get_lead_for(request.person, lead_id)
    form = HandOverForm(_posted(request), lead=lead)
    if form.is_bound and form.is_valid():
        new_owner = form.cleaned_data["new_owner"]
        try:
            leads.hand_over_lead(lead, new_owner, by=request.person)
        except leads.HandOverRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("%(lead)s is now the lead of %(owner)s, who gets the alerts about them.")
                % {"lead": lead.name, "owner": new_owner.name},
            )
            if sees_all_leads(request.person):
                return redirect("lead_detail", lead.pk)
            return redirect("lead_list")
    context = {"lead": lead, "form": form, "reads_notes": reads_notes(request.person, lead)}
    return _render(request, "leads/lead_hand_over.html", context)


@leads_required
def lead_delete(request, lead_id):
    lead = get_lead_for(request.person, lead_id)
    if request.method == "POST":
        leads.delete_lead(lead)
        messages.success(request, _("Lead deleted, with their links and clicks."))
        return redirect("lead_list")
    return _render(request, "leads/lead_delete.html", {"lead": lead})
