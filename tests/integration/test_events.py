"""EventBridge (issue 19): buses, rules, targets, PutEvents routed through event patterns to SQS, SNS and other
buses, input transformers, TestEventPattern, and scheduled rules (rate and cron) firing on podstack's clock.
Deliveries are SQS/SNS events committed with the PutEvents that caused them, so a kill -9 neither loses nor
repeats one. Nothing sleeps: queues are long-polled and the clock is advanced."""
import json

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def events(server):
    return server.client("events")


@pytest.fixture
def account(server):
    return server.client("sts").get_caller_identity()["Account"]


def error_of(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def clock(server, body):
    status, c = server.call_json("POST", "/_podstack/clock", body)
    assert status == 200, c
    return c


def queue(sqs, name, **attrs):
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs, url, n=1, wait=10):
    """Up to `n` messages, long-polling for the first; deleted once received."""
    got = []
    while len(got) < n:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        msgs = r.get("Messages", [])
        if not msgs:
            break
        for m in msgs:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        got += [m["Body"] for m in msgs]
    return got


def drain(sqs, url):
    """Every message now in the queue (no waiting), deleted."""
    return receive(sqs, url, n=10**6, wait=0)


def put(events, *entries):
    r = events.put_events(Entries=list(entries))
    return r


def entry(source="app.orders", detail_type="OrderPlaced", detail=None, **kw):
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail or {"id": 1}), **kw}


# ---- buses ----

def test_event_buses_crud_and_errors(events, account, restart_check):
    arn = events.create_event_bus(Name="orders", Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
    assert arn == f"arn:aws:events:us-east-1:{account}:event-bus/orders"
    assert events.describe_event_bus(Name="orders")["Arn"] == arn
    assert events.describe_event_bus(Name=arn)["Name"] == "orders"
    assert events.describe_event_bus()["Name"] == "default"  # the default bus exists implicitly
    assert error_of(lambda: events.create_event_bus(Name="orders"))[0] == "ResourceAlreadyExistsException"
    assert error_of(lambda: events.create_event_bus(Name="default"))[0] == "ResourceAlreadyExistsException"
    assert error_of(lambda: events.describe_event_bus(Name="nope")) == (
        "ResourceNotFoundException", "Event bus nope does not exist.")
    assert error_of(lambda: events.delete_event_bus(Name="default"))[0] == "ValidationException"
    events.create_event_bus(Name="audit")
    events.create_event_bus(Name="gone")
    events.delete_event_bus(Name="gone")
    events.delete_event_bus(Name="never-was")  # deleting what is not there succeeds

    def read():
        return [b["Name"] for b in events.list_event_buses()["EventBuses"]]
    assert restart_check(read) == ["audit", "default", "orders"]
    assert [b["Name"] for b in events.list_event_buses(NamePrefix="a")["EventBuses"]] == ["audit"]
    page = events.list_event_buses(Limit=2)
    assert [b["Name"] for b in page["EventBuses"]] == ["audit", "default"]
    assert [b["Name"] for b in events.list_event_buses(Limit=2, NextToken=page["NextToken"])["EventBuses"]] == ["orders"]
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "a"}]


