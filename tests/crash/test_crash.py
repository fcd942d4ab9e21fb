"""kill -9 at a random moment under 8 concurrent writers, then restart.

Every acknowledged write (a call that returned without error) must be readable
with exactly its value, nothing that was never attempted may appear, and the
live state hash must equal an offline replay of the whole log
(`podstack state hash --data-dir DIR --from-scratch`).

Each SSM name is written once, so its expected value is exact. Secrets get one
version per write with a known ClientRequestToken (= VersionId), so every
acknowledged version is checked by id; the current version must be the last
acknowledged one or the one write still in flight when the server died.
DynamoDB items are written once each (PutItem) to a table with a GSI; every
acknowledged item must be readable by key and through the index, and a
per-writer ADD counter must equal the acknowledged increments (or one more).

Repeated 20 times, each in its own DATA_DIR. The random delay before the kill
is the fault-injection point, not synchronisation: the writers' progress is
awaited with a condition first.
"""
import os
import random
import subprocess
import sys
import threading
import time
import uuid

import boto3.session
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from podstack_server import BIN, PodstackServer  # noqa: E402

WRITERS = 8
VERSIONS_PER_SECRET = 20  # well under the versions AWS keeps, so no acknowledged version is pruned
# Checkpoints now and then in some rounds, so restarts also run from checkpoint + tail.
CHECKPOINT_EVERY = ["50", "500", "10000"]


class Writer(threading.Thread):
    """Writes unique SSM parameters and secret versions until the server goes away."""

    def __init__(self, t, ssm, sm, ddb, progress):
        super().__init__(daemon=True)
        self.t, self.ssm, self.sm, self.ddb, self.progress = t, ssm, sm, ddb, progress
        self.acked = []        # (kind, name, version_id or None, value)
        self.inflight = None   # the write that was sent but never answered, if any
        self.error = None      # anything other than losing the connection

    def run(self):
        secret, versions = None, 0
        for i in range(1_000_000):
            value = os.urandom(8).hex()
            if i % 8 == 1:
                write = ("item", f"t{self.t}-{i}", str(i), value)
            elif i % 8 == 5:
                write = ("counter", f"t{self.t}", None, None)
            elif i % 4 != 3:
                write = ("param", f"/crash/t{self.t}/{i}", None, value)
            else:
                if secret is None or versions >= VERSIONS_PER_SECRET:
                    secret, versions = f"crash-t{self.t}-{i}", 0
                write = ("secret", secret, uuid.uuid4().hex, value)
            self.inflight = write
            try:
                kind, name, token, value = write
                if kind == "param":
                    self.ssm.put_parameter(Name=name, Value=value, Type="String")
                elif kind == "item":
                    self.ddb.put_item(TableName="crash", Item={"pk": {"S": name}, "w": {"S": f"t{self.t}"}, "i": {"N": token},
                                                               "v": {"S": value}})
                elif kind == "counter":
                    self.ddb.update_item(TableName="crash", Key={"pk": {"S": name}}, UpdateExpression="ADD n :one",
                                         ExpressionAttributeValues={":one": {"N": "1"}})
                elif versions == 0:
                    self.sm.create_secret(Name=name, SecretString=value, ClientRequestToken=token)
                else:
                    self.sm.put_secret_value(SecretId=name, SecretString=value, ClientRequestToken=token)
            except BotoCoreError:
                return  # connection refused / reset / truncated: the server is gone, stop
            except Exception as e:  # a ClientError while the server was up is a bug
                self.error = e
                return
            if kind == "secret":
                versions += 1
            self.inflight = None
            self.acked.append(write)
            with self.progress:
                self.progress.notify_all()


def clients(server, n):
    """n (ssm, secretsmanager, dynamodb) triples from one session, made before the threads start (clients are thread-safe)."""
    session = boto3.session.Session()
    # total_max_attempts=1 is "no retry" (legacy max_attempts=1 still retries once, after a backoff,
    # which would blur what was acknowledged and slow the writers' exit after the kill).
    cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10)

    def make(service):
        return session.client(service, endpoint_url=server.endpoint, region_name="us-east-1", config=cfg,
                              aws_access_key_id="test", aws_secret_access_key="test")
    return [(make("ssm"), make("secretsmanager"), make("dynamodb")) for _ in range(n)]


