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
"""
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


def call(port, target, body):
    service = "ssm" if target.startswith("AmazonSSM") else "secretsmanager"
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
                                          "Authorization": auth(service)})
    return urllib.request.urlopen(req, timeout=10).read()


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


def seed(port):
    call(port, "AmazonSSM.PutParameter", {"Name": "/bench/param", "Value": "x" * 64, "Type": "String", "Overwrite": True})
    call(port, "secretsmanager.CreateSecret", {"Name": "bench-secret", "SecretString": "s" * 64})


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
                service = "ssm" if target.startswith("AmazonSSM") else "secretsmanager"
                rps, p99, errors = wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections,
                                       {"TARGET": target, "BODY": body, "UNIQUE": unique, "AUTH": auth(service)})
                results[f"{op}/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}

        nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
        if nginx:
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
            if wait_http(f"http://127.0.0.1:{nport}/1k"):
                rps, p99, _ = wrk(f"http://127.0.0.1:{nport}/1k", a.duration, a.connections, script=False)
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
        sqs_bench.run(sqs_servers, wrk, a.duration, a.connections, a.sqs_fill, results)

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
    print(f"cold start to healthy: {results['cold_start_ms']:.1f} ms; replay: {results.get('replay_events_per_second', 0):,} events/s")
    if "pod_100k_save_seconds" in results:
        print(f"pod of 100,000 SSM parameters: save {results['pod_100k_save_seconds']:.3f} s, "
              f"load {results['pod_100k_load_seconds']:.3f} s, diff --live {results.get('pod_100k_diff_seconds', 0):.3f} s")


if __name__ == "__main__":
    main()
