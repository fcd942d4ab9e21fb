"""Server lifecycle: startup summary, graceful shutdown under load, persistence modes, the CLI."""
import concurrent.futures
import json
import os
import subprocess
import threading

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from urllib3.exceptions import ProtocolError

from podstack_server import BIN, PodstackServer


def cli(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60)


def test_startup_log_says_where_state_lives(server, tmp_path):
    """Users of other emulators lose work to a silent in-memory default: the log says it plainly."""
    assert any("state is persistent in" in l for l in server.log_lines)
    mem = PodstackServer(tmp_path / "m", persistence=False).start()
    try:
        assert any("in memory, lost at exit" in l for l in mem.log_lines)
    finally:
        mem.stop()


def test_persistence_off_forgets_on_restart(tmp_path):
    """PERSISTENCE=0 is the same commit path on an in-memory store: nothing survives a restart."""
    s = PodstackServer(tmp_path / "m", persistence=False).start()
    try:
        s.client("ssm").put_parameter(Name="/a", Value="1", Type="String")
        assert s.state()["last_sequence"] == 1
        s.restart()
        assert s.state()["last_sequence"] == 0
        with pytest.raises(ClientError):
            s.client("ssm").get_parameter(Name="/a")
    finally:
        s.stop()


def test_persistence_sync_answers_after_the_fsync_and_keeps_writes_across_kill9(tmp_path):
    """PERSISTENCE_SYNC=1: the writer thread fsyncs each group (never an I/O thread) and
    answers; concurrent senders all get answers and every acknowledged message survives kill -9."""
    s = PodstackServer(tmp_path / "d", env={"PERSISTENCE_SYNC": "1"}).start()
    try:
        sqs = s.client("sqs")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]

        def send(w):
            c = s.client("sqs")
            return [c.send_message(QueueUrl=url, MessageBody=f"{w}-{i}")["MessageId"] for i in range(10)]
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            acked = {m for ids in ex.map(send, range(4)) for m in ids}
        assert len(acked) == 40
        s.crash_restart()
        got = set()
        sqs = s.client("sqs")
        while True:
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not msgs:
                break
            got |= {m["MessageId"] for m in msgs}
        assert got == acked
    finally:
        s.stop()


def test_graceful_shutdown_under_load_keeps_every_acknowledged_write(server):
    """SIGTERM while writers run: in-flight requests finish, the exit is clean, nothing acked is lost."""
    acked = []
    lock = threading.Condition()

    def writer(t):
        c = server.client("ssm")
        for i in range(10000):
            try:
                c.put_parameter(Name=f"/load/{t}/{i}", Value=str(i), Type="String")
            except (ClientError, EndpointConnectionError, ProtocolError, ConnectionError, Exception):
                return
            with lock:
                acked.append(f"/load/{t}/{i}")
                lock.notify_all()

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    with lock:  # stop once writes are flowing (progress, not time)
        assert lock.wait_for(lambda: len(acked) >= 200, timeout=60)
    rc = server.stop()
    for t in threads:
        t.join()
    assert rc == 0
    assert any("stopped cleanly" in l for l in server.log_lines)
    server.start()
    ssm = server.client("ssm")
    for i in range(0, len(acked), 10):
        names = acked[i:i + 10]
        got = ssm.get_parameters(Names=names)
        assert not got["InvalidParameters"], got["InvalidParameters"]


def test_restart_starts_from_the_shutdown_checkpoint(server):
    """A clean stop writes a checkpoint, so the next start replays nothing."""
    ssm = server.client("ssm")
    for i in range(5):
        ssm.put_parameter(Name=f"/c/{i}", Value="v", Type="String")
    server.restart()
    summary = [l for l in server.log_lines if "replayed" in l][-1]
    assert "replayed 0 events after checkpoint 5" in summary


