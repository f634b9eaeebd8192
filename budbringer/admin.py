"""The Django admin, scoped to the organisation of whoever signs in.

Installation operators (superusers) see every organisation. An organisation's admins
and editors see only their own rows: every queryset, every choice in a form and every
object lookup goes through the organisation filter below, and an object of another
organisation is a 404, exactly like in the rest of the app.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Organisation, Person
from budbringer.accounts.provisioning import refusal
from budbringer.accounts.roles import may_administer, may_edit
from budbringer.accounts.views import SignInView
from budbringer.analytics.rollup import delete_clicks
from budbringer.content.models import Item, ShareText, Topic
from budbringer.digests.planning import preferences_changed
from budbringer.lib.ids import ModelChoiceField, ModelMultipleChoiceField
from budbringer.lib.urls import canonical_url
from budbringer.links.models import Click, TrackedLink
from budbringer.sharing.models import Share
from budbringer.sources.models import Source, SourceList


class BudbringerAdminSite(admin.AdminSite):
    site_header = _("Budbringer administration")
    site_title = _("Budbringer")
    index_title = _("Content, people and links")
    # Access follows the person's role (has_permission below), not is_staff, which Django's
    # admin sign-in form would demand; signing in without the role shows "not authorised".
    login_form = AuthenticationForm

    def has_permission(self, request) -> bool:
        if not request.user.is_active:
            return False
        if request.user.is_superuser:
            return True
        person = getattr(request, "person", None)
        return person is not None and may_edit(person)

    def login(self, request, extra_context=None):
        """Django's admin sign-in through our sign-in view, so that the second factor
        (budbringer.mfa.flow) cannot be skipped by signing in here."""
        if request.method == "GET" and self.has_permission(request):
            return redirect("admin:index")
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return SignInView.as_view(
            extra_context=context,
            authentication_form=self.login_form,
            template_name="admin/login.html",
        )(request)

    def password_change(self, request, extra_context=None):
        # One place to change a password: ours asks for the current one through the
        # sign-in throttle (accounts/lockout.py); the admin's would not count wrong ones.
        return redirect("password_change")


admin_site = BudbringerAdminSite(name="admin")


def _organisation_of(request) -> Organisation | None:
    """None means every organisation (a superuser)."""
    return None if request.user.is_superuser else request.person.organisation


class IdChoices:
    """The project's model-choice fields: an id no row can have is an unknown choice."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(IdChoices, admin.ModelAdmin):
    # Path from the model to its organisation, for filter(**{path: organisation}).
    organisation_path = "organisation"
    # The role rule (accounts.roles) that lets a person (besides superusers) see and change
    # these rows.
    rule = staticmethod(may_edit)
    read_only = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        organisation = _organisation_of(request)
        if organisation is None:
            return queryset
        return queryset.filter(**{self.organisation_path: organisation.pk})

    def _allowed(self, request) -> bool:
        if request.user.is_superuser:
            return True
        person = getattr(request, "person", None)
        return person is not None and self.rule(person)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request) and not self.read_only

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and not self.read_only

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and not self.read_only

    def get_list_filter(self, request):
        # Django's filter on a relation offers every row of the related model, those of other
        # organisations too; offer only the values that this organisation's rows use.
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.organisation_path == "organisation":
            exclude.append("organisation")  # set from the signed-in person on save
        return exclude

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        if request.user.is_superuser or self.organisation_path != "organisation":
            return form_class
        organisation = request.person.organisation

        class OrganisationForm(form_class):
            # The organisation is not a form field, so Django would skip the unique
            # constraints that include it and the database would fail with a 500 instead.
            def _post_clean(self):
                self.instance.organisation = organisation
                super()._post_clean()

            def _get_validation_exclusions(self):
                return super()._get_validation_exclusions() - {"organisation"}

        return OrganisationForm

    def _scope_choices(self, db_field, request, queryset):
        organisation = _organisation_of(request)
        if organisation is None:
            return queryset
        model = db_field.related_model
        if model is User:
            return queryset.filter(person__organisation=organisation)
        if model is Organisation:
            return queryset.filter(pk=organisation.pk)
        field_names = {field.name for field in model._meta.get_fields()}
        if "organisation" in field_names:
            return queryset.filter(organisation=organisation)
        raise NotImplementedError(f"no organisation scope for {model.__name__}")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._scope_choices(db_field, request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._scope_choices(db_field, request, field.queryset)
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Django's, but a save the database refuses as a duplicate (a name saved by someone
        else after this form was checked) shows the form again with its error, not a 500:
        the rolled-back POST is validated once more, and now sees that row."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django would redirect to the index with a message; the app answers 404 everywhere.
        raise Http404("no such object in your organisation")


class ClicksGoFirst:
    """For rows whose deletion takes clicks along (tracked links, items): the clicks go first
    through ``analytics.rollup.delete_clicks``, which keeps the roll-ups the sums of the
    clicks that remain, and the cascade finds none. Clicks are read-only in the admin, but
    they go with their link: deleting one does not ask for a right to delete clicks."""

    click_path = ""  # from a click to these rows

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - {Click._meta.verbose_name}, protected

    def delete_model(self, request, obj):
        with transaction.atomic():
            delete_clicks(Click.objects.filter(**{self.click_path: obj}))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            delete_clicks(Click.objects.filter(**{f"{self.click_path}__in": queryset}))
            super().delete_queryset(request, queryset)


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(ScopedAdmin):
    organisation_path = "pk"
    rule = staticmethod(may_administer)
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Department, site=admin_site)
class DepartmentAdmin(ScopedAdmin):
    rule = staticmethod(may_administer)
    list_display = ["name", "organisation"]
    search_fields = ["name"]