def test_tags_on_buses_and_rules(events, account, restart_check):
    bus = events.create_event_bus(Name="b")["EventBusArn"]
    rule = events.put_rule(Name="r", EventBusName="b", EventPattern='{"source":["x"]}',
                           Tags=[{"Key": "k1", "Value": "v1"}])["RuleArn"]
    assert rule == f"arn:aws:events:us-east-1:{account}:rule/b/r"
    events.tag_resource(ResourceARN=bus, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    events.untag_resource(ResourceARN=bus, TagKeys=["a"])
    events.tag_resource(ResourceARN=rule, Tags=[{"Key": "k2", "Value": "v2"}])
    events.untag_resource(ResourceARN=rule, TagKeys=["k1"])

    def read():
        return (events.list_tags_for_resource(ResourceARN=bus)["Tags"],
                events.list_tags_for_resource(ResourceARN=rule)["Tags"])
    assert restart_check(read) == ([{"Key": "b", "Value": "2"}], [{"Key": "k2", "Value": "v2"}])
    missing = f"arn:aws:events:us-east-1:{account}:rule/b/nope"
    assert error_of(lambda: events.tag_resource(ResourceARN=missing, Tags=[{"Key": "a", "Value": "1"}]))[0] == \
        "ResourceNotFoundException"
    assert error_of(lambda: events.list_tags_for_resource(ResourceARN=missing))[0] == "ResourceNotFoundException"


# ---- rules ----

def test_rules_crud_paging_state_and_errors(events, account, restart_check):
    pattern = '{"source":["app.orders"]}'
    arn = events.put_rule(Name="r1", EventPattern=pattern, Description="first")["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:{account}:rule/r1"
    events.put_rule(Name="r2", ScheduleExpression="rate(5 minutes)", State="DISABLED")
    events.put_rule(Name="x1", EventPattern=pattern)
    events.put_rule(Name="r1", EventPattern='{"source":["other"]}', Description="updated")  # an update
    d = events.describe_rule(Name="r1")
    assert (d["Arn"], d["EventPattern"], d["Description"], d["State"], d["EventBusName"]) == (
        arn, '{"source":["other"]}', "updated", "ENABLED", "default")
    events.disable_rule(Name="r1")
    events.enable_rule(Name="r2")

    def read():
        return [(r["Name"], r["State"], r.get("ScheduleExpression")) for r in events.list_rules()["Rules"]]
    assert restart_check(read) == [("r1", "DISABLED", None), ("r2", "ENABLED", "rate(5 minutes)"),
                                   ("x1", "ENABLED", None)]
    assert [r["Name"] for r in events.list_rules(NamePrefix="r")["Rules"]] == ["r1", "r2"]
    page = events.list_rules(Limit=2)
    assert [r["Name"] for r in page["Rules"]] == ["r1", "r2"]
    assert [r["Name"] for r in events.list_rules(Limit=2, NextToken=page["NextToken"])["Rules"]] == ["x1"]

    assert error_of(lambda: events.describe_rule(Name="nope")) == (
        "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
    assert error_of(lambda: events.enable_rule(Name="nope"))[0] == "ResourceNotFoundException"
    assert error_of(lambda: events.put_rule(Name="r9", EventPattern=pattern, EventBusName="nobus"))[0] == \
        "ResourceNotFoundException"
    assert error_of(lambda: events.put_rule(Name="r9"))[0] == "ValidationException"
    events.create_event_bus(Name="custom")
    assert error_of(lambda: events.put_rule(Name="s", EventBusName="custom", ScheduleExpression="rate(1 hour)")) == (
        "ValidationException", "ScheduleExpression is supported only on the default event bus.")

    events.delete_rule(Name="x1")
    events.delete_rule(Name="x1")  # again: nothing there, still fine
    assert restart_check(lambda: [r["Name"] for r in events.list_rules()["Rules"]]) == ["r1", "r2"]


def test_delete_rule_is_refused_while_it_has_targets(events, server):
    sqs = server.client("sqs")
    _, qarn = queue(sqs, "q")
    events.put_rule(Name="r", EventPattern='{"source":["a"]}')
    events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": qarn}])
    assert error_of(lambda: events.delete_rule(Name="r")) == (
        "ValidationException", "Rule can't be deleted since it has targets.")
    events.remove_targets(Rule="r", Ids=["t"])
    events.delete_rule(Name="r")
    assert events.list_rules()["Rules"] == []


@pytest.mark.parametrize("pattern, reason", [
    ("not json", "Filter is not valid JSON"),
    ('{"source":"aws.ec2"}', '"source" must be an object or an array'),
    ('{"source":[{"prefixx":"a"}]}', "Unrecognized match type prefixx"),
    ('{"detail":{"n":[{"numeric":[">",5,"<",1]}]}}', "Bottom must be less than top"),
    ('{"source":[{"wildcard":"a**"}]}', "Consecutive wildcard characters"),
])
def test_a_malformed_pattern_is_refused_and_nothing_changes(events, server, pattern, reason):
    events.put_rule(Name="keep", EventPattern='{"source":["a"]}')
    h = server.state_hash()
    code, message = error_of(lambda: events.put_rule(Name="keep", EventPattern=pattern))
    assert code == "InvalidEventPatternException"
    assert message.startswith("Event pattern is not valid. Reason: ") and reason in message
    code, _ = error_of(lambda: events.put_rule(Name="new", EventPattern=pattern))
    assert code == "InvalidEventPatternException"
    assert server.state_hash() == h
    assert events.describe_rule(Name="keep")["EventPattern"] == '{"source":["a"]}'
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["keep"]


@pytest.mark.parametrize("expr", ["rate(1 minutes)", "rate(0 minutes)", "rate(5 weeks)", "cron(0 12 * * * *)",
                                  "cron(0 12 ? * ? *)", "cron(61 * * * ? *)", "cron(0 12 * *)", "cron(0 10 ? * 3#6 *)",
                                  "every day"])
def test_a_malformed_schedule_is_refused_and_nothing_changes(events, server, expr):
    h = server.state_hash()
    assert error_of(lambda: events.put_rule(Name="s", ScheduleExpression=expr)) == (
        "ValidationException", "Parameter ScheduleExpression is not valid.")
    assert server.state_hash() == h
    assert events.list_rules()["Rules"] == []


def test_test_event_pattern(events):
    event = json.dumps({"id": "1", "account": "123456789012", "source": "app", "time": "2026-01-01T00:00:00Z",
                        "region": "us-east-1", "resources": [], "detail-type": "t",
                        "detail": {"n": 7, "ip": "10.1.2.3", "name": "Report.PDF"}})

    def test(p):
        return events.test_event_pattern(EventPattern=json.dumps(p), Event=event)["Result"]
    assert test({"source": ["app"], "detail": {"n": [{"numeric": [">", 5, "<=", 7]}]}})
    assert not test({"source": ["app"], "detail": {"n": [{"numeric": [">", 7]}]}})
    assert test({"detail": {"ip": [{"cidr": "10.1.0.0/16"}], "name": [{"suffix": {"equals-ignore-case": ".pdf"}}]}})
    assert not test({"detail": {"ip": [{"cidr": "10.2.0.0/16"}]}})
    assert test({"$or": [{"source": ["x"]}, {"detail": {"name": [{"wildcard": "Report.*"}]}}]})
    assert test({"detail": {"missing": [{"exists": False}], "name": [{"anything-but": {"prefix": "Draft"}}]}})
    assert error_of(lambda: events.test_event_pattern(EventPattern='{"a":[]}', Event=event))[0] == \
        "InvalidEventPatternException"
    assert error_of(lambda: events.test_event_pattern(EventPattern='{"a":["1"]}', Event='{"source":"x"}'))[0] == \
        "ValidationException"


# ---- targets ----

def test_targets_put_list_remove_limits_and_rule_names(events, server, restart_check):
    sqs = server.client("sqs")
    arns = [queue(sqs, f"q{i}")[1] for i in range(6)]
    events.put_rule(Name="r", EventPattern='{"source":["a"]}')
    events.put_rule(Name="s", EventPattern='{"source":["b"]}')
    r = events.put_targets(Rule="r", Targets=[{"Id": f"t{i}", "Arn": arns[i], "Input": '{"i":%d}' % i} for i in range(5)])
    assert r["FailedEntryCount"] == 0 and r["FailedEntries"] == []
    events.put_targets(Rule="s", Targets=[{"Id": "only", "Arn": arns[0]}])
    # A sixth target is over AWS's limit of five per rule; replacing one is not.
    assert error_of(lambda: events.put_targets(Rule="r", Targets=[{"Id": "t5", "Arn": arns[5]}]))[0] == \
        "LimitExceededException"
    events.put_targets(Rule="r", Targets=[{"Id": "t4", "Arn": arns[5]}])
    events.remove_targets(Rule="r", Ids=["t1", "t2"])

    def read():
        return [(t["Id"], t["Arn"], t.get("Input")) for t in events.list_targets_by_rule(Rule="r")["Targets"]]
    assert restart_check(read) == [("t0", arns[0], '{"i":0}'), ("t3", arns[3], '{"i":3}'), ("t4", arns[5], None)]
    assert events.list_rule_names_by_target(TargetArn=arns[0])["RuleNames"] == ["r", "s"]
    assert events.list_rule_names_by_target(TargetArn=arns[5])["RuleNames"] == ["r"]
    page = events.list_targets_by_rule(Rule="r", Limit=2)
    assert [t["Id"] for t in page["Targets"]] == ["t0", "t3"]
    assert [t["Id"] for t in events.list_targets_by_rule(Rule="r", NextToken=page["NextToken"])["Targets"]] == ["t4"]
    assert error_of(lambda: events.put_targets(Rule="nope", Targets=[{"Id": "x", "Arn": arns[0]}]))[0] == \
        "ResourceNotFoundException"


def test_a_target_of_an_unknown_service_is_refused_and_nothing_changes(events, server, account):
    events.put_rule(Name="r", EventPattern='{"source":["a"]}')
    h = server.state_hash()
    bad = f"arn:aws:nosuchservice:us-east-1:{account}:thing/x"
    assert error_of(lambda: events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": bad}])) == (
        "ValidationException", f"Parameter {bad} is not valid. Reason: Provided Arn is not in correct format.")
    assert error_of(lambda: events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": "not-an-arn"}]))[0] == \
        "ValidationException"
    fifo = f"arn:aws:sqs:us-east-1:{account}:q.fifo"
    assert error_of(lambda: events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": fifo}])) == (
        "ValidationException", "Parameter(s) SqsParameters must be specified for target: t.")
    assert server.state_hash() == h
    assert events.list_targets_by_rule(Rule="r")["Targets"] == []


# ---- PutEvents and delivery ----

def test_put_events_to_sqs_with_input_path_transformer_and_the_plain_event(events, server, account):
    sqs = server.client("sqs")
    url_raw, arn_raw = queue(sqs, "raw")
    url_tr, arn_tr = queue(sqs, "transformed")
    url_path, arn_path = queue(sqs, "path")
    url_text, arn_text = queue(sqs, "text")
    rule_arn = events.put_rule(Name="orders", EventPattern=json.dumps(
        {"source": ["app.orders"], "detail": {"total": [{"numeric": [">", 100]}]}}))["RuleArn"]
    events.put_targets(Rule="orders", Targets=[
        {"Id": "raw", "Arn": arn_raw},
        {"Id": "tr", "Arn": arn_tr, "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.id", "total": "$.detail.total", "customer": "$.detail.customer"},
            "InputTemplate": '{"order": <id>, "total": <total>, "who": <customer>, '
                             '"text": "order <id> by <customer>", "rule": <aws.events.rule-arn>}'}},
        {"Id": "path", "Arn": arn_path, "InputPath": "$.detail.customer"},
        {"Id": "text", "Arn": arn_text, "InputTransformer": {
            "InputPathsMap": {"customer": "$.detail.customer"}, "InputTemplate": '"<customer> ordered"'}},
    ])
    r = put(events,
            entry(detail={"id": "o-1", "total": 150, "customer": "ann"}, Resources=["arn:aws:x:::r"]),
            entry(detail={"id": "o-2", "total": 50, "customer": "bob"}),        # too small: no match
            entry(source="other", detail={"id": "o-3", "total": 500}))          # another source: no match
    assert r["FailedEntryCount"] == 0 and all("EventId" in e for e in r["Entries"])

    [raw] = receive(sqs, url_raw)
    ev = json.loads(raw)
    assert list(ev) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert (ev["version"], ev["id"], ev["detail-type"], ev["source"], ev["account"], ev["region"]) == (
        "0", r["Entries"][0]["EventId"], "OrderPlaced", "app.orders", account, "us-east-1")
    assert ev["resources"] == ["arn:aws:x:::r"] and ev["detail"] == {"id": "o-1", "total": 150, "customer": "ann"}
    assert ev["time"].endswith("Z") and len(ev["time"]) == 20
    [tr] = receive(sqs, url_tr)
    assert json.loads(tr) == {"order": "o-1", "total": 150, "who": "ann", "text": "order o-1 by ann", "rule": rule_arn}
    assert receive(sqs, url_path) == ['"ann"']
    assert receive(sqs, url_text) == ['"ann ordered"']
    for url in (url_raw, url_tr, url_path, url_text):
        assert drain(sqs, url) == []  # the others matched nothing


def test_put_events_to_sns_delivers_to_its_sqs_subscription(events, server):
    sqs, sns = server.client("sqs"), server.client("sns")
    url, qarn = queue(sqs, "sub")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="r", EventPattern='{"detail-type":[{"prefix":"Order"}]}')
    events.put_targets(Rule="r", Targets=[{"Id": "topic", "Arn": topic, "InputTransformer": {
        "InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": '{"via": "sns", "id": <id>}'}}])
    put(events, entry(detail={"id": 7}))
    assert [json.loads(m) for m in receive(sqs, url)] == [{"via": "sns", "id": 7}]


def test_fifo_queue_target_gets_the_message_group(events, server):
    sqs = server.client("sqs")
    url, arn = queue(sqs, "q.fifo", FifoQueue="true")
    events.put_rule(Name="r", EventPattern='{"source":["app.orders"]}')
    events.put_targets(Rule="r", Targets=[{"Id": "f", "Arn": arn, "SqsParameters": {"MessageGroupId": "g1"},
                                            "InputPath": "$.detail"}])
    put(events, entry(detail={"n": 1}), entry(detail={"n": 2}))
    r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=10,
                            AttributeNames=["MessageGroupId"])
    msgs = r["Messages"]
    while len(msgs) < 2:  # one group delivers in order; the second may need the first gone
        for m in msgs:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        more = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=10,
                                   AttributeNames=["MessageGroupId"])["Messages"]
        msgs = msgs + more
    assert [json.loads(m["Body"]) for m in msgs] == [{"n": 1}, {"n": 2}]
    assert {m["Attributes"]["MessageGroupId"] for m in msgs} == {"g1"}


