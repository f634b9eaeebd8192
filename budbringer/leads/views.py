from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budbringer.accounts.access import leads_required
from budbringer.leads import leads
from budbringer.leads.forms import LeadForm, LeadLinkForm
from budbringer.leads.lookups import get_lead_for, leads_for
from budbringer.links.tracking import short_url

PAGE_SIZE = 100


@leads_required
def lead_list(request):
    ordered = leads_for(request.person).order_by("name", "pk")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "leads/lead_list.html", {"page": page})


@leads_required
def hot_now(request):
    return render(
        request,
        "leads/hot_now.html",
        {"leads": leads.hot_leads(request.person)[:PAGE_SIZE], "hours": leads.HOT_HOURS},
    )


@leads_required
def lead_new(request):
    organisation = request.person.organisation
    form = LeadForm(
        request.POST or None, organisation=organisation, initial={"owner": request.person}
    )
    if request.method == "POST" and form.is_valid():
        form.instance.organisation = organisation
        lead = form.save()
        messages.success(request, _("Lead added."))
        return redirect("lead_detail", lead.pk)
    return render(request, "leads/lead_form.html", {"form": form})


@leads_required
def lead_edit(request, lead_id):
    lead = get_lead_for(request.person, lead_id)
    form = LeadForm(request.POST or None, instance=lead, organisation=lead.organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Lead saved."))
        return redirect("lead_detail", lead.pk)
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead})


@leads_required
def lead_detail(request, lead_id):
    lead = get_lead_for(request.person, lead_id)
    links = [
        (lead_link.link, short_url(lead_link.link))
        for lead_link in lead.lead_links.select_related("link", "link__item").order_by("-pk")
    ]
    context = {
        "lead": lead,
        "links": links,
        "clicks": leads.lead_clicks(lead)[:PAGE_SIZE],
        "link_form": LeadLinkForm(organisation=lead.organisation),
    }
    return render(request, "leads/lead_detail.html", context)


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
def lead_delete(request, lead_id):
    lead = get_lead_for(request.person, lead_id)
    if request.method == "POST":
        leads.delete_lead(lead)
        messages.success(request, _("Lead deleted, with their links and clicks."))
        return redirect("lead_list")
    return render(request, "leads/lead_delete.html", {"lead": lead})
