"""Operating podstack: version reporting, Prometheus metrics, init hooks, JSON logs, the health command."""
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import BIN, PodstackServer, wait_until


def cli(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60)


def http_get(server, path):
    try:
        with urllib.request.urlopen(server.endpoint + path, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(server):
    """/_podstack/metrics as {(name, ((label, value), ...)): float}; checks the text format on the way."""
    status, ctype, body = http_get(server, "/_podstack/metrics")
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    samples, typed = {}, set()
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample: {line!r}"
        name, labels, value = m.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or family in typed, f"{name} has no # TYPE"
        samples[(name, tuple(sorted(LABEL.findall(labels or ""))))] = float(value)
    return samples


def metric(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def test_version_is_the_same_everywhere(server):
    """Rollback by image tag needs to know what runs: the CLI, /_podstack/version and /_localstack/info agree."""
    status, _, body = http_get(server, "/_podstack/version")
    assert status == 200
    v = json.loads(body)
    assert set(v) == {"version", "commit", "build_date", "store_format", "pod_format"}
    assert v["store_format"] >= 1 and v["pod_format"] >= 1 and v["commit"]
    assert json.loads(cli("version", "--json").stdout) == v
    line = cli("--version").stdout
    assert v["version"] in line and v["commit"] in line and f"store format {v['store_format']}" in line
    info = server.get_json("/_localstack/info")
    assert info["version"] == v["version"] and info["commit"] == v["commit"]
    assert any(v["commit"] in l for l in server.log_lines[:3]), "the startup log names the build"


def test_metrics_count_requests_by_service_operation_and_status(server):
    """Requests by service/operation/status, latency histograms and the log's growth, in Prometheus text."""
    ssm = server.client("ssm")
    for i in range(3):
        ssm.put_parameter(Name=f"/m/{i}", Value="v", Type="String")
    with pytest.raises(ClientError):
        ssm.get_parameter(Name="/m/missing")
    s = scrape(server)
    assert metric(s, "podstack_requests_total", service="ssm", operation="PutParameter", status="200") == 3
    assert metric(s, "podstack_requests_total", service="ssm", operation="GetParameter", status="400") == 1
    put = dict(service="ssm", operation="PutParameter")
    buckets = sorted(((float(dict(k[1])["le"]), v) for k, v in s.items()
                      if k[0] == "podstack_request_duration_seconds_bucket" and dict(k[1]).get("operation") == "PutParameter"))
    counts = [v for _, v in buckets]
    assert counts == sorted(counts) and buckets[-1] == (float("inf"), 3)
    assert metric(s, "podstack_request_duration_seconds_count", **put) == 3
    assert metric(s, "podstack_request_duration_seconds_sum", **put) > 0
    assert metric(s, "podstack_events_appended_total") == 3
    assert metric(s, "podstack_last_sequence") == 3
    assert metric(s, "podstack_ready") == 1
    assert metric(s, "podstack_store_bytes", column_family="events") > 0
    assert metric(s, "podstack_startup_replay_seconds") >= 0
    # Internal endpoints are counted by their first two path segments, not per pod or service name.
    http_get(server, "/_localstack/health")
    assert metric(scrape(server), "podstack_requests_total", service="internal", operation="/_localstack/health", status="200") == 1


def test_metrics_checkpoint_and_replay_after_restart(server):
    """After a restart the metrics say where the checkpoint is, how old it is and what startup replayed."""
    ssm = server.client("ssm")
    for i in range(4):
        ssm.put_parameter(Name=f"/c/{i}", Value="v", Type="String")
    server.crash_restart()  # kill -9: no shutdown checkpoint, so startup replays all 4
    s = scrape(server)
    assert metric(s, "podstack_startup_replayed_events") == 4
    assert metric(s, "podstack_checkpoint_sequence") == 0
    assert metric(s, "podstack_events_since_checkpoint") == 4
    server.restart()  # graceful: a checkpoint at 4, nothing to replay
    s = scrape(server)
    assert metric(s, "podstack_checkpoint_sequence") == 4
    assert metric(s, "podstack_startup_replayed_events") == 0
    assert 0 <= metric(s, "podstack_checkpoint_age_seconds") < 600


def test_metrics_count_pod_saves_and_loads(server):
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/p", Value="v", Type="String")
    assert server.post("/_podstack/pods/base")[0] == 200
    assert server.post("/_podstack/pods/base/load")[0] == 200
    with pytest.raises(urllib.error.HTTPError):
        server.post("/_podstack/pods/nothing/load")
    s = scrape(server)
    assert metric(s, "podstack_pod_saves_total") == 1
    assert metric(s, "podstack_pod_loads_total") == 1
    assert metric(s, "podstack_pod_load_errors_total") == 1


def write_script(path, body, executable=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755 if executable else 0o644)


# A hook that writes through the server with boto3; Debian's boto3 (1.26) does not read
# AWS_ENDPOINT_URL itself, so the script passes what podstack set.
PUT_PARAM = (f'{sys.executable} -c "import boto3, os, sys; boto3.client(\'ssm\', endpoint_url=os.environ[\'AWS_ENDPOINT_URL\'])'
             '.put_parameter(Name=sys.argv[1], Value=sys.argv[2], Type=\'String\', Overwrite=True)" ')


def test_init_hooks_run_at_each_stage_and_report_like_localstack(tmp_path):
    """boot.d/start.d/ready.d/shutdown.d run in order with their output logged; /_localstack/init has
    LocalStack's shape; healthy only after ready.d; a failing script does not stop the next one."""
    init, go = tmp_path / "init", tmp_path / "go"
    write_script(init / "boot.d" / "01-boot.sh", 'echo "hello from boot $AWS_ENDPOINT_URL"\n')
    write_script(init / "start.d" / "01-start.sh", "echo start\n")
    # ready.d: files of a directory before its subdirectories, in name order.
    write_script(init / "ready.d" / "01-create.sh", PUT_PARAM + '/init/ready created\n')
    write_script(init / "ready.d" / "02-fail.sh", "echo about to fail >&2; exit 3\n")
    write_script(init / "ready.d" / "a-sub" / "01-wait.sh", f'while [ ! -e "{go}" ]; do sleep 0.05; done\necho released\n')
    write_script(init / "ready.d" / "03-not-executable.sh", "exit 0\n", executable=False)
    write_script(init / "shutdown.d" / "01-bye.sh", PUT_PARAM + '/init/shutdown ran\n')
    s = PodstackServer(tmp_path / "d", env={"INIT_DIR": str(init)}).start()
    try:
        wait_until(lambda: s.get_json("/_localstack/init/ready")["scripts"][2]["state"] == "RUNNING", what="01-wait.sh")
        status, _, body = http_get(s, "/_localstack/health")
        assert status == 503 and json.loads(body)["ready"] is False
        assert cli("health", "--endpoint", s.endpoint).returncode == 1
        doc = s.get_json("/_localstack/init")
        assert doc["completed"] == {"BOOT": True, "START": True, "READY": False, "SHUTDOWN": False}
        # The server already answers while ready.d runs: 01-create.sh wrote through it.
        assert s.client("ssm").get_parameter(Name="/init/ready")["Parameter"]["Value"] == "created"
        go.write_text("")
        wait_until(lambda: any(l.endswith("Ready.") for l in s.log_lines), what="Ready.")
        assert http_get(s, "/_localstack/health")[0] == 200
        assert cli("health", "--endpoint", s.endpoint).returncode == 0
        doc = s.get_json("/_localstack/init")
        assert doc["completed"] == {"BOOT": True, "START": True, "READY": True, "SHUTDOWN": False}
        assert [(x["stage"], x["name"], x["state"]) for x in doc["scripts"]] == [
            ("BOOT", "01-boot.sh", "SUCCESSFUL"), ("START", "01-start.sh", "SUCCESSFUL"),
            ("READY", "01-create.sh", "SUCCESSFUL"), ("READY", "02-fail.sh", "ERROR"),
            ("READY", "01-wait.sh", "SUCCESSFUL"), ("SHUTDOWN", "01-bye.sh", "UNKNOWN")]
        assert s.get_json("/_localstack/init/boot") == {"completed": True, "scripts": [doc["scripts"][0]]}
        assert http_get(s, "/_localstack/init/nosuchstage")[0] == 404
        log = "\n".join(s.log_lines)
        assert re.search(r"init: BOOT \S+01-boot.sh: hello from boot http://127\.0\.0\.1:\d+", log)
        assert "02-fail.sh: about to fail" in log and "02-fail.sh failed with exit code 3" in log
        assert "03-not-executable.sh is not executable" in log
        assert s.stop() == 0
        assert any("01-bye.sh succeeded" in l for l in s.log_lines)
        # shutdown.d ran while the server still answered, and its write was checkpointed.
        s.start()
        assert s.client("ssm").get_parameter(Name="/init/shutdown")["Parameter"]["Value"] == "ran"
    finally:
        go.write_text("")
        s.stop()


def test_server_without_ready_hooks_is_healthy_when_listening(server):
    """No ready.d scripts: healthy as soon as the server listens; every stage but SHUTDOWN reported completed."""
    assert http_get(server, "/_localstack/health")[0] == 200
    assert server.get_json("/_localstack/init")["completed"] == {"BOOT": True, "START": True, "READY": True, "SHUTDOWN": False}
    r = cli("health", "--json", "--endpoint", server.endpoint)
    assert r.returncode == 0 and json.loads(r.stdout)["ready"] is True


def test_health_command_without_a_server_fails(tmp_path):
    r = cli("health", "--endpoint", "http://127.0.0.1:1")
    assert r.returncode == 1 and "no server answers" in r.stderr


def test_json_logs_are_one_object_per_line(tmp_path):
    """LOG_FORMAT=json: every log line is a JSON object (quotes and newlines in messages escaped)."""
    init = tmp_path / "init"
    write_script(init / "boot.d" / "q.sh", "echo 'a \"quoted\" \\\\ word'\n")
    s = PodstackServer(tmp_path / "d", env={"LOG_FORMAT": "json", "INIT_DIR": str(init)}).start()
    try:
        s.client("ssm").put_parameter(Name="/j", Value="v", Type="String")
    finally:
        s.stop()
    records = [json.loads(l) for l in s.log_lines]
    assert all(set(r) == {"time", "level", "msg"} and r["time"].endswith("Z") for r in records)
    assert any("listening on" in r["msg"] for r in records)
    assert any(r["msg"].endswith('q.sh: a "quoted" \\ word') for r in records)
    assert any("stopped cleanly" in r["msg"] for r in records)


def test_bad_log_format_stops_startup(tmp_path):
    s = PodstackServer(tmp_path / "d", env={"LOG_FORMAT": "yaml"})
    with pytest.raises(RuntimeError, match="LOG_FORMAT='yaml' is not text or json"):
        s.start()
