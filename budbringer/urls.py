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
from budbringer.people import views as people
from budbringer.relevance import views as relevance
from budbringer.sharing import views as sharing
from budbringer.sources import views as sources

urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", core.healthz, name="healthz"),
    path("l/<str:code>", links.follow, name="redirect"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
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
    path("settings/", accounts.person_settings, name="person_settings"),
    path("settings/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("settings/my-data.json", accounts.person_export, name="person_export"),
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
    path("analytics/export/<slug:table>.csv", analytics.export, name="analytics-export"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's sign-in page links here when this name exists ("Forgotten your password?").
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="password_reset"),
        name="admin_password_reset",
    ),
    path("admin/", admin_site.urls),
]
