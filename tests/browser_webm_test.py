#!/usr/bin/env python3
"""Plays xc-concat's WebM in headless Chromium, through <video src> and through Media Source Extensions.

Three files are made in a scratch folder: the sample clip through the ExCamera pipeline
(scripts/excamera-encode), a longer clip (the sample three times, a key frame every 24 frames, so five
clusters) the same way, and a stream with hidden alt-ref frames (vpxenc with --auto-alt-ref=1
--lag-in-frames), each joined into WebM by xc-concat (what excamera-encode --format=webm runs). They
are served on 127.0.0.1 by a small HTTP server that answers byte ranges, as web servers do. For each file and
each path the page checks: no error, the `ended` event, every shown frame presented (the media times seen
by requestVideoFrameCallback) and counted by getVideoPlaybackQuality with none dropped, the duration, seeks
into other clusters that land on the frame asked for, and each frame seeked to, drawn to a canvas, against
this toolkit's own decode (xc-decode of the IVF the WebM was made from) converted to RGB with
the BT.601 limited-range matrix VP8 means (RFC 6386 section 9.2): the mean absolute difference per channel
must stay small. With MSE, the multi-cluster files are also fed as adaptive players do: the bytes before
the first cluster, then only the cluster the last cue points to, both fetched by range, and a seek into it.

Measured with Chromium 156, worst frame of the three files: 0.07, 0.04 and 0.77 (R, G, B) on both paths;
without the track's Colour element MSE converts with BT.709 and gives 8.73, 19.11 and 6.58.

Usage: browser_webm_test.py SOURCE_DIR BIN_DIR [--keep DIR] [--verbose]
Exit 0: passed; 1: failed; 77: skipped (Chromium, chromedriver or python3-selenium missing, outside CI).
"""
import argparse
import base64
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SKIP = 77

# The largest mean absolute RGB difference per channel (0-255) between a frame Chromium draws and our
# decode converted here. The two conversions differ only in rounding and in how chroma is interpolated
# (see compare_picture); a wrong matrix costs far more (see above).
MAX_MEAN_ERROR = 2.0
# Playbacks of one file on one path, at most, when the browser drops frames (see check_clip).
PLAYBACK_ATTEMPTS = 3


def on_ci():
    return os.environ.get("CI") == "true"


def skip_or_fail(message):
    if on_ci():
        print(f"browser_webm_test: {message}, and CI=true requires this test", file=sys.stderr)
        sys.exit(1)
    print(f"browser_webm_test: skipped: {message}")
    sys.exit(SKIP)


def run(command, **kwargs):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}: {result.stderr.strip()}")
    return result.stdout


# ---------------------------------------------------------------------------------------------------------
# The files and what they must show


class Clip:
    """One served file and what it must show."""

    def __init__(self, name, fps, width, height, frames, layout, packets, seek_frame):
        self.name = name
        self.webm = name + ".webm"  # file name in the served folder
        self.fps = fps
        self.width = width
        self.height = height
        self.frames = frames        # our decode, shown pictures in order: (y, u, v) byte strings
        self.layout = layout        # WebmLayout of the file
        self.clusters = [t for _, t in layout.clusters]  # cluster start times, ms
        self.packets = packets      # frames in the file, hidden ones included
        self.seek_frame = seek_frame


def read_y4m(path):
    with open(path, "rb") as f:
        data = f.read()
    end = data.index(b"\n")
    header = data[:end].decode().split()
    if header[0] != "YUV4MPEG2":
        raise RuntimeError(f"{path}: not a Y4M file")
    fields = {word[0]: word[1:] for word in header[1:]}
    width, height = int(fields["W"]), int(fields["H"])
    num, den = (int(x) for x in fields["F"].split(":"))
    cw, ch = (width + 1) // 2, (height + 1) // 2
    frames, pos = [], end + 1
    while pos < len(data):
        line_end = data.index(b"\n", pos)
        pos = line_end + 1
        y = data[pos:pos + width * height]
        pos += width * height
        u = data[pos:pos + cw * ch]
        pos += cw * ch
        v = data[pos:pos + cw * ch]
        pos += cw * ch
        frames.append((y, u, v))
    return width, height, num / den, frames


