"""The Django admin follows the role rules of the people pages (accounts.roles): an admin
does not take away their own admin role there, nor delete themselves or the last admin."""

import json

from django.forms.models import model_to_dict

from budbringer.accounts.models import Person
from budbringer.accounts.roles import Role


def change(client, person, **fields):
    data = model_to_dict(person)
    data = {key: value for key, value in data.items() if value is not None}
    data["topics"] = []
    for name in ("languages", "send_days"):  # JSON fields, as the admin's form sends them
        data[name] = json.dumps(data[name])
    data.update(fields)
    return client.post(f"/admin/accounts/person/{person.pk}/change/", data)


def test_an_admin_cannot_demote_themselves_in_the_django_admin(cast, login):
    response = change(login(cast.alice), cast.alice, role=Role.EDITOR)
    assert response.status_code == 200
    assert "You cannot take away your own admin role" in response.content.decode()
    assert Person.objects.get(pk=cast.alice.pk).role == Role.ADMIN


def test_other_changes_save(cast, login):
    response = change(login(cast.alice), cast.bob, role=Role.SALES)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Person.objects.get(pk=cast.bob.pk).role == Role.SALES


def test_an_admin_cannot_delete_themselves_but_others(cast, login):
    client = login(cast.alice)
    assert client.get(f"/admin/accounts/person/{cast.alice.pk}/delete/").status_code == 403
    assert client.get(f"/admin/accounts/person/{cast.bob.pk}/delete/").status_code == 200
