import logging

from budbringer.core.per_organisation import for_each_organisation


def test_one_organisation_failing_does_not_stop_the_others(cast, caplog):
    done = []

    def work(organisation):
        if organisation.slug == "nordlys":
            raise ValueError("odd data")
        done.append(organisation.slug)

    with caplog.at_level(logging.ERROR):
        assert for_each_organisation(work, "testing the loop") == 1
    assert done == ["havn"]
    assert "testing the loop of nordlys failed" in caplog.text
