"""/people/import/: admins only; upload, a preview of every row, then exactly that import."""

from django.core.files.uploadedfile import SimpleUploadedFile

from budbringer.accounts.models import Person

FILE = (
    b"email;name;department;role;language;time_zone\r\n"
    b"anna@nordlys.example;Anna Aas;Support;employee;en sv;Europe/Oslo\r\n"
    b"bob@example.com;Bob B.;Engineering;employee;en sv;Europe/Stockholm\r\n"
)


def upload(client, data, name="people.csv"):
    return client.post("/people/import/", {"file": SimpleUploadedFile(name, data)})


def test_only_admins_see_the_page(cast, login, client):
    assert login(cast.erik).get("/people/import/").status_code == 403
    assert login(cast.alice).get("/people/import/").status_code == 200


def test_the_preview_shows_every_row_and_then_imports_exactly_it(cast, login):
    client = login(cast.alice)
    page = upload(client, FILE)
    html = page.content.decode()
    assert "Preview: nothing is saved yet" in html and "1 new" in html and "1 changed" in html
    assert "anna@nordlys.example" in html and "Name: Bob → Bob B." in html
    assert not Person.objects.filter(user__email="anna@nordlys.example").exists()
    form = {
        "apply": "1",
        "upload": page.context["upload"],
        "plan": page.context["report"].fingerprint(),
    }
    done = client.post("/people/import/", form, follow=True)
    assert "Imported: 1 new, 1 changed, 0 unchanged." in done.content.decode()
    anna = Person.objects.get(user__email="anna@nordlys.example")
    assert anna.organisation == cast.nordlys and anna.department.name == "Support"
    again = client.post("/people/import/", form, follow=True)  # the preview is used up
    assert "upload the file again" in again.content.decode()


def test_a_preview_that_no_longer_holds_is_shown_again_not_applied(cast, login):
    client = login(cast.alice)
    page = upload(client, FILE)
    cast.bob.name = "Bob B."
    cast.bob.save()
    form = {
        "apply": "1",
        "upload": page.context["upload"],
        "plan": page.context["report"].fingerprint(),
    }
    answer = client.post("/people/import/", form)
    assert "People changed since the preview" in answer.content.decode()
    assert not Person.objects.filter(user__email="anna@nordlys.example").exists()


def test_rows_with_errors_offer_no_import(cast, login):
    client = login(cast.alice)
    page = upload(client, FILE + b"x@nordlys.example;X;;boss;en;Europe/Oslo\r\n")
    html = page.content.decode()
    assert "boss is not a role" in html and "1 error" in html and 'name="apply"' not in html


def test_a_bad_file_gets_a_clear_message_and_nothing_is_kept(cast, login, settings):
    client = login(cast.alice)
    page = upload(client, b"PK\x03\x04 workbook", "people.xlsx")
    assert "spreadsheet workbook (.xlsx)" in page.content.decode()
    assert "people_import_upload" not in client.session
    settings.PEOPLE_IMPORT_MAX_BYTES = 1024
    page = upload(client, b"x" * 2000)
    assert "larger than" in page.content.decode()


def test_an_admin_of_another_organisation_cannot_apply_a_preview(cast, login, client):
    page = upload(login(cast.alice), FILE)
    form = {
        "apply": "1",
        "upload": page.context["upload"],
        "plan": page.context["report"].fingerprint(),
    }
    client.logout()
    answer = login(cast.charlie).post("/people/import/", form, follow=True)
    assert "upload the file again" in answer.content.decode()
    assert not Person.objects.filter(user__email="anna@nordlys.example").exists()
