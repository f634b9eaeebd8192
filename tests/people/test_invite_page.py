"""Inviting one person from the people pages: a person at once (invited), and the
e-mail queued; an address that is a person already, or malformed, saves nothing."""

from django_tasks_db.models import DBTaskResult

from budbringer.accounts.models import Invitation, Person


def test_an_admin_invites_one_person(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/invite/",
            {
                "email": "Nina@Example.com",
                "name": "Nina",
                "role": "sales",
                "department": cast.sales.pk,
            },
        )
    nina = Person.objects.get(user__email="nina@example.com")
    assert response["Location"] == f"/people/{nina.pk}/"
    assert (nina.role, nina.department, nina.status) == ("sales", cast.sales, "invited")
    assert Invitation.objects.get(person=nina).invited_by == cast.alice
    assert DBTaskResult.objects.filter(task_path__endswith="send_invitation").count() == 1
    page = client.get(f"/people/{nina.pk}/")
    assert b"Send the invitation again" in page.content


def test_refused_invitations_save_nothing(cast, login):
    client = login(cast.alice)
    for email in ("BOB@example.com", "charlie@example.com", "not an address"):
        response = client.post("/people/invite/", {"email": email, "role": "employee"})
        assert response.status_code == 200, email
    assert Person.objects.count() == 6
    assert not Invitation.objects.exists()


def test_resending_moves_the_invitation(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/people/invite/", {"email": "nina@example.com", "role": "employee"})
    nina = Person.objects.get(user__email="nina@example.com")
    first = Invitation.objects.get(person=nina).sent_at
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/people/{nina.pk}/invitation/").status_code == 302
    assert Invitation.objects.get(person=nina).sent_at > first
    # Bob has signed in: no invitation for him.
    cast.bob.user.last_login = first
    cast.bob.user.save()
    client.post(f"/people/{cast.bob.pk}/invitation/")
    assert not Invitation.objects.filter(person=cast.bob).exists()
