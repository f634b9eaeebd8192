"""A model field for HTML from outside (feeds, editors): sanitised whenever it is written."""

from django.db import models

from budbringer.sources.sanitize import SanitizedHTML, sanitize_html


class SanitizedHTMLField(models.TextField):
    """HTML that reaches the database only through `sanitize_html`, whoever writes it.

    Two hooks, so that no ordinary ORM write can skip the sanitiser:

    - `pre_save` (save, create, bulk_create, model forms and the admin) sanitises with
      the row's own address as the base, so relative links and images in pasted HTML
      become absolute, and puts the result on the instance: what it holds is what is stored.
    - `get_db_prep_save` (every write, `update()` and `bulk_update()` included, which have
      no instance to read a base from) sanitises again. The sanitiser is idempotent, so
      the second pass changes nothing; it costs about a millisecond per 20 kB.

    HTML that ``sanitize_html`` returned (a ``SanitizedHTML``, as the feed pipeline hands
    it over) is stored as it is: ingestion cleans each item once, not three times. Only
    raw SQL (or a database expression) stores anything else.
    """

    def __init__(self, *args, base_url_field: str = "", **kwargs):
        # The field holding the address that relative URLs in the HTML are relative to.
        self.base_url_field = base_url_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.base_url_field:
            kwargs["base_url_field"] = self.base_url_field
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value and not isinstance(value, SanitizedHTML):
            base = getattr(model_instance, self.base_url_field, "") if self.base_url_field else ""
            value = sanitize_html(value, base or "")
            setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str) and value and not isinstance(value, SanitizedHTML):
            value = sanitize_html(value)
        return super().get_db_prep_save(value, connection)
