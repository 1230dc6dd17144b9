"""Docs that run as written. Every shell command in README.md, docs/*.md and prompts/README.md is
either run here, in a throwaway copy of the project folder with test paths substituted, or matches a
rule below that says why it cannot be (a placeholder, a model provider, the suite itself). A new
command in the docs that fits neither fails the test.

Substitutions (the only liberties taken): the network is the bundled day (a live crawl replays
snapshots/2026-02-04, a live digest one source of it), scrapyd at :6800 is a local fake, /srv, /etc,
/var and /tmp paths are folders of the test, and the model is the local fake OpenAI server."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from newsbot.sources.catalog import SOURCES
from tests.analysis.fake_openai import FakeOpenAI
from tests.conftest import ROOT, scrapy_env
from tests.ops.conftest import basic_auth, free_port
from tests.ops.doc_commands import Command, all_commands
from tests.ops.test_schedule import FakeScrapyd

pytestmark = pytest.mark.slow

USER, PASSWORD = "newsbot", "change-me"  # the docs' example scrapyd credentials
VENV = Path(sys.executable).parent.parent

# (pattern, why it is not run). Everything else is run.
NOT_RUN = [
    (r"^scripts/install\.sh --test", "the test suite itself (CI's .ci/run runs it)"),
    (r"^export OPENAI_|^ollama |^vllm |^\.venv/bin/pip install |llama_cpp\.server", "sets up a model provider"),
    (r"^\.venv/bin/scrapy digest -s NEWSBOT_LLM_MODEL=", "a provider preset: needs that provider's endpoint and key"),
    (r"\.example[:/]|//example\.org/", "a placeholder host (example)"),
    (
        r"NEWSBOT_SOURCES_FILE=~/newsbot-sources\.toml",
        "a user's sources file naming a placeholder feed (tests/sources/test_user_sources.py runs list, crawl, "
        "digest, report, sources and schedule with one)",
    ),
    (r"bench/", "a benchmark, run by hand (a minute of simulated model latency)"),
    (r"scripts/realdays\.py", "the real days' gate, run by tests/analysis/test_realdays.py"),
    (r"NEWSBOT_RECORD=", "records the live network (tests/crawl/test_record.py records from a local server)"),
]
SUBSTITUTE = [
    # scripts/install.sh installs system packages: CI runs it, the suite runs in what it installed.
    ("scripts/install.sh && ", ""),
    ("/srv/newsbot", "{project}"),
    ("/etc/newsbot/env", "{env_file}"),
    ("/var/log/newsbot/", "{logs}/"),
    ("/var/lib/scrapyd", "{scrapyd_home}"),
    ("/srv/reports", "{project}/srv-reports"),
    ("/tmp/prompts-try", "{project}/prompts-try"),
    ("http://127.0.0.1:6800", "{scrapyd}"),
]
LINKED = ("newsbot", "tests", "prompts", "setup.py", "pyproject.toml", "scripts", "bench")
# What the workspace fixture itself puts in the project folder.
WORKSPACE_ENTRIES = {*LINKED, "snapshots", ".venv", "scrapy.cfg", "env.check"}
LIVE = re.compile(r"^\.venv/bin/scrapy (crawl|digest)\b")


class DeployableFakeScrapyd(FakeScrapyd):
    """The fake scrapyd of test_schedule, with the docs' credentials, which also takes an egg."""

    def handle(self, request):
        if request.path.strip("/") == "addversion.json":
            if request.headers.get("Authorization") != basic_auth(USER, PASSWORD):
                return 401, {}, "Unauthorized"
            self.eggs = getattr(self, "eggs", 0) + 1
            return self.answer({"status": "ok", "project": "newsbot", "version": "1", "spiders": len(SOURCES)})
        return super().handle(request)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, mongo_uri):
    """A copy of the project folder (links to the code, a .venv link to this virtualenv), a fake scrapyd,
    the fake model server, an environment file in the documented format, and a database of its own."""
    base = tmp_path_factory.mktemp("docs")
    project = base / "project"
    project.mkdir()
    for name in LINKED:
        (project / name).symlink_to(ROOT / name)
    (project / "snapshots").mkdir()  # a real folder: nothing a command writes lands in the repository
    (project / "snapshots" / "2026-02-04").symlink_to(ROOT / "snapshots" / "2026-02-04")
    (project / ".venv").symlink_to(VENV)
    # The shared folder sits beside a clone (the golden set's real rows and the docs' real day read it).
    (base / "shared").symlink_to(ROOT.parent / "shared")
    db_name = f"docs_{uuid.uuid4().hex[:8]}"
    client = MongoClient(mongo_uri, tz_aware=True)

    import tests.ops.conftest as ops

    servers = []

    def http_server(handler):
        server = ops.LocalHTTPServer(handler)
        servers.append(server)
        return server

    scrapyd = DeployableFakeScrapyd(http_server, db=client[db_name], polls_to_finish=0)
    scrapyd_auth = basic_auth(USER, PASSWORD)
    original = scrapyd.handle

    def handle(request):  # the docs' credentials, not test_schedule's
        if request.path.strip("/") != "addversion.json" and request.headers.get("Authorization") == scrapyd_auth:
            request.headers["Authorization"] = basic_auth("ops", "scrapyd-secret-pw")
        return original(request)

    scrapyd.server.handler = handle
    cfg = (ROOT / "scrapy.cfg").read_text(encoding="utf-8").replace("http://localhost:6800/", scrapyd.url + "/")
    (project / "scrapy.cfg").write_text(cfg, encoding="utf-8")

    uri = mongo_uri.replace("/?", f"/{db_name}?")
    env_file = base / "env"
    env_file.write_text(
        "\n".join(
            [
                f"MONGO_URI='{uri}'",
                f"SCRAPYD_USERNAME={USER}",
                f"SCRAPYD_PASSWORD='{PASSWORD}'",
                # The value that `env $(cat ... | xargs)` used to break: quoted, with spaces.
                "ARCHIVE_TOKEN='Bearer abc.def ghi'",
                "",
            ]
        ),
        encoding="utf-8",
    )
    env_file.chmod(0o600)
    scrapyd_home = base / "scrapyd-home"
    scrapyd_home.mkdir()
    (scrapyd_home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {free_port()}\nusername = {USER}\npassword = {PASSWORD}\n"
        f"eggs_dir = {scrapyd_home / 'eggs'}\nlogs_dir = {scrapyd_home / 'logs'}\ndbs_dir = {scrapyd_home / 'dbs'}\n",
        encoding="utf-8",
    )
    (base / "logs").mkdir()
    model = FakeOpenAI().start()
    env = {k: v for k, v in scrapy_env(MONGO_URI=uri).items() if not k.startswith(("SCRAPYD_", "NEWSBOT_", "OPENAI_"))}
    env.update(
        SCRAPYD_USERNAME=USER,
        SCRAPYD_PASSWORD=PASSWORD,
        OPENAI_API_KEY="sk-docs-test",
        OPENAI_BASE_URL=model.base_url,
        HOME=str(base),
    )
    env["PYTHONPATH"] = ""  # the project folder's own `newsbot` link, as an operator's checkout
    paths = {
        "project": str(project),
        "env_file": str(env_file),
        "logs": str(base / "logs"),
        "scrapyd_home": str(scrapyd_home),
        "scrapyd": scrapyd.url,
    }
    yield {"project": project, "env": env, "paths": paths, "scrapyd": scrapyd, "db": client[db_name], "model": model}
    model.stop()
    for server in servers:
        server.close()
    client.drop_database(db_name)
    client.close()


