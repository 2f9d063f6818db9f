"""Take the README's screenshots (docs/workbench.png, docs/report.png) with the headless
Chromium the browser tests use, on a run of the bundled sample data in a temporary folder.

    .venv/bin/python scripts/screenshots.py
"""

import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resolver.config import load_config  # noqa: E402
from resolver.job import execute  # noqa: E402
from resolver.review import review_queue  # noqa: E402
from resolver.workbench.server import make_server  # noqa: E402
from tests.chromium import chromium  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in ("configs", "sample_data"):
            shutil.copytree(ROOT / name, root / name)
        (root / "sample_data" / "decisions.csv").unlink(missing_ok=True)
        out = root / "out"
        execute(load_config(root / "configs" / "sample.toml"), out, "parquet")
        server = make_server(out, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        pair = review_queue(out, 5).pairs.row(4, named=True)
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1100, "height": 760})
            page.goto(server.url)
            page.goto(server.url.split("/?")[0] + "/pair?" + urlencode(
                {"a": pair["record_a"], "b": pair["record_b"]}))
            page.screenshot(path=ROOT / "docs" / "workbench.png")
            page.goto((out / "report.html").as_uri())
            page.locator("h2", has_text="Match weights").evaluate("e => e.scrollIntoView()")
            page.screenshot(path=ROOT / "docs" / "report.png")
        server.shutdown()


if __name__ == "__main__":
    main()
