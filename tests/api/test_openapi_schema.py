"""The OpenAPI schema is published and describes every endpoint; the docs use no CDN."""

import re

from django.contrib.staticfiles import finders

from tests.api.conftest import ENDPOINTS


def test_schema_lists_every_endpoint_with_bearer_auth(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {f"/api/v1{path}" for path in ENDPOINTS}
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path  # read-only
        assert operations["get"]["security"], path
        assert "200" in operations["get"]["responses"], path
    schemes = schema["components"]["securitySchemes"]
    assert [scheme["scheme"] for scheme in schemes.values()] == ["bearer"]
    click = schema["components"]["schemas"]["ClickOut"]["properties"]
    assert "visitor_hash" not in click and "ip" not in click


def test_docs_page_loads_its_assets_from_our_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "cdn" not in html.lower()
    assert finders.find("ninja/swagger-ui-bundle.js")
