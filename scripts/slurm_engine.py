"""Runs the ExCamera Makefile's rules as Slurm job steps: the allocation, the step launcher, the checks.

excamera-encode --engine=slurm keeps make as the graph runner and puts an `srun` before every command
(the Makefile's $(XC_RUN)), so each rule is one job step of one CPU inside one allocation, with as many
steps running as the allocation has CPUs (`--exact`: a step asked for beyond them waits at the controller
for a free CPU; excamera-encode asks for twice as many, so that a step's srun has started and its request
is queued when a CPU frees). The allocation is the one the script runs in (SLURM_JOB_ID), or
one asked for with `salloc --no-shell` and the user's arguments and cancelled at the end. Every step of a
run carries the same step name, so an interrupted run cancels exactly its own steps.

Standard library only.
"""

import os
import secrets
import shlex
import shutil
import subprocess
import tempfile
import time

CLIENTS = ("salloc", "srun", "squeue", "scancel")
# Pending reasons that no amount of waiting resolves: the request exceeds what the partition or the
# account allows.
HOPELESS = ("PartitionConfig", "PartitionNodeLimit", "PartitionTimeLimit", "BadConstraints", "InvalidAccount",
            "InvalidQOS", "AccountNotAllowed", "QOSNotAllowed")
# The tools job steps run (xc-concat and xc-quality run where the script runs).
STEP_TOOLS = ("vpxenc", "xc-terminate-chunk", "xc-dump", "xc-enc")


class SlurmError(Exception):
    pass


def check_clients():
    missing = [c for c in CLIENTS if shutil.which(c) is None]
    if missing:
        raise SlurmError("--engine=slurm: {} not found: Slurm's client commands are not installed here "
                         "(Debian: slurm-client)".format(", ".join(missing)))


def _run(command):
    return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)


