"""LocalStack's configuration names: accepted where podstack has the concept,
refused with one sentence where it cannot honour them, warned about when unknown."""
import os
import subprocess

import pytest

from podstack_server import BIN, PodstackServer


def serve_fails(tmp_path, **env):
    """Runs `podstack serve` with env added; it must exit non-zero before listening. Its stderr."""
    full = {**os.environ, "DATA_DIR": str(tmp_path / "d"), "GATEWAY_LISTEN": "127.0.0.1:0", **env}
    r = subprocess.run([BIN, "serve"], env=full, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, r.stderr
    assert "listening on" not in r.stderr
    return r.stderr


def test_unknown_localstack_names_warn_once_each_without_their_values(tmp_path):
    s = PodstackServer(tmp_path / "d", env={"LOCALSTACK_AUTH_TOKEN": "ls-secret-token", "LOCALSTACK_FOO": "1",
                                            "LOCALSTACK_HOST": "localhost.localstack.cloud",
                                            "EAGER_SERVICE_LOADING": "1"}).start()
    try:
        log = "\n".join(s.log_lines)
        for name in ("LOCALSTACK_AUTH_TOKEN", "LOCALSTACK_FOO"):
            lines = [l for l in s.log_lines if f"{name} is not a setting podstack knows" in l]
            assert len(lines) == 1, log
        assert "ls-secret-token" not in log
        # Known names (and EAGER_SERVICE_LOADING, a no-op) are not warned about.
        assert "LOCALSTACK_HOST is not" not in log
        assert "EAGER_SERVICE_LOADING" not in log
    finally:
        s.stop()


def test_enforce_iam_is_accepted_and_logged_as_not_enforced(tmp_path):
    s = PodstackServer(tmp_path / "d", env={"ENFORCE_IAM": "1"}).start()
    try:
        assert len([l for l in s.log_lines if "ENFORCE_IAM" in l and "not enforce" in l]) == 1
        s.client("ssm").put_parameter(Name="/x", Value="v", Type="String")  # allowed
    finally:
        s.stop()


@pytest.mark.parametrize("name,value,words", [
    ("SNAPSHOT_LOAD_STRATEGY", "MANUAL", "SNAPSHOT_LOAD_STRATEGY=MANUAL is not supported"),
    ("SNAPSHOT_SAVE_STRATEGY", "manual", "SNAPSHOT_SAVE_STRATEGY=MANUAL is not supported"),
    ("SNAPSHOT_LOAD_STRATEGY", "ON_SHUTDOWN", "SNAPSHOT_LOAD_STRATEGY='ON_SHUTDOWN' is not a snapshot strategy"),
    ("SNAPSHOT_SAVE_STRATEGY", "sometimes", "SNAPSHOT_SAVE_STRATEGY='sometimes' is not a snapshot strategy"),
    ("LS_LOG", "chatty", "LS_LOG='chatty' is not one of"),
    ("LOCALSTACK_HOST", "http://x", "LOCALSTACK_HOST='http://x' is not HOST or HOST:PORT"),
])
def test_strategies_podstack_cannot_honour_stop_startup(tmp_path, name, value, words):
    assert words in serve_fails(tmp_path, **{name: value})


def test_strategies_podstack_covers_are_accepted_with_a_note(tmp_path):
    s = PodstackServer(tmp_path / "d", env={"SNAPSHOT_LOAD_STRATEGY": "ON_REQUEST",
                                            "SNAPSHOT_SAVE_STRATEGY": "ON_SHUTDOWN"}).start()
    try:
        s.wait_for_log("SNAPSHOT_SAVE_STRATEGY=ON_SHUTDOWN: podstack writes every request")
        s.wait_for_log("SNAPSHOT_LOAD_STRATEGY=ON_REQUEST")
    finally:
        s.stop()


def test_localstack_persistence_is_persistence(tmp_path):
    # PERSISTENCE empty (unset): LOCALSTACK_PERSISTENCE decides.
    s = PodstackServer(tmp_path / "d", env={"PERSISTENCE": "", "LOCALSTACK_PERSISTENCE": "1"}).start()
    try:
        s.client("ssm").put_parameter(Name="/kept", Value="v", Type="String")
        s.restart()
        assert s.client("ssm").get_parameter(Name="/kept")["Parameter"]["Value"] == "v"
    finally:
        s.stop()
    s = PodstackServer(tmp_path / "e", env={"PERSISTENCE": "", "LOCALSTACK_PERSISTENCE": "0"}).start()
    try:
        s.client("ssm").put_parameter(Name="/lost", Value="v", Type="String")
        s.restart()
        assert s.state()["last_sequence"] == 0
    finally:
        s.stop()


def test_ls_log_sets_the_level_unless_log_level_does(tmp_path):
    s = PodstackServer(tmp_path / "d", env={"LOG_LEVEL": "", "LS_LOG": "debug"}).start()
    try:
        s.client("ssm").describe_parameters()
        s.wait_for_log("ssm.DescribeParameters")  # debug: one line per request
    finally:
        s.stop()
    s = PodstackServer(tmp_path / "e", env={"LOG_LEVEL": "info", "LS_LOG": "debug"}).start()
    try:
        s.client("ssm").describe_parameters()
        s.get_json("/_localstack/health")
        assert not any("ssm.DescribeParameters" in l for l in s.log_lines)
    finally:
        s.stop()


def test_localstack_host_names_sqs_queue_urls(tmp_path):
    s = PodstackServer(tmp_path / "d", env={"LOCALSTACK_HOST": "podstack.test:4599"}).start()
    try:
        url = s.client("sqs").create_queue(QueueName="q")["QueueUrl"]
        assert url == "http://sqs.us-east-1.podstack.test:4599/000000000000/q"
    finally:
        s.stop()
    s = PodstackServer(tmp_path / "e", env={"LOCALSTACK_HOST": "podstack.test"}).start()
    try:
        url = s.client("sqs", region="eu-west-1").create_queue(QueueName="q")["QueueUrl"]
        assert url == f"http://sqs.eu-west-1.podstack.test:{s.port}/000000000000/q"  # the request's port
    finally:
        s.stop()
