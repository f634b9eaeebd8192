"""Departments kept on the people pages: created, renamed and merged, names unique per
organisation whatever their case."""

from budbringer.accounts.models import Department, Person


def test_create_and_refuse_a_name_taken_in_another_case(cast, login):
    client = login(cast.alice)
    assert client.post("/people/departments/", {"name": " Marketing "}).status_code == 302
    assert Department.objects.filter(organisation=cast.nordlys, name="Marketing").exists()
    response = client.post("/people/departments/", {"name": "SALES"})
    assert response.status_code == 200
    assert b"There is a department named SALES already" in response.content
    assert Department.objects.filter(organisation=cast.nordlys).count() == 3


def test_rename_including_only_its_case(cast, login):
    client = login(cast.alice)
    url = f"/people/departments/{cast.sales.pk}/"
    assert client.post(url, {"rename": "1", "name": "SALES"}).status_code == 302
    assert Department.objects.get(pk=cast.sales.pk).name == "SALES"
    response = client.post(url, {"rename": "1", "name": "engineering"})
    assert b"already" in response.content
    assert Department.objects.get(pk=cast.sales.pk).name == "SALES"


def test_merge_moves_the_people_and_deletes_the_department(cast, login):
    client = login(cast.alice)
    response = client.post(
        f"/people/departments/{cast.sales.pk}/", {"merge": "1", "into": cast.engineering.pk}
    )
    assert response.status_code == 302
    assert not Department.objects.filter(pk=cast.sales.pk).exists()
    assert Person.objects.get(pk=cast.lena.pk).department == cast.engineering
    assert Person.objects.get(pk=cast.sara.pk).department == cast.engineering


def test_merge_into_another_organisations_department_is_refused(cast, login):
    client = login(cast.alice)
    response = client.post(
        f"/people/departments/{cast.sales.pk}/", {"merge": "1", "into": cast.havn_ops.pk}
    )
    assert response.status_code == 200
    assert Department.objects.filter(pk=cast.sales.pk).exists()
    assert Person.objects.get(pk=cast.lena.pk).department == cast.sales


def test_departments_of_another_organisation_are_not_found(cast, login):
    client = login(cast.alice)
    assert client.get(f"/people/departments/{cast.havn_ops.pk}/").status_code == 404
    assert login(cast.erik).get("/people/departments/").status_code == 403


def test_the_list_counts_people(cast, login):
    response = login(cast.alice).get("/people/departments/")
    rows = {
        department.name: department.people_count for department in response.context["departments"]
    }
    assert rows == {"Engineering": 2, "Sales": 2}
