"""PODSTACK_SEED: the same sequential session against fresh servers gives the same ids.

Every response (status, headers but Date/Last-Modified, body with clock
timestamps normalised) of a scripted SQS, S3, SNS, Secrets Manager, DynamoDB
(and Streams) and STS session must be byte-identical between two fresh
servers seeded alike, and differ where ids are generated with another seed.
The seed is in the log: a server restarted without PODSTACK_SEED continues
the same deterministic sequence.
"""
import base64
import contextlib
import re

import pytest
from botocore.handlers import generate_idempotent_uuid

from podstack_server import PodstackServer

# Times that come from the clock, not from the generator.
CLOCK = [
    re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"),  # ISO 8601
    re.compile(rb"\b1[6-9]\d{11}\b"),                                                      # epoch ms
    re.compile(rb"\b1[6-9]\d{8}(\.\d+)?\b"),                                               # epoch seconds
    re.compile(rb"\b1\.\d+E9\b"),                                                         # epoch seconds, JSON's exponent form
    re.compile(rb"shardId-\d{20}-[0-9a-f]{8}"),  # DynamoDB Streams: the creation time and a hash of the time label
    re.compile(rb'(?<="eventID":")\d+'),  # a hash of the stream ARN, which ends in the time label
]
SKIP_HEADERS = {"date", "last-modified", "content-length"}


ITERATOR = re.compile(rb'"(Next)?ShardIterator":"([A-Za-z0-9+/=]+)"')


def normalise(body, port):
    """Clock times, and the server's port (the OS picks it: queue URLs name it).
    DynamoDB Streams' shard iterators are base64 of the stream's ARN and shard
    id, both named after the clock: compared decoded."""
    body = ITERATOR.sub(lambda m: b'"ShardIterator":"' + base64.b64decode(m.group(2)) + b'"', body)
    for rx in CLOCK:
        body = rx.sub(b"<time>", body)
    return body.replace(f":{port}".encode(), b":<port>")


class Recorder:
    """Every response of the clients it is attached to, in order."""

    def __init__(self):
        self.records = []
        self.port = None

    def attach(self, client):
        client.meta.events.register("after-call", self._after_call)
        # boto3 fills ClientRequestToken (Secrets Manager) with its own uuid4;
        # the server is to pick it, from the seeded generator.
        client.meta.events.unregister("before-parameter-build", generate_idempotent_uuid)
        return client

    def _after_call(self, http_response, model, **_):
        headers = sorted((k.lower(), normalise(v.encode(), self.port).decode()) for k, v in http_response.headers.items()
                         if k.lower() not in SKIP_HEADERS)
        self.records.append((model.name, http_response.status_code, headers, normalise(http_response.content, self.port)))


