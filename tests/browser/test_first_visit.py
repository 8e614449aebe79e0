import pytest
from playwright.sync_api import expect

from apps.sampledata.demo import load_demo
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_logs_in_and_reads_a_demo_article(page, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(with_users=True)
    log_in(page, live_server, "analyst", "demo")
    page.get_by_role("link", name="Syria: Russia–US diplomacy 2014–2016").first.click()
    expect(page.get_by_role("heading", name="Syria: Russia–US diplomacy 2014–2016")).to_be_visible()
    for source in ("RT", "BBC News", "RFE/RL", "Business Insider", "Bloomberg"):
        expect(page.locator("td .source", has_text=source).first).to_be_visible()
    page.get_by_role("link", name="Russia to carry on bombing rebel-held eastern Aleppo").click()
    expect(page.locator(".article-text p").first).to_be_visible()
    expect(page.locator(".article-text")).to_contain_text("talkson")


def test_a_wrong_password_is_refused_with_a_message(page, live_server):
    log_in(page, live_server, "nobody", "wrong")
    expect(page.get_by_role("alert")).to_be_visible()
    assert "/accounts/login/" in page.url
