#!/usr/bin/python3
"""store_fs crash test: SIGKILL writers at random moments, then verify.

Each round starts two writer processes on the same store (so they also race
each other across processes), kills both with SIGKILL after a random delay,
and runs the verifier: every write a writer acknowledged must be present and
intact, and no revision anywhere may be partial or damaged.

    COFFER_CRASH_ROUNDS=1000 make check TESTS=...   # the long version
"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

writer = os.environ["CRASH_WRITER"]
store_fs = os.environ["STORE_FS_SO"]
rounds = int(os.environ.get("COFFER_CRASH_ROUNDS", "25"))
top = os.environ.get("COFFER_TOP_BUILDDIR", os.getcwd())

work = tempfile.mkdtemp(prefix="tmp-crash.", dir=os.path.join(top, "tests"))
os.chmod(work, 0o700)
conf = os.path.join(work, "cofferd.conf")
with open(conf, "w") as f:
    f.write('listen = "tcp://127.0.0.1:1";\nserver_key = "k";\n'
            'auth = ( { module = "x"; control = "required"; } );\n'
            'store = { module = "%s"; path = "%s/store"; };\n'
            % (store_fs, work))
acks = os.path.join(work, "acks")
seed = int(os.environ.get("COFFER_CRASH_SEED", str(int(time.time()))))
random.seed(seed)
print("seed %d, %d rounds" % (seed, rounds))

passed = failed = 0
for i in range(rounds):
    with open(acks, "ab") as out:
        procs = [subprocess.Popen([writer, "write", conf], stdout=out)
                 for _ in range(2)]
        time.sleep(random.uniform(0.005, 0.2))
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            p.wait()
            if p.returncode != -signal.SIGKILL:
                print("round %d: writer exited %d before the kill"
                      % (i, p.returncode))
                failed += 1
    v = subprocess.run([writer, "verify", conf, acks], capture_output=True,
                       text=True)
    if v.returncode == 0:
        passed += 1
    else:
        failed += 1
        print("round %d:\n%s%s" % (i, v.stdout, v.stderr))
print(v.stdout.strip())
if "verified 0 acknowledged" in v.stdout:
    print("no write was ever acknowledged: the test tested nothing")
    failed += 1
if failed == 0:
    subprocess.run(["rm", "-rf", work])
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
