"""Editors' changes to sources and lists (adding a source lives in `adding`)."""

from collections.abc import Iterable

from django.db import transaction

from budbringer.accounts.models import Organisation
from budbringer.sources.models import ListKind, Source, SourceList


def _check_lists(organisation_id: int, lists: Iterable[SourceList]) -> list[SourceList]:
    lists = list(lists)
    if any(source_list.organisation_id != organisation_id for source_list in lists):
        raise ValueError("a list of another organisation")
    return lists


@transaction.atomic
def change_source(
    source: Source,
    *,
    title: str,
    lists: Iterable[SourceList],
    kind: str,
    language: str,
    auto_approve: bool,
    is_active: bool,
) -> None:
    """What editors may change; the fetch state stays with the worker."""
    lists = _check_lists(source.organisation_id, lists)
    fields = {
        "title": title,
        "kind": kind,
        "language": language,
        "auto_approve": auto_approve,
        "is_active": is_active,
    }
    for name, value in fields.items():
        setattr(source, name, value)
    # update_fields, so a fetch storing its state at the same moment is not overwritten.
    source.save(update_fields=list(fields))
    source.lists.set(lists)


def delete_source(source: Source) -> None:
    """Its items stay (without a source); people keep what they already shared."""
    source.delete()


def create_list(
    organisation: Organisation, *, name: str, kind: str = ListKind.CUSTOM
) -> SourceList:
    return SourceList.objects.create(organisation=organisation, name=name, kind=kind)


def change_list(source_list: SourceList, *, name: str, kind: str) -> SourceList:
    # The object changes once the row has: a refused name must not show as the list's.
    SourceList.objects.filter(pk=source_list.pk).update(name=name, kind=kind)
    source_list.name, source_list.kind = name, kind
    return source_list


def delete_list(source_list: SourceList) -> None:
    """Its sources stay, in their other lists or in none; its followers stop following it."""
    source_list.delete()