@admin.register(Person, site=admin_site)
class PersonAdmin(ScopedAdmin):
    rule = staticmethod(may_administer)
    list_display = ["name", "role", "department", "interface_language", "digest_cadence"]
    list_filter = ["role", "department", "digest_cadence"]
    search_fields = ["name", "user__username"]
    filter_horizontal = ["topics"]

    def has_add_permission(self, request):
        # A person needs a login; operators make both (`budbringer createadmin`, invitations).
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        # Deleting is deactivating for good: under the same rule (not oneself, and the
        # organisation keeps an active admin). Erasure is accounts.privacy's.
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return refusal(request.person, obj, role=obj.role, active=False) is None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        if request.user.is_superuser or obj is None:
            return form_class
        actor = request.person

        class RoleRulesForm(form_class):
            # The people pages' rule: no admin takes away their own admin role, and the
            # organisation keeps one active admin (accounts.roles.why_not_change).
            def clean(self):
                cleaned = super().clean()
                role = cleaned.get("role", obj.role)
                stored = Person.objects.select_related("user").get(pk=obj.pk)
                why = refusal(actor, stored, role=role, active=stored.user.is_active)
                if why:
                    raise forms.ValidationError(why)
                return cleaned

        return RoleRulesForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Whatever changed (re-planning under unchanged settings gives the same slot).
        preferences_changed(obj)


@admin.register(Topic, site=admin_site)
class TopicAdmin(ScopedAdmin):
    list_display = ["name", "keyword_summary"]
    search_fields = ["name", "keywords"]

    @admin.display(description=_("keywords"))
    def keyword_summary(self, topic: Topic) -> str:
        words = [line.strip() for line in topic.keywords.splitlines() if line.strip()]
        return ", ".join(words[:8]) + (" …" if len(words) > 8 else "")


@admin.register(SourceList, site=admin_site)
class SourceListAdmin(ScopedAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    filter_horizontal = ["followers"]


@admin.register(Source, site=admin_site)
class SourceAdmin(ScopedAdmin):
    list_display = ["title", "feed_url", "last_outcome", "last_fetched_at", "items_found"]
    list_filter = ["last_outcome", "is_active", "kind"]
    search_fields = ["title", "feed_url"]
    filter_horizontal = ["lists"]
    # Written by the fetcher (budbringer.sources.refresh) only.
    readonly_fields = [
        "next_fetch_at", "last_fetched_at", "last_success_at", "last_outcome", "last_error",
        "failure_count", "etag", "last_modified", "items_found", "last_new_items",
    ]  # fmt: skip


class ShareTextInline(admin.TabularInline):
    model = ShareText
    extra = 1

    # Inlines ask Django's model permissions, which role-based people lack; follow the item's.
    def _item_admin(self) -> ScopedAdmin:
        return self.admin_site.get_model_admin(Item)

    def has_view_permission(self, request, obj=None):
        return self._item_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._item_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._item_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._item_admin().has_change_permission(request, obj)


class ItemAdminForm(forms.ModelForm):
    """The canonical URL follows from the URL; nobody types it."""

    def _post_clean(self):
        url = self.cleaned_data.get("url")
        if url:
            try:
                self.instance.canonical_url = canonical_url(url)
            except ValueError:
                self.add_error("url", _("Enter an address that starts with http or https."))
        super()._post_clean()

    def _get_validation_exclusions(self):
        # Validate the one-item-per-address constraint here rather than fail in the database
        # (without a valid URL, the URL field's own error says what is wrong).
        exclusions = super()._get_validation_exclusions()
        return exclusions - {"canonical_url"} if self.instance.canonical_url else exclusions


@admin.register(Item, site=admin_site)
class ItemAdmin(ClicksGoFirst, ScopedAdmin):
    click_path = "link__item"
    form = ItemAdminForm
    list_display = ["title", "language", "approval_state", "published_at", "expires_at"]
    list_filter = ["approval_state", "language", "topics"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_at"
    filter_horizontal = ["topics"]
    readonly_fields = ["canonical_url", "approved_by", "approved_at"]
    inlines = [ShareTextInline]


@admin.register(ShareText, site=admin_site)
class ShareTextAdmin(ScopedAdmin):
    organisation_path = "item__organisation"
    list_display = ["item", "network", "language"]
    list_filter = ["network", "language"]


@admin.register(Share, site=admin_site)
class ShareAdmin(ScopedAdmin):
    read_only = True
    list_display = ["created_at", "person", "item", "network"]
    list_filter = ["network"]
    list_select_related = ["person", "item"]


@admin.register(TrackedLink, site=admin_site)
class TrackedLinkAdmin(ClicksGoFirst, ScopedAdmin):
    click_path = "link"
    list_display = ["code", "target_url", "person", "network", "created_at"]
    search_fields = ["code", "target_url"]
    ordering = ["-created_at"]  # the model has none; autocomplete pages need one
    list_select_related = ["person"]

    def has_add_permission(self, request):
        # Links are made by sharing and for leads (links.tracking) only, operators' too: a
        # link made here for a person, item and network is the one their share would carry.
        return False

    def has_change_permission(self, request, obj=None):
        # A link keeps its target for the posts already out; reading and deleting remain.
        return False


@admin.register(Click, site=admin_site)
class ClickAdmin(ScopedAdmin):
    read_only = True
    list_display = ["clicked_at", "link", "network", "user_agent_family", "kind"]
    list_filter = ["network", "kind"]
    list_select_related = ["link"]


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_superuser
    )


@admin.register(User, site=admin_site)
class OperatorUserAdmin(SuperuserOnly, IdChoices, UserAdmin):
    pass


@admin.register(Group, site=admin_site)
class OperatorGroupAdmin(SuperuserOnly, IdChoices, GroupAdmin):
    pass
