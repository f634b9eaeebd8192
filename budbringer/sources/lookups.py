"""The one way views load sources and lists: scoped to the person's organisation, or 404."""

from django.shortcuts import get_object_or_404

from budbringer.accounts.models import Person
from budbringer.sources.models import Source, SourceList


def get_source_for_editor(person: Person, source_id: int) -> Source:
    """Any source of the organisation, active or paused (the caller checks the editor role)."""
    return get_object_or_404(
        Source.objects.in_organisation(person.organisation).prefetch_related("lists"),
        pk=source_id,
    )


def get_list_for(person: Person, list_id: int) -> SourceList:
    """A list of the person's organisation; every person may see and follow them all."""
    return get_object_or_404(
        SourceList.objects.filter(organisation=person.organisation), pk=list_id
    )
