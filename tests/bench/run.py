#!/usr/bin/env python3
"""Side-by-side benchmark: podstack vs moto (the Python emulator users would
pick instead) vs nginx serving a 1 KiB file (the loopback ceiling), in one run,
with wrk on the same two cores. Reports requests/s, p99 and ratios.

  tests/bench/run.py [--duration 5] [--connections 16] [--events 1000000]

SQS (tests/bench/sqs_bench.py): SendMessage in both protocols, send/receive/
delete cycles and long-poll wake-up latency against podstack, fauxqs (npm,
Node 22: --fauxqs-deps DIR holding `npm install --prefix DIR node@22 fauxqs`)
and moto, and SendMessage again with --sqs-fill messages queued.

Also: cold start (exec -> /_localstack/health answers), the replay rate of
1 M events (build/tests/bench/replay_bench) and pod save/load of 100,000 SSM
parameters (build/tests/bench/pod_bench). Not a test: nothing here asserts.

DynamoDB (PutItem, GetItem, Query of 100 items) runs against podstack, moto
and dynalite (npm, LevelDB-backed: DYNALITE=path/to/node_modules/.bin/dynalite,
or on PATH), each seeded with --ddb-items items by BatchWriteItem; Query is
measured at 1/10 of that size and at full size (latency should not grow),
and podstack's RSS after seeding is reported.
"""
import concurrent.futures
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import sqs_bench

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("PODSTACK_BIN", os.path.join(REPO, "build", "tools", "podstack"))
REPLAY = os.path.join(REPO, "build", "tests", "bench", "replay_bench")
POD = os.path.join(REPO, "build", "tests", "bench", "pod_bench")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except Exception:
            time.sleep(0.002)
    return False


