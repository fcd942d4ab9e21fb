"""The chaos API in LocalStack's shape: /_localstack/chaos/faults and /_localstack/chaos/effects.

A faulted request fails before the engine decides anything: it records no
event and leaves the state hash as it was. Faults are configuration, not
state: gone after a restart, never in the hash.
"""
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import PodstackServer, sqs_json_call

FAULTS = "/_localstack/chaos/faults"
EFFECTS = "/_localstack/chaos/effects"


def call(server, method, path, body=None):
    """(status, parsed JSON body) of an internal endpoint."""
    return server.call_json(method, path, body)


def faults(server, method, body=None):
    status, out = call(server, method, FAULTS, body)
    assert status == 200, out
    return out


def last_sequence(server):
    return server.state()["last_sequence"]


def test_send_message_fault_fails_exactly_those_calls_and_records_nothing(server, sqs):
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="before")
    before = server.state()
    rule = {"service": "sqs", "operation": "SendMessage", "probability": 1,
            "error": {"statusCode": 418, "code": "TeapotOutage"}}
    assert faults(server, "POST", [rule]) == [rule]

    for _ in range(3):
        with pytest.raises(ClientError) as e:
            sqs.send_message(QueueUrl=url, MessageBody="faulted")
        assert e.value.response["Error"]["Code"] == "TeapotOutage"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 418
    # The JSON protocol (newer SDKs) sees the same code, in __type and the query-compatible header.
    status, headers, body = sqs_json_call(server, "SendMessage", {"QueueUrl": url, "MessageBody": "faulted"})
    assert status == 418
    assert body["__type"].endswith("TeapotOutage")
    assert headers["x-amzn-query-error"].startswith("TeapotOutage;")
    assert "not accessible" in body["message"]

    # Other operations, of SQS and of other services, are served.
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["QueueArn"]
    sqs.create_queue(QueueName="other")
    server.client("ssm").put_parameter(Name="/p", Value="v", Type="String")
    # Nothing of the faulted calls was recorded: only the two writes above were.
    after = server.state()
    assert after["last_sequence"] == before["last_sequence"] + 2
    events = server.get_json(f"/_podstack/log?since={before['last_sequence'] + 1}")["events"]
    assert [e["operation"] for e in events] == ["CreateQueue", "PutParameter"]
    assert after["services"]["sqs"] != before["services"]["sqs"]  # the new queue
    msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in msgs] == ["before"]

    metrics = urllib.request.urlopen(server.endpoint + "/_podstack/metrics", timeout=10).read().decode()
    assert 'podstack_faults_injected_total{service="sqs",operation="SendMessage"} 4' in metrics

    # Removing the rule restores service.
    assert faults(server, "DELETE", [rule]) == []
    seq = last_sequence(server)
    sqs.send_message(QueueUrl=url, MessageBody="after")
    assert last_sequence(server) == seq + 1


def test_defaults_region_and_the_error_in_each_protocol(server):
    """An empty error means 503 ServiceUnavailable; region and service narrow a rule."""
    faults(server, "POST", [{"region": "eu-west-1"}, {"service": "dynamodb"}])
    s3_eu = server.client("s3", region="eu-west-1")
    with pytest.raises(ClientError) as e:  # rest-xml: <Error><Code>
        s3_eu.list_buckets()
    assert e.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    server.client("s3").create_bucket(Bucket="served-bucket")  # us-east-1: served
    with pytest.raises(ClientError) as e:  # JSON: __type
        server.client("dynamodb").list_tables()
    assert e.value.response["Error"]["Code"] == "ServiceUnavailable"
    with pytest.raises(ClientError) as e:  # query: <ErrorResponse><Error><Code>
        server.client("sqs", region="eu-west-1").list_queues()
    assert e.value.response["Error"]["Code"] == "ServiceUnavailable"
    server.client("sqs").list_queues()
    # [] clears every rule.
    assert faults(server, "POST", []) == []
    server.client("dynamodb").list_tables()
    s3_eu.list_buckets()


def test_patch_adds_delete_removes_exact_rules_and_get_lists(server):
    a = {"service": "sqs"}
    b = {"service": "s3", "region": "us-east-1"}
    c = {"service": "kinesis", "operation": "PutRecord", "probability": 0.3,
         "error": {"statusCode": 400, "code": "ProvisionedThroughputExceededException"}}
    assert faults(server, "GET") == []
    assert faults(server, "POST", [a]) == [a]
    assert faults(server, "PATCH", [b, c]) == [a, b, c]
    assert faults(server, "PATCH", [b]) == [a, b, c]  # already there: a set, as LocalStack's uniqueItems
    # DELETE removes only rules equal to one given: {"service": "s3"} is not b.
    assert faults(server, "DELETE", [{"service": "s3"}]) == [a, b, c]
    assert faults(server, "DELETE", [b, a]) == [c]
    assert faults(server, "GET") == [c]
    # POST replaces the whole set.
    assert faults(server, "POST", [b]) == [b]


def test_bad_rules_are_refused_and_leave_the_rules_as_they_were(server):
    faults(server, "POST", [{"service": "sqs"}])
    for body in ({"service": "sqs"}, [{"probability": 2}], [{"error": {"statusCode": 200}}], [{"sevice": "sqs"}]):
        status, out = call(server, "POST", FAULTS, body)
        assert status == 400, body
        assert out["error"]
    req = urllib.request.Request(server.endpoint + FAULTS, data=b"not json", method="PATCH")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400
    assert faults(server, "GET") == [{"service": "sqs"}]


def test_faults_are_configuration_not_state(server):
    sqs = server.client("sqs")
    sqs.create_queue(QueueName="q")
    h = server.state_hash()
    faults(server, "POST", [{"service": "sqs"}])
    assert server.state_hash() == h
    server.restart()
    assert faults(server, "GET") == []
    sqs.list_queues()


def test_latency_effect(server):
    ssm = server.client("ssm")
    assert call(server, "GET", EFFECTS) == (200, {"latency": 0})
    assert call(server, "POST", EFFECTS, {"latency": 300}) == (200, {"latency": 300})
    assert call(server, "GET", EFFECTS) == (200, {"latency": 300})
    t0 = time.monotonic()
    ssm.describe_parameters()
    assert time.monotonic() - t0 >= 0.3
    # Internal endpoints are not held.
    assert call(server, "GET", "/_localstack/health")[0] == 200
    assert call(server, "POST", EFFECTS, {"latency": 0}) == (200, {"latency": 0})
    for body in ({"latency": -1}, {"latency": "100"}, {}, [300], {"latency": 1, "jitter": 2}):
        status, out = call(server, "POST", EFFECTS, body)
        assert status == 400, body


def test_a_seed_makes_which_requests_fail_reproducible(tmp_path):
    """With PODSTACK_SEED, a rule with probability 0.5 fails the same calls on every fresh run; another seed
    fails others."""
    def pattern(name, seed):
        s = PodstackServer(tmp_path / name, env={"PODSTACK_SEED": str(seed)}).start()
        try:
            sqs = s.client("sqs")
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            faults(s, "POST", [{"service": "sqs", "operation": "SendMessage", "probability": 0.5}])
            failed = []
            for i in range(40):
                try:
                    sqs.send_message(QueueUrl=url, MessageBody=str(i))
                    failed.append(False)
                except ClientError as e:
                    assert e.response["Error"]["Code"] == "ServiceUnavailable"
                    failed.append(True)
            return failed
        finally:
            s.stop()
    first, again, other = pattern("a", 42), pattern("b", 42), pattern("c", 7)
    assert first == again
    assert 0 < sum(first) < 40  # a coin, not a constant
    assert other != first

