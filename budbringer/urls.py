from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from budbringer.accounts import views as accounts
from budbringer.admin import admin_site
from budbringer.analytics import views as analytics
from budbringer.api import views as api_views
from budbringer.api.endpoints import api
from budbringer.content import views as content
from budbringer.core import views as core
from budbringer.digests import views as digests
from budbringer.leads import views as leads
from budbringer.links import views as links
from budbringer.mfa import views as mfa
from budbringer.people import views as people
from budbringer.relevance import views as relevance
from budbringer.scim import views as scim
from budbringer.sharing import views as sharing
from budbringer.sources import views as sources
from budbringer.sso import views as sso
from budbringer.sso.saml import views as saml

urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", core.healthz, name="healthz"),
    path("l/<str:code>", links.follow, name="redirect"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("login/<slug:slug>", sso.login_for_organisation, name="login_for_organisation"),
    path("sso/oidc/start/<slug:slug>/", sso.oidc_start, name="oidc_start"),
    path("sso/oidc/callback/", sso.oidc_callback, name="oidc_callback"),
    path("organisation/sign-in/", sso.sign_in_settings, name="sign_in_settings"),
    path("accounts/login/verify/", mfa.verify, name="mfa_verify"),
    path(
        "accounts/login/verify/passkey/options/",
        mfa.verify_passkey_options,
        name="mfa_verify_passkey_options",
    ),
    path("accounts/login/verify/passkey/", mfa.verify_passkey, name="mfa_verify_passkey"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path("accounts/password_reset/done/", accounts.password_reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.SetNewPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        accounts.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "accounts/invitation/<uidb64>/",
        accounts.invitation_set_password,
        name="invitation_set_password",
    ),
    path("people/", people.people_list, name="people_list"),
    path("people/invite/", people.person_invite, name="person_invite"),
    path("people/<int:person_id>/", people.person_edit, name="person_edit"),
    path("people/<int:person_id>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:person_id>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:person_id>/invitation/",
        people.person_resend_invitation,
        name="person_resend_invitation",
    ),
    path("people/departments/", people.department_list, name="department_list"),
    path("people/departments/<int:department_id>/", people.department_edit, name="department_edit"),
    path("settings/", accounts.person_settings, name="person_settings"),
    path("settings/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("organisation/", accounts.organisation_settings, name="organisation_settings"),
    path("organisation/domains/", accounts.organisation_domain_add, name="organisation_domain_add"),
    path(
        "organisation/domains/<int:domain_id>/remove/",
        accounts.organisation_domain_remove,
        name="organisation_domain_remove",
    ),
    path("start/", accounts.onboarding_checklist, name="onboarding_checklist"),
    path("settings/my-data.json", accounts.person_export, name="person_export"),
    path("settings/security/", mfa.security_settings, name="security_settings"),
    path("settings/security/totp/", mfa.totp_setup, name="totp_setup"),
    path("settings/security/totp/confirm/", mfa.totp_confirm, name="totp_confirm"),
    path("settings/security/totp/remove/", mfa.totp_remove, name="totp_remove"),
    path("settings/security/passkeys/options/", mfa.passkey_options, name="passkey_options"),
    path("settings/security/passkeys/", mfa.passkey_register, name="passkey_register"),
    path(
        "settings/security/passkeys/<int:passkey_id>/remove/",
        mfa.passkey_remove,
        name="passkey_remove",
    ),
    path(
        "settings/security/recovery-codes/",
        mfa.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("organisation/security/", mfa.organisation_security, name="organisation_security"),
    path("people/import/", people.people_import, name="people_import"),
    path("for-you/", content.for_you, name="for_you"),
    path("items/<int:item_id>/", content.item_detail, name="item_detail"),
    path("items/<int:item_id>/share/<str:network>/", sharing.share, name="share"),
    path("items/<int:item_id>/more-like-this/", relevance.more_like_this, name="more_like_this"),
    path("items/<int:item_id>/not-for-me/", relevance.not_for_me, name="not_for_me"),
    path("editor/items/", content.editor_items, name="editor_items"),
    path("editor/items/new/", content.editor_item_new, name="editor_item_new"),
    path(
        "editor/items/<int:item_id>/approve/",
        content.editor_item_approve,
        name="editor_item_approve",
    ),
    path(
        "editor/items/<int:item_id>/reject/", content.editor_item_reject, name="editor_item_reject"
    ),
    path(
        "editor/items/<int:item_id>/promote/",
        content.editor_item_promote,
        name="editor_item_promote",
    ),
    path("editor/sources/", sources.editor_sources, name="editor_sources"),
    path("editor/sources/new/", sources.editor_source_new, name="editor_source_new"),
    path("editor/sources/opml/", sources.editor_sources_opml, name="editor_sources_opml"),
    path(
        "editor/sources/opml/export",
        sources.editor_sources_opml_export,
        name="editor_sources_opml_export",
    ),
    path("editor/sources/<int:source_id>/", sources.editor_source, name="editor_source"),
    path(
        "editor/sources/<int:source_id>/fetch/",
        sources.editor_source_fetch,
        name="editor_source_fetch",
    ),
    path(
        "editor/sources/<int:source_id>/delete/",
        sources.editor_source_delete,
        name="editor_source_delete",
    ),
    path("editor/lists/", sources.editor_lists, name="editor_lists"),
    path("editor/lists/<int:list_id>/", sources.editor_list, name="editor_list"),
    path(
        "editor/lists/<int:list_id>/delete/", sources.editor_list_delete, name="editor_list_delete"
    ),
    path("lists/", sources.follow, name="follow"),
    path("lists/<int:list_id>/follow/", sources.follow_list, name="follow_list"),
    path("topics/<int:topic_id>/follow/", sources.follow_topic, name="follow_topic"),
    path("d/read/<str:token>", digests.read, name="digest_read"),
    path("d/share/<str:token>", digests.share, name="digest_share"),
    path("d/feedback/<str:token>", digests.feedback, name="digest_feedback"),
    path("d/preferences/<str:token>", digests.preferences, name="digest_preferences"),
    path("d/unsubscribe/<str:token>", digests.unsubscribe, name="digest_unsubscribe"),
    path("editor/digests/", digests.admin_overview, name="digest_admin"),
    path("editor/digests/preview/", digests.admin_preview, name="digest_admin_preview"),
    path("analytics/", analytics.overview, name="analytics"),
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/hot/", leads.hot_now, name="leads_hot"),
    path("leads/new/", leads.lead_new, name="lead_new"),
    path("leads/<int:lead_id>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/links/", leads.lead_link_new, name="lead_link_new"),
    path("leads/<int:lead_id>/hand-over/", leads.lead_hand_over, name="lead_hand_over"),
    path("leads/<int:lead_id>/delete/", leads.lead_delete, name="lead_delete"),
    path("api/v1/", api.urls),
    path("settings/api-tokens/", api_views.api_tokens, name="api_tokens"),
    path(
        "settings/api-tokens/<int:token_id>/revoke/",
        api_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("organisation/scim/", scim.scim_tokens, name="scim_tokens"),
    path(
        "organisation/scim/<int:token_id>/revoke/",
        scim.scim_token_revoke,
        name="scim_token_revoke",
    ),
    path("scim/v2/Users", scim.users, name="scim_users"),
    path("scim/v2/Users/<str:user_id>", scim.user, name="scim_user"),
    path("scim/v2/Groups", scim.groups, name="scim_groups"),
    path("scim/v2/Groups/<str:group_id>", scim.group, name="scim_group"),
    path(
        "scim/v2/ServiceProviderConfig",
        scim.service_provider_config_view,
        name="scim_service_provider_config",
    ),
    path("scim/v2/Schemas", scim.schemas, name="scim_schemas"),
    path("scim/v2/Schemas/<str:schema_id>", scim.schema, name="scim_schema"),
    path("scim/v2/ResourceTypes", scim.resource_types_view, name="scim_resource_types"),
    path("scim/v2/ResourceTypes/<str:type_id>", scim.resource_type, name="scim_resource_type"),
    path("scim/v2/.search", scim.search_everything, name="scim_search"),
    path("scim/v2/<path:rest>", scim.unknown, name="scim_unknown"),
    path("analytics/export/<slug:table>.csv", analytics.export, name="analytics-export"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's sign-in page links here when this name exists ("Forgotten your password?").
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="password_reset"),
        name="admin_password_reset",
    ),
    path("organisation/sign-in/saml/", saml.admin_page, name="saml_admin"),
    path("sso/saml/<slug:slug>/metadata/", saml.metadata, name="saml_metadata"),
    path("sso/saml/<slug:slug>/login/", saml.start, name="saml_login"),
    path("sso/saml/<slug:slug>/acs/", saml.acs, name="saml_acs"),
    path("admin/", admin_site.urls),
]