def _last_error(text, program):
    """The most telling line of a Slurm client's messages."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    line = (errors or lines or ["(no message)"])[-1]
    prefix = program + ": "
    line = line[len(prefix):] if line.startswith(prefix) else line
    return line[len("error: "):] if line.startswith("error: ") else line


class Allocation:
    """One Slurm job whose CPUs run the rules; `owned` when this run asked for it (and so cancels it)."""

    def __init__(self, job_id, owned):
        self.job_id = job_id
        self.owned = owned
        self.step_name = "excamera-encode-{}-{}".format(os.getpid(), secrets.token_hex(3))
        r = _run(["squeue", "-h", "-j", job_id, "-o", "%T %C %D %N"])
        fields = r.stdout.split()
        if r.returncode != 0 or len(fields) != 4:
            raise SlurmError("Slurm job {} is not known to the controller ({})".format(
                job_id, _last_error(r.stderr, "squeue") if r.returncode else "squeue lists no such job"))
        if fields[0] != "RUNNING":
            raise SlurmError("Slurm job {} is {}, not running".format(job_id, fields[0].lower()))
        self.cpus, self.nodes, self.nodelist = int(fields[1]), int(fields[2]), fields[3]

    @staticmethod
    def obtain(slurm_args, say):
        """The allocation the script runs in, else a new one from salloc with the user's arguments."""
        job = os.environ.get("SLURM_JOB_ID")
        if job:
            if slurm_args:
                say("running inside Slurm job {}: --slurm-args ignored".format(job))
            return Allocation(job, owned=False)
        command = ["salloc", "--no-shell", "--job-name=excamera-encode"] + slurm_args
        with tempfile.TemporaryFile("w+") as messages:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=messages, stderr=subprocess.STDOUT,
                                    text=True)
            pending, reason = None, None
            try:
                while proc.poll() is None:
                    time.sleep(0.3)
                    messages.seek(0)
                    for line in messages.read().splitlines():
                        if "Pending job allocation" in line:
                            pending = line.split()[-1]
                    if pending is None:
                        continue
                    now = _run(["squeue", "-h", "-j", pending, "-o", "%r"]).stdout.strip()
                    if now in HOPELESS:
                        raise SlurmError("no Slurm allocation possible for salloc {}: job {} can never start "
                                         "(reason {})".format(shlex.join(slurm_args), pending, now))
                    if now and now != reason and now != "None":
                        say("waiting for a Slurm allocation (job {} pending: {})".format(pending, now))
                    reason = now
            except BaseException:
                proc.terminate()
                proc.wait()
                if pending is not None:
                    _run(["scancel", pending])
                raise
            messages.seek(0)
            text = messages.read()
        granted = [line.split()[-1] for line in text.splitlines() if "Granted job allocation" in line]
        if proc.returncode != 0 or not granted:
            raise SlurmError("no Slurm allocation: salloc {}: {}".format(shlex.join(slurm_args),
                                                                        _last_error(text, "salloc")))
        try:
            return Allocation(granted[-1], owned=True)
        except BaseException:
            _run(["scancel", granted[-1]])
            raise

    def describe(self):
        return "Slurm job {}{}: {} CPUs on {} node{} ({})".format(
            self.job_id, "" if self.owned else " (the current allocation)", self.cpus, self.nodes,
            "" if self.nodes == 1 else "s", self.nodelist)

    def launcher(self, srun_args):
        """The command put before every rule's command: one task of one CPU, named after this run."""
        return ["srun", "--jobid=" + self.job_id, "--job-name=" + self.step_name, "--nodes=1", "--ntasks=1",
                "--cpus-per-task=1", "--exact", "--quiet", "--quit-on-interrupt"] + srun_args

    def probe(self, work, bin_dir, srun_args):
        """Checks, with one step per node, that the work folder is the same writable folder there as here and
        that the tools run there; raises SlurmError saying what is wrong."""
        token = secrets.token_hex(8)
        script = r"""
work=$1 token=$2; shift 2
node=$(hostname)
probe="$work/.slurm-probe-$node-$$"
if ! printf '%s\n' "$token" >"$probe" 2>/dev/null; then
  echo "the work folder $work is missing or not writable on $node"; exit 3
fi
for tool in "$@"; do
  "$tool" --help >/dev/null 2>&1 </dev/null
  status=$?
  if [ $status -eq 126 ] || [ $status -eq 127 ]; then
    rm -f "$probe"
    echo "$tool cannot run on $node (exit $status: missing, or its shared libraries are; use the static build)"
    exit 4
  fi
done
echo "probe $probe"
"""
        command = (["srun", "--jobid=" + self.job_id, "--job-name=" + self.step_name, "--nodes=" + str(self.nodes),
                    "--ntasks=" + str(self.nodes), "--ntasks-per-node=1", "--cpus-per-task=1", "--exact", "--quiet"] +
                   srun_args + ["sh", "-c", script, "sh", work, token] +
                   [os.path.join(bin_dir, t) for t in STEP_TOOLS])
        r = _run(command)
        said = [line[len("probe "):] for line in r.stdout.splitlines() if line.startswith("probe ")]
        problems = [line for line in r.stdout.splitlines() if line and not line.startswith("probe ")]
        if r.returncode != 0 or len(said) != self.nodes:
            detail = problems[0] if problems else _last_error(r.stderr, "srun")
            raise SlurmError("job step check failed: {} (the work folder must be on a filesystem every node "
                             "mounts at the same path)".format(detail))
        for path in said:
            try:
                with open(path) as f:
                    seen = f.read().strip()
                os.remove(path)
            except OSError:
                seen = None
            if seen != token:
                raise SlurmError("{}: a job step wrote it but it is not seen here: the work folder {} is not on a "
                                 "filesystem shared with the nodes at the same path".format(path, work))

    def cancel_steps(self):
        """Cancels the steps of this run still known to the controller."""
        r = _run(["squeue", "-h", "-s", "-j", self.job_id, "-o", "%i %j"])
        steps = [f[0] for f in (line.split() for line in r.stdout.splitlines())
                 if len(f) == 2 and f[1] == self.step_name]
        if steps:
            _run(["scancel", "--quiet"] + steps)
        return steps

    def release(self):
        if self.owned:
            _run(["scancel", "--quiet", self.job_id])
