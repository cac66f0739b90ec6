"""Take the studio's screenshot for docs/studio.png: a Spanish caller leaves a voicemail.

    python tests/studio/screenshot.py docs/studio.png [WIDTH]

Runs the studio (LANGUAGES=en-US,es-US) and Debian's headless Chromium, as the browser suite
does; the same walk at 360 pixels shows the page on a phone.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.studio.studio_process import running  # noqa: E402
from tests.studio.test_studio_browser import ARGUMENTS, CHROMIUM, answered  # noqa: E402


def main(path: str, width: int = 1500) -> None:
    with running(LANGUAGES="en-US,es-US") as studio, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(studio.url + "?clock=2026-11-24T10:00")
        answered(page, page.get_by_role("button", name="Call").click)
        for key in ("1", "3"):  # the hours in English first, in another call
            answered(page, lambda key=key: page.keyboard.press(key))
        answered(page, page.get_by_role("button", name="Call").click)
        for key in ("2", "1"):  # Spanish, then sales
            answered(page, lambda key=key: page.keyboard.press(key))
        message = page.get_by_label("Message", exact=True)
        message.fill("Hola, llámenme para el presupuesto, por favor")
        answered(page, lambda: message.press("Enter"))
        page.get_by_role("region", name="Requests").locator("details").nth(1).evaluate(
            "details => details.open = true"
        )
        page.screenshot(path=path, full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], *(int(arg) for arg in sys.argv[2:]))
