#!/usr/bin/env python3
"""Prints the ExCamera dependency graph for chunks START..END as a Makefile (for make -j or gg).

Usage: gen_makefile.py START END BATCH CQ

Chunk i is the Y4M file NNNNNNNN.y4m (i in 8 digits). Chunks are split into batches of BATCH; in each
batch (first chunk F, chunk X, previous chunk P):

  stage 1, every chunk   X-vpxenc.ivf: X.y4m                          vpxenc (ExCamera flags, --cq-level=CQ)
                         F.ivf / X-0.ivf: X-vpxenc.ivf                xc-terminate-chunk
                         X-0.state: F.ivf / X-0.ivf                   xc-dump
  stage 2, X > F         X-1.ivf: X.y4m X-0.ivf P-0.state             xc-enc (re-encode the first frame onto P-0)
                         (second chunk: X.ivf X-1.state &: instead; its output is final)
  stage 3, X > F + 1     X.ivf X-1.state &: X.y4m X-1.ivf P-0.state P-1.state
                                                                      xc-enc (rebase from P-0 onto P-1)
                         (the batch's last chunk: X.ivf only, since nothing reads its -1 state)

Target names, prerequisites and commands are those of the original ExCamera generator, so gg setups made
for it work unchanged. Two differences: a rule with two targets is a grouped rule (&:, GNU make 4.3), which
runs its recipe once, where the original's ordinary two-target rules let make -j run the same encode twice at
once, each overwriting the other's outputs while later rules read them; and xc-enc gets no first-frame
weight (-w 0.75 in the original), so it chooses that frame's quantizer itself (see XC_ENC_FLAGS). The
first output comes first in every command line (-o before -O), since gg can only ask for a thunk's first
output by name.

The tools are called by bare name (found on PATH); `make XC_BIN=build/bin/` calls them from a folder.
Every command starts with $(XC_RUN), empty by default, so that a launcher can run each rule elsewhere:
`make -j64 XC_RUN='srun --ntasks=1 --cpus-per-task=1 --exact'` runs every rule as a Slurm job step. make
drops the blank an empty XC_RUN leaves at the start of a command, so without it the commands are exactly
the original's.
"""

import sys

USAGE = """usage: gen_makefile.py START END BATCH CQ
  START, END  first and last chunk number (0 <= START <= END <= 99999999); chunk i is NNNNNNNN.y4m
  BATCH       chunks per batch (>= 1); each batch starts from its own key frame
  CQ          vpxenc --cq-level (0-63)
Prints the Makefile on standard output."""

# The first encode, exactly as ExCamera runs it: constant quality, two passes, tuned for SSIM.
VPXENC_FLAGS = ("--ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level={cq} "
                "--buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 --undershoot-pct=100 --passes=2 "
                "--auto-alt-ref=1 --threads=1 --token-parts=0 --tune=ssim --target-bitrate=4294967295")
# No -w: xc-enc chooses each re-encoded first frame's quantizer by rate and distortion over its chunk
# (the original passes -w 0.75, a fixed weighting between the key frame's and the next frame's quantizer,
# which xc-enc still honours). Measured against one whole-clip vpxenc encode on real footage by
# scripts/rate-quality-report --real-clips; the figures are in results/rate-quality.md.
XC_ENC_FLAGS = "-W -i y4m"

MAX_CHUNK = 99999999  # the largest number that fits the 8-digit names


class Rule:
    """One Makefile rule: its targets (the first is the one gg asks for), prerequisites and one command."""

    def __init__(self, targets, prerequisites, tool, arguments):
        self.targets = targets
        self.prerequisites = prerequisites
        self.tool = tool
        self.arguments = arguments

    def text(self):
        separator = " &:" if len(self.targets) > 1 else ":"
        return "{}{} {}\n\t$(XC_RUN) $(XC_BIN){} {}\n".format(" ".join(self.targets), separator,
                                                   " ".join(self.prerequisites), self.tool, self.arguments)


def name(chunk):
    return "{:08d}".format(chunk)


def stage1(chunk, first, cq):
    x = name(chunk)
    # The batch's first chunk keeps its key frame, so its terminated encode is already final.
    terminated = x + ".ivf" if chunk == first else x + "-0.ivf"
    return [
        Rule([x + "-vpxenc.ivf"], [x + ".y4m"], "vpxenc",
             "{} -o {}-vpxenc.ivf {}.y4m".format(VPXENC_FLAGS.format(cq=cq), x, x)),
        Rule([terminated], [x + "-vpxenc.ivf"], "xc-terminate-chunk", "{}-vpxenc.ivf {}".format(x, terminated)),
        Rule([x + "-0.state"], [terminated], "xc-dump", "{} {}-0.state".format(terminated, x)),
    ]


def stage2(chunk, first):
    x, p = name(chunk), name(chunk - 1)
    prerequisites = [x + ".y4m", x + "-0.ivf", p + "-0.state"]
    if chunk == first + 1:
        # The second chunk continues from the first chunk's own state, which is the real one: final.
        return Rule([x + ".ivf", x + "-1.state"], prerequisites, "xc-enc",
                    "{} -o {}.ivf -r -I {}-0.state -p {}-0.ivf -O {}-1.state {}.y4m".format(
                        XC_ENC_FLAGS, x, p, x, x, x))
    return Rule([x + "-1.ivf"], prerequisites, "xc-enc",
                "{} -o {}-1.ivf -r -I {}-0.state -p {}-0.ivf {}.y4m".format(XC_ENC_FLAGS, x, p, x, x))


