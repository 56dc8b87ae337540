"""IVF and Y4M files for the scripts: reading, writing and joining (standard library only).

    import xcmedia
    header, frames = xcmedia.read_y4m("clip.y4m")     # frames: the Y, U, V planes of each, as bytes
    for pts, data in xcmedia.ivf_frames("chunk.ivf"): ...
    xcmedia.frame_bytes("out.ivf")                     # bytes of the VP8 frames, without containers

Errors are MediaError (a ValueError) naming the file and the problem.
"""

import struct


class MediaError(ValueError):
    pass


def read_y4m(path, limit=None):
    """(header line without its newline, [frame planes as bytes, ...]) of a 4:2:0 Y4M file; at most `limit`
    frames when given."""
    with open(path, "rb") as f:
        data = f.read()
    end = data.find(b"\n")
    if not data.startswith(b"YUV4MPEG2 ") or end < 0:
        raise MediaError("{}: not a Y4M file".format(path))
    header = data[:end]
    fields = {t[:1]: t[1:] for t in header.split()[1:]}
    if b"W" not in fields or b"H" not in fields:
        raise MediaError("{}: the Y4M header has no size".format(path))
    width, height = int(fields[b"W"]), int(fields[b"H"])
    if not fields.get(b"C", b"420").startswith(b"420"):
        raise MediaError("{}: only 4:2:0 Y4M is supported".format(path))
    size = width * height + 2 * ((width + 1) // 2) * ((height + 1) // 2)
    frames, pos = [], end + 1
    while pos < len(data) and (limit is None or len(frames) < limit):
        line_end = data.find(b"\n", pos)
        if line_end < 0 or not data.startswith(b"FRAME", pos) or line_end + 1 + size > len(data):
            raise MediaError("{}: frame {} is malformed or truncated".format(path, len(frames)))
        frames.append(data[line_end + 1:line_end + 1 + size])
        pos = line_end + 1 + size
    return header, frames


def write_y4m(path, header, frames):
    with open(path, "wb") as f:
        f.write(header + b"\n")
        for frame in frames:
            f.write(b"FRAME\n")
            f.write(frame)


def ivf_frames(path):
    """[(pts, frame bytes), ...] of an IVF file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"DKIF" or len(data) < 32:
        raise MediaError("{}: not an IVF file".format(path))
    frames, pos = [], struct.unpack_from("<H", data, 6)[0]
    while pos + 12 <= len(data):
        size, pts = struct.unpack_from("<IQ", data, pos)
        if pos + 12 + size > len(data):
            raise MediaError("{}: frame {} is truncated".format(path, len(frames)))
        frames.append((pts, data[pos + 12:pos + 12 + size]))
        pos += 12 + size
    return frames


def frame_bytes(path):
    """The bytes of an IVF's VP8 frames, without the file and frame headers."""
    return sum(len(data) for _, data in ivf_frames(path))


def is_shown(frame):
    """Whether a VP8 frame is shown (show_frame, RFC 6386 §9.1)."""
    return bool(frame) and bool(frame[0] & 0x10)


def join_ivf(parts, output):
    """One IVF of the parts' frames in order, with the first part's header and consecutive timestamps."""
    with open(parts[0], "rb") as f:
        header = bytearray(f.read(32))
    frames = [data for part in parts for _, data in ivf_frames(part)]
    struct.pack_into("<I", header, 24, len(frames))
    with open(output, "wb") as f:
        f.write(header)
        for pts, frame in enumerate(frames):
            f.write(struct.pack("<IQ", len(frame), pts))
            f.write(frame)