def create_table(server):
    server.client("dynamodb").create_table(
        TableName="crash", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "w", "AttributeType": "S"},
                              {"AttributeName": "i", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_writer", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "w", "KeyType": "HASH"}, {"AttributeName": "i", "KeyType": "RANGE"}]}])


def verify_items(server, acked, inflight):
    """Acknowledged items read back by key and through the GSI; counters equal acknowledged increments."""
    ddb = server.client("dynamodb")
    items = {name: value for kind, name, _, value in acked if kind == "item"}
    maybe = {name: value for kind, name, _, value in inflight if kind == "item"}
    for name, value in items.items():
        got = ddb.get_item(TableName="crash", Key={"pk": {"S": name}}, ConsistentRead=True).get("Item")
        assert got and got["v"]["S"] == value, f"acknowledged item {name} lost"
    found = {}
    for t in range(WRITERS):
        for page in ddb.get_paginator("query").paginate(TableName="crash", IndexName="by_writer", KeyConditionExpression="w = :w",
                                                         ExpressionAttributeValues={":w": {"S": f"t{t}"}}):
            found.update({i["pk"]["S"]: i["v"]["S"] for i in page["Items"] if "v" in i})
    assert set(items) <= set(found), "the index lost acknowledged items"
    for name, value in found.items():
        assert items.get(name, maybe.get(name)) == value, f"{name}={value!r} was never written"
    increments = {}
    for kind, name, _, _ in acked:
        if kind == "counter":
            increments[name] = increments.get(name, 0) + 1
    pending = {name for kind, name, _, _ in inflight if kind == "counter"}
    for name, n in increments.items():
        got = int(ddb.get_item(TableName="crash", Key={"pk": {"S": name}})["Item"]["n"]["N"])
        assert got == n or (name in pending and got == n + 1), f"counter {name}: {got}, {n} acknowledged"


def verify(server, writers):
    """Every acknowledged write reads back exactly; nothing unattempted exists."""
    ssm = server.client("ssm")
    sm = server.client("secretsmanager")
    acked = [w for wr in writers for w in wr.acked]
    inflight = [wr.inflight for wr in writers if wr.inflight]

    params = {name: value for kind, name, _, value in acked if kind == "param"}
    names = sorted(params)
    for i in range(0, len(names), 10):
        got = ssm.get_parameters(Names=names[i:i + 10])
        assert not got["InvalidParameters"], f"acknowledged but lost: {got['InvalidParameters']}"
        assert {p["Name"]: p["Value"] for p in got["Parameters"]} == {n: params[n] for n in names[i:i + 10]}

    # Whatever exists under /crash was acknowledged, or is the one write in flight, with its exact value.
    allowed = dict(params)
    allowed.update({name: value for kind, name, _, value in inflight if kind == "param"})
    found = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/crash", Recursive=True):
        found.update({p["Name"]: p["Value"] for p in page["Parameters"]})
    assert set(params) <= set(found)
    for name, value in found.items():
        assert allowed.get(name) == value, f"{name}={value!r} was never written"

    verify_items(server, acked, inflight)
    last = {}
    for kind, name, token, value in acked:
        if kind == "secret":
            got = sm.get_secret_value(SecretId=name, VersionId=token)
            assert got["SecretString"] == value, f"{name} version {token}"
            last[name] = token
    pending = {name: token for kind, name, token, _ in inflight if kind == "secret"}
    for name, token in last.items():
        current = sm.get_secret_value(SecretId=name)["VersionId"]
        assert current in (token, pending.get(name)), f"{name}: AWSCURRENT is {current}, last acked {token}"
    return len(acked)


@pytest.mark.parametrize("round_", range(20))
def test_kill9_loses_no_acknowledged_write(tmp_path, round_):
    """A kill -9 under load loses no acknowledged write, and the live state equals a full replay."""
    server = PodstackServer(tmp_path / "data", persistence=True,
                            env={"CHECKPOINT_EVERY": CHECKPOINT_EVERY[round_ % len(CHECKPOINT_EVERY)]}).start()
    progress = threading.Condition()
    create_table(server)
    writers = [Writer(t, ssm, sm, ddb, progress) for t, (ssm, sm, ddb) in enumerate(clients(server, WRITERS))]
    delay = random.uniform(0.2, 1.5)
    try:
        for w in writers:
            w.start()
        with progress:
            assert progress.wait_for(lambda: all(w.acked for w in writers), timeout=30), "writers made no progress"
        time.sleep(delay)  # fault injection: the kill lands at a random point mid-flight
        server.kill9()
    finally:
        server.kill9()
        for w in writers:
            w.join(30)
    assert not any(w.is_alive() for w in writers), "a writer did not stop after the kill"
    errors = [w.error for w in writers if w.error]
    assert not errors, f"errors while the server was up: {errors}"

    server.start()
    try:
        count = verify(server, writers)
        state = server.state()
        assert state["last_sequence"] >= count, f"{count} acknowledged writes, {state['last_sequence']} events"
    finally:
        server.stop()
    replay = subprocess.run([BIN, "state", "hash", "--data-dir", server.data_dir, "--from-scratch"],
                            capture_output=True, text=True, timeout=60)
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.strip() == state["hash"], f"delay {delay:.2f}s, {count} acknowledged writes"
