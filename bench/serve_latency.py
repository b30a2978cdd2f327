#!/usr/bin/env python3
"""Save-to-served latency of `hundred serve`, as a user sees it.

    bench/serve_latency.py [--clients 1000] [--runs 20] [--hundred PATH] [--shared PATH]
    bench/serve_latency.py --corpus 10000 [--runs 20]

Generates a firm with N clients (the shared gen_site.py; reused between invocations), serves a
fresh copy of it, and times, from just after a file is written and closed to the first HTTP
response that shows the edit:

  A. a profile edit: one client's `welcome:` text, alternating between two clients, until
     that client's portal page (/portal/client-00007/) shows it;
  B. a journey-script edit used by every client: a token appended to one line, until a runbook
     (/internal/clients/client-00007/) shows it.

With --corpus N it instead compares watch modes on the same work: the N-page corpus that
`bench/compare.sh N` generated (run that first), served by `hundred serve` (as playbook
chapters), `hugo server` (Hugo from PATH or compare.sh's venv) and `zola serve` (when a `zola`
is on PATH), each timed on the same edit:

  C. one page's last line gets a token, alternating between two pages, until that page's URL
     shows it.

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
import socket
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
    ap.add_argument("--corpus", type=int, default=None,
                    help="compare hundred serve, hugo server and zola serve on bench/compare.sh's "
                         "N-page corpus instead")
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
        stop_process(self.proc)


def stop_process(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Client:
    """GETs over one keep-alive connection, reconnecting if the server drops it."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = None

    def get(self, path, missing_ok=False):
        """The page's body. With `missing_ok`, a 404 or 5xx answer is an empty body instead of
        an error: `zola serve` answers 404 for a page while it rebuilds it."""
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read()
                if response.status != 200:
                    if missing_ok and (response.status == 404 or response.status >= 500):
                        return b""
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


def save_and_wait(client, path, text, page, token, poll_ms):
    """Saves `text` to `path` and polls `page` until it shows `token`: returns the time of the
    save and the latency in ms (None after TIMEOUT)."""
    client.get(page)  # warm connection; the token cannot be there yet
    t0 = save(path, text)
    needle = token.encode()
    while True:
        body = client.get(page, missing_ok=True)
        now = time.perf_counter()
        if needle in body:
            return t0, (now - t0) * 1000
        if now > t0 + TIMEOUT:
            return t0, None
        if poll_ms:
            time.sleep(poll_ms / 1000)


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
            t0, latency = save_and_wait(client, path, text, page, token, poll_ms)
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


class Watcher:
    """Any tool's watch-mode server on a copy of a corpus: started with `command(work, port)`,
    ready once `ready_path` answers 200."""

    def __init__(self, command, work, ready_path):
        self.errors = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.host = "127.0.0.1"
        self.proc = subprocess.Popen(
            command(work, self.port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, NO_COLOR="1"),
        )
        threading.Thread(target=self._read_stderr, daemon=True).start()
        started = time.perf_counter()
        self.startup_s = None
        while time.perf_counter() - started < 300:
            if self.proc.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
                conn.request("GET", ready_path)
                if conn.getresponse().status == 200:
                    self.startup_s = time.perf_counter() - started
                    conn.close()
                    return
                conn.close()
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        self.stop()
        sys.exit(f"{command(work, self.port)[0]} did not serve {ready_path}:\n"
                 + "\n".join(self.errors[-40:]))

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.errors.append(line.rstrip("\n"))

    def stop(self):
        stop_process(self.proc)


def corpus_tools(a):
    """(name, corpus folder, page file pattern, page URL pattern, command) for each tool here."""
    work = REPO / "bench" / "out" / f"compare-{a.corpus}"
    if not (work / "hundred" / "playbook").is_dir():
        sys.exit(f"no corpus at {work}: run bench/compare.sh {a.corpus} first")
    binary = hundred_binary(a.hundred)
    tools = [(
        "hundred serve", work / "hundred", "playbook/page-{:05d}.md",
        "/internal/playbook/page-{:05d}/",
        lambda site, port: [str(binary), "serve", str(site), "--port", str(port),
                            "--today", TODAY],
    )]
    hugo = shutil.which("hugo") or next(
        (str(p) for p in (REPO / "bench" / "out" / "venv").rglob("hugo/binaries/hugo")), None)
    if hugo:
        tools.append((
            "hugo server", work / "hugo", "content/pages/page-{:05d}.md", "/pages/page-{:05d}/",
            lambda site, port: [hugo, "server", "--source", str(site), "--bind", "127.0.0.1",
                                "--port", str(port), "--baseURL", f"http://127.0.0.1:{port}/",
                                "--disableLiveReload"],
        ))
    else:
        print("note: no hugo (on PATH or from bench/compare.sh's venv); Hugo skipped")
    zola = shutil.which("zola")
    if zola:
        tools.append((
            "zola serve", work / "zola", "content/pages/page-{:05d}.md", "/pages/page-{:05d}/",
            lambda site, port: [zola, "--root", str(site), "serve", "--interface", "127.0.0.1",
                                "--port", str(port), "--base-url", "127.0.0.1"],
        ))
    else:
        print("note: no zola binary on PATH; Zola skipped")
    return tools


def corpus_scenario(tool, runs, poll_ms):
    """Scenario C for one tool: returns the samples in ms and notes to print."""
    name, source, file_pattern, url_pattern, command = tool
    work = source.parent / f"{source.name}.work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work)
    pages = [42, 43]
    originals = {n: (work / file_pattern.format(n)).read_text(encoding="utf-8") for n in pages}
    server = Watcher(command, work, url_pattern.format(pages[0]))
    client = Client(server.host, server.port)
    samples, notes = [], [f"serving from start: {server.startup_s:.2f} s"]
    try:
        for run in range(runs):
            n = pages[run % 2]
            token = f"tokenc{run:03d}{secrets.token_hex(4)}"
            text = originals[n].rstrip("\n") + f" {token}\n"
            page = url_pattern.format(n)
            _, latency = save_and_wait(
                client, work / file_pattern.format(n), text, page, token, poll_ms)
            samples.append(latency)
            time.sleep(GAP)
    finally:
        client.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return samples, notes


def corpus_main(a):
    print(f"watch modes on the {a.corpus}-page corpus of bench/compare.sh: save-to-served "
          f"latency of one page's edit, {a.runs} runs per tool")
    print(f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    failed = False
    results = []
    for tool in corpus_tools(a):
        samples, notes = corpus_scenario(tool, a.runs, a.poll_ms)
        done = [s for s in samples if s is not None]
        failed |= len(done) < len(samples)
        print(f"\nC. {tool[0]}: {tool[2].format(42)} and -43 -> {tool[3].format(42)} and -43")
        if done:
            print(f"  median {statistics.median(done):.0f} ms, worst {max(done):.0f} ms "
                  f"({len(samples)} runs, {len(samples) - len(done)} timed out)")
            results.append((tool[0], statistics.median(done)))
        print(f"  samples (ms): {fmt(samples)}")
        for note in notes:
            print(f"  {note}")
    if len(results) > 1:
        base = results[0][1]
        print("\nratios to " + results[0][0] + ": "
              + ", ".join(f"{n} {m / base:.2f}x" for n, m in results[1:]))
    sys.exit(1 if failed else 0)


def fmt(samples):
    return " ".join("TIMEOUT" if s is None else f"{s:.0f}" for s in samples)


def main():
    a = parse_args()
    if a.corpus:
        corpus_main(a)
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
