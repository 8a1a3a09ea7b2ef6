"""Headless Debian Chromium through selenium: the one set-up shared by the screenshot and scale
benchmarks and the browser tests (``tests/test_browser.py``).

Needs Debian's ``chromium`` and ``chromium-driver`` (``make browser-deps``). Networking extras are
switched off, so a page that fetched anything would show it in the performance log, not be served.
"""

from __future__ import annotations

import os

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def available() -> bool:
    """True when Debian's chromium and chromedriver are installed."""
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


def chromium(profile: str, width: int = 1400, height: int = 900, *, logs: bool = False):
    """A headless Chromium ``webdriver.Chrome`` with its profile in ``profile`` (a directory).

    ``logs`` records the browser console and the performance (network) log, for tests that check
    for console errors and requests.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (*_ARGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    if logs:
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.set_script_timeout(60)
    return driver


def wait_ready(driver, timeout: float = 60.0) -> None:
    """Wait until the graph page says its first view is at rest (``window.kgReady``)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.kgReady === true")
    )


def wait_view(driver, timeout: float = 30.0) -> None:
    """Wait until the view the page is drawing is at rest (``<html data-kg-view-stable="true">``)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script("return document.documentElement.dataset.kgViewStable === 'true'")
    )