class WebmLayout:
    """Where things are in a WebM, read from its EBML: the Segment's data start, each Cluster's byte
    offset and Timestamp (ms), and the Cues as (time, cluster position relative to the Segment's data)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        self.segment_data = None
        self.cues_offset = None
        self.clusters = []  # [offset, timestamp]
        self.cues = []      # [time, position]
        self.size = len(self.data)
        self.walk(0, len(self.data))

    def vint(self, pos, keep_marker):
        first = self.data[pos]
        length = 1
        while length <= 8 and not first & (0x80 >> (length - 1)):
            length += 1
        value = first if keep_marker else first & (0xFF >> length)
        for b in self.data[pos + 1:pos + length]:
            value = value << 8 | b
        return value, pos + length

    def cue_range(self, cue):
        """The byte range [begin, end) of the cluster a cue points to; an error when it points elsewhere."""
        time, position = self.cues[cue]
        begin = self.segment_data + position
        found = [i for i, (offset, _) in enumerate(self.clusters) if offset == begin]
        if not found or self.clusters[found[0]][1] != time:
            raise RuntimeError(f"cue {cue} (time {time} ms) points to byte {begin}, where no cluster of that time starts")
        later = [offset for offset, _ in self.clusters[found[0] + 1:]] + [self.cues_offset or self.size, self.size]
        return begin, min(o for o in later if o > begin)

    def uint(self, pos, size):
        return int.from_bytes(self.data[pos:pos + size], "big")

    def walk(self, pos, end):
        while pos < end:
            start = pos
            element, pos = self.vint(pos, True)
            size, pos = self.vint(pos, False)
            if element == 0x18538067:  # Segment
                self.segment_data = pos
            if element == 0x1F43B675:  # Cluster
                self.clusters.append([start, None])
            if element == 0x1C53BB6B:  # Cues
                self.cues_offset = start
            if element == 0xBB:  # CuePoint
                self.cues.append([None, None])
            if element in (0x18538067, 0x1F43B675, 0x1C53BB6B, 0xBB, 0xB7):  # masters looked into
                self.walk(pos, min(end, pos + size))
            elif element == 0xE7 and self.clusters and self.clusters[-1][1] is None:  # cluster Timestamp
                self.clusters[-1][1] = self.uint(pos, size)
            elif element == 0xB3:  # CueTime
                self.cues[-1][0] = self.uint(pos, size)
            elif element == 0xF1:  # CueClusterPosition
                self.cues[-1][1] = self.uint(pos, size)
            pos += size


def make_clips(source, bin_dir, work):
    """Encodes the three clips and decodes their VP8 frames with xc-decode."""
    encode = os.path.join(source, "scripts", "excamera-encode")
    sample = os.path.join(source, "data", "sample.y4m")
    long_y4m = os.path.join(work, "long.y4m")
    run(["ffmpeg", "-nostdin", "-y", "-v", "error", "-stream_loop", "2", "-i", sample, "-pix_fmt", "yuv420p",
         "-f", "yuv4mpegpipe", long_y4m])
    # The sample and the longer clip through the ExCamera pipeline, to IVF.
    for name, y4m, options in (("sample", sample, []), ("long", long_y4m, ["--batch", "4"])):
        run([sys.executable, encode, y4m, "-o", os.path.join(work, name + ".ivf"), "--bin", bin_dir, "-j", "2"]
            + options)
    # Two passes with look-ahead: libvpx then codes alt-ref frames, which are decoded but never shown.
    run([os.path.join(bin_dir, "vpxenc"), "--codec=vp8", "--good", "--cpu-used=4", "--end-usage=cq",
         "--cq-level=22", "--passes=2", "--auto-alt-ref=1", "--lag-in-frames=16", "--kf-max-dist=60",
         "--ivf", "-q", "-o", os.path.join(work, "hidden.ivf"), long_y4m])
    # Each IVF to WebM with xc-concat, as excamera-encode --format=webm does with its chunks.
    for name in ("sample", "long", "hidden"):
        run([os.path.join(bin_dir, "xc-concat"), "--format=webm", os.path.join(work, name + ".webm"),
             os.path.join(work, name + ".ivf")])

    fps = read_y4m(sample)[2]  # every clip is made from the sample's frames at its rate
    clips = []
    for name in ("sample", "long", "hidden"):
        webm = os.path.join(work, name + ".webm")
        # Our own decode of the stream the WebM was made from: a frame lost or misplaced in the WebM shows.
        y4m = os.path.join(work, name + "-decoded.y4m")
        run([os.path.join(bin_dir, "xc-decode"), "-o", y4m, os.path.join(work, name + ".ivf")])
        width, height, _, frames = read_y4m(y4m)
        layout = WebmLayout(webm)
        starts = [t for _, t in layout.clusters]
        if name != "sample" and (len(starts) < 2 or len(layout.cues) < 2):
            raise RuntimeError(f"{name}.webm has {len(starts)} cluster(s) and {len(layout.cues)} cue(s); the test "
                               "needs more than one")
        for cue in range(len(layout.cues)):
            layout.cue_range(cue)
        # A frame a little inside the last cluster the cues name: the seeks go there.
        seek_frame = min(len(frames) - 1, int(round(layout.cues[-1][0] / 1000 * fps)) + 3)
        if len(layout.cues) < 2:
            seek_frame = len(frames) // 2
        packets = int(run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0",
                           "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", webm]).strip())
        clip = Clip(name, fps, width, height, frames, layout, packets, seek_frame)
        clips.append(clip)
    hidden = clips[2]
    if hidden.packets <= len(hidden.frames):
        raise RuntimeError(f"hidden.webm holds {hidden.packets} frames for {len(hidden.frames)} shown: no hidden frame")
    return clips


# BT.601, limited range (16-235 luma, 16-240 chroma): what VP8's YUV means.
def to_rgb(frame, width, height, nearest):
    y, u, v = frame
    cw = (width + 1) // 2
    ch = (height + 1) // 2
    out = bytearray(width * height * 3)

    def chroma(plane, x, yy):
        if nearest:  # each chroma sample for its 2x2 luma block
            return plane[(yy // 2) * cw + x // 2]
        # Chroma sits at the centre of each 2x2 luma block; interpolate bilinearly between the samples.
        fx = (x + 0.5) / 2 - 0.5
        fy = (yy + 0.5) / 2 - 0.5
        x0 = int(fx // 1)
        y0 = int(fy // 1)
        ax, ay = fx - x0, fy - y0
        x1, y1 = min(max(x0 + 1, 0), cw - 1), min(max(y0 + 1, 0), ch - 1)
        x0, y0 = min(max(x0, 0), cw - 1), min(max(y0, 0), ch - 1)
        top = plane[y0 * cw + x0] * (1 - ax) + plane[y0 * cw + x1] * ax
        bottom = plane[y1 * cw + x0] * (1 - ax) + plane[y1 * cw + x1] * ax
        return top * (1 - ay) + bottom * ay

    i = 0
    for row in range(height):
        for col in range(width):
            luma = 1.164383562 * (y[row * width + col] - 16)
            cb = chroma(u, col, row) - 128
            cr = chroma(v, col, row) - 128
            for value in (luma + 1.596026786 * cr, luma - 0.391762290 * cb - 0.812967647 * cr,
                          luma + 2.017232143 * cb):
                out[i] = 0 if value < 0 else 255 if value > 255 else int(value + 0.5)
                i += 1
    return out


def mean_errors(rgba, rgb):
    """Mean absolute difference per channel (R, G, B) of a canvas's RGBA bytes and an RGB picture."""
    sums = [0, 0, 0]
    pixels = len(rgb) // 3
    for p in range(pixels):
        for c in range(3):
            sums[c] += abs(rgba[4 * p + c] - rgb[3 * p + c])
    return [s / pixels for s in sums]


