#!/usr/bin/env python3
"""EventBridge and KMS side by side: podstack vs moto, with nginx's 1 KiB file as the loopback ceiling, in one
run, wrk sharing the two cores. Reports requests/s, p99 and ratios. Not a test: nothing here asserts.

  - PutEvents of 10 entries on a bus with 100 rules (patterns on source and two detail fields), each rule
    with an SQS target: every entry matching one rule (10 deliveries a call), and one entry of the 10
    matching (1 delivery a call: mostly the cost of matching);
  - KMS Encrypt and Decrypt of 1 KiB with a symmetric key (when the server has KMS);
  - scheduled-rule lateness on podstack: 20 every-minute cron rules; the clock is set one second before a
    minute boundary, repeatedly, and the fired events' SQS SentTimestamp is compared with the boundary.

  tests/bench/glue_bench.py [--duration 5] [--connections 16] [--rounds 20]
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import run
import sqs_bench

def entries(ns):
    return json.dumps({"Entries": [
        {"Source": "bench.app", "DetailType": "order", "Detail": json.dumps({"n": n, "kind": "order", "amount": 12.5}),
         "EventBusName": "bench"} for n in ns]})


BODY_ENTRIES = entries(range(10))  # each entry matches one rule: 10 deliveries a call
BODY_ONE_MATCH = entries([0] + list(range(1000, 1009)))  # 1,000 pattern checks, 1 delivery a call


def boto(port, service):
    import boto3
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def seed_events(port, rules=100):
    ev, sqs = boto(port, "events"), boto(port, "sqs")
    ev.create_event_bus(Name="bench")
    arn = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName="bench-events")["QueueUrl"],
                                   AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for i in range(rules):
        ev.put_rule(Name=f"r{i}", EventBusName="bench",
                    EventPattern=json.dumps({"source": ["bench.app"], "detail": {"n": [i], "amount": [{"numeric": [">", 10]}]}}))
        ev.put_targets(Rule=f"r{i}", EventBusName="bench", Targets=[{"Id": "q", "Arn": arn}])


def seed_kms(port):
    kms = boto(port, "kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"x" * 1024)["CiphertextBlob"]
    return key, base64.b64encode(blob).decode()


def lateness(port, rounds):
    """Milliseconds from each scheduled minute to the SentTimestamp of the messages its rules sent."""
    ev, sqs = boto(port, "events"), boto(port, "sqs")
    url = sqs.create_queue(QueueName="bench-schedule")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for i in range(20):
        ev.put_rule(Name=f"tick{i}", ScheduleExpression="cron(* * * * ? *)")
        ev.put_targets(Rule=f"tick{i}", Targets=[{"Id": "q", "Arn": arn}])
    samples = []
    for _ in range(rounds):
        now = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/_podstack/clock").read())["now_ms"]
        boundary = (now // 60000 + 2) * 60000  # a minute ahead: past every rule's next fire time
        req = urllib.request.Request(f"http://127.0.0.1:{port}/_podstack/clock", method="POST",
                                     data=json.dumps({"set": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((boundary - 1000) / 1000)) + "Z"}).encode())
        urllib.request.urlopen(req).read()
        got = 0
        # The first set may fire rules that were already due; count only this boundary's.
        while got < 20:
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5,
                                       AttributeNames=["SentTimestamp"]).get("Messages", [])
            for m in msgs:
                sent = int(m["Attributes"]["SentTimestamp"])
                fired_at = json.loads(m["Body"])["time"]
                due = int(time.mktime(time.strptime(fired_at, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone) * 1000
                if due == boundary:
                    samples.append(sent - due)
                    got += 1
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if not msgs:
                break
    samples.sort()
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    results, procs = {}, []
    tmp = tempfile.mkdtemp(prefix="podstack-glue-")
    try:
        servers = {}
        port = run.free_port()
        procs.append(run.start_podstack(os.path.join(tmp, "data"), port))
        run.wait_http(f"http://127.0.0.1:{port}/_localstack/health")
        servers["podstack"] = port
        if subprocess.run(["python3", "-c", "import moto.server"], capture_output=True).returncode == 0:
            mport = run.free_port()
            procs.append(subprocess.Popen(["python3", "-m", "moto.server", "-p", str(mport)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if run.wait_http(f"http://127.0.0.1:{mport}/moto-api/"):
                servers["moto"] = mport
        nport = run.start_nginx(tmp, procs)
        if nport:
            rps, p99, _ = run.nginx_ceiling(nport, a.duration, a.connections, procs)
            results["nginx_1k"] = {"rps": rps, "p99_ms": p99}

        for name, p in servers.items():
            seed_events(p)
            sqs_bench.settle([q.pid for q in procs])
            rps, p99, errors = run.wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections,
                                       {"TARGET": "AWSEvents.PutEvents", "BODY": BODY_ENTRIES, "UNIQUE": "0",
                                        "AUTH": run.auth("events")})
            results[f"PutEvents10x100rules/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}
            sqs_bench.settle([q.pid for q in procs])
            rps, p99, errors = run.wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections,
                                       {"TARGET": "AWSEvents.PutEvents", "BODY": BODY_ONE_MATCH, "UNIQUE": "0",
                                        "AUTH": run.auth("events")})
            results[f"PutEvents10x100rules1match/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}
            try:
                key, blob = seed_kms(p)
            except Exception as e:  # a server without KMS
                results[f"kms/{name}"] = f"skipped: {str(e)[:80]}"
                continue
            for op, body in (("Encrypt", {"KeyId": key, "Plaintext": base64.b64encode(b"x" * 1024).decode()}),
                             ("Decrypt", {"CiphertextBlob": blob})):
                sqs_bench.settle([q.pid for q in procs])
                rps, p99, errors = run.wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections,
                                           {"TARGET": f"TrentService.{op}", "BODY": json.dumps(body), "UNIQUE": "0",
                                            "AUTH": run.auth("kms")})
                results[f"{op}1KiB/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}
        if a.rounds:
            s = lateness(servers["podstack"], a.rounds)
            if s:
                results["schedule_lateness_ms"] = {"samples": len(s), "p50": s[len(s) // 2],
                                                   "p99": s[min(len(s) - 1, int(len(s) * 0.99))], "max": s[-1]}
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(results, indent=2))
    ceiling = results.get("nginx_1k", {}).get("rps")
    for k, v in results.items():
        if isinstance(v, dict) and "rps" in v and ceiling and k != "nginx_1k":
            moto = results.get(k.split("/")[0] + "/moto")
            extra = f", {v['rps'] / moto['rps']:.0f}x moto" if isinstance(moto, dict) and moto.get("rps") and not k.endswith("/moto") else ""
            print(f"{k}: {v['rps']:.0f} req/s = {v['rps'] / ceiling:.1%} of nginx{extra}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
