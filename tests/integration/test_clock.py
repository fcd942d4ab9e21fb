"""podstack's one clock (issue 23): GET/POST /_podstack/clock and `podstack clock`. Every time a service
decides with comes from it; each change is an event, so it survives restarts and kill -9, travels in pods and
rolls back with the state. Nothing here sleeps: the clock is moved instead."""
import hashlib
import json
import os
import subprocess
import threading
import time

import pytest

from podstack_server import BIN, PodstackServer
HOUR = 3600 * 1000


def clock(server, body=None):
    """GET (body None) or POST the clock; (status, parsed JSON)."""
    return server.call_json("GET" if body is None else "POST", "/_podstack/clock", body)


def now_ms(server):
    status, c = clock(server)
    assert status == 200, c
    return c["now_ms"]


def test_default_clock_is_the_wall_clock(server):
    status, c = clock(server)
    assert status == 200
    assert c["frozen"] is False and c["offset_ms"] == 0
    assert abs(c["now_ms"] - time.time() * 1000) < 60_000
    # The default clock is no state: a fresh server's hash is that of no state at all.
    assert server.state_hash() == hashlib.sha256(b"").hexdigest()


def test_advance_set_freeze(server):
    before = now_ms(server)
    status, c = clock(server, {"advance": "1h"})
    assert status == 200 and c["frozen"] is False
    assert HOUR <= c["now_ms"] - before < HOUR + 60_000
    assert HOUR - 60_000 < c["offset_ms"] <= HOUR + 60_000

    status, c = clock(server, {"freeze": True})
    assert status == 200 and c["frozen"] is True
    frozen_at = c["now_ms"]
    assert now_ms(server) == frozen_at == now_ms(server)
    status, c = clock(server, {"advance": "90s"})
    assert c["now_ms"] == frozen_at + 90_000 and c["frozen"] is True
    status, c = clock(server, {"advance": "7d"})
    assert c["now_ms"] == frozen_at + 90_000 + 7 * 24 * HOUR

    status, c = clock(server, {"set": "2099-01-01T00:00:00Z", "freeze": True})
    assert status == 200 and c["now"].startswith("2099-01-01T00:00:00")
    assert now_ms(server) == 4070908800000

    status, c = clock(server, {"freeze": False})
    assert c["frozen"] is False
    assert 4070908800000 <= now_ms(server) < 4070908800000 + 60_000


def test_bad_clock_requests_are_refused(server):
    h = server.state_hash()
    seq = server.state()["last_sequence"]
    for body, words in [({"advance": "abc"}, "positive duration"), ({"advance": "0s"}, "positive duration"),
                        ({"advance": -5}, "positive duration"), ({"advance": "1000000d"}, "100 years"),
                        ({}, "expected one of"), ({"rewind": "1h"}, "unknown clock field"),
                        ({"advance": "1h", "set": "2099-01-01T00:00:00Z"}, "either advance or set"),
                        ({"set": "yesterday"}, "ISO 8601"), ({"set": "2001-01-01T00:00:00Z"}, "only moves forward"),
                        ({"freeze": "yes"}, "true or false"), (b"not json", "JSON object"), (b"[1]", "JSON object")]:
        status, c = clock(server, body)
        assert status == 400, (body, c)
        assert words in c["error"], (body, c)
    # Refused changes record nothing.
    assert server.state_hash() == h and server.state()["last_sequence"] == seq


def test_a_change_is_an_event_in_the_log_and_the_state(server):
    h = server.state_hash()
    seq = server.state()["last_sequence"]
    clock(server, {"advance": "2h"})
    st = server.state()
    assert st["last_sequence"] == seq + 1 and st["hash"] != h
    events = server.get_json(f"/_podstack/log?since={seq + 1}")["events"]
    assert [(e["service"], e["operation"]) for e in events] == [("clock", "__SetClock")]
    assert "advance 2h" in events[0]["summary"]