# ---------------------------------------------------------------------------------------------------------
# The server


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves the files of one folder with GET and HEAD, answering single byte ranges (RFC 9110 14).
    start_server makes a subclass per server that sets the folder and the request log."""
    folder = None
    log = None
    types = {".webm": "video/webm", ".html": "text/html; charset=utf-8"}

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        self.answer(body=True)

    def answer(self, body):
        name = self.path.split("?", 1)[0].lstrip("/")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not os.path.isfile(os.path.join(self.folder, name)):
            self.send_error(404)
            return
        with open(os.path.join(self.folder, name), "rb") as f:
            data = f.read()
        size = len(data)
        start, end, status = 0, size - 1, 200
        spec = self.headers.get("Range")
        if spec is not None:
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", spec.strip())
            if m is None or (m.group(1) == "" and m.group(2) == ""):
                self.send_error(416)
                return
            if m.group(1) == "":  # the last N bytes
                start, end = max(0, size - int(m.group(2))), size - 1
            else:
                start = int(m.group(1))
                end = min(size - 1, int(m.group(2))) if m.group(2) else size - 1
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        self.log.append((name, spec))
        self.send_response(status)
        self.send_header("Content-Type", self.types.get(os.path.splitext(name)[1], "application/octet-stream"))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if body:
            try:
                self.wfile.write(data[start:end + 1])
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser cancelled the request, as media elements do

    def log_message(self, *args):
        pass


def start_server(folder):
    class Handler(RangeHandler):
        pass

    Handler.folder = folder
    Handler.log = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def check_server(base, folder, name):
    """The server's ranges are right: a middle range, an open range, a suffix and an unsatisfiable one."""
    with open(os.path.join(folder, name), "rb") as f:
        data = f.read()
    for spec, expected in (("bytes=10-19", data[10:20]), (f"bytes={len(data) - 5}-", data[-5:]),
                           ("bytes=-7", data[-7:])):
        request = urllib.request.Request(base + name, headers={"Range": spec})
        with urllib.request.urlopen(request, timeout=10) as r:
            if r.status != 206 or r.read() != expected:
                raise RuntimeError(f"the test server answers {spec} wrongly")
    try:
        urllib.request.urlopen(urllib.request.Request(base + name, headers={"Range": f"bytes={len(data)}-"}),
                               timeout=10)
        raise RuntimeError("the test server answered a range past the end")
    except urllib.error.HTTPError as e:
        if e.code != 416:
            raise


