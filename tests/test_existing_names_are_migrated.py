"""Existing rows are made to fit the rules for names before the database enforces them,
so the migrations cannot fail on real data."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("accounts", "0006_person_first_shared_at"),
    ("content", "0003_item_promotion"),
    ("sources", "0002_fetch_state"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_rows(transactional_db):
    """Names as they could be stored before: the same name in another case."""
    apps = migrate(BEFORE)
    Organisation = apps.get_model("accounts", "Organisation")
    nordlys = Organisation.objects.create(name="Nordlys", slug="nordlys")
    havn = Organisation.objects.create(name="Havn", slug="havn")
    for model, app in (("Department", "accounts"), ("Topic", "content"), ("SourceList", "sources")):
        Model = apps.get_model(app, model)
        for organisation, name in ((nordlys, "Sales"), (nordlys, "SALES"), (nordlys, "sales"),
                                   (havn, "Sales"), (nordlys, "Sales (2)")):  # fmt: skip
            Model.objects.create(organisation=organisation, name=name)
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_case_duplicates_are_numbered_apart_and_the_constraints_hold(old_rows):
    apps = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    for app, model in (("accounts", "Department"), ("content", "Topic"), ("sources", "SourceList")):
        Model = apps.get_model(app, model)
        names = list(Model.objects.order_by("pk").values_list("organisation__slug", "name"))
        assert names == [
            ("nordlys", "Sales"),
            ("nordlys", "SALES (3)"),
            ("nordlys", "sales (4)"),
            ("havn", "Sales"),  # another organisation's is no duplicate
            ("nordlys", "Sales (2)"),
        ], model


BEFORE_ONE_LINE = [
    ("accounts", "0009_names_unique_in_any_case"),
    ("api", "0001_initial"),
    ("content", "0007_names_unique_in_any_case"),
    ("leads", "0003_lead_handed_over_at"),
    ("sources", "0004_names_unique_in_any_case"),
]


def test_names_with_control_characters_are_made_one_line(transactional_db):
    apps = migrate(BEFORE_ONE_LINE)
    get = apps.get_model
    nordlys = get("accounts", "Organisation").objects.create(name="Nordlys\r\nSystems", slug="n")
    user = get("auth", "User").objects.create(username="bob")
    get("accounts", "Person").objects.create(user=user, organisation=nordlys, name="Bob\x01")
    Department = get("accounts", "Department")
    Department.objects.create(organisation=nordlys, name="Sales\tteam")
    Department.objects.create(organisation=nordlys, name="Sales team")  # made later, but clean
    get("content", "Topic").objects.create(organisation=nordlys, name="\x07")
    get("content", "Item").objects.create(
        organisation=nordlys, title="Story\x1b", url="https://x.example/", canonical_url="x"
    )
    get("sources", "SourceList").objects.create(organisation=nordlys, name="News\u2028")
    get("sources", "Source").objects.create(
        organisation=nordlys, title="Feed\n1", feed_url="https://x.example/rss"
    )
    get("leads", "Lead").objects.create(
        organisation=nordlys, name="Ingrid\r\nBerg", email="i@x.example", company="\x01"
    )
    get("api", "ApiToken").objects.create(
        organisation=nordlys, name="CRM\nsync", prefix="bb_", secret_hash="0" * 64
    )

    apps = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    get = apps.get_model

    def names(app, model, field="name"):
        return list(get(app, model).objects.order_by("pk").values_list(field, flat=True))

    assert names("accounts", "Organisation") == ["Nordlys Systems"]
    assert names("accounts", "Person") == ["Bob"]
    assert names("accounts", "Department") == ["Sales team (2)", "Sales team"]
    assert names("content", "Topic") == ["Unnamed"]
    assert names("content", "Item", "title") == ["Story"]
    assert names("sources", "SourceList") == ["News"]
    assert names("sources", "Source", "title") == ["Feed 1"]
    assert names("leads", "Lead") == ["Ingrid Berg"]
    assert names("leads", "Lead", "company") == [""]
    assert names("api", "ApiToken") == ["CRM sync"]
