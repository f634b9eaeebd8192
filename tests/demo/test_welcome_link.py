from urllib.parse import urlsplit

from budbringer.content.models import Item
from budbringer.links.models import Click, TrackedLink

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"


def test_welcome_link_redirects_to_a_demo_article(client, demo):
    link = TrackedLink.objects.get(code="welcome")
    assert link.organisation == demo
    item = Item.objects.in_organisation(demo).shareable().get(pk=link.item_id)
    clicks_before = Click.objects.filter(link=link).count()
    assert clicks_before > 0  # the demo's own history clicked it already

    response = client.get("/l/welcome", HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == item.url
    assert "utm_campaign=budbringer" in target.query
    assert Click.objects.filter(link=link).count() == clicks_before + 1
