#!/usr/bin/env python3
"""S3 side by side: podstack (PERSISTENCE=1) vs s3rver (npm, the S3 emulator
installable here) vs nginx serving a 1 KiB file (the loopback ceiling), in
one run, wrk on the same two cores. Reports requests/s, p99 and ratios.

  tests/bench/s3_bench.py [--duration 5] [--connections 16] [--rounds 3] [--big-gib 5] [--pod-gib 1] [--pod-objects 100000]
                         [--pods-only]

  PutObject 1 KiB, GetObject 1 KiB (the median of --rounds alternating
  rounds), GetObject 1 MiB (MB/s), ListObjectsV2 of a 10,000-key bucket;
  with --big-gib N, an N GiB multipart upload and download through boto3
  with the server's peak RSS growth (VmHWM).
s3rver comes from npm (installed into a temp dir once: S3RVER_DIR to reuse).
Not a test: nothing here asserts.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import BIN, HERE, free_port, nginx_ceiling, start_nginx, wait_http, wrk  # noqa: E402
from sqs_bench import settle  # noqa: E402


def boto(port):
    import boto3
    from botocore.config import Config
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="S3RVER",
                        aws_secret_access_key="S3RVER", region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def seed(port):
    c = boto(port)
    c.create_bucket(Bucket="bench")
    c.put_object(Bucket="bench", Key="1k", Body=b"x" * 1024)
    c.put_object(Bucket="bench", Key="1m", Body=os.urandom(1 << 20))
    c.create_bucket(Bucket="list10k")
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda i: c.put_object(Bucket="list10k", Key=f"k/{i:05d}", Body=b"v"), range(10000)))


def rss_peak_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def big_roundtrip(port, pid, gib, tmp):
    """N GiB through the multipart path and back; returns MB/s each way and peak RSS growth."""
    from boto3.s3.transfer import TransferConfig
    c = boto(port)
    try:  # with --pods-only nothing seeded the bucket
        c.create_bucket(Bucket="bench")
    except c.exceptions.BucketAlreadyOwnedByYou:
        pass
    path = os.path.join(tmp, "big.bin")
    block = os.urandom(1 << 20)
    h = hashlib.md5()
    with open(path, "wb") as f:
        for _ in range(gib * 1024):
            f.write(block)
            h.update(block)
    cfg = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=64 << 20, max_concurrency=4)
    before = rss_peak_kib(pid)
    t0 = time.perf_counter()
    c.upload_file(path, "bench", "big", Config=cfg)
    up = time.perf_counter() - t0
    os.unlink(path)
    t0 = time.perf_counter()
    body = c.get_object(Bucket="bench", Key="big")["Body"]
    h2 = hashlib.md5()
    n = 0
    for chunk in iter(lambda: body.read(1 << 20), b""):
        h2.update(chunk)
        n += len(chunk)
    down = time.perf_counter() - t0
    mb = gib * 1024
    return {"upload_MBps": mb / up, "download_MBps": mb / down, "identical": h.digest() == h2.digest() and n == gib << 30,
            "rss_growth_MiB": (rss_peak_kib(pid) - before) / 1024}


def put_many(port, bucket, count, size):
    """`count` objects of `size` bytes over keep-alive connections, 4 threads."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor
    body = b"x" * size

    def worker(w):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for i in range(w, count, 4):
            conn.request("PUT", f"/{bucket}/o{i:07d}", body=body)
            conn.getresponse().read()
        conn.close()
    with ThreadPoolExecutor(4) as ex:
        list(ex.map(worker, range(4)))


