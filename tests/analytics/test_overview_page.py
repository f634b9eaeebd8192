import re

import pytest


def row(html: str, network: str) -> list[str]:
    match = re.search(rf'<tr data-network="{network}">(.*?)</tr>', html)
    assert match, network
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))


@pytest.mark.parametrize("who", ["bob", "sara", "erik"])
def test_people_without_analytics_role_are_forbidden(cast, login, who):
    assert login(getattr(cast, who)).get("/analytics/").status_code == 403


@pytest.mark.parametrize("who", ["lena", "alice"])
def test_leaders_and_admins_see_the_numbers(cast, login, activity, who):
    response = login(getattr(cast, who)).get("/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert row(html, "linkedin") == ["LinkedIn", "3", "4", "3"]
    assert row(html, "x") == ["X", "1", "1", "1"]
    assert row(html, "email") == ["E-mail", "0", "0", "0"]
    assert "2 clicks by bots and link previews are not counted." in html
    participation = re.search(r'<table id="participation">(.*?)</table>', html, re.S).group(1)
    assert "<td>Nordlys Systems</td><td>5</td><td>2</td>" in participation
    assert "40%" in participation
    never = html.split("Never shared", 1)[1]
    assert "<li>Alice</li>" in never
    assert "<li>Lena</li>" in never
    assert "<li>Bob</li>" not in never
    top = re.search(r'<table id="top-items">(.*?)</table>', html, re.S).group(1)
    assert top.index(cast.article.title) < top.index("Second story")


def test_page_shows_nothing_of_another_organisation(cast, login, activity):
    html = login(cast.alice).get("/analytics/").content.decode()
    for secret in ("Havn", "Charlie", cast.havn_article.title):
        assert secret not in html


def test_empty_period_says_so(cast, login):
    html = login(cast.lena).get("/analytics/").content.decode()
    assert "No shares yet in this period." in html
    assert "0 clicks by bots and link previews are not counted." in html
