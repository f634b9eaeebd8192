"""An admin edits, deactivates and reactivates people of their organisation under the
role rules: never themselves out of admin, always one active admin left."""

from budbringer.accounts.models import Person
from budbringer.accounts.roles import Role


def edit(client, person, **changes):
    data = {
        "name": person.name,
        "role": person.role,
        "department": person.department_id or "",
        "manager_email": person.manager.user.email if person.manager else "",
        "languages": person.languages,
        "time_zone": person.time_zone,
        **changes,
    }
    return client.post(f"/people/{person.pk}/", data)


def test_an_admin_edits_role_department_manager_languages_and_time_zone(cast, login):
    response = edit(
        login(cast.alice),
        cast.bob,
        role=Role.SALES,
        department=cast.sales.pk,
        manager_email="LENA@example.com",
        languages=["nb"],
        time_zone="Europe/Oslo",
    )
    assert response.status_code == 302
    bob = Person.objects.get(pk=cast.bob.pk)
    assert (bob.role, bob.department, bob.manager, bob.languages, bob.time_zone) == (
        Role.SALES, cast.sales, cast.lena, ["nb"], "Europe/Oslo",
    )  # fmt: skip


def test_the_page_shows_the_person(cast, login):
    response = login(cast.alice).get(f"/people/{cast.bob.pk}/")
    assert response.status_code == 200
    assert b"bob@example.com" in response.content
    assert b"Deactivate" in response.content


def test_bad_values_save_nothing(cast, login):
    client = login(cast.alice)
    before = Person.objects.get(pk=cast.bob.pk)
    for changes in (
        {"manager_email": "charlie@example.com"},  # of another organisation
        {"manager_email": "bob@example.com"},  # himself
        {"department": cast.havn_ops.pk},
        {"role": "pope"},
        {"time_zone": "Mars/Olympus"},
        {"languages": ["xx"]},
        {"name": "two\nlines"},
    ):
        response = edit(client, cast.bob, **changes)
        assert response.status_code == 200, changes
        assert response.context["form"].errors, changes
    after = Person.objects.get(pk=cast.bob.pk)
    assert (after.role, after.department, after.manager, after.time_zone) == (
        before.role, before.department, before.manager, before.time_zone,
    )  # fmt: skip


def test_an_admin_cannot_demote_themselves_nor_the_last_admin(cast, login):
    client = login(cast.alice)
    response = edit(client, cast.alice, role=Role.EDITOR)
    assert b"You cannot take away your own admin role" in response.content
    assert Person.objects.get(pk=cast.alice.pk).role == Role.ADMIN
    # With a second admin, alice may demote her; she may not deactivate herself.
    edit(client, cast.erik, role=Role.ADMIN)
    assert Person.objects.get(pk=cast.erik.pk).role == Role.ADMIN
    assert edit(client, cast.erik, role=Role.EDITOR).status_code == 302
    client.post(f"/people/{cast.alice.pk}/deactivate/")
    cast.alice.user.refresh_from_db()
    assert cast.alice.user.is_active


def test_deactivate_and_reactivate(cast, login):
    client = login(cast.alice)
    assert client.post(f"/people/{cast.bob.pk}/deactivate/").status_code == 302
    cast.bob.user.refresh_from_db()
    assert not cast.bob.user.is_active
    assert Person.objects.get(pk=cast.bob.pk).deactivated_at is not None
    assert b"Reactivate" in client.get(f"/people/{cast.bob.pk}/").content
    client.post(f"/people/{cast.bob.pk}/reactivate/")
    cast.bob.user.refresh_from_db()
    assert cast.bob.user.is_active
    assert Person.objects.get(pk=cast.bob.pk).deactivated_at is None


def test_the_actions_want_a_post(cast, login):
    client = login(cast.alice)
    for action in ("deactivate", "reactivate", "invitation"):
        assert client.get(f"/people/{cast.bob.pk}/{action}/").status_code == 405


def test_people_of_another_organisation_are_not_found(cast, login):
    client = login(cast.alice)
    assert client.get(f"/people/{cast.charlie.pk}/").status_code == 404
    assert client.post(f"/people/{cast.charlie.pk}/deactivate/").status_code == 404
    cast.charlie.user.refresh_from_db()
    assert cast.charlie.user.is_active


def test_others_than_admins_may_not(cast, login):
    for person in (cast.erik, cast.lena):
        client = login(person)
        assert client.get(f"/people/{cast.bob.pk}/").status_code == 403
        assert client.post(f"/people/{cast.bob.pk}/deactivate/").status_code == 403
    cast.bob.user.refresh_from_db()
    assert cast.bob.user.is_active
