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
