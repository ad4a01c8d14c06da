"""Run the command line on one input in a child process with a time and a memory limit,
and judge what came out against the CLI's promise.

The child is `python -m sorviewer COMMAND FILE ...`, exactly what a user runs, with
RLIMIT_AS (address space) and no core files. Outcomes:

- `loaded`: exit 0, or 4 (the file loaded; the id asked for is not in it);
- `refused`: exit 3 with one line on stderr (a LoadError);
- `crashed`: a traceback, an internal error (exit 1), another exit code, or a signal;
- `hung`: still running at the time limit (then killed, with its process group);
- `memory`: the memory limit was hit (a MemoryError, or the failures a process meets at
  its address-space limit: threads that cannot start, a C library that cannot load).

Whatever the outcome, `problems` lists each way the output breaks the promise: stderr of
more than one line on a refusal, "Traceback" or "Exception ignored" anywhere, control
characters in stdout or stderr (a file could send escape sequences to the terminal), and
a refusal that hides an internal error (a "damaged" sentence naming a Python exception).
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: the address-space limit of each child (a full register needs ~2 GB of it)
MEMORY = 4 << 30
TIMEOUT = 60.0

#: control characters a terminal may act on: C0 except tab and newline, DEL, C1
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
#: what a process at its address-space limit says on its way down
_MEMORY_SIGNS = (
    "MemoryError",
    "not enough memory",
    "can't start new thread",
    "libgcc_s.so.1 must be installed",
    "background thread creation failed",
    "std::bad_alloc",
    "Out of memory",
    "Cannot allocate memory",
)
#: a refusal whose sentence wraps an exception of the program, e.g. "it seems damaged
#: (KeyError: ...)": an internal error dressed as a bad file
_HIDDEN = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b\s*:")


@dataclass
class Outcome:
    kind: str  # loaded | refused | crashed | hung | memory
    returncode: int | None
    stderr: str
    stdout: str  # (its first MiB)
    seconds: float
    max_rss: int  # bytes
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Loaded or refused, with the promise kept."""
        return self.kind in ("loaded", "refused") and not self.problems

    def summary(self) -> str:
        first = self.stderr.strip().splitlines()[:1]
        return (
            f"{self.kind} rc={self.returncode} {self.seconds:.1f}s "
            f"{self.max_rss >> 20} MB {'; '.join(self.problems)} {first[0] if first else ''}"
        )


def _limit(pid: int, memory: int) -> None:
    """Set the child's limits from here (a preexec_fn is not safe in a process with
    threads, and the campaign runs children from several). The child is still starting
    the interpreter then, far from any limit."""
    resource.prlimit(pid, resource.RLIMIT_AS, (memory, memory))
    resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))


def _preload() -> str:
    """glibc loads libgcc_s when a thread first exits or is cancelled; at the address
    space limit that load fails and aborts the process, which would look like a crash of
    the program. Loading it up front keeps the memory outcome what it is."""
    for folder in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64"):
        lib = os.path.join(folder, "libgcc_s.so.1")
        if os.path.exists(lib):
            return lib
    return ""


def run_cli(
    args: list[str],
    *,
    timeout: float = TIMEOUT,
    memory: int = MEMORY,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> Outcome:
    """Run `python -m sorviewer *args` under the limits and judge the result."""
    child_env = dict(os.environ if env is None else env)
    child_env["PYTHONPATH"] = str(ROOT) + os.pathsep + child_env.get("PYTHONPATH", "")
    lib = _preload()
    if lib:
        child_env["LD_PRELOAD"] = lib
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "sorviewer", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=child_env,
            cwd=cwd or str(ROOT),
            start_new_session=True,
        )
        with contextlib.suppress(ProcessLookupError):
            _limit(proc.pid, memory)
        hung = False
        status, peak = 0, 0
        while True:
            peak = max(peak, _peak_rss(proc.pid))
            pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                hung = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                _pid, status, _usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        seconds = time.monotonic() - start
        out.seek(0)
        stdout = out.read()
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    return judge(proc.returncode, stdout, stderr, seconds, peak, hung)


def _peak_rss(pid: int) -> int:
    """The child's peak resident memory so far (VmHWM, bytes), 0 once it is gone.

    Read from /proc while it runs: the peak the kernel reports at exit (ru_maxrss)
    counts the parent's memory the child shared between fork and exec."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def judge(
    returncode: int, stdout: bytes, stderr: str, seconds: float, max_rss: int, hung: bool
) -> Outcome:
    """The outcome class and the broken promises of one finished run."""
    problems: list[str] = []
    text_out = stdout.decode("utf-8", errors="replace")
    if "Traceback" in stderr:
        problems.append("traceback on stderr")
    if "Exception ignored" in stderr:
        problems.append("'Exception ignored' on stderr")
    if _CONTROL.search(stderr.replace("\n", "")):
        problems.append("control characters on stderr")
    if _CONTROL.search(text_out.replace("\n", "").replace("\t", "")):
        problems.append("control characters on stdout")
    lines = stderr.splitlines()
    if hung:
        kind = "hung"
    elif any(sign in stderr for sign in _MEMORY_SIGNS):
        kind = "memory"
    elif returncode in (0, 4):
        kind = "loaded"
    elif returncode == 3:
        kind = "refused"
        if len(lines) != 1 or not lines[0].startswith("sorviewer: "):
            problems.append(f"refusal is {len(lines)} lines on stderr")
        elif _HIDDEN.search(lines[0]):
            problems.append("refusal hides an internal error")
    else:
        kind = "crashed"
    return Outcome(kind, returncode, stderr, text_out[: 1 << 20], seconds, max_rss, problems)
