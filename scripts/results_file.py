"""The project's compression results: the real camera clips they are measured on, and the one Markdown file
that scripts/rate-quality-report and scripts/excamera-figures write their tables to (standard library only).

    import results_file
    clips = results_file.real_clips(work)          # [(local file, frames used), ...], opencv-doc installed
    results_file.write_section(path, "excamera-figures", lines)

Each script owns one section of the file, between the lines `<!-- begin NAME -->` and `<!-- end NAME -->`,
and replaces only that section, so the file holds the latest run of each with the commit, date and command
each section states. A file without sections (or none yet) starts afresh. Errors are SetupError naming what
failed.
"""

import datetime
import gzip
import os
import shutil
import subprocess
import sys

TITLE = "# Compression results: ExCamera against one whole-clip vpxenc encode"
DEFAULT_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "results", "rate-quality.md")

# The real clips: (name, file in Debian's opencv-doc, frames used: 16 chunks of 6, or 11 for tree.avi's 68).
# vtest.avi, a still camera over a street (768x576), is footage the encoder was not tuned on.
REAL_CLIPS = (("box.mp4", "/usr/share/doc/opencv-doc/opencv4/html/box.mp4.gz", 96),
              ("cup.mp4", "/usr/share/doc/opencv-doc/opencv4/html/cup.mp4.gz", 96),
              ("tree.avi", "/usr/share/doc/opencv-doc/examples/data/tree.avi", 66),
              ("vtest.avi", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", 96))


class SetupError(Exception):
    pass


def real_clips(work, program):
    """The real clips as files in `work`, installing Debian's opencv-doc when they are missing."""
    if not all(os.path.exists(path) for _, path, _ in REAL_CLIPS):
        print("{}: installing Debian's opencv-doc for its sample clips".format(program), file=sys.stderr)
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "opencv-doc"]):
            r = subprocess.run(sudo + command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env)
            if r.returncode != 0:
                raise SetupError("could not install opencv-doc ({} exited with {}): {}".format(
                    " ".join(command), r.returncode, (r.stderr or r.stdout).strip()[-300:]))
    clips = []
    for name, path, frames in REAL_CLIPS:
        if not os.path.exists(path):
            raise SetupError("{}: missing although opencv-doc is installed".format(path))
        local = os.path.join(work, name)
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f, open(local, "wb") as out:
                shutil.copyfileobj(f, out)
        else:
            shutil.copyfile(path, local)
        clips.append((local, frames))
    return clips


def commit_of_tree(root, results=None):
    """The checked-out commit of `root`, marked when the tree has changes (other than to the results file
    being written, which the other script may just have rewritten), or 'unknown' outside a checkout."""
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        exclude = [":(exclude){}".format(os.path.abspath(results))] if results else []
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--", "."] +
                               exclude, capture_output=True, text=True, check=True).stdout.strip()
        return commit + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def made_by(program, argv, root, results):
    """The sentence that says which command made a section of `results`, when and at which commit."""
    return "Made by `scripts/{} {}` on {} at commit {}; run it again to refresh this section.".format(
        program, " ".join(argv), datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        commit_of_tree(root, results))


def _sections(text):
    """The sections of an existing file, in order: [(name, lines)]; [] when it has none."""
    out, current = [], None
    for line in text.split("\n"):
        if line.startswith("<!-- begin ") and line.endswith(" -->"):
            current = (line[len("<!-- begin "):-len(" -->")], [])
        elif current is not None and line == "<!-- end {} -->".format(current[0]):
            out.append(current)
            current = None
        elif current is not None:
            current[1].append(line)
    return out


def write_section(path, name, lines):
    """Replaces section `name` of the results file at `path` with `lines` (or adds it after the others),
    keeping every other section; written atomically."""
    sections = []
    if os.path.exists(path):
        with open(path) as f:
            sections = _sections(f.read())
    sections = [(n, body) for n, body in sections if n != name]
    order = [n for n, _ in sections]
    sections.append((name, list(lines)))
    # A stable order: the rate-quality tables first, then the figures, then anything else by name.
    rank = {"rate-quality-report": 0, "excamera-figures": 1}
    sections.sort(key=lambda s: (rank.get(s[0], 2), order.index(s[0]) if s[0] in order else len(order)))
    out = [TITLE, ""]
    for n, body in sections:
        out += ["<!-- begin {} -->".format(n)] + body + ["<!-- end {} -->".format(n), ""]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(out))
    os.replace(path + ".tmp", path)
