#!/usr/bin/env python3
"""Save-to-served latency of `hundred serve`, as a user sees it.

    bench/serve_latency.py [--clients 1000] [--runs 20] [--hundred PATH] [--shared PATH]

Generates a firm with N clients (the shared gen_site.py; reused between invocations), serves a
fresh copy of it, and times, from just after a file is written and closed to the first HTTP
response that shows the edit:

  A. a profile edit: one client's `welcome:` text, alternating between two clients, until
     that client's portal page (/portal/client-00007/) shows it;
  B. a journey-script edit used by every client: a token appended to one line, until a runbook
     (/internal/clients/client-00007/) shows it.

Each scenario gets its own fresh copy and server. Pages are polled in a tight loop over one
keep-alive connection, with no sleep; runs are ~300 ms apart. Prints the median, the worst and
every sample in ms, the server's own rebuild times, and whether the server goes quiet after the
last edit. Exits non-zero if any run times out (10 s). A benchmark, not a test: these machines
are noisy, so read the median.
"""
import argparse
import datetime
import http.client
import os
import pathlib
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"
TIMEOUT = 10.0
GAP = 0.3
REBUILD = re.compile(r"re-rendered.*?(\d+) changed, in (\d+) ms")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--hundred", default=str(REPO / "target/release/hundred"))
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--poll-ms", type=float, default=0.0,
                    help="pause between polls (default 0: a tight loop, which on a small machine "
                         "takes CPU from the rebuild it is waiting for)")
    a = ap.parse_args()
    if a.clients < 2:
        ap.error("--clients must be at least 2 (profile edits alternate between two clients)")
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    return a


