"""scrapy schedule: one day's run on scrapyd. Every source is scheduled through schedule.json, then
the report is rendered and pushed once, after the last job has finished.

How "after the last job" is done, and why:
- This command polls listjobs.json until every job it scheduled is in `finished`. A job that
  crashed, was cancelled or was killed also ends up there, so the wait always ends; a job that
  vanished (scrapyd restarted) counts as finished after three polls; NEWSBOT_SCHEDULE_TIMEOUT caps it.
- Then it runs `scrapy report --date D --push` here, against the same MongoDB the jobs wrote to.
  The report reads MongoDB, never the jobs, so it does not matter which node ran what.
- The jobs run with NEWSBOT_REPORT_ON_CLOSE=False: concurrent jobs finish in any order, and one that
  rendered on close would push a partial day. The day is rendered and pushed exactly once.
- The alternative, a "report" job queued behind the crawls, would hold a scrapyd slot while it
  waits and needs a pseudo-spider; a plain process that cron starts is simpler and as robust.

Outcomes: scrapyd says only that a job ended, not how. Every job writes a run record (`runs`,
with its job id); a job without one crashed, one whose record says error/blocked or that stopped
early stored nothing useful. Either is named on stderr (with the last error line of its scrapyd
log) and the command exits 1, after rendering what the other jobs stored.

Overlap: if any newsbot job is still pending or running on a node, the previous run is not over;
the command says so and exits 0 without scheduling anything. Unreachable scrapyd: exit 1; with
several nodes, a node that is down is named and the day runs on the others (exit 1 at the end).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import httpx
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from newsbot.commands import check_start_up, narrow_sources, pick_sources, use_sources
from newsbot.commands.job_outcome import JobOutcomes
from newsbot.commands.outcome import push_failure
from newsbot.config import check_settings, config_for
from newsbot.sources.catalog import SOURCES
from newsbot.text.urls import mask_uri_password

DEFAULT_URL = "http://localhost:6800/"
# Polls without seeing a job anywhere before it is taken as lost (scrapyd restarted, history trimmed).
LOST_AFTER_POLLS = 3
# Settings holding a path: resolved against this command's working folder before a job gets them.
PATH_SETTINGS = (
    "NEWSBOT_DATA_DIR",
    "NEWSBOT_SNAPSHOT",
    "NEWSBOT_RECORD",
    "NEWSBOT_OUTPUT_DIR",
    "NEWSBOT_PROMPTS_DIR",
    "NEWSBOT_EVAL_CACHE_DIR",
)


class ScrapydError(RuntimeError):
    """A scrapyd call failed; the message is one line, without credentials."""


class Scrapyd:
    def __init__(self, url: str, auth: tuple[str, str] | None, timeout: float):
        self.url = url.rstrip("/") + "/"
        self.safe_url = mask_uri_password(self.url)
        self.client = httpx.Client(auth=auth, timeout=timeout)

    def call(self, endpoint: str, method: str = "GET", **params) -> dict:
        try:
            if method == "GET":
                response = self.client.get(self.url + endpoint, params=params)
            else:
                response = self.client.post(self.url + endpoint, data=params)
        except httpx.TimeoutException:
            raise ScrapydError(f"scrapyd at {self.safe_url} did not answer in time ({endpoint})") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise ScrapydError(f"cannot reach scrapyd at {self.safe_url}: {reason}") from None
        if response.status_code == 401:
            raise ScrapydError(
                f"scrapyd at {self.safe_url} refused the credentials (HTTP 401); "
                "set SCRAPYD_USERNAME and SCRAPYD_PASSWORD in the environment"
            )
        if response.status_code >= 400:
            raise ScrapydError(f"scrapyd at {self.safe_url} answered HTTP {response.status_code} to {endpoint}")
        try:
            data = response.json()
        except ValueError:
            raise ScrapydError(f"{self.safe_url}{endpoint} did not answer JSON: is this a scrapyd?") from None
        if data.get("status") != "ok":
            message = str(data.get("message", data))[:300]
            if "not found" in message and "project" in message:
                message += "; deploy it first with `scrapyd-deploy`"
            raise ScrapydError(f"scrapyd at {self.safe_url}: {endpoint}: {message}")
        return data

    def close(self) -> None:
        self.client.close()


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self):
        return "[--url URL ...] [--project P] [--sources a,b] [--date YYYY-MM-DD] [-j NAME=VALUE ...]"

    def short_desc(self):
        return "Schedule one day's crawl of every source on scrapyd, then render and push the report"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument(
            "--url",
            action="append",
            metavar="URL",
            help=f"scrapyd URL (repeat, or comma-separate, for several nodes; default {DEFAULT_URL})",
        )
        parser.add_argument("--project", default="newsbot", help="scrapyd project name (default: newsbot)")
        parser.add_argument("--sources", metavar="a,b", help="comma-separated spider names (default: all)")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="report day (default: today in NEWSBOT_TIMEZONE)")
        parser.add_argument(
            "-j",
            "--job-setting",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a Scrapy setting for every crawl job (repeatable)",
        )
        parser.add_argument("--no-report", action="store_true", help="wait for the jobs but render nothing")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        narrow_sources(self.settings, opts.sources)
        check_start_up(self.settings)
        use_sources(self.settings)
        if opts.date:
            try:
                date.fromisoformat(opts.date)
            except ValueError as exc:
                raise UsageError(f"--date must be YYYY-MM-DD, not {opts.date!r}") from exc
        for item in opts.job_setting:
            if "=" not in item:
                raise UsageError(f"--job-setting must be NAME=VALUE, not {item!r}")

    def run(self, args, opts):
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}")
        names = pick_sources(self.settings, opts.sources)
        urls = [u.strip() for value in (opts.url or [DEFAULT_URL]) for u in value.split(",") if u.strip()]
        user = os.environ.get("SCRAPYD_USERNAME") or ""
        auth = (user, os.environ.get("SCRAPYD_PASSWORD") or "") if user else None
        config = config_for(self.settings)
        nodes = [Scrapyd(url, auth, config.health.schedule_http_timeout) for url in urls]
        day = opts.date or datetime.now(config.report.timezone).date()
        try:
            self.exitcode = self.schedule_day(nodes, opts.project, names, str(day), opts)
        except ScrapydError as exc:
            print(f"newsbot: error: {exc}", file=sys.stderr)
            self.exitcode = 1
        finally:
            for node in nodes:
                node.close()

    # -- steps --------------------------------------------------------------------------------------
    def schedule_day(self, nodes: list[Scrapyd], project: str, names: list[str], day: str, opts) -> int:
        settings = self.job_settings(opts)
        up, busy = [], []
        for node in nodes:
            try:
                node.call("daemonstatus.json")
                listing = node.call("listjobs.json", project=project)
            except ScrapydError as exc:
                if "not found" in str(exc) or "credentials" in str(exc):
                    raise
                # A node that is down is named; the day still runs on the others (they share one MongoDB).
                others = "; the day runs on the other node(s)" if len(nodes) > 1 else ""
                print(f"newsbot: error: {exc}{others}", file=sys.stderr)
                continue
            up.append(node)
            for state in ("running", "pending"):
                for job in listing.get(state, []):
                    if job.get("spider") in SOURCES:
                        since = f" since {job['start_time'][:19]}" if job.get("start_time") else ""
                        busy.append(f"{job['spider']} {state}{since} on {node.safe_url} (job {job.get('id')})")
        if not up:
            return 1
        if busy:
            print(f"newsbot: the previous run is still in progress; not starting another. {len(busy)} job(s):")
            for line in busy:
                print(f"  {line}")
            return 0
        for node in up:
            deployed = set(node.call("listspiders.json", project=project).get("spiders", []))
            missing = [n for n in names if n not in deployed]
            if missing:
                spiders = ", ".join(missing)
                raise ScrapydError(
                    f"{node.safe_url}: project {project!r} has no spider {spiders}; redeploy it (a source of your"
                    " own must be named by NEWSBOT_SOURCES_FILE in the deployed settings: README, scrapyd)"
                )

        batch = uuid.uuid4().hex[:8]
        jobs: dict[str, tuple[Scrapyd, str]] = {}
        failed = len(nodes) - len(up)
        for i, name in enumerate(names):
            # Round-robin over the nodes: they share one MongoDB, so any node can crawl any source.
            node = up[i % len(up)]
            jobid = f"{day}_{name}_{batch}"
            try:
                node.call("schedule.json", "POST", project=project, spider=name, jobid=jobid, setting=settings)
            except ScrapydError as exc:
                print(f"newsbot: error: could not schedule {name}: {exc}", file=sys.stderr)
                failed += 1
                continue
            jobs[jobid] = (node, name)
            print(f"scheduled {name} on {node.safe_url} (job {jobid})")
        sys.stdout.flush()
        if not jobs:
            return 1
        outcomes = JobOutcomes(self.settings)
        try:
            complete = self.wait(jobs, project, outcomes)
        finally:
            outcomes.close()
        if outcomes.failed:
            names_failed = ", ".join(outcomes.failed)
            print(f"newsbot: error: {len(outcomes.failed)} job(s) failed: {names_failed}", file=sys.stderr)
        code = 0 if complete and not failed and not outcomes.failed else 1
        if opts.no_report:
            return code
        if not outcomes.ok:
            # No job read a feed: like a digest, the day is not rendered and an earlier report of it stays.
            line = f"no source produced a good feed; no report written or stored for {day}"
            print(f"newsbot: error: {line}", file=sys.stderr)
            push_failure(self.settings, f"newsbot：{day} 日报未生成：{len(names)} 个来源都没有取得可用的 feed")
            return 1
        return self.render_report(day, opts) or code

    def job_settings(self, opts) -> list[str]:
        """Settings every job gets: the store this command reads (so the report sees what the
        jobs wrote), no report on close, the day, then the operator's --job-setting values."""
        config = config_for(self.settings)
        out = {
            "NEWSBOT_REPORT_ON_CLOSE": "False",
            "MONGO_DATABASE": config.store.mongo_database,
            "NEWSBOT_DATA_DIR": config.store.data_dir,
        }
        if opts.date:
            out["NEWSBOT_DATE"] = opts.date
        sources_file = config.crawl.sources_file
        if sources_file:
            # The jobs read the same sources file ("package:file" in the egg, or a path on the node).
            package, sep, _ = sources_file.partition(":")
            bundled = sep and package.isidentifier()
            out["NEWSBOT_SOURCES_FILE"] = sources_file if bundled else str(Path(sources_file).expanduser().resolve())
        for item in opts.job_setting:
            key, _, value = item.partition("=")
            out[key.strip()] = value
        # Jobs run in scrapyd's working folder, not ours: a relative path (the embedded database's
        # folder, a snapshot to replay) is resolved here, where the operator wrote it.
        for key in PATH_SETTINGS:
            if out.get(key) and not Path(out[key]).expanduser().is_absolute():
                out[key] = str(Path(out[key]).expanduser().resolve())
        job = Settings(self.settings.copy_to_dict())
        job.setdict(out, priority="cmdline")
        problems = [p for p in check_settings(job, environ={}) if any(k in p for k in out)]
        if problems:
            raise ScrapydError(f"-j: {problems[0]}")
        return [f"{k}={v}" for k, v in out.items()]

    def wait(self, jobs: dict[str, tuple[Scrapyd, str]], project: str, outcomes: JobOutcomes) -> bool:
        """Poll listjobs.json until every job has finished, reading each one's outcome; False on timeout."""
        health = config_for(self.settings).health
        poll = max(0.05, health.schedule_poll)
        deadline = time.monotonic() + health.schedule_timeout
        remaining = dict(jobs)
        unseen: dict[str, int] = {}
        warned: set[str] = set()
        while remaining:
            for node in {id(n): n for n, _ in remaining.values()}.values():
                try:
                    listing = node.call("listjobs.json", project=project)
                except ScrapydError as exc:
                    # A node restarting mid-run is not the end of the day: keep polling until the timeout.
                    if node.url not in warned:
                        print(f"newsbot: warning: {exc}; still waiting", file=sys.stderr)
                        warned.add(node.url)
                    continue
                warned.discard(node.url)
                finished = {j["id"]: j for j in listing.get("finished", [])}
                active = {j["id"] for j in listing.get("pending", []) + listing.get("running", [])}
                for jobid, (owner, name) in list(remaining.items()):
                    if owner is not node:
                        continue
                    if jobid in finished:
                        outcomes.report(node, jobid, name, finished[jobid])
                        del remaining[jobid]
                    elif jobid in active:
                        unseen.pop(jobid, None)
                    else:
                        unseen[jobid] = unseen.get(jobid, 0) + 1
                        if unseen[jobid] >= LOST_AFTER_POLLS:
                            print(
                                f"newsbot: warning: job {jobid} ({name}) vanished from {node.safe_url}", file=sys.stderr
                            )
                            outcomes.report(node, jobid, name, None)
                            del remaining[jobid]
            sys.stdout.flush()
            if not remaining:
                return True
            if time.monotonic() >= deadline:
                left = ", ".join(sorted(name for _, name in remaining.values()))
                print(f"newsbot: error: timed out waiting for {left}; reporting what is stored", file=sys.stderr)
                return False
            time.sleep(poll)
        return True

    def render_report(self, day: str, opts) -> int:
        """`scrapy report --date D --push` in a child process: the one code path that renders and
        delivers a day, with this command's -s settings."""
        # The jobs crawled the day: a day whose feeds were all empty is still reported, as an empty day.
        cmd = [sys.executable, "-m", "scrapy", "report", "--date", day, "--allow-empty"]
        # Pushed when there is somewhere to push to; a push that fails then fails this command too.
        delivery = config_for(self.settings).delivery
        if delivery.enabled and delivery.channels:
            cmd.append("--push")
        for item in opts.set or []:
            cmd += ["-s", item]
        if opts.sources:
            cmd += ["-s", "NEWSBOT_SOURCES=" + ",".join(config_for(self.settings).crawl.sources)]
        if opts.loglevel:
            cmd += ["-L", opts.loglevel]
        print(f"all jobs finished; rendering the report for {day}")
        sys.stdout.flush()
        return subprocess.run(cmd, check=False).returncode
