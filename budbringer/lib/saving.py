"""Saving what a form checked, when someone may save the same name at the same moment.

A form checks a uniqueness rule by looking (`clean_name`, a model's constraints); two
requests can both look before either saves. The database's unique constraint then
refuses the second save, and `save_or_form_error` turns that refusal into the form's
own error: the form is validated again, and now sees the row saved a moment ago.
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.db import IntegrityError, transaction

T = TypeVar("T")


def save_or_form_error(form: forms.BaseForm, save: Callable[[], T]) -> T | None:
    """``save()`` in a transaction of its own; None, with the form's errors, when the
    database refused it as a duplicate. Any other IntegrityError is raised."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        form.full_clean()  # the rows saved since the form looked are visible now
        if form.is_valid():  # not a rule the form knows: a bug, not a race
            raise
        return None
