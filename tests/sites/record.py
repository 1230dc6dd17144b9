"""Write a site's expected.json from its fixtures: `python -m tests.sites.record NAME`.

Like Fundus' own generator: run it after adding or changing a fixture, then READ the diff: the test
only proves the parser still does what a human once checked. For a site with an article.html it leaves
an empty `article` section for the human to fill in; the test refuses it until then."""

from __future__ import annotations

import json
import sys

from tests.sites.test_sites import HERE, run_site


def record(name: str) -> None:
    path = HERE / name / "expected.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    run = run_site(name, HERE / name)
    current.update(items=run.items, stats=run.newsbot_stats())
    if (HERE / name / "article.html").is_file():
        current.setdefault("article", {"url": "", "text_contains": []})
    else:
        current.pop("article", None)
    path.write_text(json.dumps(current, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(run.items)} items")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        record(arg)
