"""Departments as an admin keeps them (created, renamed and merged on the people pages)
and as a directory does (SCIM groups renamed and deleted).

Names are unique per organisation, case-insensitively (the model's constraint); these
functions say so in words instead of letting the database refuse with an error page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budbringer.accounts.models import Department, Organisation, Person
from budbringer.accounts.provisioning import ProvisioningError
from budbringer.lib.names import one_line


def _checked(organisation: Organisation, name: str, *, keep: Department | None = None) -> str:
    name = one_line(name or "")
    if not name:
        raise ProvisioningError(_("Give the department a name."))
    taken = Department.objects.filter(organisation=organisation, name__iexact=name)
    if keep is not None:
        taken = taken.exclude(pk=keep.pk)
    if taken.exists():
        raise ProvisioningError(
            _("There is a department named %(name)s already; merge into it instead.")
            % {"name": name}
        )
    return name


def _save(department: Department) -> Department:
    try:
        department.full_clean()
        with transaction.atomic():
            department.save()
    except ValidationError as error:
        raise ProvisioningError(" ".join(error.messages)) from None
    except IntegrityError:  # the same name saved by someone else just now
        raise ProvisioningError(_("There is a department with this name already.")) from None
    return department


def create_department(organisation: Organisation, name: str) -> Department:
    name = _checked(organisation, name)
    return _save(Department(organisation=organisation, name=name))


def rename_department(department: Department, name: str) -> Department:
    """A new name; changing only its case is allowed (it is the same department)."""
    department.name = _checked(department.organisation, name, keep=department)
    return _save(department)


@transaction.atomic
def delete_department(department: Department) -> int:
    """Delete a department (a directory removed its group); its people keep their rows and
    have no department. Returns how many people were in it."""
    people = Person.objects.filter(department=department).update(department=None)
    department.delete()
    return people


@transaction.atomic
def merge_departments(source: Department, target: Department) -> int:
    """Move everyone of ``source`` into ``target``, then delete ``source``; returns how many
    people moved. Their shares and clicks count for ``target`` from now on."""
    if source.organisation_id != target.organisation_id:
        raise ProvisioningError(_("Choose a department of this organisation."))
    if source.pk == target.pk:
        raise ProvisioningError(_("Choose another department to merge into."))
    moved = Person.objects.filter(department=source).update(department=target)
    source.delete()
    return moved