def wait_http_any(url, timeout=30):
    """Until anything answers HTTP at url (an error status counts: the server is up)."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except urllib.error.HTTPError:
            return True
        except Exception:
            time.sleep(0.01)
    return False


def auth(service):
    return f"AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"


def service_of(target):
    return {"AmazonSSM": "ssm", "DynamoDB_20120810": "dynamodb"}.get(target.split(".")[0], "secretsmanager")


def content_type(target):
    return "application/x-amz-json-1.0" if target.startswith("DynamoDB") else "application/x-amz-json-1.1"


def call(port, target, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": content_type(target), "X-Amz-Target": target,
                                          "X-Amz-Date": "20261125T000000Z", "Authorization": auth(service_of(target))})
    try:
        return urllib.request.urlopen(req, timeout=60).read()
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{target} on port {port}: {e.code} {e.read()[:300]!r}") from None


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.01)
    return False


def nginx_ceiling(port, duration, conns, procs, runs=3):
    """The best of `runs` settled wrk runs against nginx's 1 KiB file: (rps, p99_ms, errors).
    One run moved between 50k and 74k req/s on this machine with nothing else running; the
    ceiling is what nginx can do, so the best run is the yardstick (the conservative choice:
    a low ceiling would flatter every ratio)."""
    best = None
    for _ in range(runs):
        sqs_bench.settle([q.pid for q in procs])
        r = wrk(f"http://127.0.0.1:{port}/1k", duration, conns, script=False)
        if best is None or r[0] > best[0]:
            best = r
    return best


def start_nginx(tmp, procs):
    """nginx serving a 1 KiB file at /1k (the loopback ceiling); its port, or None without nginx."""
    nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not nginx:
        return None
    nport = free_port()
    root = os.path.join(tmp, "www")
    os.makedirs(root)
    os.chmod(tmp, 0o755)  # nginx workers run unprivileged
    open(os.path.join(root, "1k"), "w").write("x" * 1024)
    conf = os.path.join(tmp, "nginx.conf")
    open(conf, "w").write(
        f"worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err; daemon off;"
        f"events {{}} http {{ access_log off; server {{ listen 127.0.0.1:{nport}; root {root}; }} }}")
    procs.append(subprocess.Popen([nginx, "-c", conf], stderr=subprocess.DEVNULL))
    return nport if wait_http(f"http://127.0.0.1:{nport}/1k") else None


def wrk(url, duration, conns, env=None, script=True):
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency"]
    if script:  # True: the JSON POST script; a path: that script
        cmd += ["-s", script if isinstance(script, str) else os.path.join(HERE, "json_post.lua")]
    cmd.append(url)
    out = subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True).stdout
    m = re.search(r"RESULT rps=([\d.]+) p99_ms=([\d.]+) errors=(\d+)", out)
    if m:
        return float(m.group(1)), float(m.group(2)), int(m.group(3))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return rps, float(p99.group(1)) * scale, 0


OPS = [
    ("GetParameter", "AmazonSSM.GetParameter", '{"Name":"/bench/param"}', "0"),
    ("PutParameter", "AmazonSSM.PutParameter",
     '{"Name":"/bench/w%d/%d","Value":"v","Type":"String","Overwrite":true}', "1"),
    ("GetSecretValue", "secretsmanager.GetSecretValue", '{"SecretId":"bench-secret"}', "0"),
]


DDB_OPS = [
    ("PutItem", "DynamoDB_20120810.PutItem",
     '{"TableName":"bench","Item":{"pk":{"S":"w%d"},"sk":{"N":"%d"},"v":{"S":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}}', "1"),
    ("GetItem", "DynamoDB_20120810.GetItem", '{"TableName":"bench","Key":{"pk":{"S":"p7"},"sk":{"N":"7"}}}', "0"),
    ("Query100", "DynamoDB_20120810.Query",
     '{"TableName":"bench","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p7"}}}', "0"),
]


def seed(port):
    call(port, "AmazonSSM.PutParameter", {"Name": "/bench/param", "Value": "x" * 64, "Type": "String", "Overwrite": True})
    call(port, "secretsmanager.CreateSecret", {"Name": "bench-secret", "SecretString": "s" * 64})


def seed_dynamodb(port, start, end):
    """Items [start, end) of the bench table: 100 per partition key, so Query p7 reads 100 items."""
    if start == 0:
        call(port, "DynamoDB_20120810.CreateTable", {
            "TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]})
        for _ in range(300):  # a bench, not a test: wait for ACTIVE where the server has a CREATING phase
            if json.loads(call(port, "DynamoDB_20120810.DescribeTable", {"TableName": "bench"}))["Table"]["TableStatus"] == "ACTIVE":
                break
            time.sleep(0.1)
    per = 100

    def batch(i):
        items = [{"PutRequest": {"Item": {"pk": {"S": "p%d" % (j // per)}, "sk": {"N": str(j % per)}, "v": {"S": "x" * 32}}}}
                 for j in range(i, min(i + 25, end))]
        call(port, "DynamoDB_20120810.BatchWriteItem", {"RequestItems": {"bench": items}})
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(batch, range(start, end, 25)))


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


def start_podstack(tmp, port):
    env = {**os.environ, "GATEWAY_LISTEN": f"127.0.0.1:{port}", "DATA_DIR": tmp, "PERSISTENCE": "1", "LOG_LEVEL": "warn"}
    return subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--fauxqs-deps", default=os.environ.get("FAUXQS_DEPS", ""))
    ap.add_argument("--sqs-fill", type=int, default=1000000)
    ap.add_argument("--only", default="", help="'sqs': only the SQS comparison (and the nginx ceiling)")
    ap.add_argument("--ddb-items", type=int, default=100000)
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    results = {}
    procs = []
    sqs_servers = {}
    tmp = tempfile.mkdtemp(prefix="podstack-bench-")
    try:
        # Cold start: exec -> health answers, empty store, median of 5.
        starts = []
        for i in range(5):
            port = free_port()
            d = os.path.join(tmp, f"cold{i}")
            t0 = time.perf_counter()
            p = start_podstack(d, port)
            wait_http(f"http://127.0.0.1:{port}/_localstack/health")
            starts.append((time.perf_counter() - t0) * 1000)
            p.terminate()
            p.wait()
        results["cold_start_ms"] = sorted(starts)[2]

        servers = {}
        port = free_port()
        procs.append(start_podstack(os.path.join(tmp, "data"), port))
        wait_http(f"http://127.0.0.1:{port}/_localstack/health")
        servers["podstack"] = port
        moto_py = os.environ.get("MOTO_PYTHON", "python3")
        if subprocess.run([moto_py, "-c", "import moto.server"], capture_output=True).returncode == 0:
            mport = free_port()
            procs.append(subprocess.Popen([moto_py, "-m", "moto.server", "-p", str(mport)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if wait_http(f"http://127.0.0.1:{mport}/moto-api/"):
                servers["moto"] = mport
        for name, p in servers.items():
            seed(p)
        for op, target, body, unique in ([] if a.only == "sqs" else OPS):
            for name, p in servers.items():
                rps, p99, errors = wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections,
                                       {"TARGET": target, "BODY": body, "UNIQUE": unique, "AUTH": auth(service_of(target))})
                results[f"{op}/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}

        # DynamoDB: podstack, moto and dynalite (LevelDB on disk, like podstack's PERSISTENCE=1).
        dynalite = os.environ.get("DYNALITE") or shutil.which("dynalite")
        ddb_servers = dict(servers)
        if dynalite:
            dport = free_port()
            procs.append(subprocess.Popen(["node", dynalite, "--port", str(dport), "--path", os.path.join(tmp, "dynalite"),
                                           "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if wait_port(dport):
                ddb_servers["dynalite"] = dport
        small = max(a.ddb_items // 10, 1000)
        for name, p in ddb_servers.items():
            t0 = time.perf_counter()
            seed_dynamodb(p, 0, small)
            sqs_bench.settle([q.pid for q in procs])  # the seeding's flushes and checkpoints are not the measurement
            rps, p99, errors = wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections,
                                   {"TARGET": "DynamoDB_20120810.Query", "BODY": DDB_OPS[2][2], "UNIQUE": "0",
                                    "AUTH": auth("dynamodb"), "CONTENT_TYPE": "application/x-amz-json-1.0"})
            results[f"Query100@{small}/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}
            seed_dynamodb(p, small, a.ddb_items)
            results[f"seed_{a.ddb_items}/{name}_seconds"] = time.perf_counter() - t0
        if "podstack" in ddb_servers:
            results[f"podstack_rss_mb_with_{a.ddb_items}_items"] = rss_mb(procs[0].pid)
        for op, target, body, unique in DDB_OPS:
            for name, p in ddb_servers.items():
                sqs_bench.settle([q.pid for q in procs])
                rps, p99, errors = wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections,
                                       {"TARGET": target, "BODY": body, "UNIQUE": unique, "AUTH": auth("dynamodb"),
                                        "CONTENT_TYPE": "application/x-amz-json-1.0"})
                results[f"{op}/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}

        nport = start_nginx(tmp, procs)
        if nport:
            rps, p99, _ = nginx_ceiling(nport, a.duration, a.connections, procs)
            results["nginx_1k"] = {"rps": rps, "p99_ms": p99}

        sqs_servers = {"podstack": servers["podstack"]}
        if a.fauxqs_deps:
            fport = free_port()
            fp = sqs_bench.start_fauxqs(a.fauxqs_deps, fport, tmp)
            if fp:
                procs.append(fp)
                if wait_http_any(f"http://127.0.0.1:{fport}/"):
                    sqs_servers["fauxqs"] = fport
        if "moto" in servers:
            sqs_servers["moto"] = servers["moto"]
        sqs_bench.run(sqs_servers, wrk, a.duration, a.connections, a.sqs_fill, results, [p.pid for p in procs])

        if os.path.exists(REPLAY) and a.events and a.only != "sqs":
            out = subprocess.run([REPLAY, os.path.join(tmp, "replay"), str(a.events)], capture_output=True, text=True).stdout
            m = re.search(r"events_per_second=(\d+)", out)
            if m:
                results["replay_events_per_second"] = int(m.group(1))
        if os.path.exists(POD) and a.only != "sqs":
            out = subprocess.run([POD, os.path.join(tmp, "pod"), "100000"], capture_output=True, text=True).stdout
            m = re.search(r"save_seconds=([\d.]+) load_seconds=([\d.]+)", out)
            if m:
                results["pod_100k_save_seconds"] = float(m.group(1))
                results["pod_100k_load_seconds"] = float(m.group(2))
            m = re.search(r"diff_seconds=([\d.]+)", out)
            if m:
                results["pod_100k_diff_seconds"] = float(m.group(1))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    print(json.dumps(results, indent=2))
    print()
    print(f"{'operation':<16}{'podstack rps':>14}{'p99 ms':>9}{'moto rps':>11}{'moto p99':>10}{'x moto':>9}{'% nginx':>9}")
    ceiling = results.get("nginx_1k", {}).get("rps")
    for op, *_ in ([] if a.only == "sqs" else OPS):
        ps = results.get(f"{op}/podstack", {})
        mo = results.get(f"{op}/moto", {})
        ratio = f"{ps['rps'] / mo['rps']:.0f}x" if mo.get("rps") else "-"
        pct = f"{100 * ps['rps'] / ceiling:.0f}%" if ceiling else "-"
        print(f"{op:<16}{ps.get('rps', 0):>14.0f}{ps.get('p99_ms', 0):>9.2f}{mo.get('rps', 0):>11.0f}"
              f"{mo.get('p99_ms', 0):>10.1f}{ratio:>9}{pct:>9}")
        for name, r in (("podstack", ps), ("moto", mo)):
            if r.get("errors"):
                print(f"  warning: {name} answered {r['errors']} {op} requests with errors")
    sqs_bench.report(results, list(sqs_servers))
    print()
    print(f"{'DynamoDB':<16}{'podstack rps':>14}{'p99 ms':>9}{'dynalite':>10}{'x dynalite':>11}{'moto':>9}{'x moto':>8}{'% nginx':>9}")
    for op in [f"Query100@{max(a.ddb_items // 10, 1000)}"] + [o for o, *_ in DDB_OPS]:
        ps, dy, mo = (results.get(f"{op}/{n}", {}) for n in ("podstack", "dynalite", "moto"))
        if not ps:
            continue
        xd = f"{ps['rps'] / dy['rps']:.1f}x" if dy.get("rps") else "-"
        xm = f"{ps['rps'] / mo['rps']:.1f}x" if mo.get("rps") else "-"
        pct = f"{100 * ps['rps'] / ceiling:.0f}%" if ceiling else "-"
        print(f"{op:<16}{ps['rps']:>14.0f}{ps['p99_ms']:>9.2f}{dy.get('rps', 0):>10.0f}{xd:>11}{mo.get('rps', 0):>9.0f}{xm:>8}{pct:>9}")
        for name, r in (("podstack", ps), ("dynalite", dy), ("moto", mo)):
            if r.get("errors"):
                print(f"  warning: {name} answered {r['errors']} {op} requests with errors")
    rss = results.get(f"podstack_rss_mb_with_{a.ddb_items}_items")
    if rss:
        print(f"podstack RSS with {a.ddb_items:,} DynamoDB items: {rss:.0f} MB")
    print(f"cold start to healthy: {results['cold_start_ms']:.1f} ms; replay: {results.get('replay_events_per_second', 0):,} events/s")
    if "pod_100k_save_seconds" in results:
        print(f"pod of 100,000 SSM parameters: save {results['pod_100k_save_seconds']:.3f} s, "
              f"load {results['pod_100k_load_seconds']:.3f} s, diff --live {results.get('pod_100k_diff_seconds', 0):.3f} s")


if __name__ == "__main__":
    main()
