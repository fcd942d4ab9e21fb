"""kill -9 at a random moment under concurrent writers, then restart: every
acknowledged write is there, and the state hash equals a full replay of the log.

Repeated 20 times, each in its own DATA_DIR. The random delay before the kill
is the fault-injection point, not synchronisation: the writers' progress is
awaited with a condition, and the kill lands while they are mid-flight.
"""
import os
import random
import subprocess
import sys
import threading

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from podstack_server import BIN, PodstackServer  # noqa: E402

WRITERS = 8


def writer(server, t, acked, cond, stop):
    """Writes unique SSM parameters and secrets; records each one the server acknowledged."""
    ssm = server.client("ssm")
    sm = server.client("secretsmanager")
    i = 0
    while not stop.is_set():
        i += 1
        value = f"{t}-{i}-{random.getrandbits(32):08x}"
        try:
            if i % 3 == 0:
                name = f"crash-{t}-{i}"
                sm.create_secret(Name=name, SecretString=value)
                kind = "secret"
            else:
                name = f"/crash/t{t}/{i}"
                ssm.put_parameter(Name=name, Value=value, Type="String")
                kind = "param"
        except Exception:
            return  # the server died under us: this write was never acknowledged
        with cond:
            acked.append((kind, name, value))
            cond.notify_all()


@pytest.mark.parametrize("round_", range(20))
def test_kill9_loses_no_acknowledged_write(tmp_path, round_):
    rng = random.Random(round_)
    # Checkpoints now and then, so some rounds restart from a checkpoint + tail.
    server = PodstackServer(tmp_path / "data", env={"CHECKPOINT_EVERY": str(rng.choice([50, 500, 100000]))}).start()
    acked, cond, stop = [], threading.Condition(), threading.Event()
    threads = [threading.Thread(target=writer, args=(server, t, acked, cond, stop)) for t in range(WRITERS)]
    try:
        for th in threads:
            th.start()
        target = rng.randrange(20, 400)
        with cond:
            assert cond.wait_for(lambda: len(acked) >= target, timeout=60), "writers made no progress"
        server.kill9()
    finally:
        stop.set()
        for th in threads:
            th.join(30)
    with cond:
        written = list(acked)
    assert len(written) >= target

    server.start()
    try:
        ssm = server.client("ssm")
        sm = server.client("secretsmanager")
        params = [(n, v) for k, n, v in written if k == "param"]
        for i in range(0, len(params), 10):
            chunk = dict(params[i:i + 10])
            got = ssm.get_parameters(Names=list(chunk))
            assert not got["InvalidParameters"], f"acknowledged but lost: {got['InvalidParameters']}"
            assert {p["Name"]: p["Value"] for p in got["Parameters"]} == chunk
        for _, name, value in (w for w in written if w[0] == "secret"):
            assert sm.get_secret_value(SecretId=name)["SecretString"] == value
        live = server.state_hash()
    finally:
        server.stop()
    replay = subprocess.run([BIN, "state", "hash", "--data-dir", server.data_dir, "--from-scratch"],
                            capture_output=True, text=True, timeout=60)
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.strip() == live