def test_put_events_per_entry_errors_and_limits(events, server):
    sqs = server.client("sqs")
    url, arn = queue(sqs, "q")
    events.put_rule(Name="r", EventPattern='{"source":[{"exists":true}]}')
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
    r = events.put_events(Entries=[
        entry(detail={"ok": 1}),
        {"DetailType": "t", "Detail": "{}"},
        {"Source": "s", "Detail": "{}"},
        {"Source": "s", "DetailType": "t"},
        entry(detail=None) | {"Detail": "[1, 2]"},
        entry(detail=None) | {"Detail": "{not json"},
        entry(EventBusName="nobus"),
        entry(detail={"ok": 2}),
    ])
    assert r["FailedEntryCount"] == 6
    codes = [e.get("ErrorCode") for e in r["Entries"]]
    assert codes == [None, "InvalidArgument", "InvalidArgument", "InvalidArgument", "MalformedDetail",
                     "MalformedDetail", "ResourceNotFoundException", None]
    assert r["Entries"][1]["ErrorMessage"] == "Parameter Source is not valid. Reason: Source is a required argument."
    assert sorted(json.loads(b)["detail"]["ok"] for b in receive(sqs, url, n=2)) == [1, 2]
    # 256 KB in all is refused whole; more than 10 entries too (the model's limit).
    big = "x" * (130 * 1024)
    assert error_of(lambda: events.put_events(Entries=[entry(detail={"a": big}), entry(detail={"b": big})]))[0] == \
        "ValidationException"
    assert error_of(lambda: events.put_events(Entries=[entry()] * 11))[0] == "ValidationException"
    assert drain(sqs, url) == []


