"""Screenshots of the pages for the README, taken in Chromium from a running ``kg serve``.

python tests/screenshots.py [--url http://127.0.0.1:5000] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "home": "/",
    "query": "/sparql",
    "entity": "/page/russia",
    "threat": "/page/threat/new-axis-of-totalitarianism/arms-race",
    "reading": "/document/new-axis-of-totalitarianism",
    "threat-map": "/threats",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        for name, path in PAGES.items():
            if name == "query":
                page.goto(args.url + "/sparql")
                page.get_by_role("link", name="Run: Entities mentioned most often").click()
                page.wait_for_selector("table tbody tr")
            else:
                page.goto(args.url + path)
            target = args.out / f"{name}.jpg"
            page.screenshot(path=str(target), type="jpeg", quality=70)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
