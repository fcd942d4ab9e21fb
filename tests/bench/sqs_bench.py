"""SQS side of tests/bench/run.py: the same requests against podstack, fauxqs
and moto in one run, plus the nginx ceiling measured by run.py.

- SendMessage through the JSON protocol and through the query protocol (wrk);
- send -> receive -> delete cycles (4 client threads, keep-alive);
- long-poll wake-up latency: a parked ReceiveMessage (WaitTimeSeconds=20) is
  answered after a SendMessage from another connection; p50/p99 of the time
  from sending the message to the poll's answer;
- SendMessage throughput again after the queue holds --sqs-fill messages.
Not a test: nothing here asserts.
"""
import http.client
import json
import os
import statistics
import subprocess
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host, Signature=0")


class Client:
    """One keep-alive connection speaking the SQS JSON protocol."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, op, body):
        self.conn.request("POST", "/", json.dumps(body), {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + op, "Authorization": AUTH})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{op}: {r.status} {data[:200]!r}")
        return json.loads(data or b"{}")


def create(port, name):
    return Client(port).call("CreateQueue", {"QueueName": name})["QueueUrl"]


def wrk_send(wrk, port, url, duration, conns, protocol):
    if protocol == "json":
        env = {"TARGET": "AmazonSQS.SendMessage", "CONTENT_TYPE": "application/x-amz-json-1.0",
               "BODY": json.dumps({"QueueUrl": url, "MessageBody": "x" * 100}), "UNIQUE": "0", "AUTH": AUTH}
    else:
        env = {"TARGET": "", "CONTENT_TYPE": "application/x-www-form-urlencoded", "UNIQUE": "0", "AUTH": AUTH,
               "BODY": urllib.parse.urlencode({"Action": "SendMessage", "Version": "2012-11-05", "QueueUrl": url,
                                               "MessageBody": "x" * 100})}
    return wrk(f"http://127.0.0.1:{port}/", duration, conns, env)


def wrk_batch_fill(wrk, port, url, count, conns):
    """Fills the queue to about `count` messages with SendMessageBatch (10 per request)."""
    body = json.dumps({"QueueUrl": url, "Entries": [{"Id": str(i), "MessageBody": "x" * 100} for i in range(10)]})
    env = {"TARGET": "AmazonSQS.SendMessageBatch", "CONTENT_TYPE": "application/x-amz-json-1.0", "BODY": body,
           "UNIQUE": "0", "AUTH": AUTH}
    c = Client(port)
    while True:
        n = int(c.call("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]})
                ["Attributes"]["ApproximateNumberOfMessages"])
        if n >= count:
            return n
        wrk(f"http://127.0.0.1:{port}/", 5, conns, env)


def cpu_seconds(pids):
    """CPU time of processes and their reaped children (a forked checkpoint)."""
    total = 0.0
    for pid in pids:
        try:
            f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def settle(pids, window=1.0, busy=0.05, deadline=120):
    """Waits until the servers (a pid or a list: every server of the run, as
    they share the cores) do no background work (RocksDB or LevelDB flushes
    and compactions, a checkpoint, a JIT): under `busy` CPU over `window`
    seconds. So a measurement is of the steady state, not of the aftermath
    of the previous phase. Returns the seconds waited."""
    pids = [pids] if isinstance(pids, int) else list(pids)
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline:
        c0 = cpu_seconds(pids)
        time.sleep(window)
        if cpu_seconds(pids) - c0 < busy * window:
            break
    return time.monotonic() - t0


def cycles(port, url, duration, threads=4):
    """send -> receive -> delete per iteration, `threads` clients; cycles/s."""
    done = []
    end = time.monotonic() + duration

    def run():
        c, n = Client(port), 0
        while time.monotonic() < end:
            c.call("SendMessage", {"QueueUrl": url, "MessageBody": "cycle"})
            msgs = c.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 1}).get("Messages", [])
            for m in msgs:
                c.call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]})
            n += 1
        done.append(n)

    ts = [threading.Thread(target=run) for _ in range(threads)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(done) / (time.monotonic() - t0)


def wakeup(port, url, rounds):
    """Latency from a SendMessage's answer to the parked long poll's answer, in ms (p50, p99)."""
    lat = []
    poller, sender = Client(port), Client(port)
    for _ in range(rounds):
        got = {}

        def poll():
            got["r"] = poller.call("ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 20})
            got["t"] = time.perf_counter()

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.005)  # let the poll park (benchmark pacing, not synchronisation)
        sender.call("SendMessage", {"QueueUrl": url, "MessageBody": "wake"})
        t_sent = time.perf_counter()
        t.join()
        for m in got["r"].get("Messages", []):
            sender.call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]})
        lat.append(max(0.0, got["t"] - t_sent) * 1000)
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.99) - 1]


def start_fauxqs(deps, port, tmp):
    """fauxqs (npm) on Node 22 from `deps` (npm install --prefix DEPS node@22 fauxqs), or None."""
    node = os.path.join(deps, "node_modules", "node", "bin", "node")
    pkg = os.path.join(deps, "node_modules", "fauxqs")
    if not (os.path.exists(node) and os.path.isdir(pkg)):
        return None
    meta = json.load(open(os.path.join(pkg, "package.json")))
    bins = meta.get("bin", {})
    entry = bins if isinstance(bins, str) else next(iter(bins.values()), None)
    if not entry:
        return None
    env = {**os.environ, "FAUXQS_PORT": str(port), "PORT": str(port), "FAUXQS_HOST": "127.0.0.1"}
    return subprocess.Popen([node, os.path.join(pkg, entry)], env=env, cwd=tmp,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(servers, wrk, duration, conns, fill, results, pids=None):
    """servers: name -> port; pids: every server process of the run, let to
    settle before each server's runs and before the 1 M-queued run. Fills
    `results`."""
    pids = pids or []
    for name, port in servers.items():
        try:
            url = create(port, "bench")
            if pids:
                settle(pids)
            for proto in ("json", "query"):
                rps, p99, errors = wrk_send(wrk, port, url, duration, conns, proto)
                results[f"SendMessage-{proto}/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}
            curl = create(port, "cycle")
            results[f"SendReceiveDelete/{name}"] = {"cycles_per_s": cycles(port, curl, duration)}
            wurl = create(port, "wake")
            p50, p99 = wakeup(port, wurl, 200)
            results[f"LongPollWakeup/{name}"] = {"p50_ms": p50, "p99_ms": p99}
            if fill and name == "podstack":
                furl = create(port, "fill")
                t0 = time.monotonic()
                n = wrk_batch_fill(wrk, port, furl, fill, conns)
                results["sqs_fill"] = {"messages": n, "seconds": time.monotonic() - t0}
                # Right after the fill the server still flushes and compacts
                # what it wrote and checkpoints the grown state: reported, but
                # the flatness target is about the settled state.
                rps, p99, errors = wrk_send(wrk, port, furl, duration, conns, "json")
                results[f"SendMessage-json-right-after-fill/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}
                if pids:
                    results["sqs_settle_seconds"] = settle(pids)
                    rps, p99, errors = wrk_send(wrk, port, furl, duration, conns, "json")
                    results[f"SendMessage-json-at-{n}/{name}"] = {"rps": rps, "p99_ms": p99, "errors": errors}
        except Exception as e:  # a reference server without an operation: report, go on
            results[f"sqs_error/{name}"] = str(e)[:300]


def report(results, names):
    ceiling = results.get("nginx_1k", {}).get("rps")
    print(f"\n{'SQS':<22}" + "".join(f"{n:>14}" for n in names) + f"{'% nginx':>9}")
    for op in ("SendMessage-json", "SendMessage-query"):
        row = [results.get(f"{op}/{n}", {}).get("rps", 0) for n in names]
        pct = f"{100 * row[0] / ceiling:.0f}%" if ceiling and row[0] else "-"
        print(f"{op + ' rps':<22}" + "".join(f"{v:>14.0f}" for v in row) + f"{pct:>9}")
    row = [results.get(f"SendReceiveDelete/{n}", {}).get("cycles_per_s", 0) for n in names]
    print(f"{'send+recv+del /s':<22}" + "".join(f"{v:>14.0f}" for v in row))
    row = [results.get(f"LongPollWakeup/{n}", {}).get("p99_ms", 0) for n in names]
    print(f"{'wake-up p99 ms':<22}" + "".join(f"{v:>14.2f}" for v in row))
    for k, v in results.items():
        if k.startswith("SendMessage-json-at-") or k.startswith("SendMessage-json-right-after"):
            print(f"{k.split('/')[0] + ' rps':<22}{v['rps']:>14.0f}   p99 {v['p99_ms']:.1f} ms")
        if k.startswith("sqs_error/"):
            print(f"  {k}: {v}")
    for n in names[1:]:
        a, b = results.get(f"SendMessage-json/podstack", {}).get("rps"), results.get(f"SendMessage-json/{n}", {}).get("rps")
        if a and b:
            print(f"SendMessage (JSON): podstack {a / b:.1f}x {n}")
