"""The studio's page in a real browser: Debian's headless Chromium, driven by Playwright.

One studio (bilingual, signing with an auth token) and one browser serve the module; each walk
is a call a person would place, with the keyboard where a person could.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import states
from tests.servers import server_environ
from tests.studio.studio_process import ROOT, running
from tests.tree.prompts import HOURS, HOURS_ES, MENU

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser suite needs Debian's chromium: apt-get install chromium",
)
# Without these, Chromium retries the network it does not have here and starts slowly.
ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TOKEN = "auth-token-for-the-browser-suite"
# What the page hands the browser's speech synthesis, kept for the test to read.
LISTEN = """
window.spoken = [];
const speak = speechSynthesis.speak.bind(speechSynthesis);
speechSynthesis.speak = (utterance) => {
  window.spoken.push({ text: utterance.text, lang: utterance.lang });
  speak(utterance);
};
"""


@pytest.fixture(scope="module")
def studio():
    with running(LANGUAGES="en-US,es-US", TWILIO_AUTH_TOKEN=TOKEN) as started:
        yield started


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGUMENTS
        )
        yield launched
        launched.close()


def open_page(browser, url, width=1280):
    """A fresh page at ``url``; a studio's bare address gets the clock at an open moment."""
    url = url + "?clock=open" if url.endswith("/") else url
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.goto(url)
    return page


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def transcript(page):
    return page.get_by_role("log", name="Transcript")


def spoken(page) -> list[dict]:
    return page.evaluate("window.spoken")


def answered(page, action):
    """Do ``action`` and wait until the page has shown the step it asked for."""
    with page.expect_response(lambda response: response.url.endswith("/studio/step")):
        action()
    expect(page.locator("main")).to_have_attribute("aria-busy", "false")


def call_and_press(page, *keys):
    """Place a call with the keyboard alone, and press each key once the last was answered."""
    page.get_by_role("button", name="Call").focus()
    answered(page, lambda: page.keyboard.press("Enter"))
    for key in keys:
        answered(page, lambda key=key: page.keyboard.press(key))
    return page


@pytest.fixture(scope="module")
def hours(studio, browser):
    """An English caller presses 1 (English), then 3 (the hours)."""
    page = call_and_press(open_page(browser, studio.url), "1", "3")
    expect(page.locator('[data-state="hours"][aria-current="step"]')).to_be_attached()
    yield page
    page.context.close()


# Calling, hearing, the tree lit ##############################################


def test_the_hours_are_in_the_transcript(hours):
    expect(transcript(hours)).to_contain_text(HOURS)


def test_the_hours_are_spoken_in_english(hours):
    assert {"text": HOURS, "lang": "en-US"} in spoken(hours)


def test_the_menu_was_spoken_before_the_hours(hours):
    texts = [utterance["text"] for utterance in spoken(hours)]
    assert texts.index(MENU) < texts.index(HOURS)


def test_the_hours_state_is_the_current_step(hours):
    current = hours.locator('[aria-current="step"]')
    assert current.evaluate_all("nodes => nodes.map(n => n.dataset.state)") == ["hours"]


def test_the_states_the_call_passed_are_marked(hours):
    passed = hours.locator("[data-state].passed")
    marked = passed.evaluate_all("nodes => nodes.map(n => n.dataset.state)")
    assert sorted(marked) == ["greeting", "hours", "language", "menu"]


def test_the_edge_taken_is_counted(hours):
    count = hours.locator('g.edge[data-from="menu"][data-to="hours"] .count')
    expect(count).to_have_text(" \N{MULTIPLICATION SIGN}1")


def test_the_coverage_says_what_the_session_reached(hours):
    reached = f"reached 4 of {len(states.TABLE)} states, 3 of"
    expect(hours.locator("#coverage")).to_contain_text(reached)


def test_the_address_holds_the_keys_pressed(hours):
    assert re.search(r"[?&]do=1&do=3$", hours.url)


def test_the_requests_list_each_webhook(hours):
    requests = hours.get_by_role("region", name="Requests")
    expect(requests).to_contain_text("POST /state/menu/exit?lang=en-US · 200")


def test_keys_typed_in_the_say_field_are_not_pressed(hours):
    before = hours.url
    hours.get_by_label("Say").fill("3")
    hours.get_by_label("Say").press("3")
    hours.wait_for_timeout(300)
    assert hours.url == before


def test_a_saved_test_of_the_call_passes(hours, tmp_path):
    with hours.expect_download() as download:
        hours.get_by_role("button", name="Save as test").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", saved.name],
        cwd=tmp_path,
        env=server_environ({"PYTHONPATH": str(ROOT)}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (saved.name, result.returncode) == ("test_studio_call_waits_at_hours.py", 0), (
        result.stdout
    )


def test_the_address_of_a_moment_reproduces_it(hours, browser):
    again = open_page(browser, hours.url)
    try:
        expect(again.locator('[data-state="hours"][aria-current="step"]')).to_be_attached()
        expect(transcript(again)).to_contain_text(HOURS)
    finally:
        again.context.close()


# Spanish #####################################################################


def test_after_pressing_2_every_utterance_is_spanish(studio, browser):
    page = call_and_press(open_page(browser, studio.url), "2", "3")
    try:
        expect(transcript(page)).to_contain_text(HOURS_ES)
        said = spoken(page)
        chosen = [u["text"] for u in said].index("Para español, oprima 2.")
        assert {u["lang"] for u in said[chosen + 1 :]} == {"es-US"}
    finally:
        page.context.close()


# A voicemail, and what the business gets #####################################


def test_a_voicemail_shows_the_message_the_business_would_get(studio, browser):
    page = call_and_press(open_page(browser, studio.url), "1", "1")
    try:
        expect(page.get_by_label("Message", exact=True)).to_be_enabled()
        page.get_by_label("Message", exact=True).fill("Please call me back about my order")
        answered(page, page.get_by_role("button", name="#", exact=True).click)
        messages = page.get_by_role("region", name="Messages")
        expect(messages).to_contain_text("Voicemail from +15005550006, sales")
        expect(messages).to_contain_text("To: notify-email@example.invalid")
    finally:
        page.context.close()


# Twilio's side ###############################################################


def test_a_queue_outcome_chosen_while_holding_ends_the_call(studio, browser):
    page = call_and_press(open_page(browser, studio.url), "1", "2")
    try:
        expect(page.get_by_role("status")).to_contain_text("Holding in the queue")
        answered(page, lambda: page.get_by_label("Queue outcome").select_option("bridged"))
        expect(page.get_by_role("status")).to_contain_text("The call ended")
        assert "do=queue%3Abridged" in page.url
    finally:
        page.context.close()


# Small screens ###############################################################


def test_the_page_fits_360_pixels(studio, browser):
    page = call_and_press(open_page(browser, studio.url, width=360), "1", "3")
    try:
        expect(transcript(page)).to_contain_text(HOURS)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        page.context.close()