def stage3(chunk, last):
    x, p = name(chunk), name(chunk - 1)
    prerequisites = [x + ".y4m", x + "-1.ivf", p + "-0.state", p + "-1.state"]
    arguments = "{} -o {}.ivf -r -I {}-1.state -p {}-1.ivf -S {}-0.state".format(XC_ENC_FLAGS, x, p, x, p)
    if chunk == last:
        return Rule([x + ".ivf"], prerequisites, "xc-enc", "{} {}.y4m".format(arguments, x))
    return Rule([x + ".ivf", x + "-1.state"], prerequisites, "xc-enc",
                "{} -O {}-1.state {}.y4m".format(arguments, x, x))


def batches(start, end, size):
    first = start
    while first <= end:
        last = min(first + size - 1, end)
        yield first, last
        first = last + 1


def makefile(start, end, batch, cq):
    out = []
    out.append("# ExCamera graph for chunks {}..{} (NNNNNNNN.y4m), batches of {}, cq-level {}.\n".format(
        name(start), name(end), batch, cq))
    out.append("# Generated by: gen_makefile.py {} {} {} {}\n".format(start, end, batch, cq))
    out.append("# Needs GNU make >= 4.3 (grouped targets, &:). Tools are taken from PATH unless\n")
    out.append("# XC_BIN names a folder ending in '/', e.g. make XC_BIN=build/bin/ -j8. XC_RUN, empty by\n")
    out.append("# default, is put before every command: a launcher such as XC_RUN='srun --ntasks=1'.\n")
    out.append("XC_BIN ?=\n")
    out.append("XC_RUN ?=\n\n")
    # An older make would read "X.ivf X-1.state &:" as three targets and run two-target recipes twice.
    out.append("ifeq ($(filter grouped-target,$(.FEATURES)),)\n")
    out.append("$(error this Makefile needs GNU make 4.3 or later (grouped targets))\n")
    out.append("endif\n\n")
    out.append(".DELETE_ON_ERROR:\n")
    out.append(".PHONY: all clean\n\n")
    finals = [name(i) + ".ivf" for i in range(start, end + 1)]
    out.append("all: {}\n\n".format(" ".join(finals)))

    rules_text = []
    generated = []  # per batch, so that no command line grows with the whole clip
    for index, (first, last) in enumerate(batches(start, end, batch)):
        rules = []
        rules_text.append("### batch {}: [{}, {}] ###\n\n# stage 1: vpxenc, xc-terminate-chunk, xc-dump\n\n".format(
            index, name(first), name(last)))
        for chunk in range(first, last + 1):
            rules += stage1(chunk, first, cq)
        stage1_count = len(rules)
        for chunk in range(first + 1, last + 1):
            rules.append(stage2(chunk, first))
        for chunk in range(first + 2, last + 1):
            rules.append(stage3(chunk, last))
        for i, rule in enumerate(rules):
            if i == stage1_count:
                rules_text.append("# stage 2: re-encode the first frame onto the previous chunk's state\n\n")
            if i == stage1_count + (last - first):
                rules_text.append("# stage 3: rebase onto the state the previous chunk really leaves\n\n")
            rules_text.append(rule.text() + "\n")
        generated.append(" ".join(target for rule in rules for target in rule.targets))

    # Only what the graph generates, never other files that happen to match *.ivf.
    out.append("clean:\n{}\n".format("".join("\trm -f {}\n".format(files) for files in generated)))
    out += rules_text
    return "".join(out)


def usage_error(message):
    sys.stderr.write("gen_makefile.py: {}\n{}\n".format(message, USAGE))
    sys.exit(2)


def parse_int(text, what):
    try:
        # int() also takes "+3", " 3" and "3_000"; only plain decimal digits are chunk numbers.
        if not text.isascii() or not text.lstrip("-").isdigit():
            raise ValueError
        return int(text)
    except ValueError:
        usage_error("{} must be an integer, not '{}'".format(what, text))


def main(argv):
    if len(argv) != 5:
        usage_error("expected 4 arguments, got {}".format(len(argv) - 1))
    start = parse_int(argv[1], "START")
    end = parse_int(argv[2], "END")
    batch = parse_int(argv[3], "BATCH")
    cq = parse_int(argv[4], "CQ")
    if start < 0 or end > MAX_CHUNK:
        usage_error("chunk numbers must be in 0-{} (8 digits)".format(MAX_CHUNK))
    if end < start:
        usage_error("END ({}) is less than START ({})".format(end, start))
    if batch < 1:
        usage_error("BATCH must be at least 1, not {}".format(batch))
    if not 0 <= cq <= 63:
        usage_error("CQ must be in 0-63, not {}".format(cq))
    sys.stdout.write(makefile(start, end, batch, cq))


if __name__ == "__main__":
    main(sys.argv)