def test_events_pass_to_another_bus_of_this_and_of_another_account(events, server):
    sqs = server.client("sqs")
    other = "111111111111"
    o_events = server.client("events", aws_access_key_id=other)
    o_sqs = server.client("sqs", aws_access_key_id=other)
    url_here, arn_here = queue(sqs, "here")
    url_there, arn_there = queue(o_sqs, "there")
    here_bus = events.create_event_bus(Name="inner")["EventBusArn"]
    there_bus = o_events.create_event_bus(Name="central")["EventBusArn"]
    assert f":{other}:" in there_bus
    events.put_rule(Name="fwd", EventPattern='{"source":["app.orders"]}')
    events.put_targets(Rule="fwd", Targets=[{"Id": "inner", "Arn": here_bus}, {"Id": "central", "Arn": there_bus}])
    events.put_rule(Name="in", EventBusName="inner", EventPattern='{"detail-type":["OrderPlaced"]}')
    events.put_targets(Rule="in", EventBusName="inner", Targets=[{"Id": "q", "Arn": arn_here}])
    o_events.put_rule(Name="c", EventBusName="central", EventPattern='{"source":["app.orders"]}')
    o_events.put_targets(Rule="c", EventBusName="central", Targets=[{"Id": "q", "Arn": arn_there}])
    r = put(events, entry(detail={"n": 1}))
    [here] = receive(sqs, url_here)
    [there] = receive(o_sqs, url_there)
    assert json.loads(here)["id"] == json.loads(there)["id"] == r["Entries"][0]["EventId"]
    assert json.loads(there)["account"] != other  # the event keeps the account that put it


