"""`budbringer feed preview`: the whole pipeline, nothing saved, a clear error otherwise."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from budbringer.content.models import Item
from budbringer.sources.models import Source

ROOT = Path(__file__).resolve().parents[2]
FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Preview feed</title><link>https://site.example.com/</link>
<item><title>Vi bygger ut havvind</title><link>https://site.example.com/havvind?utm_medium=rss</link>
<description>&lt;p&gt;Selskapet bygger ut havvind utenfor kysten, og de f\xc3\xb8rste
turbinene leverer str\xc3\xb8m til kundene neste h\xc3\xb8st.&lt;/p&gt;
&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
</channel></rss>"""


def test_a_file_is_previewed_as_json_lines_and_nothing_is_saved(tmp_path, capsys, db):
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    items_before, sources_before = Item.objects.count(), Source.objects.count()

    call_command("feed", "preview", str(path), json=True)

    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    item = json.loads(lines[0])
    assert item["title"] == "Vi bygger ut havvind"
    assert item["url"] == "https://site.example.com/havvind?utm_medium=rss"
    assert item["language"] == "nb"
    assert "<script" not in item["html"] and "havvind utenfor kysten" in item["html"]
    assert (Item.objects.count(), Source.objects.count()) == (items_before, sources_before)


def test_a_url_is_fetched_through_the_safe_fetcher(feed_server, capsys, db):
    url = feed_server.route("/feed.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
    with override_settings(FETCH_ALLOW=["127.0.0.1"]):
        call_command("feed", "preview", url)
    out = capsys.readouterr().out
    assert "Preview feed" in out
    assert "[nb] Vi bygger ut havvind" in out
    assert "1 items, 0 skipped." in out


def test_a_blocked_address_is_refused_in_plain_words(feed_server, db):
    url = feed_server.route("/feed.xml", body=FEED)  # 127.0.0.1 is not allowed by default
    with pytest.raises(CommandError, match=r"127\.0\.0\.1"):
        call_command("feed", "preview", url)


def test_errors_exit_non_zero_with_a_message(tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<!doctype html><title>Not a feed</title><p>Hello</p>")
    for location in [str(html), str(tmp_path / "missing.xml")]:
        done = subprocess.run(
            [sys.executable, "-m", "budbringer.cli", "feed", "preview", location, "--json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"BUDBRINGER_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert done.returncode != 0
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        assert done.stderr.strip(), location
