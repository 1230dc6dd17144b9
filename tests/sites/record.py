"""Write a site's expected.json from its fixtures: `python -m tests.sites.record NAME`.

Like Fundus' own generator: run it after adding or changing a fixture, then READ the diff: the test
only proves the parser still does what a human once checked."""

from __future__ import annotations

import json
import sys

from tests.sites.test_sites import HERE, run_site


def record(name: str) -> None:
    path = HERE / name / "expected.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    items, spider = run_site(name, HERE / name)
    stats = {k: v for k, v in spider.crawler.stats.get_stats().items() if k.startswith("newsbot/")}
    current.update(items=items, stats=stats)
    current.setdefault("article", {"url": "", "text_contains": []})
    path.write_text(json.dumps(current, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(items)} items")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        record(arg)