# ---------------------------------------------------------------------------------------------------------
# The page

PAGE = r"""<!doctype html>
<meta charset="utf-8">
<title>xc WebM check</title>
<body>
<script>
'use strict';
// Resolves when `event` fires on `target`, rejects on the video's error or after `ms`.
function once(target, event, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), ms);
    target.addEventListener(event, (e) => { clearTimeout(timer); resolve(e); }, {once: true});
  });
}

function videoError(video) {
  return video.error ? 'MediaError ' + video.error.code + ': ' + video.error.message : null;
}

// Attaches `url` to `video` directly or through a MediaSource fed in pieces (cut at arbitrary bytes, as
// a network would deliver them).
async function attach(video, url, mode) {
  if (mode === 'src') {
    video.src = url;
    return;
  }
  const type = 'video/webm; codecs="vp8"';
  if (!window.MediaSource || !MediaSource.isTypeSupported(type)) throw new Error('MSE does not take ' + type);
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await once(source, 'sourceopen', 10000, 'sourceopen');
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const buffer = source.addSourceBuffer(type);
  const piece = Math.max(1, Math.ceil(bytes.length / 5));
  for (let at = 0; at < bytes.length; at += piece) {
    buffer.appendBuffer(bytes.subarray(at, Math.min(bytes.length, at + piece)));
    await once(buffer, 'updateend', 10000, 'updateend');
  }
  source.endOfStream();
}

// Draws the video's current picture at its own size and returns the RGBA bytes in base64.
function draw(video) {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.drawImage(video, 0, 0);
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let text = '';
  for (let i = 0; i < rgba.length; i += 0x8000) text += String.fromCharCode.apply(null, rgba.subarray(i, i + 0x8000));
  return btoa(text);
}

// Seeks to `time`, waits for the picture there to be presented, and returns it with the media time.
async function seekAndDraw(video, time) {
  const presented = new Promise((resolve) => video.requestVideoFrameCallback((now, meta) => resolve(meta)));
  video.currentTime = time;
  await once(video, 'seeked', 10000, 'seeked to ' + time);
  const meta = await Promise.race([presented, new Promise((_, reject) =>
      setTimeout(() => reject(new Error('no frame presented after seeking to ' + time)), 10000))]);
  return {currentTime: video.currentTime, mediaTime: meta.mediaTime, rgba: draw(video)};
}

// Runs `body(video, result)` on a new muted video element and returns `result`, with the element's
// error and anything `body` threw in result.errors.
async function withVideo(body) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  document.body.appendChild(video);
  const result = {errors: []};
  video.addEventListener('error', () => result.errors.push(videoError(video)));
  try {
    await body(video, result);
  } catch (e) {
    result.errors.push(String(e && e.message || e));
  }
  const error = videoError(video);
  if (error && !result.errors.includes(error)) result.errors.push(error);
  video.remove();
  return result;
}

// Plays `url` to the end at `rate`, then seeks to each time in `seeks`; reports everything the test checks.
function check(url, mode, seeks, rate) {
  return withVideo(async (video, result) => {
    result.mediaTimes = [];
    const metadata = once(video, 'loadedmetadata', 10000, 'loadedmetadata');
    await attach(video, url, mode);
    await metadata;
    result.duration = video.duration;
    result.width = video.videoWidth;
    result.height = video.videoHeight;
    const onFrame = (now, meta) => {
      result.mediaTimes.push(meta.mediaTime);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    const ended = once(video, 'ended', 60000, 'ended');
    video.playbackRate = rate;
    await video.play();
    await ended;
    result.ended = true;
    const quality = video.getVideoPlaybackQuality();
    result.totalVideoFrames = quality.totalVideoFrames;
    result.droppedVideoFrames = quality.droppedVideoFrames;
    result.seeks = [];
    for (const time of seeks) result.seeks.push(await seekAndDraw(video, time));
  });
}

// Media Source Extensions as adaptive players use them: the initialisation segment (bytes before the
// first cluster) and then one cluster that the file's cues point to, each fetched by a byte-range request,
// then a seek into that cluster.
function seekByRange(url, initEnd, begin, end, time) {
  return withVideo(async (video, result) => {
    const type = 'video/webm; codecs="vp8"';
    const source = new MediaSource();
    video.src = URL.createObjectURL(source);
    await once(source, 'sourceopen', 10000, 'sourceopen');
    const buffer = source.addSourceBuffer(type);
    for (const [from, to] of [[0, initEnd], [begin, end]]) {
      const response = await fetch(url, {headers: {Range: 'bytes=' + from + '-' + (to - 1)}});
      if (response.status !== 206) throw new Error('bytes ' + from + '-' + (to - 1) + ': HTTP ' + response.status);
      buffer.appendBuffer(new Uint8Array(await response.arrayBuffer()));
      await once(buffer, 'updateend', 10000, 'updateend');
    }
    result.buffered = [buffer.buffered.start(0), buffer.buffered.end(buffer.buffered.length - 1)];
    Object.assign(result, await seekAndDraw(video, time));
  });
}
</script>
"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--mute-audio",
                 "--autoplay-policy=no-user-gesture-required", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--window-size=640,480"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(120)
    driver.set_page_load_timeout(30)
    return driver


def compare_picture(clip, k, rgba_base64, fail):
    """Mean colour errors (R, G, B) of a drawn frame against our decode of frame k; None when unusable."""
    rgba = base64.b64decode(rgba_base64)
    if len(rgba) != clip.width * clip.height * 4:
        fail(f"the canvas holds {len(rgba)} bytes for a {clip.width}x{clip.height} picture")
        return None
    # Chromium's drawing paths upsample chroma differently (nearest or bilinear), which on the sample's
    # sharp colour edges alone makes a mean difference of about 3; the closer of the two is taken.
    errors = min((mean_errors(rgba, to_rgb(clip.frames[k], clip.width, clip.height, nearest))
                  for nearest in (True, False)), key=max)
    if max(errors) > MAX_MEAN_ERROR:
        fail(f"frame {k} drawn to a canvas differs from our BT.601 decode by a mean of "
             f"{errors[0]:.2f} {errors[1]:.2f} {errors[2]:.2f} (R G B), more than {MAX_MEAN_ERROR}")
    return errors


def check_range_seek(driver, base, clip, where, fail):
    """MSE fed with the initialisation segment and the last cued cluster only, fetched by byte ranges."""
    layout = clip.layout
    begin, end = layout.cue_range(len(layout.cues) - 1)
    k = clip.seek_frame
    t = (k + 0.5) / clip.fps
    result = driver.execute_async_script(
        "seekByRange(arguments[0], arguments[1], arguments[2], arguments[3], arguments[4])"
        ".then(arguments[arguments.length - 1]);",
        base + clip.webm, layout.clusters[0][0], begin, end, t)
    if result["errors"]:
        fail("range-fed MSE: " + "; ".join(result["errors"]))
        return
    if abs(result["buffered"][0] - layout.cues[-1][0] / 1000) > 0.002:
        fail(f"range-fed MSE: the cued cluster buffers from {result['buffered'][0]:.4f} s, "
             f"expected {layout.cues[-1][0] / 1000:.4f} s")
    if abs(result["currentTime"] - t) > 0.002 or round(result["mediaTime"] * clip.fps) != k:
        fail(f"range-fed MSE: seek to {t:.4f} s landed at {result['currentTime']:.4f} s showing frame "
             f"{result['mediaTime'] * clip.fps:.2f}, expected frame {k}")
        return
    errors = compare_picture(clip, k, result["rgba"], fail)
    if errors is not None:
        print(f"browser_webm_test: {where}, fed bytes {begin}-{end - 1} only (cue {len(layout.cues)}): frame {k} "
              f"shown, mean colour error R {errors[0]:.2f} G {errors[1]:.2f} B {errors[2]:.2f}")


def check_clip(driver, base, clip, mode, failures):
    n = len(clip.frames)
    # Seek targets: the middle of frame 0, of the middle frame, of a frame in another cluster, and of the
    # last frame, so that pictures from every part of the file are compared.
    chosen = sorted({0, n // 2, clip.seek_frame, n - 1})
    times = [(k + 0.5) / clip.fps for k in chosen]
    where = f"{clip.name}.webm via {'<video src>' if mode == 'src' else 'MSE'}"

    def fail(message):
        failures.append(f"{where}: {message}")

    # A frame the browser drops, or presents between two compositor callbacks, was late: on a loaded
    # machine a stall of the renderer longer than a frame interval does that, whatever the file. Such a
    # playback is repeated at half the speed of the one before (at most PLAYBACK_ATTEMPTS in all), which
    # gives the renderer twice the time per frame; a file whose frames cannot be presented fails them all.
    for attempt in range(1, PLAYBACK_ATTEMPTS + 1):
        rate = 0.5 ** (attempt - 1)
        started = time.monotonic()
        result = driver.execute_async_script(
            "check(arguments[0], arguments[1], arguments[2], arguments[3]).then(arguments[arguments.length - 1]);",
            base + clip.webm, mode, times, rate)
        elapsed = time.monotonic() - started
        if result["errors"]:
            fail("; ".join(result["errors"]))
            return
        presented = sorted({round(t * clip.fps) for t in result["mediaTimes"]})
        missing = sorted(set(range(n)) - set(presented))
        dropped = result["droppedVideoFrames"]
        if (dropped == 0 and not missing) or attempt == PLAYBACK_ATTEMPTS:
            break
        print(f"browser_webm_test: {where}: {dropped} frame(s) dropped, {len(missing)} not presented "
              f"at speed {rate:g}; playing again at speed {rate / 2:g}")
    if not result.get("ended"):
        fail("no ended event")
    if (result["width"], result["height"]) != (clip.width, clip.height):
        fail(f"the video is {result['width']}x{result['height']}, expected {clip.width}x{clip.height}")
    if abs(result["duration"] - n / clip.fps) > 0.002:
        fail(f"duration {result['duration']:.4f} s, expected {n / clip.fps:.4f} s")
    if missing:
        fail(f"{len(missing)} of {n} frames never presented (first: frame {missing[0]})")
    if any(abs(t * clip.fps - round(t * clip.fps)) > 0.05 for t in result["mediaTimes"]):
        fail("a presented frame's media time is not one of the frames' times")
    if result["totalVideoFrames"] != n or result["droppedVideoFrames"] != 0:
        fail(f"getVideoPlaybackQuality: {result['totalVideoFrames']} frames, {result['droppedVideoFrames']} dropped; "
             f"expected {n}, 0")
    worst = [0.0, 0.0, 0.0]
    for k, t, seek in zip(chosen, times, result["seeks"]):
        if abs(seek["currentTime"] - t) > 0.002:
            fail(f"seek to {t:.4f} s landed at {seek['currentTime']:.4f} s")
        if round(seek["mediaTime"] * clip.fps) != k:
            fail(f"seek to {t:.4f} s shows frame {seek['mediaTime'] * clip.fps:.2f}, expected frame {k}")
            continue
        errors = compare_picture(clip, k, seek["rgba"], fail)
        if errors is not None:
            worst = [max(a, b) for a, b in zip(worst, errors)]
    if mode == "mse" and len(clip.layout.cues) > 1:
        check_range_seek(driver, base, clip, where, fail)
    seek_cluster = sum(1 for s in clip.clusters if s <= clip.seek_frame / clip.fps * 1000)
    print(f"browser_webm_test: {where}: {n} frames ({clip.packets} in the file, {len(clip.clusters)} clusters), "
          f"{len(presented)} presented, quality {result['totalVideoFrames']}/{result['droppedVideoFrames']} "
          f"(total/dropped), seek to frame {clip.seek_frame} (cluster {seek_cluster}), worst mean colour error "
          f"R {worst[0]:.2f} G {worst[1]:.2f} B {worst[2]:.2f}, {elapsed:.1f} s at speed {rate:g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source")
    parser.add_argument("bin")
    parser.add_argument("--keep", help="make the files in this folder and keep them")
    parser.add_argument("--verbose", action="store_true", help="list the requests the server answered")
    args = parser.parse_args()

    try:
        from selenium.common.exceptions import WebDriverException  # Debian's python3-selenium
    except ImportError:
        skip_or_fail(f"{sys.executable} cannot import selenium: install python3-selenium (scripts/install-deps)")
    for program, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(program, os.X_OK):
            skip_or_fail(f"{program} is missing: install {package} (scripts/install-deps)")
    for program in ("ffmpeg", "ffprobe"):
        if shutil.which(program) is None:
            skip_or_fail(f"{program} is missing: install ffmpeg (scripts/install-deps)")
    for tool in ("xc-concat", "xc-decode", "vpxenc", "xc-enc", "xc-terminate-chunk", "xc-dump", "xc-quality"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            print(f"browser_webm_test: {os.path.join(args.bin, tool)} is missing: build the tools target",
                  file=sys.stderr)
            return 1

    work = args.keep or tempfile.mkdtemp(prefix="xc-browser-")
    os.makedirs(work, exist_ok=True)
    server = driver = None
    try:
        started = time.monotonic()
        try:
            clips = make_clips(args.source, args.bin, work)
        except RuntimeError as e:
            if "no WebM writer" in str(e):
                skip_or_fail("xc-concat was built without libmatroska")
            raise
        with open(os.path.join(work, "check.html"), "w") as f:
            f.write(PAGE)
        server = start_server(work)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        check_server(base, work, clips[0].webm)
        print(f"browser_webm_test: files made in {time.monotonic() - started:.1f} s")
        driver = browser()
        driver.get(base + "check.html")
        print(f"browser_webm_test: {driver.capabilities.get('browserName')} "
              f"{driver.capabilities.get('browserVersion')}, headless")
        failures = []
        for clip in clips:
            for mode in ("src", "mse"):
                check_clip(driver, base, clip, mode, failures)
        if args.verbose:
            print("browser_webm_test: requests (file, Range):", server.RequestHandlerClass.log)
        for failure in failures:
            print(f"browser_webm_test: FAILED: {failure}", file=sys.stderr)
        print(f"browser_webm_test: {'passed' if not failures else 'FAILED'} in {time.monotonic() - started:.1f} s")
        return 1 if failures else 0
    except (RuntimeError, OSError, WebDriverException) as e:
        print(f"browser_webm_test: FAILED: {str(e).strip()}", file=sys.stderr)
        return 1
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.shutdown()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
