from budbringer.analytics import reports
from budbringer.sharing.models import Share


def test_participation_overall_then_per_department(cast, activity, since):
    rows = [(r.label, r.people, r.sharers) for r in reports.participation(cast.nordlys, since)]
    assert rows == [
        ("Nordlys Systems", 5, 2),  # bob and sara; erik shared before the period
        ("Engineering", 2, 1),
        ("Sales", 2, 1),
        ("—", 1, 0),  # alice has no department
    ]
    assert reports.participation(cast.nordlys, since)[0].rate == 0.4


def test_participation_leaves_out_people_who_left(cast, activity, since):
    cast.bob.user.is_active = False
    cast.bob.user.save()
    overall = reports.participation(cast.nordlys, since)[0]
    assert (overall.people, overall.sharers) == (4, 1)


def test_participation_of_an_organisation_with_nobody_sharing(cast, since):
    overall = reports.participation(cast.nordlys, since)[0]
    assert (overall.people, overall.sharers, overall.rate) == (5, 0, 0.0)


def test_never_shared_lists_people_without_any_share(cast, activity):
    # People without a department come last.
    assert [p.name for p in reports.never_shared(cast.nordlys)] == ["Lena", "Alice"]
    assert [p.name for p in reports.never_shared(cast.havn)] == []


def test_never_shared_counts_shares_of_any_time(cast):
    assert len(reports.never_shared(cast.nordlys)) == 5
    Share.objects.create(
        organisation=cast.nordlys, person=cast.alice, item=cast.article, network="email"
    )
    assert "Alice" not in [p.name for p in reports.never_shared(cast.nordlys)]


def test_by_network_counts_shares_and_human_clicks(cast, activity, since):
    rows = {
        row.network: (row.shares, row.clicks, row.unique_clicks)
        for row in reports.by_network(cast.nordlys, since)
    }
    assert rows == {
        "linkedin": (3, 4, 3),
        "x": (1, 1, 1),
        "facebook": (1, 0, 0),
        "xing": (0, 0, 0),
        "email": (0, 0, 0),
    }


def test_bot_clicks_are_counted_apart(cast, activity, since):
    assert reports.bot_clicks(cast.nordlys, since) == 2
    assert reports.bot_clicks(cast.havn, since) == 0


def test_top_items_by_shares_then_clicks(cast, activity, since):
    top = reports.top_items(cast.nordlys, since)
    assert [(i.title, i.share_count, i.click_count) for i in top] == [
        (cast.article.title, 4, 5),  # bob's x share and click are on the article too
        ("Second story", 1, 0),
    ]


def test_top_items_leave_out_items_without_activity(cast, since):
    assert reports.top_items(cast.nordlys, since) == []


def test_havn_sees_only_its_own(cast, activity, since):
    rows = reports.by_network(cast.havn, since)
    linkedin = next(row for row in rows if row.network == "linkedin")
    assert (linkedin.shares, linkedin.clicks, linkedin.unique_clicks) == (1, 2, 2)
    assert sum(r.shares for r in reports.by_network(cast.havn, since)) == 1
    assert [i.title for i in reports.top_items(cast.havn, since)] == [cast.havn_article.title]