def test_sqs_visibility_and_delay_follow_the_clock(server, sqs):
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "1800"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    first = sqs.receive_message(QueueUrl=url)["Messages"]
    assert len(first) == 1
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    clock(server, {"advance": "1h"})  # past the 30-minute visibility timeout, with no sleep
    again = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert again[0]["MessageId"] == first[0]["MessageId"]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    # And so after a kill -9: the advanced clock and the new receipt are both replayed.
    server.crash_restart()
    sqs = server.client("sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    clock(server, {"advance": "1h"})
    third = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert third[0]["MessageId"] == first[0]["MessageId"]
    assert third[0]["Attributes"]["ApproximateReceiveCount"] == "3"


def test_a_long_poll_wakes_when_the_clock_passes_a_delay(server, sqs):
    url = sqs.create_queue(QueueName="delayed")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)
    got = {}
    t = threading.Thread(target=lambda: got.update(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)))
    start = time.monotonic()
    t.start()
    # Advance once the poll is waiting (the server counts its long-poll waiters), not after a sleep.
    deadline = time.monotonic() + 10
    while server.get_json("/_podstack/info").get("long_polls", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    clock(server, {"advance": "15m"})
    t.join(30)
    assert got.get("Messages", [{}])[0].get("Body") == "later"
    assert time.monotonic() - start < 15  # woken by the advance, not by the 20 s wait ending


def test_a_frozen_clock_does_not_stretch_a_long_poll(server, sqs):
    url = sqs.create_queue(QueueName="empty")["QueueUrl"]
    clock(server, {"freeze": True})
    start = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert time.monotonic() - start < 10


def test_the_clock_survives_restart_and_kill9(server):
    clock(server, {"set": "2099-06-01T12:00:00Z", "freeze": True})
    h = server.state_hash()
    server.restart()
    assert now_ms(server) == 4083998400000 and server.state_hash() == h
    server.crash_restart()
    assert now_ms(server) == 4083998400000 and server.state_hash() == h
    clock(server, {"freeze": False})
    server.crash_restart()
    status, c = clock(server)
    assert c["frozen"] is False and 4083998400000 <= c["now_ms"] < 4083998400000 + 120_000


def pod(server, *args):
    r = subprocess.run([BIN, "pod", *args, "--endpoint", server.endpoint, "--json"], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "DATA_DIR": server.data_dir})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else None


def test_a_pod_and_a_rollback_restore_the_clock(server):
    clock(server, {"set": "2099-01-01T00:00:00Z", "freeze": True})
    pod(server, "save", "t0")
    seq = server.state()["last_sequence"]
    h = server.state_hash()
    clock(server, {"advance": "30d"})
    assert now_ms(server) == 4070908800000 + 30 * 24 * HOUR
    pod(server, "load", "t0")
    assert now_ms(server) == 4070908800000 and server.state_hash() == h
    clock(server, {"advance": "1d"})
    status, _ = server.post(f"/_podstack/state/rollback?to_seq={seq}")
    assert status == 200
    assert now_ms(server) == 4070908800000 and server.state_hash() == h


def test_cli_clock(server):
    def cli(*args):
        r = subprocess.run([BIN, "clock", *args, "--endpoint", server.endpoint], capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout.strip(), r.stderr.strip()
    assert cli("freeze")[0] == 0
    assert cli("set", "2099-01-01T00:00:00Z") == (0, "2099-01-01T00:00:00.000Z (frozen)", "")
    assert cli("advance", "3d") == (0, "2099-01-04T00:00:00.000Z (frozen)", "")
    assert cli() == (0, "2099-01-04T00:00:00.000Z (frozen)", "")
    code, _, err = cli("advance", "soon")
    assert code == 1 and "positive duration" in err
    code, _, err = cli("rewind")
    assert code == 1 and "usage" in err


def test_cli_clock_offline(tmp_path):
    data = tmp_path / "data"
    s = PodstackServer(data).start()
    s.stop()
    r = subprocess.run([BIN, "clock", "advance", "2h", "--data-dir", str(data)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    s = PodstackServer(data).start()
    try:
        assert abs(now_ms(s) - (time.time() * 1000 + 2 * HOUR)) < 60_000
    finally:
        s.stop()


def test_a_secret_deletion_window_follows_the_clock(server):
    sm = server.client("secretsmanager")
    sm.create_secret(Name="db", SecretString="pw")
    sm.delete_secret(SecretId="db", RecoveryWindowInDays=7)
    clock(server, {"advance": "1h"})
    sm.restore_secret(SecretId="db")  # still inside the window
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "pw"
    sm.delete_secret(SecretId="db", RecoveryWindowInDays=7)
    since = server.state()["last_sequence"] + 1
    clock(server, {"advance": "7d"})
    clock(server, {"advance": "1h"})
    with pytest.raises(Exception) as e:
        sm.describe_secret(SecretId="db")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Not only read as gone: an event of the clock's due work deletes it, with no request naming it.
    status, log = server.call_json("GET", f"/_podstack/log?since={since}&service=secretsmanager&operation=DueWork&wait=30")
    assert status == 200 and [e["summary"] for e in log["events"]] == ["name=db deleted"]
    sm.create_secret(Name="db", SecretString="new")  # the name is free again
    server.crash_restart()  # and so after a kill -9
    assert server.client("secretsmanager").get_secret_value(SecretId="db")["SecretString"] == "new"


def test_a_dynamodb_ttl_follows_the_clock(server):
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="ttl", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    expires = now_ms(server) // 1000 + 1800
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "a"}, "exp": {"N": str(expires)}})
    assert "Item" in ddb.get_item(TableName="ttl", Key={"pk": {"S": "a"}})
    clock(server, {"advance": "1h"})
    assert "Item" not in ddb.get_item(TableName="ttl", Key={"pk": {"S": "a"}})
    server.crash_restart()
    assert "Item" not in ddb.get_item(TableName="ttl", Key={"pk": {"S": "a"}})
