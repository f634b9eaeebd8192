"""Every number of every report against the hand-counted activity of conftest.Activity."""

import dataclasses
import datetime as dt
import itertools

from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.analytics import reports
from budbringer.analytics.filters import last_days
from budbringer.sharing.sharing import record_share
from tests.conftest import make_person


def test_weekly_participation_counts_distinct_sharers_per_week(cast, activity, period):
    Person.objects.update(created_at=timezone.now() - dt.timedelta(days=60))  # long here
    rows = reports.weekly_participation(cast.nordlys, period)
    today = timezone.localdate()
    assert rows[-1].week == today - dt.timedelta(days=today.weekday())
    assert (rows[-1].people, rows[-1].sharers, rows[-1].rate) == (5, 2, 0.4)  # bob and sara
    assert all(row.sharers == 0 and row.people == 5 for row in rows[:-1])
    # Every week of the period is there, Mondays seven days apart.
    assert len(rows) in (5, 6)
    assert all((b.week - a.week).days == 7 for a, b in itertools.pairwise(rows))


def test_weekly_participation_of_one_department(cast, activity, period):
    sales = dataclasses.replace(period, department=cast.sales)
    last = reports.weekly_participation(cast.nordlys, sales)[-1]
    assert (last.people, last.sharers) == (2, 1)  # lena and sara; sara shared


def test_weekly_participation_leaves_out_people_who_left(cast, activity, period):
    cast.bob.user.is_active = False
    cast.bob.user.save()
    last = reports.weekly_participation(cast.nordlys, period)[-1]
    assert (last.people, last.sharers) == (4, 1)


def department_rows(organisation, filters):
    return [
        (row.department, row.people, row.sharers, row.never_shared)
        for row in reports.departments(organisation, filters)
    ]


def test_departments_with_how_many_never_shared(cast, activity, period):
    assert department_rows(cast.nordlys, period) == [
        ("Engineering", 2, 1, 0),  # erik shared, but before the period
        ("No department", 1, 0, 1),  # alice
        ("Sales", 2, 1, 1),  # lena
    ]


def test_who_never_shared_is_named_for_one_chosen_department(cast, activity, period):
    assert reports.never_shared(cast.nordlys, period) is None
    sales = dataclasses.replace(period, department=cast.sales)
    assert list(reports.never_shared(cast.nordlys, sales)) == ["Lena"]
    engineering = dataclasses.replace(period, department=cast.engineering)
    assert list(reports.never_shared(cast.nordlys, engineering)) == []
    # Leaders do not see the names of a department under five people.
    hidden = dataclasses.replace(sales, show_small_groups=False)
    assert reports.never_shared(cast.nordlys, hidden) is None
    for number in range(3):
        make_person(cast.nordlys, f"seller{number}", department=cast.sales)
    assert list(reports.never_shared(cast.nordlys, hidden)) == [
        "Lena",
        "Seller0",
        "Seller1",
        "Seller2",
    ]


def test_never_shared_leaves_out_people_who_left(cast, activity, period):
    cast.lena.user.is_active = False
    cast.lena.user.save()
    assert department_rows(cast.nordlys, period)[-1] == ("Sales", 1, 1, 0)


def test_the_first_share_is_kept_for_good(cast, activity):
    first = Person.objects.get(pk=cast.bob.pk).first_shared_at
    assert first is not None
    record_share(cast.bob, activity.second, "x")
    assert Person.objects.get(pk=cast.bob.pk).first_shared_at == first


def test_departments_under_five_people_are_merged_for_leaders(cast, activity, period):
    hidden = dataclasses.replace(period, show_small_groups=False)
    (merged,) = reports.departments(cast.nordlys, hidden)
    assert (merged.people, merged.sharers, merged.never_shared) == (5, 2, 2)
    assert merged.merged_groups == 3


def test_departments_under_a_network_filter(cast, activity, period):
    only_x = dataclasses.replace(period, network="x")
    assert [row[:3] for row in department_rows(cast.nordlys, only_x)] == [
        ("Engineering", 2, 1),
        ("No department", 1, 0),
        ("Sales", 2, 0),
    ]


def test_leaders_next_to_their_team(cast, activity, period):
    (lena,) = reports.leaders(cast.nordlys, period)
    assert (lena.leader, lena.department, lena.shares, lena.unique_clicks) == (
        "Lena",
        "Sales",
        0,
        0,
    )
    assert (lena.team_people, lena.team_shares, lena.team_sharers) == (1, 2, 1)  # sara
    assert lena.team_shares_per_person == 2.0