def test_a_deleted_queue_target_goes_to_the_dead_letter_queue(events, server):
    sqs = server.client("sqs")
    url, arn = queue(sqs, "gone")
    dlq_url, dlq_arn = queue(sqs, "dlq")
    events.put_rule(Name="r", EventPattern='{"source":["app.orders"]}')
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}])
    sqs.delete_queue(QueueUrl=url)
    put(events, entry(detail={"n": 9}))
    [m] = receive(sqs, dlq_url)
    assert json.loads(m)["detail"] == {"n": 9}


def test_delivery_survives_kill9_exactly_once(events, server):
    sqs = server.client("sqs")
    url, arn = queue(sqs, "q")
    events.put_rule(Name="r", EventPattern='{"source":["app.orders"]}')
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn, "InputPath": "$.detail.n"}])
    for batch in range(3):
        r = put(events, *[entry(detail={"n": batch * 10 + i}) for i in range(10)])
        assert r["FailedEntryCount"] == 0
    server.crash_restart()
    assert sorted(int(b) for b in drain(sqs, url)) == list(range(30))
    server.crash_restart()  # replaying the log again delivers nothing again
    assert drain(sqs, url) == []


def test_put_events_survives_restart_in_the_log(events, server):
    events.put_rule(Name="r", EventPattern='{"source":["app.orders"]}')
    put(events, entry(detail={"n": 1}))
    h = server.state_hash()
    server.restart()
    assert server.state_hash() == h
    log = server.get_json("/_podstack/log?service=events&operation=PutEvents&limit=10")["events"]
    assert len(log) == 1 and "events=1" in log[0]["summary"]


