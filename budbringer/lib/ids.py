"""Row ids from what people send: plain ASCII digits, in the range the database holds.

Anything else is no id of any row and is treated like an unknown one: "²", which
``str.isdigit()`` takes and ``int()`` refuses; "١٢", which ``int()`` takes but no form we
render sends; a number past the column's range, which SQLite refuses with OverflowError
and PostgreSQL with NumericValueOutOfRange, a 500 either way. Every form with model
choices uses the two fields below (the admin's too), and every query-string parser of
ids uses `parse_id`.
"""

import re

from django import forms
from django.db import connection, models

_DIGITS = re.compile(r"[0-9]+")


def parse_id(value: object, model: type[models.Model]) -> int | None:
    """``value`` as an id that a row of ``model`` can have, or None."""
    if isinstance(value, bool):
        return None
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


class _RefusesImpossibleIds:
    """Refuses a value that cannot be an id as an unknown choice, before any query."""

    def _id_or_error(self, value: object) -> object:
        if self.to_field_name is not None or isinstance(value, models.Model):
            return value
        number = parse_id(value, self.queryset.model)
        if number is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return number


class ModelChoiceField(_RefusesImpossibleIds, forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        return super().to_python(self._id_or_error(value))


class ModelMultipleChoiceField(_RefusesImpossibleIds, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if not isinstance(value, list | tuple | set | frozenset):
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        return super()._check_values([self._id_or_error(one) for one in value])


# For a ModelForm's Meta.formfield_callback: its relations get the fields above.
def id_choice_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
    return db_field.formfield(**kwargs)
