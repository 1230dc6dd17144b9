"""Run one real day of ../shared/realdays offline (heuristic analyzer) and score its JSON report.

usage: .venv/bin/python scripts/realdays.py 2026-08-04 [2026-07-23 ...] [--keep DIR]

Runs the digest and score commands of ../shared/realdays/README.md, with paths read relative to the
repository, prints score.py's line for each day and exits 1 when any day falls short of the bar.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REALDAYS = REPO.parent / "shared" / "realdays"


def run_day(day: str, work: Path) -> int:
    day_dir = REALDAYS / day
    sources_file = day_dir / "sources.toml"
    if not sources_file.exists():
        sources_file = REALDAYS / "sources.toml"
    names = [s["name"] for s in tomllib.loads(sources_file.read_text("utf-8"))["source"]]
    data, out = work / day / "data", work / day / "out"
    digest = [
        sys.executable, "-m", "scrapy", "digest", "--snapshot", str(day_dir), "--date", day,
        "-s", f"NEWSBOT_SOURCES_FILE={sources_file}",
        "-s", f"NEWSBOT_SOURCES={','.join(names)}",
        "-s", f"NEWSBOT_DATA_DIR={data}", "-s", "NEWSBOT_ANALYZER=heuristic",
        "--output-dir", str(out),
    ]  # fmt: skip
    try:
        done = subprocess.run(digest, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-4000:])
            print(f"{day}: digest failed ({done.returncode})")
            return 1
        score = [sys.executable, str(REALDAYS / "score.py"), str(day_dir / "labels.json"), str(out / f"{day}.json")]
        scored = subprocess.run(score, capture_output=True, text=True)
        print(f"{day}: {scored.stdout.strip()}{scored.stderr.strip()}")
        return scored.returncode
    finally:
        stop = [sys.executable, "-m", "newsbot.storage", "stop", str(data)]
        subprocess.run(stop, cwd=REPO, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("days", nargs="+")
    parser.add_argument("--keep", help="keep the runs' data and reports in this folder")
    args = parser.parse_args(argv)
    if not REALDAYS.is_dir():
        print(f"missing {REALDAYS}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        failed = [day for day in args.days if run_day(day, work)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