# ---- scheduled rules ----

def iso_s(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_rate_rule_fires_when_the_clock_advances_and_a_missed_period_fires_once(events, server):
    sqs = server.client("sqs")
    url, arn = queue(sqs, "ticks")
    t0 = clock(server, {"freeze": True})["now_ms"]
    rule_arn = events.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": arn}])
    assert drain(sqs, url) == []
    clock(server, {"advance": "1m"})
    [m] = receive(sqs, url)
    ev = json.loads(m)
    assert (ev["source"], ev["detail-type"], ev["detail"], ev["resources"], ev["time"]) == (
        "aws.events", "Scheduled Event", {}, [rule_arn], iso_s(t0 + 60000))
    # Ten minutes at once: the missed schedule fires once (for its first missed time), not ten times, and
    # keeps its phase: the next is at 12 minutes.
    clock(server, {"advance": "10m"})
    [m2] = receive(sqs, url)
    assert json.loads(m2)["time"] == iso_s(t0 + 2 * 60000)
    clock(server, {"advance": "1m"})
    [m3] = receive(sqs, url)
    assert json.loads(m3)["time"] == iso_s(t0 + 12 * 60000)
    # Disabled, it does not fire; enabled again (and across a kill -9), it does.
    events.disable_rule(Name="tick")
    clock(server, {"advance": "5m"})
    events.enable_rule(Name="tick")
    server.crash_restart()
    clock(server, {"advance": "1m"})
    [m4] = receive(sqs, url)
    assert json.loads(m4)["time"] == iso_s(t0 + 18 * 60000)
    log = server.get_json("/_podstack/log?service=events&operation=DueWork&limit=100")["events"]
    assert len(log) == 4


def test_a_cron_rule_fires_at_its_minute(events, server):
    sqs = server.client("sqs")
    url, arn = queue(sqs, "cron")
    c = clock(server, {"freeze": True})
    minute = (c["now_ms"] // 60000 + 3) % 60  # three minutes from now, whatever the hour
    events.put_rule(Name="c", ScheduleExpression=f"cron({minute} * * * ? *)")
    events.put_targets(Rule="c", Targets=[{"Id": "q", "Arn": arn, "Input": '{"cron": true}'}])
    clock(server, {"advance": "1m"})
    events.put_rule(Name="probe", EventPattern='{"source":["x"]}')
    assert drain(sqs, url) == []
    server.restart()  # the next fire time survives a restart
    clock(server, {"advance": "2m"})
    assert receive(sqs, url) == ['{"cron": true}']
    clock(server, {"advance": "30m"})
    events.put_rule(Name="probe", EventPattern='{"source":["y"]}')
    assert drain(sqs, url) == []  # next at the same minute of the next hour


def test_operations_not_implemented_answer_501(events):
    with pytest.raises(ClientError) as e:
        events.list_archives()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_event_ids_come_from_the_seeded_generator(tmp_path):
    from podstack_server import PodstackServer
    ids = []
    for run in ("a", "b"):
        s = PodstackServer(tmp_path / run, env={"PODSTACK_SEED": "7"}).start()
        try:
            ev = s.client("events")
            ev.put_rule(Name="r", EventPattern='{"source":["a"]}')
            ids.append([e["EventId"] for e in ev.put_events(Entries=[entry(), entry()])["Entries"]])
        finally:
            s.stop()
    assert ids[0] == ids[1] and ids[0][0] != ids[0][1]


def test_buses_rules_and_targets_round_trip_through_a_pod(events, server):
    import os
    import subprocess
    from podstack_server import BIN

    def pod(*args):
        r = subprocess.run([BIN, "pod", *args, "--endpoint", server.endpoint, "--json"], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "DATA_DIR": server.data_dir})
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    sqs = server.client("sqs")
    url, arn = queue(sqs, "q")
    events.create_event_bus(Name="b")
    events.put_rule(Name="r", EventBusName="b", EventPattern='{"source":["a"]}')
    events.put_targets(Rule="r", EventBusName="b", Targets=[{"Id": "q", "Arn": arn}])
    h = server.state_hash()
    pod("save", "ev")
    server.post("/_localstack/state/reset")
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default"]
    assert pod("load", "ev")["live_hash"] == h
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule="r", EventBusName="b")["Targets"]] == [arn]
    put(events, entry(source="a", EventBusName="b"))
    assert len(receive(sqs, url)) == 1