def not_run_reason(command: Command) -> str | None:
    for pattern, reason in NOT_RUN:
        if re.search(pattern, command.text):
            return reason
    return None


def substituted(command: Command, paths: dict) -> str:
    text = re.sub(r"\s+#\s.*$", "", command.text)  # a trailing comment
    for old, new in SUBSTITUTE:
        text = text.replace(old, new.format(**paths))
    if LIVE.match(text) and "--snapshot" not in text and "NEWSBOT_SNAPSHOT=" not in text:
        text += " -s NEWSBOT_SNAPSHOT=snapshots/2026-02-04 -s NEWSBOT_DATE=2026-02-04"
        if text.startswith(".venv/bin/scrapy digest") and "--sources" not in text:
            text += " --sources nvidia"
    return text


def run_daemon(text: str, workspace) -> None:
    """A command that starts scrapyd: started, asked for its status, then stopped."""
    proc = subprocess.Popen(
        ["/bin/sh", "-c", text],
        cwd=workspace["project"],
        env=cron_env(workspace),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    conf = (Path(workspace["paths"]["scrapyd_home"]) / "scrapyd.conf").read_text()
    port = re.search(r"http_port = (\d+)", conf).group(1)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/daemonstatus.json", auth=(USER, PASSWORD), timeout=2)
                if answer.status_code == 200:
                    assert answer.json()["status"] == "ok"
                    return
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "scrapyd did not start"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def cron_env(workspace) -> dict:
    """What cron gives a job: no MONGO_URI, no credentials; the environment file has to supply them."""
    return {"PATH": "/usr/bin:/bin", "HOME": workspace["env"]["HOME"], "SHELL": "/bin/sh", "LANG": "C.UTF-8"}


def test_every_doc_command_runs_or_says_why_not(workspace):
    commands = all_commands()
    assert len(commands) > 30
    env = dict(workspace["env"])
    failures, ran, skipped = [], [], []
    for command in commands:
        if reason := not_run_reason(command):
            skipped.append(f"{command} -> not run: {reason}")
            continue
        text = substituted(command, workspace["paths"])
        if text.startswith("export "):
            # An environment the next commands of the docs rely on: given to them.
            for name, value in re.findall(r"(\w+)=(\S+)", text):
                env[name] = value
            ran.append(str(command))
            continue
        if text.endswith("/scrapyd"):
            run_daemon(text, workspace)
            ran.append(str(command))
            continue
        from_cron = text.startswith("cd ") and "set -a" in text
        done = subprocess.run(
            ["/bin/sh", "-c", text],
            cwd=workspace["project"],
            env=cron_env(workspace) if from_cron else env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        out = done.stdout + done.stderr
        expected_code = 1 if any("error:" in line for line in command.expected_output) else 0
        if done.returncode != expected_code:
            failures.append(f"{command}\n  ran: {text}\n  exit {done.returncode}:\n{out[-2500:]}")
        elif command.expected_output and not any("..." in line for line in command.expected_output):
            missing = [line for line in command.expected_output if line.strip() and line not in out]
            if missing:
                failures.append(f"{command}\n  output lacks {missing}:\n{out[-1500:]}")
        elif command.expected_output:
            header = command.expected_output[0].split()
            if not any(line.split() == header for line in out.splitlines()):
                failures.append(f"{command}\n  no line {header}:\n{out[-1500:]}")
        ran.append(str(command))
    print("\n".join(["ran:", *ran, "", *skipped]))
    assert not failures, "\n\n".join(failures)

    # What the commands left behind is what the docs say.
    project, db = workspace["project"], workspace["db"]
    assert (project / "reports" / "2026-02-04.html").is_file(), "the README's main command wrote the day"
    assert (project / "srv-reports" / "2026-02-04.json").is_file(), "--output-dir was honoured"
    assert not (project / "prompts-try" / "prompts").exists(), "the copy recipe does not nest a second folder"
    assert (project / "newsbot.egg").is_file(), "--build-egg built the egg"
    assert workspace["scrapyd"].eggs >= 2, "scrapyd-deploy reached the (fake) node"
    log = (Path(workspace["paths"]["logs"]) / "schedule.log").read_text(encoding="utf-8")
    assert "all jobs finished; rendering the report" in log, "the crontab line ran the schedule"
    scheduled = [s for job in workspace["scrapyd"].scheduled for s in job["settings"]]
    snapshot = str((project / "snapshots" / "2026-02-04").resolve())
    assert f"NEWSBOT_SNAPSHOT={snapshot}" in scheduled, "the replay's relative path was resolved"
    assert db.reports.find_one({"date": "2026-02-04"})
    assert (project / "site" / "index.html").is_file(), "the README's publish wrote the site"
    # Everything the commands created in the project folder (but the test's own stand-ins for /srv and
    # /tmp) is ignored by git: following the README leaves a clean checkout.
    made = sorted({p.name for p in project.iterdir()} - WORKSPACE_ENTRIES - {"srv-reports", "prompts-try"})
    assert "my-prompts" in made and "site" in made, made
    for name in made:
        probe = f"{name}/x" if (project / name).is_dir() else name
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", probe], cwd=ROOT)
        assert ignored.returncode == 0, f"{name}, created by the docs' commands, is not ignored by git"


def test_the_env_file_recipe_keeps_quoted_values_whole(workspace):
    text = f"set -a && . {workspace['paths']['env_file']} && set +a && printf '%s' \"$ARCHIVE_TOKEN\""
    done = subprocess.run(["/bin/sh", "-c", text], env=cron_env(workspace), capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "Bearer abc.def ghi"
    docs = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    recipe = re.search(r"```env\n(.*?)```", docs, re.S).group(1)
    assert "ARCHIVE_TOKEN='Bearer abc.def ghi'" in recipe, "the documented file has the quoted example"
    shutil.copy(workspace["paths"]["env_file"], workspace["project"] / "env.check")
    check = subprocess.run(
        ["/bin/sh", "-c", "set -a && . ./env.check && set +a && env"],
        cwd=workspace["project"],
        env=cron_env(workspace),
        capture_output=True,
        text=True,
    )
    values = dict(line.split("=", 1) for line in check.stdout.splitlines() if "=" in line)
    assert values["SCRAPYD_PASSWORD"] == PASSWORD and values["MONGO_URI"].startswith("mongodb://")
    assert json.dumps(values["ARCHIVE_TOKEN"]) == '"Bearer abc.def ghi"'
