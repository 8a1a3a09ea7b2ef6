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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chromium import chromium, wait_ready, wait_view  # noqa: E402
from kg.fileio import atomic_write  # noqa: E402


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
        driver = chromium(profile, args.width, args.height)
        try:
            start = time.perf_counter()
            driver.get(args.html.resolve().as_uri())
            wait_ready(driver, args.timeout)
            wall = time.perf_counter() - start
            stats = driver.execute_script(
                "return {timings: window.kgTimings, view: kg.view().type, visible: kg.visibleNodes().length,"
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
                wait_view(driver)
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