def test_cli_state_hash_and_log_online_and_offline(server):
    """`podstack state hash` and `podstack log` give the same answers from the server and from DATA_DIR."""
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/cli/a", Value="1", Type="String")
    ssm.put_parameter(Name="/cli/a", Value="2", Type="String", Overwrite=True)
    online_hash = cli("state", "hash", "--endpoint", server.endpoint).stdout.strip()
    assert online_hash == server.state_hash()
    online_log = json.loads(cli("log", "--json", "--endpoint", server.endpoint).stdout)
    assert [e["operation"] for e in online_log] == ["PutParameter", "PutParameter"]
    assert online_log[1]["summary"] == "name=/cli/a version=2"
    filtered = json.loads(cli("log", "--json", "--since", "2", "--service", "ssm", "--endpoint", server.endpoint).stdout)
    assert [e["sequence"] for e in filtered] == [2]
    server.stop()
    offline = cli("state", "hash", "--data-dir", server.data_dir)
    assert offline.returncode == 0, offline.stderr
    assert offline.stdout.strip() == online_hash
    assert cli("state", "hash", "--data-dir", server.data_dir, "--from-scratch").stdout.strip() == online_hash
    assert json.loads(cli("log", "--json", "--data-dir", server.data_dir).stdout) == online_log
    text = cli("log", "--data-dir", server.data_dir, "--limit", "1").stdout
    assert "PutParameter" in text and "name=/cli/a version=1" in text and "version=2" not in text
    server.start()


def test_cli_on_a_missing_data_dir_is_one_clear_sentence(tmp_path):
    """Offline commands on a directory without a store fail with one sentence, not a stack trace."""
    r = cli("state", "hash", "--data-dir", str(tmp_path / "nothing"))
    assert r.returncode == 1
    assert r.stderr.startswith("podstack: cannot read")
    assert "\n" == r.stderr[-1] and r.stderr.count("\n") == 1


def test_services_env_gates_routing(tmp_path):
    """SERVICES=sts serves only STS; others answer 501 NotImplemented in their own error shape."""
    s = PodstackServer(tmp_path / "d", env={"SERVICES": "sts"}).start()
    try:
        assert s.client("sts").get_caller_identity()["Account"] == "000000000000"
        with pytest.raises(ClientError) as e:
            s.client("ssm").get_parameter(Name="/a")
        assert e.value.response["Error"]["Code"] == "NotImplemented"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    finally:
        s.stop()


def test_reset_endpoint_is_an_event_that_replays(server):
    """LocalStack's state reset clears state; being an event, a restart does not bring state back."""
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/r", Value="v", Type="String")
    status, _ = server.post("/_localstack/state/reset")
    assert status == 200
    server.crash_restart()
    with pytest.raises(ClientError):
        ssm = server.client("ssm")
        ssm.get_parameter(Name="/r")
    assert server.state()["last_sequence"] == 2


def test_dynamodb_tables_items_and_indexes_survive_checkpoint_restart_and_kill9(tmp_path):
    """DynamoDB state (tables, items, GSI/LSI) is identical after a checkpointed restart and a kill -9
    mid-log, and equals a from-scratch replay of the log."""
    s = PodstackServer(tmp_path / "data", env={"CHECKPOINT_EVERY": "100"}).start()
    try:
        ddb = s.client("dynamodb")
        ddb.create_table(TableName="life", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                                               {"AttributeName": "g", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                         GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                  "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                         LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                                   {"AttributeName": "g", "KeyType": "RANGE"}],
                                                 "Projection": {"ProjectionType": "ALL"}}])
        for i in range(250):
            ddb.put_item(TableName="life", Item={"pk": {"S": "p%d" % (i % 5)}, "sk": {"N": str(i)}, "g": {"S": "g%d" % (i % 7)}})
        ddb.batch_write_item(RequestItems={"life": [{"DeleteRequest": {"Key": {"pk": {"S": "p0"}, "sk": {"N": str(i)}}}} for i in range(0, 100, 5)]})
        ddb.update_item(TableName="life", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}}, UpdateExpression="REMOVE g")

        def read():
            q = ddb.query(TableName="life", IndexName="gsi", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "g3"}})
            l = ddb.query(TableName="life", IndexName="lsi", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p1"}})
            d = ddb.describe_table(TableName="life")["Table"]
            return (sorted((i["pk"]["S"], i["sk"]["N"]) for i in q["Items"]), [i["sk"]["N"] for i in l["Items"]],
                    d["ItemCount"], [(x["IndexName"], x["ItemCount"]) for x in d["GlobalSecondaryIndexes"] + d["LocalSecondaryIndexes"]])
        before, h = read(), s.state_hash()
        assert before[2] == 230 and before[3] == [("gsi", 229), ("lsi", 229)]
        s.restart()
        assert read() == before and s.state_hash() == h
        ddb.put_item(TableName="life", Item={"pk": {"S": "p9"}, "sk": {"N": "1"}, "g": {"S": "g3"}})
        before, h = read(), s.state_hash()
        s.crash_restart()
        assert read() == before and s.state_hash() == h
    finally:
        s.stop()
    assert cli("state", "hash", "--data-dir", s.data_dir, "--from-scratch").stdout.strip() == h
