#!/usr/bin/env python3
"""CPU cost per request of podstack's write path: server CPU time (user+sys)
and context switches per request under wrk, for PutParameter (SSM),
SendMessage (SQS JSON) and PutItem (DynamoDB), PERSISTENCE=1.

Throughput on a shared 2-core machine depends on whatever else runs; the
CPU the server spends per request does not (much), so this is the number to
compare before and after a change to the commit path. Not a test.

  tests/bench/cpu_cost.py [--duration 5] [--connections 16] [--bin build/tools/podstack]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

OPS = [
    ("PutParameter", "AmazonSSM.PutParameter", "application/x-amz-json-1.1", "ssm",
     '{"Name":"/bench/w%d/%d","Value":"v","Type":"String","Overwrite":true}'),
    ("SendMessage", "AmazonSQS.SendMessage", "application/x-amz-json-1.0", "sqs",
     '{"QueueUrl":"http://localhost:4566/000000000000/bench","MessageBody":"w%d-%d"}'),
    ("PutItem", "DynamoDB_20120810.PutItem", "application/x-amz-json-1.0", "dynamodb",
     '{"TableName":"bench","Item":{"pk":{"S":"w%d"},"sk":{"N":"%d"},"v":{"S":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}}'),
]


def cpu_and_switches(pid):
    """(CPU seconds, context switches) of every thread of pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = switches = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
            fields = stat[stat.rindex(")") + 2:].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            for line in open(f"/proc/{pid}/task/{tid}/status"):
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    switches += int(line.split()[1])
        except FileNotFoundError:
            pass
    return cpu, switches


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--bin", default=run.BIN)
    a = ap.parse_args()
    run.BIN = a.bin
    with tempfile.TemporaryDirectory() as tmp:
        port = run.free_port()
        p = run.start_podstack(tmp, port)
        try:
            run.wait_http(f"http://127.0.0.1:{port}/_localstack/health")
            req = run.urllib.request.Request(
                f"http://127.0.0.1:{port}/", data=json.dumps({"QueueName": "bench"}).encode(), method="POST",
                headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.CreateQueue",
                         "Authorization": run.auth("sqs")})
            run.urllib.request.urlopen(req).read()
            run.call(port, "DynamoDB_20120810.CreateTable", {
                "TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"}]})
            print(f"{'operation':<14}{'req/s':>10}{'CPU us/req':>12}{'switches/req':>14}")
            for name, target, ctype, svc, body in OPS:
                cpu0, sw0 = cpu_and_switches(p.pid)
                env = {"TARGET": target, "BODY": body, "UNIQUE": "1", "CONTENT_TYPE": ctype, "AUTH": run.auth(svc)}
                out = subprocess.run(["wrk", "-t1", f"-c{a.connections}", f"-d{a.duration}s", "-s",
                                      os.path.join(run.HERE, "json_post.lua"), f"http://127.0.0.1:{port}/"],
                                     env={**os.environ, **env}, capture_output=True, text=True).stdout
                cpu1, sw1 = cpu_and_switches(p.pid)
                m = run.re.search(r"RESULT rps=([\d.]+) p99_ms=([\d.]+) errors=(\d+)", out)
                rps, errors = float(m.group(1)), int(m.group(3))
                n = rps * a.duration
                print(f"{name:<14}{rps:>10.0f}{(cpu1 - cpu0) / n * 1e6:>12.1f}{(sw1 - sw0) / n:>14.2f}"
                      + (f"  errors={errors}" if errors else ""))
        finally:
            p.terminate()
            p.wait()


if __name__ == "__main__":
    main()
