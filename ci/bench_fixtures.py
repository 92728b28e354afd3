#!/usr/bin/env python3
"""Benchmark (never a test): every Python fixture, correct and buggy, one
catalog each, RUNS times; medians of wall time and instance starts; then the
bundled class and a mixed class of 40 built from the fixtures, with sockspec's
own CPU share. Usage: ci/bench_fixtures.py BIN [RUNS]"""
import json, os, pathlib, re, shutil, statistics, subprocess, sys, tempfile, time

root = pathlib.Path(__file__).resolve().parent.parent
binary = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def header(path):
    fields = {}
    for line in path.read_text(errors="replace").splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*(contract|expect-fail|expect-warn|addr|input):\s*(.*)", line)
        if m:
            fields[m.group(1)] = m.group(2).strip()
    return fields


def run_fixture(path, role):
    h = header(path)
    args = [binary, "run", "--role", role, "--seed", "7"]
    if "contract" in h:
        args += ["--contract", h["contract"]]
    if "addr" in h:
        args += ["--addr", h["addr"]]
    tmp = tempfile.mkdtemp()
    try:
        if "input" in h:
            script = pathlib.Path(tmp, "input.txt")
            script.write_text(h["input"].replace("\\n", "\n"))
            args += ["--input", str(script)]
        report = pathlib.Path(tmp, "report.json")
        args += ["--json", str(report), "--", "python3", str(path)]
        start = time.monotonic()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        wall = time.monotonic() - start
        starts = json.loads(report.read_text()).get("stats", {}).get("instance_starts", 0)
        return wall, starts
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


pending = {l.split()[0] for l in (root / "fixtures/PENDING").read_text().splitlines() if l and not l.startswith("#")}
rows = []
for path in sorted((root / "fixtures/python").glob("*/*.py")):
    rel = str(path.relative_to(root))
    if rel in pending:
        continue
    buggy = "expect-fail" in header(path) or "expect-warn" in header(path)
    samples = [run_fixture(path, path.parent.name) for _ in range(runs)]
    wall = statistics.median(s[0] for s in samples)
    starts = statistics.median(s[1] for s in samples)
    rows.append((rel, buggy, wall, starts))
    print(f"{rel:<62} {'buggy' if buggy else 'correct':<7} median {wall:6.2f} s  starts {starts:4.0f}", flush=True)

for kind, flag in (("correct", False), ("buggy", True)):
    walls = [r[2] for r in rows if r[1] == flag]
    if walls:
        print(f"{kind}: {len(walls)} fixtures, median {statistics.median(walls):.2f} s, max {max(walls):.2f} s, over 5 s: {sum(w > 5 for w in walls)}")


def busy_cpu():
    """The machine's busy CPU seconds so far (all processes: sockspec and every
    target it started, sandboxed or not), from /proc/stat."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def grade(class_dir, manifest):
    out = tempfile.mkdtemp()
    try:
        before = busy_cpu()
        start = time.monotonic()
        proc = subprocess.run([binary, "grade", str(class_dir), "--manifest", str(manifest), "--out", out],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=3600)
        wall = time.monotonic() - start
        busy = busy_cpu() - before
        line = [l for l in proc.stderr.splitlines() if "graded" in l and "a minute" in l]
        if not line:
            return proc.stderr[-300:]
        own = re.search(r"own CPU ([0-9.]+) s", line[-1])
        own = float(own.group(1)) if own else float("nan")
        # Where the time went: each check's total over the class.
        per_check = {}
        for f in pathlib.Path(out, "students").glob("*.json"):
            for task in json.loads(f.read_text()).get("tasks", []):
                for c in task.get("checks", []):
                    per_check[c["id"]] = per_check.get(c["id"], 0) + c.get("duration_ms", 0)
        slowest = ", ".join(f"{k} {v / 1000:.1f} s" for k, v in sorted(per_check.items(), key=lambda kv: -kv[1])[:3])
        return (f"{line[-1].split('sockspec: ')[-1]}; machine busy {busy:.1f} s over {wall:.1f} s, "
                f"sockspec's own share {100 * own / max(busy, 1e-9):.0f}%; slowest checks in all: {slowest}")
    finally:
        shutil.rmtree(out, ignore_errors=True)


python = shutil.which("python3")
print(f"python3 is {python} -> {os.path.realpath(python) if python else '?'}")
print("bundled class:", grade(root / "fixtures/class", root / "fixtures/grading.toml"))
# A mixed class of 40: each student one UDP and one TCP server, correct and buggy in turn.
udp = [p for p in sorted((root / "fixtures/python/udp-server").glob("*.py")) if str(p.relative_to(root)) not in pending]
tcp = [p for p in sorted((root / "fixtures/python/tcp-server").glob("*.py")) if str(p.relative_to(root)) not in pending]
with tempfile.TemporaryDirectory() as class_dir:
    for i in range(40):
        student = pathlib.Path(class_dir, f"student{i:02}")
        student.mkdir()
        shutil.copy(udp[i % len(udp)], student / "udp_server.py")
        shutil.copy(tcp[i % len(tcp)], student / "tcp_server.py")
    print("mixed class of 40:", grade(class_dir, root / "fixtures/grading.toml"))