def session(server, rec, name="a", long_poll=True):
    """One client, one request at a time; every response recorded."""
    rec.port = server.port
    c = lambda svc: rec.attach(server.client(svc))  # noqa: E731
    sqs, s3, sns, sm, ddb, streams, sts = (c(s) for s in ("sqs", "s3", "sns", "secretsmanager", "dynamodb",
                                                          "dynamodbstreams", "sts"))
    q = sqs.create_queue(QueueName=f"jobs-{name}")["QueueUrl"]
    sqs.send_message(QueueUrl=q, MessageBody="one")
    sqs.send_message(QueueUrl=q, MessageBody="two", DelaySeconds=0)
    sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, VisibilityTimeout=30)
    if long_poll:
        # Nothing to receive: the request waits and is run again; its ids stay the same.
        empty = sqs.create_queue(QueueName=f"empty-{name}")["QueueUrl"]
        sqs.receive_message(QueueUrl=empty, WaitTimeSeconds=1)

    s3.create_bucket(Bucket=f"bucket-{name}")
    s3.put_bucket_versioning(Bucket=f"bucket-{name}", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=f"bucket-{name}", Key="k", Body=b"v1")
    s3.put_object(Bucket=f"bucket-{name}", Key="k", Body=b"v2")
    s3.list_object_versions(Bucket=f"bucket-{name}")
    up = s3.create_multipart_upload(Bucket=f"bucket-{name}", Key="big")["UploadId"]
    s3.abort_multipart_upload(Bucket=f"bucket-{name}", Key="big", UploadId=up)

    topic = sns.create_topic(Name=f"topic-{name}")["TopicArn"]
    fan = sqs.create_queue(QueueName=f"fan-{name}")["QueueUrl"]
    fan_arn = sqs.get_queue_attributes(QueueUrl=fan, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=fan_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="hello")
    sqs.receive_message(QueueUrl=fan, MaxNumberOfMessages=10)

    sm.create_secret(Name=f"app/{name}", SecretString="s3cret")
    sm.put_secret_value(SecretId=f"app/{name}", SecretString="s3cret-2")
    sm.get_random_password(PasswordLength=24)

    ddb.create_table(TableName=f"t-{name}", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.put_item(TableName=f"t-{name}", Item={"pk": {"S": "1"}, "v": {"N": "1"}})
    stream_arn = ddb.describe_table(TableName=f"t-{name}")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    streams.get_records(ShardIterator=it["ShardIterator"])

    sts.get_session_token()
    return rec.records


def seeded(tmp_path, name, seed="42", **kw):
    return PodstackServer(tmp_path / name, env={"PODSTACK_SEED": seed} if seed is not None else {}, **kw)


@contextlib.contextmanager
def running(server):
    server.start()
    try:
        yield server
    finally:
        server.stop()


def request_ids(records):
    return [v for _, _, headers, _ in records for k, v in headers if k in ("x-amzn-requestid", "x-amz-request-id")]


def assert_same(a, b):
    assert len(a) == len(b)
    for ra, rb in zip(a, b):
        assert ra == rb, f"{ra[0]} answered differently"


def test_same_seed_same_responses_other_seed_other_ids(tmp_path):
    runs = {}
    for name, seed in (("first", "42"), ("second", "42"), ("other", "7")):
        with running(seeded(tmp_path, name, seed, persistence=False)) as s:
            runs[name] = session(s, Recorder())
            events = s.get_json("/_podstack/log?limit=1")["events"]
            assert (events[0]["service"], events[0]["operation"], events[0]["summary"]) == ("podstack", "SeedSet", f"seed={seed}")
    assert_same(runs["first"], runs["second"])
    # Another seed: every request id, and the ids in the bodies, differ.
    first, other = request_ids(runs["first"]), request_ids(runs["other"])
    assert len(first) == len(runs["first"]) and not set(first) & set(other)
    differ = [a[0] for a, b in zip(runs["first"], runs["other"]) if a[3] != b[3]]
    for op in ("CreateSecret", "PutObject", "SendMessage", "ReceiveMessage", "Publish", "CreateMultipartUpload",
               "GetRandomPassword", "GetSessionToken", "Subscribe", "PutSecretValue"):
        assert op in differ or op == "PutObject", op  # PutObject's version id is a header
    versions = [dict(h)["x-amz-version-id"] for op, _, h, _ in runs["first"] if op == "PutObject"]
    assert len(set(versions)) == 2


def test_unseeded_servers_stay_random(tmp_path):
    ids = []
    for name in ("x", "y"):
        with running(seeded(tmp_path, name, None, persistence=False)) as s:
            rec = Recorder()
            rec.port = s.port
            rec.attach(s.client("sqs")).create_queue(QueueName="q")
            ids += request_ids(rec.records)
            assert not any("SeedSet" == e["operation"] for e in s.get_json("/_podstack/log")["events"])
    assert len(ids) == 2 and ids[0] != ids[1]


def test_a_restart_without_the_variable_continues_from_the_seed_in_the_log(tmp_path):
    """Two pairs: seeded start, session, graceful restart and a kill -9 restart
    without PODSTACK_SEED, more sessions: both pairs answer alike throughout."""
    pairs = []
    for name in ("p", "q"):
        s = seeded(tmp_path, name).start()
        try:
            rec = Recorder()
            session(s, rec, "before", long_poll=False)
            before = list(rec.records)
            del s.extra_env["PODSTACK_SEED"]
            s.restart()
            assert any("seed 42 (recorded in the log" in l for l in s.log_lines)
            session(s, rec, "after", long_poll=False)
            s.crash_restart()  # no shutdown checkpoint: the seed comes from replay or the last checkpoint
            session(s, rec, "crash", long_poll=False)
            seq = s.state()["last_sequence"]
            pairs.append((rec.records, before, seq))
        finally:
            s.stop()
    (a, before, seq_a), (b, _, seq_b) = pairs
    assert seq_a == seq_b
    assert_same(a, b)
    # After the restart the ids are new ones, not the first run's again.
    after = a[len(before):]
    assert not set(request_ids(before)) & set(request_ids(after))
    assert len(set(request_ids(a))) == len(a)


def clock(server, body):
    return server.call_json("POST", "/_podstack/clock", body)[0]


def test_same_seed_same_state_hash_with_a_frozen_clock(tmp_path):
    """State holds the times of the requests; with the clock frozen at one
    instant, two seeded runs hold the same state."""
    hashes = []
    for name in ("h1", "h2"):
        with running(seeded(tmp_path, name, persistence=False)) as s:
            if clock(s, {"freeze": True}) == 404:
                pytest.skip("this podstack has no settable clock (POST /_podstack/clock)")
            assert clock(s, {"set": "2027-01-01T00:00:00Z"}) in (200, 204)
            session(s, Recorder(), long_poll=False)
            hashes.append(s.state_hash())
    assert hashes[0] == hashes[1]
