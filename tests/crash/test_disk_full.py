"""A full disk is an error, not a crash.

DATA_DIR on a small file system of its own (a tmpfs; a loop-mounted ext4
image where tmpfs cannot be mounted). Four clients upload 1 MiB objects until
the free space reaches podstack's reserve; writes must then answer 503
ServiceUnavailable naming the data dir, reads must go on, health must say
"degraded", and once space is freed (a ballast file removed) writes must come
back by themselves, without a restart. 20 cycles, then every acknowledged
object must be intact after a kill -9 and restart.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from podstack_server import PodstackServer, wait_until  # noqa: E402

MIB = 1 << 20
RESERVE_MB = 16
CYCLES = 20
CLIENTS = 4
HEADROOM = 6 * MIB  # what each cycle leaves above the reserve before it fills


def mount_small_fs(where):
    """Mounts a 512 MiB file system at `where`; its unmount function, or None when this machine cannot."""
    os.makedirs(where)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", where], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["umount", "-l", where], capture_output=True)
    image = where + ".img"
    with open(image, "wb") as f:
        f.truncate(512 * MIB)
    if (subprocess.run(["mkfs.ext4", "-q", "-F", image], capture_output=True).returncode == 0 and
            subprocess.run(["mount", "-o", "loop", image, where], capture_output=True).returncode == 0):
        return lambda: subprocess.run(["umount", "-l", where], capture_output=True)
    return None


def body_of(key):
    seed = hashlib.sha256(key.encode()).digest()
    return (seed * (MIB // len(seed) + 1))[:MIB]


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


@pytest.fixture
def small_fs():
    root = tempfile.mkdtemp(prefix="podstack-diskfull-")
    fs = os.path.join(root, "fs")
    unmount = mount_small_fs(fs)
    if unmount is None:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip("cannot mount a small file system here (needs root: mount -t tmpfs, or a loop device)")
    try:
        yield fs
    finally:
        unmount()
        shutil.rmtree(root, ignore_errors=True)


def test_full_disk_answers_503_recovers_without_restart_and_loses_nothing(small_fs):
    data = os.path.join(small_fs, "data")
    ballast = os.path.join(small_fs, "ballast")
    server = PodstackServer(data, env={"DISK_RESERVE_MB": str(RESERVE_MB)}).start()
    acknowledged = {}
    lock = threading.Lock()
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="fill")
        first = "seed"
        s3.put_object(Bucket="fill", Key=first, Body=body_of(first))
        acknowledged[first] = True

        for cycle in range(CYCLES):
            # Leave HEADROOM above the reserve: the next uploads reach it.
            # Allocated, not sparse (truncate would take no space on tmpfs).
            with open(ballast, "wb") as f:
                size = free_bytes(small_fs) - RESERVE_MB * MIB - HEADROOM
                if size > 0:
                    os.posix_fallocate(f.fileno(), 0, size)
            refusals = []
            unexpected = []

            def upload(client_no):
                c = server.client("s3")
                n = 0
                while True:
                    key = f"c{cycle}-w{client_no}-{n}"
                    n += 1
                    try:
                        c.put_object(Bucket="fill", Key=key, Body=body_of(key))
                    except ClientError as e:
                        err = e.response["Error"]
                        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
                        if status == 503 and err["Code"] == "ServiceUnavailable":
                            with lock:
                                refusals.append(err.get("Message", ""))
                            return
                        with lock:
                            unexpected.append(f"{status} {err}")
                        return
                    except Exception as e:  # a reset, a dead server
                        with lock:
                            unexpected.append(repr(e))
                        return
                    with lock:
                        acknowledged[key] = True

            threads = [threading.Thread(target=upload, args=(i,)) for i in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(300)
            assert not unexpected, f"cycle {cycle}: {unexpected[:3]}"
            assert len(refusals) == CLIENTS, f"cycle {cycle}: every client ends on a 503"
            assert data in refusals[0], refusals[0]  # the message names the data dir
            assert server.proc.poll() is None, "the server died"

            # Reads go on, and health says why writes are refused.
            assert s3.get_object(Bucket="fill", Key=first)["Body"].read() == body_of(first)
            health = server.get_json("/_localstack/health")
            assert health["status"] == "degraded", health
            assert any(data in p for p in health["problems"]), health

            # Space comes back: writes resume by themselves, no restart.
            os.remove(ballast)
            probe = f"resume-{cycle}"

            last = []

            def resumed():
                try:
                    s3.put_object(Bucket="fill", Key=probe, Body=body_of(probe))
                    return True
                except ClientError as e:
                    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 503, e.response
                    last[:] = [e.response["Error"].get("Message", "")]
                    return False
            try:
                wait_until(resumed, timeout=60, what=f"writes to resume in cycle {cycle}")
            except AssertionError:
                raise AssertionError(f"cycle {cycle}: writes did not resume: {last}\n" + "\n".join(server.log_lines[-15:]))
            acknowledged[probe] = True
            assert server.get_json("/_localstack/health")["status"] == "ok"

        metrics = urlopen_text(server.endpoint + "/_podstack/metrics")
        assert 'podstack_writes_refused_total{reason="disk_full"}' in metrics

        server.kill9()
        server.start()
        s3 = server.client("s3")
        for key in acknowledged:
            assert s3.get_object(Bucket="fill", Key=key)["Body"].read() == body_of(key), key
    finally:
        server.kill9()


def urlopen_text(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()