def test_a_leaders_team_under_five_is_not_shown_to_leaders(cast, activity, period):
    (lena,) = reports.leaders(cast.nordlys, dataclasses.replace(period, show_small_groups=False))
    assert (lena.team_people, lena.team_shares, lena.team_sharers) == (None, None, None)
    assert lena.shares == 0


def network_rows(organisation, filters):
    return {
        row.network: (row.shares, row.clicks, row.unique_clicks, row.estimated_reach)
        for row in reports.networks(organisation, filters)
    }


def test_networks_count_unique_and_repeat_but_no_machines_or_pending(cast, activity, period):
    assert network_rows(cast.nordlys, period) == {
        "linkedin": (3, 4, 3, 900),  # 3 shares * 300; A, A again, B, C; not the bot, probe, pending
        "x": (1, 1, 1, 150),  # the scanner's click is left out
        "facebook": (1, 0, 0, 200),  # its click was before the period
        "xing": (0, 0, 0, 0),
        "email": (0, 0, 0, 0),
    }
    linkedin = reports.networks(cast.nordlys, period)[0]
    assert linkedin.click_through == 3 / 900


def test_networks_under_filters(cast, activity, period):
    sales = network_rows(cast.nordlys, dataclasses.replace(period, department=cast.sales))
    assert sales["linkedin"] == (1, 1, 1, 300)
    assert sales["x"] == (0, 0, 0, 0)
    only_linkedin = dataclasses.replace(period, network="linkedin")
    assert list(network_rows(cast.nordlys, only_linkedin)) == ["linkedin"]
    # The second story has no source, so it is in no list.
    company = network_rows(cast.nordlys, dataclasses.replace(period, source_list=cast.company_list))
    assert company["facebook"] == (0, 0, 0, 0)
    assert company["linkedin"] == (3, 4, 3, 900)


def test_networks_of_another_period(cast, activity):
    longer = network_rows(cast.nordlys, last_days(60))
    assert longer["xing"] == (1, 1, 1, 100)
    assert longer["facebook"] == (1, 1, 1, 200)


def test_items_with_shares_clicks_and_reach(cast, activity, period):
    rows = [
        (row.title, row.shares, row.clicks, row.unique_clicks, row.estimated_reach)
        for row in reports.items(cast.nordlys, period)
    ]
    assert rows == [
        (cast.article.title, 4, 5, 4, 3 * 300 + 150),
        ("Second story", 1, 0, 0, 200),
    ]


def test_left_out_shows_every_kind_not_counted(cast, activity, period):
    rows = {row.kind: row.clicks for row in reports.left_out(cast.nordlys, period)}
    assert rows == {"pending": 1, "scanner": 1, "bot": 0, "preview": 1, "probe": 1}


def test_reports_show_nothing_of_another_organisation(cast, activity, period):
    assert network_rows(cast.havn, period)["linkedin"] == (1, 2, 2, 300)
    assert [row.title for row in reports.items(cast.havn, period)] == [cast.havn_article.title]
    assert department_rows(cast.havn, period) == [("Operations", 1, 1, 0)]


def test_an_organisation_without_activity(cast, period):
    assert all(row.sharers == 0 for row in reports.weekly_participation(cast.nordlys, period))
    assert set(network_rows(cast.nordlys, period).values()) == {(0, 0, 0, 0)}
    assert reports.items(cast.nordlys, period) == []


def test_a_leaders_own_shares_are_not_counted_as_the_teams(cast, activity):
    record_share(cast.lena, cast.article, "x")
    record_share(cast.lena, activity.second, "x")
    (lena,) = reports.leaders(cast.nordlys, last_days(30, show_small_groups=True))
    assert (lena.shares, lena.team_people, lena.team_shares, lena.team_sharers) == (2, 1, 2, 1)


def test_a_team_of_five_is_shown_to_leaders(cast, activity, period):
    for number in range(4):
        make_person(cast.nordlys, f"seller{number}", department=cast.sales)
    (lena,) = reports.leaders(cast.nordlys, dataclasses.replace(period, show_small_groups=False))
    assert (lena.team_people, lena.team_shares, lena.team_sharers) == (5, 2, 1)
    assert lena.team_shares_per_person == 0.4


def test_the_shapes_the_api_reads(cast, activity):
    since = timezone.now() - dt.timedelta(days=30)
    linkedin = reports.by_network(cast.nordlys, since)[0]
    assert (linkedin.network, linkedin.shares, linkedin.clicks, linkedin.unique_clicks) == (
        "linkedin",
        3,
        4,
        3,
    )
    top = reports.top_items(cast.nordlys, since, limit=1)
    assert [(item.pk, item.share_count, item.click_count) for item in top] == [
        (cast.article.pk, 4, 5)
    ]
