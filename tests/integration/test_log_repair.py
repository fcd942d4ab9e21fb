"""An unreplayable event in the log: startup refuses, naming it and the way out;
`podstack log repair --drop SEQ` drops that one event and keeps every other."""
import json
import os
import subprocess

import pytest

from podstack_server import BIN, PodstackServer, REPO

FORGE = os.environ.get("FORGE_EVENT_BIN", os.path.join(REPO, "build", "tests", "forge_event"))


def cli(data_dir, *args):
    return subprocess.run([BIN, *args, "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not os.path.exists(FORGE), reason="forge_event is not built")
def test_startup_names_the_event_and_log_repair_drops_only_it(tmp_path):
    data = tmp_path / "data"
    s = PodstackServer(data).start()
    try:
        ssm = s.client("ssm")
        ssm.put_parameter(Name="/a", Value="1", Type="String")
        ssm.put_parameter(Name="/forge-me", Value="2", Type="String")
        ssm.put_parameter(Name="/c", Value="3", Type="String")
    finally:
        s.stop()
    # The name's last two bytes become 0xff 0xfe: not UTF-8, so proto3 refuses to parse the event.
    subprocess.run([FORGE, str(data / "log"), "2", "e-me", "652dfffe"], check=True, timeout=60)

    refused = subprocess.run([BIN, "serve"], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "PERSISTENCE": "1", "DATA_DIR": str(data),
                                  "GATEWAY_LISTEN": "127.0.0.1:0"})
    assert refused.returncode != 0
    assert "event 2 (ssm.PutParameter) cannot be applied" in refused.stderr
    assert "podstack log repair --drop 2" in refused.stderr

    # The log still lists, the bad event included (the one to name).
    listed = cli(data, "log", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [e["operation"] for e in json.loads(listed.stdout)] == ["PutParameter"] * 3

    repaired = cli(data, "log", "repair", "--drop", "2")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "dropped event 2 (ssm.PutParameter" in repaired.stdout
    assert "the log replays from scratch: 3 events" in repaired.stdout

    s = PodstackServer(data).start()
    try:
        ssm = s.client("ssm")
        assert ssm.get_parameter(Name="/a")["Parameter"]["Value"] == "1"
        assert ssm.get_parameter(Name="/c")["Parameter"]["Value"] == "3"
        assert [p["Name"] for p in ssm.describe_parameters()["Parameters"]] == ["/a", "/c"]
        events = s.get_json("/_podstack/log")["events"]
        assert [(e["sequence"], e["service"], e["operation"]) for e in events] == [
            (1, "ssm", "PutParameter"), (2, "podstack", "EventDropped"), (3, "ssm", "PutParameter")]
        assert "dropped ssm.PutParameter" in events[1]["summary"]
        ssm.put_parameter(Name="/d", Value="4", Type="String")
        live = s.state_hash()
    finally:
        s.stop()
    scratch = cli(data, "state", "hash", "--from-scratch", "--json")
    assert scratch.returncode == 0, scratch.stderr
    assert json.loads(scratch.stdout)["hash"] == live


def test_repair_refuses_while_the_server_holds_the_store(tmp_path):
    s = PodstackServer(tmp_path / "data").start()
    try:
        s.client("ssm").put_parameter(Name="/a", Value="1", Type="String")
        r = cli(tmp_path / "data", "log", "repair", "--drop", "1")
        assert r.returncode != 0
        assert "in use by another process" in r.stderr
    finally:
        s.stop()
