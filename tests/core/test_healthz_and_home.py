def test_healthz_answers_ok_without_signing_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_home_sends_people_to_for_you(cast, login):
    response = login(cast.bob).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/for-you/"


def test_home_sends_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
