"""Debian's Chromium driven by Playwright (no browser download), and numbered screenshots of each step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ACTION_TIMEOUT_MS = 30_000  # the UI on two busy cores; a locator waits this long before failing


@contextmanager
def chromium_page(user_data_dir: Path) -> Iterator[Page]:
    """One page of a headless Chromium with a fresh profile (Playwright passes it as --user-data-dir)."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.new_page()
            page.set_default_timeout(ACTION_TIMEOUT_MS)
            yield page
        finally:
            context.close()


class Steps:
    """Full-page screenshots named by step number under ``directory`` (the test's artefacts)."""

    def __init__(self, page: Page, directory: Path) -> None:
        self.page, self.directory, self.count = page, directory, 0
        self.last: Path | None = None
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.png"):
            old.unlink()

    def shot(self, name: str) -> Path:
        self.count += 1
        self.last = self.directory / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(self.last), full_page=True)
        return self.last