def pod_roundtrip(port, data_dir, gib=0, objects=0):
    """S3 objects (N GiB in 64 MiB objects, or N 1 KiB objects) saved as a pod, state reset, pod loaded."""
    import urllib.request
    c = boto(port)
    c.create_bucket(Bucket="podbench")
    block = os.urandom(64 << 20) if gib else b"x" * 1024
    if gib:
        for i in range(gib * 16):
            c.put_object(Bucket="podbench", Key=f"o{i:07d}", Body=block)
    else:
        put_many(port, "podbench", objects, 1024)
    env = {**os.environ, "DATA_DIR": data_dir}
    t0 = time.perf_counter()
    subprocess.run([BIN, "pod", "save", "big", "--endpoint", f"http://127.0.0.1:{port}", "--json"], env=env, check=True,
                   capture_output=True)
    save = time.perf_counter() - t0
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/_localstack/state/reset", method="POST")).read()
    t0 = time.perf_counter()
    subprocess.run([BIN, "pod", "load", "big", "--endpoint", f"http://127.0.0.1:{port}", "--json"], env=env, check=True,
                   capture_output=True)
    load = time.perf_counter() - t0
    ok = c.head_object(Bucket="podbench", Key="o0000000")["ContentLength"] == len(block)
    mb = gib * 1024 if gib else objects / 1024
    return {"save_seconds": save, "load_seconds": load, "save_MBps": mb / save, "load_MBps": mb / load, "readable": ok}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of the 1 KiB PUT and GET (median counts)")
    ap.add_argument("--big-gib", type=int, default=0)
    ap.add_argument("--pod-gib", type=int, default=0, help="also: pod save/load of N GiB of S3 objects")
    ap.add_argument("--pod-objects", type=int, default=0, help="also: pod save/load of N 1 KiB S3 objects")
    ap.add_argument("--pods-only", action="store_true", help="only the pod figures: no wrk runs, no s3rver, no nginx")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="podstack-s3bench-")
    procs, servers, results = [], {}, {}
    try:
        port = free_port()
        env = {**os.environ, "GATEWAY_LISTEN": f"127.0.0.1:{port}", "DATA_DIR": os.path.join(tmp, "data"),
               "PERSISTENCE": "1", "LOG_LEVEL": "warn"}
        podstack = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
        procs.append(podstack)
        wait_http(f"http://127.0.0.1:{port}/_localstack/health")
        servers["podstack"] = port

        sdir = os.environ.get("S3RVER_DIR") or os.path.join(tmp, "s3rver")
        sbin = os.path.join(sdir, "node_modules", ".bin", "s3rver")
        if not os.path.exists(sbin) and not a.pods_only:
            subprocess.run(["npm", "install", "--silent", "--prefix", sdir, "s3rver@3"], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.path.exists(sbin) and not a.pods_only:
            sport = free_port()
            os.makedirs(os.path.join(tmp, "s3rver-data"))
            procs.append(subprocess.Popen([sbin, "-a", "127.0.0.1", "-p", str(sport), "-d", os.path.join(tmp, "s3rver-data"),
                                           "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if wait_http(f"http://127.0.0.1:{sport}/"):
                servers["s3rver"] = sport

        # The 1 KiB PUT and GET, the figures with targets, are measured in
        # --rounds rounds that alternate the servers; each server's median
        # counts. One 5 s run moved by +-15% on this shared VM, for either
        # server, and a single unlucky run of either side skews the ratio.
        for p in servers.values():
            if not a.pods_only:
                seed(p)
        rounds = {}
        for r in range(0 if a.pods_only else a.rounds):
            for name, p in servers.items():
                settle([q.pid for q in procs])  # the seeding's (or the last run's) flushes and compactions are not the measurement
                rounds.setdefault(f"PutObject 1KiB/{name}", []).append(
                    wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections, {"BUCKET": "bench", "SIZE": "1024"},
                        script=os.path.join(HERE, "s3_put.lua")))
                settle([q.pid for q in procs])
                rounds.setdefault(f"GetObject 1KiB/{name}", []).append(
                    wrk(f"http://127.0.0.1:{p}/bench/1k", a.duration, a.connections, script=False))
        for k, runs in rounds.items():
            results[k] = sorted(runs, key=lambda x: x[0])[len(runs) // 2]
            results[k + " (all rounds, req/s)"] = [round(x[0]) for x in runs]
        for name, p in servers.items():
            if a.pods_only:
                break
            results[f"GetObject 1MiB/{name}"] = wrk(f"http://127.0.0.1:{p}/bench/1m", a.duration, 4, script=False)
            results[f"ListObjectsV2 10k/{name}"] = wrk(f"http://127.0.0.1:{p}/list10k?list-type=2", a.duration, 4, script=False)

        nport = None if a.pods_only else start_nginx(tmp, procs)
        if nport:
            results["nginx 1KiB"] = nginx_ceiling(nport, a.duration, a.connections, procs)

        if a.pod_gib:
            results[f"pod of {a.pod_gib}GiB S3/podstack"] = pod_roundtrip(servers["podstack"], os.path.join(tmp, "data"), gib=a.pod_gib)
        if a.pod_objects:
            results[f"pod of {a.pod_objects} 1KiB S3 objects/podstack"] = pod_roundtrip(
                servers["podstack"], os.path.join(tmp, "data"), objects=a.pod_objects)
        if a.big_gib:
            results[f"{a.big_gib}GiB roundtrip/podstack"] = big_roundtrip(servers["podstack"], podstack.pid, a.big_gib, tmp)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    print(json.dumps(results, indent=2))
    ceiling = results.get("nginx 1KiB", (0,))[0]
    print(f"\n{'operation':<20}{'podstack rps':>13}{'p99 ms':>8}{'s3rver rps':>12}{'x s3rver':>10}{'% nginx':>9}")
    for op in ("PutObject 1KiB", "GetObject 1KiB", "GetObject 1MiB", "ListObjectsV2 10k"):
        ps, sr = results.get(f"{op}/podstack"), results.get(f"{op}/s3rver")
        if not ps:
            continue
        ratio = f"{ps[0] / sr[0]:.0f}x" if sr and sr[0] else "-"
        pct = f"{100 * ps[0] / ceiling:.0f}%" if ceiling and "1KiB" in op else "-"
        print(f"{op:<20}{ps[0]:>13.0f}{ps[1]:>8.2f}{(sr[0] if sr else 0):>12.0f}{ratio:>10}{pct:>9}")
        if op == "GetObject 1MiB":
            print(f"{'  (MB/s)':<20}{ps[0]:>13.0f}{'':>8}{(sr[0] if sr else 0):>12.0f}")
    for k, v in results.items():
        if k.endswith("(all rounds, req/s)"):
            print(f"  {k}: {v}")


if __name__ == "__main__":
    main()
