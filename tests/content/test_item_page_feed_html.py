"""Feed HTML on the item page: shown sanitised, under a CSP that runs only our own scripts."""

from budbringer.content.models import Item


def test_fetched_content_is_shown_under_a_policy_that_forbids_scripts(cast, login):
    Item.objects.filter(pk=cast.article.pk).update(
        content_html='<p>Fjord <strong>power</strong></p><img src="https://cdn.example.com/a.jpg">'
    )
    response = login(cast.bob).get(f"/items/{cast.article.pk}/")
    html = response.content.decode()
    assert '<div class="item-content"><p>Fjord <strong>power</strong></p>' in html
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy  # scripts from this site only, none inline
    assert "script-src" not in policy
    assert "object-src 'none'" in policy


def test_without_content_the_summary_is_shown(cast, login):
    Item.objects.filter(pk=cast.article.pk).update(content_html="", summary="Short and plain.")
    html = login(cast.bob).get(f"/items/{cast.article.pk}/").content.decode()
    assert "<p>Short and plain.</p>" in html
    assert "item-content" not in html
