"""Regenerate tests/report/fixtures/expected_2026-02-04.json from a fresh digest of the bundled day.

    .venv/bin/python -m tests.report.regen_expected

Only for a commit that changes the report on purpose; its message must say why.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import SNAPSHOT_DAY, pinned_sources_flags, scrapy_env
from tests.report.test_e2e_day import DAY, EXPECTED_REPORT, comparable


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "reports"
        cmd = [sys.executable, "-m", "scrapy", "digest", "--snapshot", str(SNAPSHOT_DAY), "--date", DAY,
               "--output-dir", str(out), "-s", f"NEWSBOT_DATA_DIR={tmp}/data", "-s", "NEWSBOT_ANALYZER=heuristic", *pinned_sources_flags()]  # fmt: skip
        subprocess.run(cmd, check=True, env=scrapy_env(), cwd=SNAPSHOT_DAY.parent.parent, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "newsbot.storage", "stop", f"{tmp}/data"], env=scrapy_env(), check=False)
        payload = json.loads((out / f"{DAY}.json").read_text(encoding="utf-8"))
    EXPECTED_REPORT.write_text(json.dumps(comparable(payload), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED_REPORT}")


if __name__ == "__main__":
    main()