def hundred_binary(path):
    binary = pathlib.Path(path)
    if not binary.exists():
        if binary.resolve() != (REPO / "target/release/hundred").resolve():
            sys.exit(f"no hundred binary at {binary}")
        print("building target/release/hundred ...", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    return binary


def generated_site(shared, clients):
    site = REPO / "bench" / "out" / f"serve-{clients}"
    if not (site / "hundred.toml").exists():
        gen = pathlib.Path(shared) / "bench" / "gen_site.py"
        if not gen.exists():
            sys.exit(f"no generator at {gen} (pass --shared)")
        subprocess.run(
            [sys.executable, str(gen), "--out", str(site), "--clients", str(clients)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return site


class Server:
    """`hundred serve` on a folder; collects its stdout lines with the time they arrived."""

    def __init__(self, binary, site):
        self.lines = []  # (perf_counter, line)
        self.errors = []
        self.url = None
        self._ready = threading.Event()
        env = dict(os.environ, NO_COLOR="1")
        self.proc = subprocess.Popen(
            [str(binary), "serve", str(site), "--port", "0", "--today", TODAY],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        if not self._ready.wait(300) or self.url is None:
            self.stop()
            sys.exit("hundred serve did not start:\n" + "\n".join(self.errors[-40:]))
        host, port = self.url.split("//", 1)[1].split("/", 1)[0].split(":")
        self.host, self.port = host, int(port)

    def _read_stdout(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append((time.perf_counter(), line))
            if self.url is None and "http://" in line and "/internal/" in line:
                self.url = re.search(r"http://[^/\s]+/", line).group(0)
                self._ready.set()
        self._ready.set()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.errors.append(line.rstrip("\n"))

    def cpu_seconds(self):
        """User+system CPU time of the server so far (Linux), or None."""
        try:
            fields = pathlib.Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def rebuilds_since(self, t):
        """(changed, ms) of each rebuild the server reported after perf_counter time t."""
        out = []
        for when, line in list(self.lines):
            m = REBUILD.search(line)
            if when >= t and m:
                out.append((int(m.group(1)), int(m.group(2))))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Client:
    """GETs over one keep-alive connection, reconnecting if the server drops it."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = None

    def get(self, path):
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {path}: HTTP {response.status}")
                return body
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def save(path, text):
    """Writes and closes the file as an editor saving in place would; returns the time after."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return time.perf_counter()


def scenario(name, binary, source, runs, edits, poll_ms):
    """Serves a fresh copy of `source`; for each run, `edits(site, run)` gives (file, new text,
    page path, token). Returns the samples in ms (None for a timeout) and notes to print."""
    work = source.parent / f"{source.name}.work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work)
    server = Server(binary, work)
    client = Client(server.host, server.port)
    samples, server_ms, notes = [], [], []
    try:
        built = next((l for _, l in server.lines if l.startswith("Built ")), None)
        if built:
            notes.append(f"initial build: {built}")
        for run in range(runs):
            path, text, page, token = edits(work, run)
            client.get(page)  # warm connection; the token cannot be there yet
            t0 = save(path, text)
            deadline = t0 + TIMEOUT
            needle = token.encode()
            latency = None
            while True:
                body = client.get(page)
                now = time.perf_counter()
                if needle in body:
                    latency = (now - t0) * 1000
                    break
                if now > deadline:
                    break
                if poll_ms:
                    time.sleep(poll_ms / 1000)
            samples.append(latency)
            time.sleep(GAP)
            changed = [ms for changed, ms in server.rebuilds_since(t0) if changed > 0]
            if changed:
                server_ms.append(changed[0])
            if latency is None:
                print(f"  {name}: run {run + 1} timed out after {TIMEOUT:.0f} s", file=sys.stderr)
                if sum(s is None for s in samples) >= 3:
                    notes.append("stopped after 3 timeouts")
                    break
        if server_ms:
            notes.append(
                f"server-reported rebuild (the one that changed pages): median "
                f"{statistics.median(server_ms):.0f} ms, worst {max(server_ms)} ms"
            )
        # A server that has caught up should do nothing until the next save.
        quiet_from, cpu0 = time.perf_counter(), server.cpu_seconds()
        time.sleep(2.0)
        idle = server.rebuilds_since(quiet_from)
        cpu1 = server.cpu_seconds()
        cpu = f", {cpu1 - cpu0:.1f} s of CPU" if cpu0 is not None and cpu1 is not None else ""
        notes.append(
            f"in 2 s without edits after the last run: {len(idle)} rebuild(s){cpu}"
            + ("" if not idle else "  <- expected 0: the server keeps rebuilding by itself")
        )
        if server.proc.poll() is not None:
            notes.append(f"the server exited with status {server.proc.returncode}")
    except Exception:
        status = server.proc.poll()
        print(f"{name}: failed; the server is "
              + ("still running" if status is None else f"gone (exit status {status})")
              + "; its last messages:\n" + "\n".join(server.errors[-30:]), file=sys.stderr)
        raise
    finally:
        client.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return samples, notes


def profile_edits(clients):
    ids = [7, 8] if clients > 8 else [0, 1]
    originals = {}

    def edit(site, run):
        cid = f"client-{ids[run % 2]:05d}"
        path = site / "clients" / f"{cid}.yaml"
        if path not in originals:
            originals[path] = path.read_text(encoding="utf-8")
        text = originals[path]
        token = f"tokena{run:03d}{secrets.token_hex(4)}"
        marker = "welcome: |\n  "
        if marker not in text:
            sys.exit(f"no `welcome: |` block in {path}")
        return path, text.replace(marker, f"{marker}{token} ", 1), f"/portal/{cid}/", token

    return edit, f"clients/client-{ids[0]:05d}.yaml and -{ids[1]:05d}.yaml -> /portal/<that client>/"


def journey_edits(clients):
    cid = f"client-{7 if clients > 7 else 0:05d}"
    originals = {}

    def edit(site, run):
        path = sorted((site / "journey").glob("*.md"))[0]
        if path not in originals:
            originals[path] = path.read_text(encoding="utf-8")
        lines = originals[path].rstrip("\n").split("\n")
        token = f"tokenb{run:03d}{secrets.token_hex(4)}"
        lines[-1] = f"{lines[-1]} {token}"  # the body's last line
        return path, "\n".join(lines) + "\n", f"/internal/clients/{cid}/", token

    return edit, f"journey/<first script>.md, last line -> /internal/clients/{cid}/"


def fmt(samples):
    return " ".join("TIMEOUT" if s is None else f"{s:.0f}" for s in samples)


def main():
    a = parse_args()
    binary = hundred_binary(a.hundred)
    source = generated_site(a.shared, a.clients)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    print(f"hundred serve: save-to-served latency, {a.clients} clients, {a.runs} runs per scenario")
    print(f"machine: {cpus} CPU(s) (nproc), {platform.system()} {platform.machine()}; "
          f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    built = datetime.datetime.fromtimestamp(binary.stat().st_mtime).astimezone()
    print(f"binary: {binary} (built {built.isoformat(timespec='seconds')})"
          + (f"; polling every {a.poll_ms:g} ms" if a.poll_ms else "; polling in a tight loop"))
    failed = False
    for name, title, make in [
        ("A", "profile edit", profile_edits),
        ("B", "journey script edit (every client)", journey_edits),
    ]:
        edits, what = make(a.clients)
        samples, notes = scenario(name, binary, source, a.runs, edits, a.poll_ms)
        done = [s for s in samples if s is not None]
        timeouts = len(samples) - len(done)
        failed |= timeouts > 0
        print(f"\n{name}. {title}: {what}")
        if done:
            print(f"  median {statistics.median(done):.0f} ms, worst "
                  + ("TIMEOUT" if timeouts else f"{max(done):.0f} ms")
                  + f" ({len(samples)} runs{f', {timeouts} timed out' if timeouts else ''})")
        else:
            print(f"  every run timed out ({TIMEOUT:.0f} s)")
        print(f"  samples (ms): {fmt(samples)}")
        for note in notes:
            print(f"  {note}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
