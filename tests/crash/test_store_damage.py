"""A damaged store is reported, precisely.

Each test damages DATA_DIR/log the way a disk, a crash or a person does, then
checks that podstack names what is wrong and where:

- a WAL truncated in the middle of a record: the server starts from the
  consistent prefix and logs one warning naming the WAL, the bytes dropped
  and the last event kept;
- a flipped byte in a data block of the events column family's table file:
  `podstack store verify` names the file and the sequences it held and exits
  1 (also next to a running server), and the server's background
  verification reports the same;
- a damaged first block of that file (read at every open): the server
  refuses to start, naming the file and the way out (an offline pod of the
  state, loaded into a fresh DATA_DIR), which works;
- a deleted CURRENT, and a directory of foreign files: the server refuses to
  start with one sentence naming the file and the way out, which works.

Every server runs on a free port in its own temporary DATA_DIR and is stopped.
"""
import glob
import json
import os
import re
import subprocess
import sys
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from podstack_server import BIN, PodstackServer  # noqa: E402

BLOCK = 32768  # RocksDB's WAL block (db/log_format.h)
FULL_TYPE = 1


@pytest.fixture
def servers():
    started = []
    yield started
    for s in started:
        s.kill9()


def put_params(server, prefix, count, size=200):
    """`count` parameters whose values do not compress (a table file then has a data block per few)."""
    ssm = server.client("ssm")
    for i in range(count):
        ssm.put_parameter(Name=f"{prefix}/{i:04d}", Value=os.urandom(size // 2).hex(), Type="String")


def param_names(server, prefix):
    ssm = server.client("ssm")
    names, token = [], None
    while True:
        kw = {"Path": prefix, "Recursive": True, "MaxResults": 10}
        if token:
            kw["NextToken"] = token
        r = ssm.get_parameters_by_path(**kw)
        names += [p["Name"] for p in r["Parameters"]]
        token = r.get("NextToken")
        if not token:
            return sorted(names)


def wal_records(data):
    """(offset, header size, payload length, type) of each physical WAL record."""
    off = 0
    while off + 7 <= len(data):
        left = BLOCK - off % BLOCK
        if left < 7:  # a block's trailer, zero-filled
            off += left
            continue
        length = data[off + 4] | (data[off + 5] << 8)
        typ = data[off + 6]
        header = 11 if 5 <= typ <= 8 else 7
        if typ == 0 and length == 0:
            break
        yield off, header, length, typ
        off += header + length


def store_verify(data_dir, *args):
    return subprocess.run([BIN, "store", "verify", "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          timeout=120)


def metrics_text(server):
    with urllib.request.urlopen(server.endpoint + "/_podstack/metrics", timeout=10) as r:
        return r.read().decode()


def serve_once(data_dir):
    """`podstack serve` expected to refuse to start: the CompletedProcess."""
    env = dict(os.environ, DATA_DIR=str(data_dir), PERSISTENCE="1", GATEWAY_LISTEN="127.0.0.1:0")
    return subprocess.run([BIN, "serve"], env=env, capture_output=True, text=True, timeout=60)


def test_truncated_wal_tail_is_one_warning_with_last_event_and_bytes(tmp_path, servers):
    server = PodstackServer(tmp_path)
    servers.append(server)
    server.start()
    put_params(server, "/wal", 300)
    total = server.state()["last_sequence"]
    assert total >= 300
    server.kill9()

    wal = max(glob.glob(str(tmp_path / "log" / "[0-9]*.log")), key=lambda p: int(os.path.basename(p).split(".")[0]))
    data = open(wal, "rb").read()
    # A whole record in the second half of the file, inside one block: cut it in two.
    off, header, length, _ = next(r for r in wal_records(data) if r[0] >= len(data) // 2 and r[3] == FULL_TYPE and
                                  r[0] // BLOCK == (r[0] + r[1] + r[2]) // BLOCK and r[2] > 100)
    cut = off + header + length // 2
    os.truncate(wal, cut)

    server.start()
    line = server.wait_for_log("recovery discarded")
    assert f"the write-ahead log {wal} ends in a torn or damaged record" in line
    m = re.search(r"recovery discarded (\d+) bytes there .* kept the log up to event (\d+)", line)
    assert m, line
    # RocksDB drops the torn record: from its header to the end of the file.
    assert int(m.group(1)) == cut - off
    kept = int(m.group(2))
    assert 0 < kept < total
    assert sum("recovery discarded" in l for l in server.log_lines) == 1
    health = server.get_json("/_localstack/health")  # up, and says what happened
    assert health["status"] == "degraded" and any("recovery discarded" in p for p in health["problems"]), health
    # The server serves exactly the prefix it names.
    assert server.state()["last_sequence"] == kept
    names = param_names(server, "/wal")
    assert names == [f"/wal/{i:04d}" for i in range(len(names))]
    assert 0 < len(names) < 300
    # After the recovery the store is consistent again: writes go on from the prefix.
    put_params(server, "/after", 1)
    assert server.state()["last_sequence"] == kept + 1
    server.stop()


def test_flipped_byte_in_events_table_is_named_by_verify_and_background_check(tmp_path, servers):
    server = PodstackServer(tmp_path)
    servers.append(server)
    server.start()
    put_params(server, "/sst", 200, size=1200)
    last = server.state()["last_sequence"]
    server.restart()  # the reopen flushes what WAL recovery read into a table file
    # Read-only verification next to a running server (it holds the LOCK).
    r = store_verify(tmp_path, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] and report["damaged"] == [] and report["problems"] == []
    events = [f for f in report["files"] if f["column_family"] == "events"]
    assert len(events) == 1 and events[0]["first_sequence"] == 1 and events[0]["last_sequence"] == last, report
    r = store_verify(tmp_path)
    assert r.returncode == 0 and "intact" in r.stdout, r.stdout + r.stderr
    server.stop()

    sst = events[0]["file"]
    # A data block in the middle: blocks of 4 KiB from offset 0, then index,
    # properties and footer (a few KiB of ~300). The first and the last
    # block are read at every open (the log's ends); nothing else is.
    at = os.path.getsize(sst) // 2
    with open(sst, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x5A]))

    r = store_verify(tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{sst} (events 1-{last}) fails verification" in r.stdout
    assert "checksum mismatch" in r.stdout
    r = store_verify(tmp_path, "--json")
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert not report["ok"]
    assert [(d["file"], d["first_sequence"], d["last_sequence"]) for d in report["damaged"]] == [(sst, 1, last)]

    # The server still starts (from its checkpoint: nothing reads the damaged
    # block) and its first background verification names the file.
    server.start()
    line = server.wait_for_log(f"{sst} (events 1-{last}) fails verification")
    assert "checksum mismatch" in line
    assert "podstack_store_checksum_failures_total 1\n" in metrics_text(server)
    assert "podstack_degraded 1\n" in metrics_text(server)
    health = server.get_json("/_localstack/health")
    assert health["status"] == "degraded" and any(sst in p for p in health["problems"]), health
    # And verify reports it next to the running server too.
    r = store_verify(tmp_path)
    assert r.returncode == 1 and sst in r.stdout
    server.stop()


def test_damaged_first_events_block_refuses_to_start_and_the_way_out_works(tmp_path, servers):
    server = PodstackServer(tmp_path / "a")
    servers.append(server)
    server.start()
    put_params(server, "/blk", 200, size=1200)
    state_hash = server.state_hash()
    server.restart()  # events into a table file
    server.stop()
    report = json.loads(store_verify(server.data_dir, "--json").stdout)
    sst = next(f["file"] for f in report["files"] if f["column_family"] == "events")
    with open(sst, "r+b") as f:  # the first data block: every open reads it (the log's first event)
        f.seek(20)
        b = f.read(1)
        f.seek(20)
        f.write(bytes([b[0] ^ 0x5A]))

    r = serve_once(server.data_dir)
    assert r.returncode == 1
    line = next(l for l in r.stderr.splitlines() if "cannot open the event store" in l)
    assert "the first and last events cannot be read" in line and sst in line
    assert "podstack pod save NAME --offline" in line
    r = store_verify(server.data_dir)
    assert r.returncode == 1 and f"{sst} (events 1-" in r.stdout

    # The way out it names: an offline pod of the state, loaded into a fresh DATA_DIR.
    env = dict(os.environ, DATA_DIR=server.data_dir)
    r = subprocess.run([BIN, "pod", "save", "rescue", "--offline"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    fresh = tmp_path / "b"
    (fresh / "pods").mkdir(parents=True)
    os.rename(os.path.join(server.data_dir, "pods", "rescue"), fresh / "pods" / "rescue")
    rescued = PodstackServer(fresh, env={"AUTO_LOAD_POD": "rescue"})
    servers.append(rescued)
    rescued.start()
    assert rescued.state_hash() == state_hash
    assert store_verify(fresh).returncode == 0
    rescued.stop()


def test_missing_current_refuses_to_start_with_the_way_out(tmp_path, servers):
    server = PodstackServer(tmp_path)
    servers.append(server)
    server.start()
    put_params(server, "/cur", 5)
    server.stop()
    store = tmp_path / "log"
    manifest = max((os.path.basename(p) for p in glob.glob(str(store / "MANIFEST-*"))), key=lambda n: int(n[9:]))
    os.remove(store / "CURRENT")

    r = serve_once(tmp_path)
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if "cannot open the event store" in l]
    assert len(lines) == 1, r.stderr
    assert f"{store}/CURRENT is missing" in lines[0]
    assert f"`echo {manifest} > {store}/CURRENT`" in lines[0]
    assert "wal_dir contains existing log file" not in r.stderr
    r = store_verify(tmp_path)
    assert r.returncode == 1 and f"{store}/CURRENT is missing" in r.stderr

    # The way out it names works.
    (store / "CURRENT").write_text(manifest + "\n")
    server.start()
    assert param_names(server, "/cur") == [f"/cur/{i:04d}" for i in range(5)]
    server.stop()


def test_foreign_files_refuse_to_start(tmp_path):
    store = tmp_path / "log"
    store.mkdir()
    (store / "syslog").write_text("not a store\n")
    r = serve_once(tmp_path)
    assert r.returncode == 1
    assert f"{store} holds files that are not an event store (syslog)" in r.stderr
    assert not (store / "CURRENT").exists()
