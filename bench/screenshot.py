"""Open a graph.html in headless Chromium, wait until its layout is at rest, save a PNG, time it.

    python bench/screenshot.py exports/graph.html docs/screenshot.png [--select LoRA] [--neighbourhood]

Prints the time from navigation start until the page set ``window.kgReady`` (layout stabilized,
physics off), as measured by the page itself (``window.kgStableMs``), and the wall time of the load.
Needs Debian's ``chromium`` and ``chromium-driver`` (``make browser-deps``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from kg.fileio import atomic_write

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium(width: int, height: int, profile: str) -> webdriver.Chrome:
    """Headless Debian Chromium with networking extras switched off."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
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
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path, help="a graph.html written by kg.export.html.write_html")
    ap.add_argument("png", type=Path, help="where to save the screenshot")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the layout")
    ap.add_argument("--select", metavar="TEXT", help="search for TEXT and select the best match first")
    ap.add_argument("--zoom", action="store_true", help="zoom to the selected node")
    ap.add_argument("--neighbourhood", action="store_true", help="switch the neighbourhood mode on")
    args = ap.parse_args(argv)
    if not args.html.is_file():
        ap.error(f"no such file: {args.html}")

    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        driver = chromium(args.width, args.height, profile)
        try:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False},
            )
            start = time.perf_counter()
            driver.get(args.html.resolve().as_uri())
            WebDriverWait(driver, args.timeout, poll_frequency=0.05).until(
                lambda d: d.execute_script("return window.kgReady === true")
            )
            wall = time.perf_counter() - start
            stats = driver.execute_script(
                "return {timings: window.kgTimings, layoutCut: window.kgLayoutCut || null,"
                " nodes: network.body.data.nodes.length, edges: network.body.data.edges.length,"
                " physics: network.physics.options.enabled}"
            )
            if args.neighbourhood:
                driver.execute_script("document.getElementById('kg-neighbourhood').click()")
            if args.select:
                hits = driver.execute_script("return window.kgSearch(arguments[0])", args.select)
                if not hits:
                    print(f"no node matches {args.select!r}", file=sys.stderr)
                    return 1
                driver.execute_script("window.kgSelect(arguments[0], arguments[1])", hits[0], args.zoom)
                time.sleep(1.0)  # the focus animation
            time.sleep(0.3)
            with atomic_write(args.png, "wb") as f:
                f.write(driver.get_screenshot_as_png())
        finally:
            driver.quit()
    stats["loadWallS"] = round(wall, 2)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
