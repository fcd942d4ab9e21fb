#!/usr/bin/env python3
"""A/B: server CPU per request of two podstack binaries on the same workloads,
alternating A and B runs so that whatever else loads the machine hits both
alike; reports the median CPU us/request, requests/s and context switches per
request of each, and B/A. For a change to the request or commit path, on a
machine too busy for absolute throughput figures. Not a test.

With --nginx, every round also measures nginx serving a 1 KiB file (the
loopback ceiling) right before A and B, and throughput is reported as a
share of that round's ceiling: the ratio to nginx before and after.

  tests/bench/ab.py OLD_BIN NEW_BIN [--rounds 3] [--duration 3] [--only s3-put,s3-get] [--nginx]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpu_cost  # noqa: E402
import run  # noqa: E402

JSON_POST = os.path.join(run.HERE, "json_post.lua")
S3_PUT = os.path.join(run.HERE, "s3_put.lua")


def json_env(target, body, unique, service, ctype="application/x-amz-json-1.0"):
    return {"TARGET": target, "BODY": body, "UNIQUE": unique, "AUTH": run.auth(service), "CONTENT_TYPE": ctype}


# name -> (path, wrk script or None, env)
WORKLOADS = {
    "ssm-get": ("/", JSON_POST, json_env("AmazonSSM.GetParameter", '{"Name":"/bench/param"}', "0", "ssm",
                                         "application/x-amz-json-1.1")),
    "ssm-put": ("/", JSON_POST, json_env("AmazonSSM.PutParameter",
                                         '{"Name":"/bench/w%d/%d","Value":"v","Type":"String","Overwrite":true}', "1",
                                         "ssm", "application/x-amz-json-1.1")),
    "sqs-send": ("/", JSON_POST, json_env("AmazonSQS.SendMessage",
                                          '{"QueueUrl":"http://localhost:4566/000000000000/bench","MessageBody":"w%d-%d"}',
                                          "1", "sqs")),
    "ddb-put": ("/", JSON_POST, json_env("DynamoDB_20120810.PutItem", run.DDB_OPS[0][2], "1", "dynamodb")),
    "ddb-get": ("/", JSON_POST, json_env("DynamoDB_20120810.GetItem", run.DDB_OPS[1][2], "0", "dynamodb")),
    "s3-put": ("/", S3_PUT, {"BUCKET": "bench", "SIZE": "1024"}),
    "s3-get": ("/bench/1k", None, {}),
}


def seed(port):
    run.seed(port)
    run.seed_dynamodb(port, 0, 1000)
    run.call(port, "AmazonSQS.CreateQueue", {"QueueName": "bench"})
    for path, data in (("/bench", None), ("/bench/1k", b"x" * 1024)):
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="PUT")).read()


def measure(binary, names, duration, conns):
    """One server of `binary`: {workload: (rps, cpu us/req, switches/req)}."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        port = run.free_port()
        env = {**os.environ, "GATEWAY_LISTEN": f"127.0.0.1:{port}", "DATA_DIR": tmp, "PERSISTENCE": "1",
               "LOG_LEVEL": "warn"}
        p = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
        try:
            run.wait_http(f"http://127.0.0.1:{port}/_localstack/health")
            seed(port)
            for name in names:
                path, script, wenv = WORKLOADS[name]
                cpu0, sw0 = cpu_cost.cpu_and_switches(p.pid)
                rps, _, errors = run.wrk(f"http://127.0.0.1:{port}{path}", duration, conns, wenv, script=script or False)
                cpu1, sw1 = cpu_cost.cpu_and_switches(p.pid)
                n = rps * duration
                out[name] = (rps, (cpu1 - cpu0) / n * 1e6, (sw1 - sw0) / n)
                if errors:
                    print(f"  {name}: {errors} errors", file=sys.stderr)
        finally:
            p.terminate()
            p.wait()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--only", default="")
    ap.add_argument("--nginx", action="store_true", help="also report rps as a share of nginx's 1 KiB ceiling, per round")
    args = ap.parse_args()
    names = [n for n in WORKLOADS if not args.only or n in args.only.split(",")]
    runs = {"A": [], "B": []}
    ceilings = []
    with tempfile.TemporaryDirectory() as ntmp:
        procs = []
        nport = run.start_nginx(ntmp, procs) if args.nginx else None
        if args.nginx and not nport:
            sys.exit("--nginx: no nginx found")
        try:
            for r in range(args.rounds):
                if nport:
                    ceilings.append(run.nginx_ceiling(nport, args.duration, args.connections, procs, runs=1)[0])
                for label, binary in (("A", args.a), ("B", args.b)) if r % 2 == 0 else (("B", args.b), ("A", args.a)):
                    runs[label].append(measure(binary, names, args.duration, args.connections))
                    print(f"round {r + 1} {label} done", file=sys.stderr, flush=True)
        finally:
            for p in procs:
                p.terminate()
                p.wait()
    print(f"{'workload':<10}{'A rps':>9}{'B rps':>9}{'A us/req':>10}{'B us/req':>10}{'B/A cpu':>9}"
          f"{'A sw/req':>10}{'B sw/req':>10}")
    for n in names:
        med = {k: [statistics.median(x[n][i] for x in v) for i in range(3)] for k, v in runs.items()}
        print(f"{n:<10}{med['A'][0]:>9.0f}{med['B'][0]:>9.0f}{med['A'][1]:>10.1f}{med['B'][1]:>10.1f}"
              f"{med['B'][1] / med['A'][1]:>9.2f}{med['A'][2]:>10.2f}{med['B'][2]:>10.2f}")
    if ceilings:
        # Each round's rps over that round's nginx rps, then the median over rounds.
        print(f"\nnginx 1 KiB ceiling per round: {', '.join(f'{c:.0f}' for c in ceilings)} rps")
        print(f"{'workload':<10}{'A/nginx':>9}{'B/nginx':>9}{'B/A':>7}")
        for n in names:
            share = {k: statistics.median(x[n][0] / c for x, c in zip(v, ceilings)) for k, v in runs.items()}
            print(f"{n:<10}{share['A']:>9.3f}{share['B']:>9.3f}{share['B'] / share['A']:>7.2f}")


if __name__ == "__main__":
    main()
