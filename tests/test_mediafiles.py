"""Media files are recognised by their bytes and checked for their role: images decoded to the
end in a limited child process, captions parsed as WebVTT, videos and audio by their container."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from exhibit.content.mediafiles import (
    check_images,
    check_media,
    check_media_file,
    check_media_files,
    image_pixel_limit,
    parse_webvtt,
    sniff,
)

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def jpeg(path: Path, size=(64, 48)) -> Path:
    Image.new("RGB", size, (200, 40, 40)).save(path, "JPEG")
    return path


# -- containers built by hand: the smallest files that have the structure ----------------------

def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(handlers=(b"vide",), major=b"isom", mdat=b"\0" * 16) -> bytes:
    ftyp = box(b"ftyp", major + b"\0\0\2\0" + b"isomiso2avc1mp41")
    traks = b"".join(box(b"trak", box(b"mdia", box(b"hdlr", b"\0" * 8 + h + b"\0" * 12)))
                     for h in handlers)
    return ftyp + box(b"moov", traks) + box(b"mdat", mdat)


def ebml(element_id: int, payload: bytes) -> bytes:
    """An EBML element with an 8-byte size."""
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + \
        (0x01 << 56 | len(payload)).to_bytes(8, "big") + payload


def webm(track_types=(1,), doc_type=b"webm") -> bytes:
    header = ebml(0x1A45DFA3, ebml(0x4286, b"\1") + ebml(0x4282, doc_type))
    tracks = ebml(0x1654AE6B, b"".join(ebml(0xAE, ebml(0x83, bytes([t]))) for t in track_types))
    return header + ebml(0x18538067, tracks + ebml(0x1F43B675, b"\0" * 8))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int, rows: int) -> bytes:
    """A greyscale PNG declaring ``width``×``height``, with ``rows`` rows of zeros compressed
    (a few hundred kB that inflate to gigabytes when ``rows == height``)."""
    compress = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    idat = b"".join(compress.compress(row) for _ in range(rows)) + compress.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def mp3_frames(count=3) -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames.
    return (b"\xff\xfb\x90\x00" + b"\0" * 413) * count


# -- the demo's media pass ---------------------------------------------------------------------

def demo_media() -> list[tuple[Path, str]]:
    items = []
    for path in sorted((ROOT / "media").rglob("*")) + sorted((ROOT / "panels").rglob("*")):
        role = {".png": "image", ".jpg": "poster", ".jpeg": "image", ".webp": "image",
                ".vtt": "captions", ".mp4": "video", ".webm": "video"}.get(path.suffix.lower())
        if role and path.is_file() and "_src" not in path.parts:
            items.append((path, role))
    return items


def test_the_demo_media_are_what_they_claim():
    items = demo_media()
    assert {role for _, role in items} == {"image", "poster", "captions", "video"}
    problems = check_media_files(items)
    assert {str(p.relative_to(ROOT)): m for p, m in problems.items() if m} == {}


# -- sniffing ----------------------------------------------------------------------------------

def test_sniff_tells_what_files_are_whatever_their_name(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.vtt", "PNG")
    Image.new("RGB", (8, 8)).save(tmp_path / "b.png", "WEBP")
    Image.new("RGB", (8, 8)).save(tmp_path / "c.jpg", "GIF")
    jpeg(tmp_path / "d.mp4")
    cases = {
        "a.vtt": "image/png", "b.png": "image/webp", "c.jpg": "image/gif", "d.mp4": "image/jpeg",
        "e.jpg": ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", "text/vtt"),
        "f.vtt": ("\ufeffWEBVTT - title\n", "text/vtt"),
        "g.vtt": ("<!DOCTYPE html><p>WEBVTT -->", "text/html"),
        "h.vtt": ("  <script>alert(1)</script>", "text/html"),
        "i.png": ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
                  "image/svg+xml"),
        "j.jpg": ("<svg onload=alert(1)>", "image/svg+xml"),
        "k.vtt": ("// WEBVTT -->\nfetch('/staff/')", "text/javascript"),
        "l.vtt": ("WEBVTTX\n", "text/plain"),
        "m.webm": (mp4(), "video/mp4"),
        "n.mp4": (webm(), "video/webm"),
        "o.mp4": (mp4(major=b"M4A "), "audio/mp4"),
        "p.mp4": (mp4(handlers=(b"soun",)), "audio/mp4"),
        "q.webm": (webm(track_types=(2,)), "audio/webm"),
        "r.webm": (webm(doc_type=b"matroska"), "video/x-matroska"),
        "s.mp3": (mp3_frames(), "audio/mpeg"),
        "t.mp3": (b"ID3\4\0\0\0\0\0\0" + mp3_frames(), "audio/mpeg"),
        "u.ogg": (b"OggS\0\2" + b"\0" * 20 + b"\1\x13" + b"OpusHead" + b"\0" * 11, "audio/ogg"),
        "v.jpg": (b"%PDF-1.7\n", "application/pdf"),
        "w.vtt": (b"\0\1\2\3binary", "application/octet-stream"),
    }
    for name, case in cases.items():
        if isinstance(case, tuple):
            write(tmp_path / name, case[0])
            case = case[1]
        assert (name, sniff(tmp_path / name)) == (name, case)
    assert sniff(write(tmp_path / "empty.vtt", b"")) is None
    assert sniff(tmp_path / "missing.png") is None


# -- images ------------------------------------------------------------------------------------

def test_images_are_decoded_to_their_end_in_one_child(tmp_path):
    good = [jpeg(tmp_path / "a.jpg")]
    Image.new("RGBA", (40, 30)).save(tmp_path / "b.png")
    Image.new("RGB", (40, 30)).save(tmp_path / "c.webp")
    good += [tmp_path / "b.png", tmp_path / "c.webp"]
    whole = jpeg(tmp_path / "whole.jpg", (400, 300)).read_bytes()
    truncated = write(tmp_path / "truncated.jpg", whole[: len(whole) // 2])
    png = (tmp_path / "b.png").read_bytes()
    bad_crc = write(tmp_path / "crc.png", png[:-5] + bytes([png[-5] ^ 1]) + png[-4:])
    gif = tmp_path / "anim.gif"
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    svg = write(tmp_path / "poster.png", '<svg xmlns="http://www.w3.org/2000/svg">'
                                         '<script>alert(1)</script></svg>')
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    frames[0].save(tmp_path / "anim.webp", save_all=True, append_images=frames[1:])
    result = check_images(good + [truncated, bad_crc, gif, svg, tmp_path / "anim.webp"])
    assert all(result[p] == [] for p in good)
    assert "cannot be decoded" in result[truncated][0]
    assert "truncated" in result[truncated][0]  # Pillow's words: "image file is truncated"
    assert "cannot be decoded" in result[bad_crc][0]
    assert result[gif] == ["is a GIF image, not a JPEG, PNG or WebP image"]
    assert result[svg][0].startswith("is an SVG image, not a JPEG, PNG or WebP image; SVG is "
                                     "refused")
    assert result[tmp_path / "anim.webp"] == ["is an animated WEBP image; use a still image"]
    # The same through the one-file API, for a poster.
    assert check_media_file(truncated, "poster") == result[truncated]
    assert check_media_file(good[0], "poster") == []


def test_a_decompression_bomb_is_refused_from_its_header_without_the_memory(tmp_path):
    # 100,000 × 100,000 greyscale: 10 GB decoded; the child may use 256 MB, and refuses it from
    # the header's size with the pixel limit, before any decoding.
    bomb = write(tmp_path / "bomb.png", png_bomb(100_000, 100_000, rows=100))
    assert bomb.stat().st_size < 1_000_000
    result = check_images([bomb], memory_mb=256)
    assert result[bomb] == [f"is 100,000×100,000 pixels, more than the {image_pixel_limit():,}-"
                            f"pixel limit (a decompression bomb, or a mistake)"]


def test_an_image_under_the_pixel_limit_but_over_the_memory_limit_is_reported(tmp_path):
    # 12,000 × 12,000 greyscale (144 Mpx, under the pixel limit) inflates to 144 MB: more than
    # the child's 128 MB. It is reported, and the next image is still checked in a fresh child.
    assert image_pixel_limit() > 12_000 * 12_000
    big = write(tmp_path / "big.png", png_bomb(12_000, 12_000, rows=12_000))
    after = jpeg(tmp_path / "after.jpg")
    result = check_images([big, after], memory_mb=128)
    assert len(result[big]) == 1 and "MEDIA_MEMORY_MB" in result[big][0]
    assert result[after] == []


def test_a_smaller_pixel_limit_can_be_given(tmp_path):
    image = jpeg(tmp_path / "a.jpg", (200, 100))
    assert check_images([image], max_pixels=10_000)[image] == [
        "is 200×100 pixels, more than the 10,000-pixel limit (a decompression bomb, or a "
        "mistake)"]


# -- captions ----------------------------------------------------------------------------------

GOOD_VTT = """\
WEBVTT - Mercury-free PVC

STYLE
::cue { color: yellow }

REGION
id:bottom width:40% lines:3 regionanchor:0%,100% viewportanchor:10%,90% scroll:up

NOTE written by the agency
over two lines

intro
00:00.500 --> 00:05.000 line:-2 position:50%,center size:80% align:start
<v.loud Ana Li>In 2009, 94 of 104 producers</v>
used <i>carbide</i> &amp; <b.red>mercury</b> &#x2014; <u>see</u> &lt;MIIT&gt;.

00:00:05.100 --> 00:00:09.700 region:bottom
<ruby>汞<rt>gǒng</rt></ruby> <lang zh-Hans>氯乙烯</lang> <c.a.b>x</c>
karaoke <00:00:06.000>one <00:00:07.000>two

01:00:00.000 --> 01:00:03.000 vertical:rl
<v Ana>A voice span may run to the end
"""


def test_a_complete_webvtt_file_passes(tmp_path):
    assert parse_webvtt(GOOD_VTT) == []
    assert check_media_file(write(tmp_path / "a.vtt", GOOD_VTT.replace("\n", "\r\n")),
                            "captions") == []
    assert check_media_file(write(tmp_path / "b.vtt", "\ufeff" + GOOD_VTT), "captions") == []


@pytest.mark.parametrize(("text", "problem"), [
    ("WEBVTT\n\n1\n00:00:06.000 --> 00:00:05.000\nHi\n",
     "line 4: cue end 00:00:05.000 is before its start 00:00:06.000"),
    ("WEBVTT\n\n00:01.000 --> 00:01.000\nHi\n", "line 3: cue end 00:01.000 is the same as its start"),
    ("WEBVTT\n\n00:05.000 --> 00:06.000\nA\n\n00:01.000 --> 00:02.000\nB\n",
     "line 6: cue starts at 00:01.000, before the cue on line 3; cues must be in order of "
     "start time"),
    ("WEBVTT\n\n00:01.000 -> 00:02.000\nHi\n",
     "line 3: '00:01.000 -> 00:02.000' is neither a cue timing line ('00:00:01.000 --> "
     "00:00:04.000') nor a cue identifier followed by one"),
    ("WEBVTT\n\n00:01.000-->00:02.000\nHi\n",
     "line 3: a cue timing line is 'start --> end', with a space or a tab on each side of '-->'"),
    ("WEBVTT\n\n00:01,000 --> 00:02.000\nHi\n",
     "line 3: '00:01,000' is not a WebVTT timestamp (hh:mm:ss.ttt or mm:ss.ttt)"),
    ("WEBVTT\n\n00:61.000 --> 01:02.000\nHi\n",
     "line 3: '00:61.000' has more than 59 minutes or seconds"),
    ("WEBVTT\n\n0:01.000 --> 00:02.000\nHi\n",
     "line 3: '0:01.000' is not a WebVTT timestamp (hh:mm:ss.ttt or mm:ss.ttt)"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000 align:middle\nHi\n",
     "line 3: align:middle must be start, center, end, left or right"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000 size:120%\nHi\n",
     "line 3: size:120% must be a percentage from 0% to 100%"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000 colour:red\nHi\n",
     "line 3: unknown cue setting 'colour' (one of vertical, line, position, size, align, "
     "region)"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000 size:50% size:60%\nHi\n",
     "line 3: cue setting 'size' is given twice"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000 region:nowhere\nHi\n",
     "line 3: region:nowhere names no REGION defined above"),
    ("WEBVTT\n\na\n00:01.000 --> 00:02.000\nA\n\na\n00:02.000 --> 00:03.000\nB\n",
     "line 7: cue identifier 'a' is used twice (first on line 3)"),
    ("WEBVTT\n00:01.000 --> 00:02.000\nHi\n",
     "line 2: a blank line must separate the 'WEBVTT' line from the first cue (browsers "
     "ignore this one)"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n00:02.000 --> 00:03.000\nB\n",
     "line 5: '-->' in cue text; a blank line must separate two cues"),
    ("WEBVTT\n\nNOTE a --> b\n\n00:01.000 --> 00:02.000\nA\n",
     "line 3: a NOTE cannot contain '-->'; end the note with a blank line before the next cue"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n\nSTYLE\n::cue { color: red }\n",
     "line 6: a STYLE block must come before the first cue (browsers ignore it here)"),
    ("WEBVTT\n\nSTYLE\n::cue { background: url(https://tracker.example/x.png) }\n\n"
     "00:01.000 --> 00:02.000\nA\n",
     "line 4: a STYLE block may not load anything (url(), @import): the exhibition makes no "
     "request to other files or hosts"),
    ("WEBVTT\n\nREGION\nwidth:40%\n\n00:01.000 --> 00:02.000\nA\n",
     "line 3: a REGION needs an id: 'id:name'"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n<i>never closed\n",
     "line 4: <i> is never closed in its cue"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n<i><b>x</i></b>\n",
     "line 4: </i> closes <i> before the <b> opened on line 4"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n<rt>x</rt>\n", "line 4: <rt> must be directly inside <ruby>"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v>x\n", "line 4: <v> needs an annotation, as in <v Ana>"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n<i loud>x</i>\n", "line 4: <i> takes no annotation ('loud')"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA & B\n",
     "line 4: an '&' that starts no character reference; write '&amp;'"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n&bogus; &#0;\n", "line 4: '&bogus;' is not a character reference"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n1 < 2\n", "line 4: a '<' that starts no WebVTT tag; write '&lt;'"),
    ("WEBVTT\n\n00:01.000 --> 00:03.000\na <00:00:04.000>b\n",
     "line 4: timestamp <00:00:04.000> must be inside the cue's time and after the timestamps "
     "before it"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\x07\n", "line 4: control character U+0007 in the text"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n   \nB\n",
     "line 5: a line of only spaces; a line between blocks must be empty"),
    ("WEBVTT\n\nNOTE nothing but a note\n", "line 1: the caption file has no cues"),
    ("WEBVTTX\n\n00:01.000 --> 00:02.000\nA\n",
     "line 1: the first line must be 'WEBVTT', optionally followed by a space or a tab and a "
     "title"),
])
def test_webvtt_mistakes_are_reported_with_their_line(text, problem):
    assert problem in [str(p) for p in parse_webvtt(text)]


@pytest.mark.parametrize(("cue_text", "tag"), [
    ("<script>fetch('/staff/')</script>", "<script>"),
    ('<img src=x onerror="alert(1)">', "<img>"),
    ('<a href="https://evil.example/">click</a>', "<a>"),
    ("<br/>", "<br>"),
    ("<span class=x>y</span>", "<span>"),
])
def test_html_in_cue_text_is_refused(cue_text, tag):
    problems = [str(p) for p in parse_webvtt(f"WEBVTT\n\n00:01.000 --> 00:02.000\n{cue_text}\n")]
    assert problems[0] == (f"line 4: {tag} is not a WebVTT tag; cue text may use only <c>, <i>, "
                           f"<b>, <u>, <ruby>, <rt>, <v>, <lang> and timestamps")


def test_polyglots_and_impostors_are_named_for_what_they_are(tmp_path):
    # An HTML page that the old check let through: it starts with WEBVTT and has a '-->'.
    polyglot = write(tmp_path / "polyglot.vtt",
                     "WEBVTT\n<html><body><script>fetch('/staff/')</script>\n\n"
                     "00:01.000 --> 00:02.000\nHi\n")
    assert check_media_file(polyglot, "captions") == [
        "line 2: markup (<html>) in a header field; a caption file holds no HTML"]
    html = write(tmp_path / "page.vtt", "<!DOCTYPE html>\n<title>WEBVTT</title> -->")
    assert check_media_file(html, "captions") == ["is an HTML document, not WebVTT captions"]
    script = write(tmp_path / "script.vtt", "// WEBVTT\n// 00:00.000 --> 00:01.000\nalert(1)\n")
    assert check_media_file(script, "captions") == ["is JavaScript, not WebVTT captions"]
    plain = write(tmp_path / "plain.vtt", "00:01.000 --> 00:02.000\nHi\n")
    assert check_media(plain, "captions")[0].line == 1
    assert check_media_file(plain, "captions") == [
        "line 1: is plain text without the 'WEBVTT' first line, not WebVTT captions"]
    svg = write(tmp_path / "track.vtt", "<svg><script>alert(1)</script></svg>")
    assert check_media_file(svg, "captions")[0].startswith("is an SVG image, not WebVTT captions")
    utf16 = write(tmp_path / "utf16.vtt", "\ufeffWEBVTT\n".encode("utf-16"))
    assert check_media_file(utf16, "captions") == ["is UTF-16 text; save it as UTF-8"]
    binary = write(tmp_path / "binary.vtt", b"\0\1\2WEBVTT -->")
    assert check_media_file(binary, "captions") == [
        "is binary data of no known media type, not WebVTT captions"]
    latin1 = write(tmp_path / "latin1.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nCaf\xe9\n"
                   .encode("latin-1"))
    assert check_media_file(latin1, "captions") == [
        "line 4: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]
    notes = write(tmp_path / "note.vtt", "WEBVTT\n\nNOTE <script>x</script>\n\n"
                                         "00:01.000 --> 00:02.000\nHi\n")
    assert check_media_file(notes, "captions") == [
        "line 3: markup (<script>) in a NOTE; a caption file holds no HTML"]
    assert check_media_file(jpeg(tmp_path / "photo.vtt"), "captions") == [
        "is a JPEG image, not WebVTT captions"]


def test_a_flood_of_mistakes_is_cut_short():
    text = "WEBVTT\n\n" + "".join(f"00:0{i % 10}.000 --> 00:00.000\n<b>\n\n" for i in range(100))
    problems = parse_webvtt(text)
    assert len(problems) == 21 and str(problems[-1]).startswith("… and ")


# -- video and narration -----------------------------------------------------------------------

def test_videos_are_mp4_or_webm_by_their_structure(tmp_path):
    assert check_media_file(write(tmp_path / "a.mp4", mp4()), "video") == []
    assert check_media_file(write(tmp_path / "a.webm", webm()), "video") == []
    assert check_media_file(write(tmp_path / "b.webm", mp4()), "video") == []  # names don't count
    cut = mp4(mdat=b"\0" * 1000)[:-500]
    assert check_media_file(write(tmp_path / "cut.mp4", cut), "video") == [
        "is truncated: its 'mdat' box at byte 88 needs 500 more bytes than the file has"]
    header_only = box(b"ftyp", b"isom\0\0\2\0isomiso2")
    assert check_media_file(write(tmp_path / "h.mp4", header_only), "video") == [
        "has no 'moov' box: it holds no playable tracks (an MP4 header only?)"]
    assert check_media_file(write(tmp_path / "s.mp4", mp4(handlers=(b"soun",))), "video") == [
        "is MP4 (M4A) audio, not an MP4 or WebM video"]
    assert check_media_file(write(tmp_path / "s.webm", webm(track_types=(2,))), "video") == [
        "is WebM audio, not an MP4 or WebM video"]
    assert check_media_file(write(tmp_path / "m.webm", webm(doc_type=b"matroska")), "video") == [
        "is a Matroska (MKV) video, not an MP4 or WebM video; browsers play MP4 (H.264) and "
        "WebM: convert it"]
    ebml_cut = webm()[:-4]
    assert check_media_file(write(tmp_path / "c.webm", ebml_cut), "video") == [
        "is truncated: its Segment needs 4 more bytes than the file has"]
    page = write(tmp_path / "v.mp4", "<html><script>alert(1)</script></html>")
    assert check_media_file(page, "video") == ["is an HTML document, not an MP4 or WebM video"]
    assert check_media_file(write(tmp_path / "e.mp4", b""), "video") == ["is empty"]


def test_narration_is_audio_by_its_container(tmp_path):
    good = {
        "a.mp3": mp3_frames(),
        "b.mp3": b"ID3\4\0\0\0\0\0\x05" + b"\0" * 5 + mp3_frames(),
        "c.m4a": mp4(handlers=(b"soun",), major=b"M4A "),
        "d.webm": webm(track_types=(2,)),
        "e.opus": b"OggS\0\2" + b"\0" * 20 + b"\1\x13" + b"OpusHead" + b"\0" * 11,
    }
    for name, data in good.items():
        assert (name, check_media_file(write(tmp_path / name, data), "narration")) == (name, [])
    assert check_media_file(write(tmp_path / "v.m4a", mp4()), "narration") == [
        "is an MP4 video, not MP3, M4A, Ogg (Vorbis or Opus) or WebM audio"]
    wav = write(tmp_path / "n.mp3", b"RIFF\0\0\0\0WAVEfmt ")
    assert check_media_file(wav, "narration") == [
        "is WAV audio, not MP3, M4A, Ogg (Vorbis or Opus) or WebM audio; convert it to MP3 or M4A"]
    tag_only = write(tmp_path / "t.mp3", b"ID3\4\0\0\0\0\0\x05" + b"\0" * 5)
    assert check_media_file(tag_only, "narration") == ["holds an ID3 tag and no audio"]
    cut_ogg = write(tmp_path / "c.ogg", good["e.opus"][:-3])
    assert check_media_file(cut_ogg, "narration") == [
        "is truncated: the Ogg page at byte 0 needs more bytes than the file has"]


def test_an_unknown_role_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="unknown media role 'svg'"):
        check_media_file(jpeg(tmp_path / "a.jpg"), "svg")


def test_an_image_that_takes_too_long_is_reported_and_the_rest_still_checked(tmp_path):
    # No interpreter starts in a microsecond: the first image runs out of time, the child is
    # stopped, and the next image goes on in a fresh child (which runs out of time too).
    first, second = jpeg(tmp_path / "a.jpg"), jpeg(tmp_path / "b.jpg")
    result = check_images([first, second], timeout_seconds=1e-6)
    assert result[first] == ["took longer than 1e-06 s to decode (MEDIA_TIMEOUT_SECONDS); the "
                             "decoder was stopped"]
    assert result[second] == result[first]
    assert check_images([first], timeout_seconds=0)[first] == []  # 0: no time limit


# -- reading pace (issue 17): 15 characters a second for Latin scripts, 7 for Chinese, 80 ms gaps --

@pytest.mark.parametrize(("text", "problem"), [
    ("WEBVTT\n\n00:01.000 --> 00:03.000\nThirty-one characters, in two s\n",
     "line 3: 31 characters in 2.00 s is 15.5 characters a second; at most 15 for Latin scripts "
     "(show the cue for at least 2.07 s, or shorten it)"),
    ("WEBVTT\n\n00:01.000 --> 00:03.000\n二〇〇九年，催化剂含汞\n约五百七十吨\n",
     "line 3: 17 characters in 2.00 s is 8.5 characters a second; at most 7 for Chinese (show "
     "the cue for at least 2.43 s, or shorten it)"),
    ("WEBVTT\n\n00:01.000 --> 00:03.000\nOne\n\n00:03.040 --> 00:05.000\nTwo\n",
     "line 6: starts 40 ms after the cue on line 3; leave a gap of at least 80 ms (two frames at "
     "25 fps)"),
    ("WEBVTT\n\n00:01.000 --> 00:03.000\nOne\n\n00:02.500 --> 00:05.000\nTwo\n",
     "line 6: overlaps 500 ms into the cue on line 3; leave a gap of at least 80 ms (two frames "
     "at 25 fps)"),
])
def test_captions_too_fast_to_read_or_without_a_gap_are_refused(text, problem):
    assert [str(p) for p in parse_webvtt(text)] == [problem]


def test_captions_at_the_limits_pass():
    # 30 Latin characters in 2 s (15/s), 14 Chinese in 2 s (7/s), a gap of exactly 80 ms; line
    # breaks are not counted, tags and character references count as what they show.
    text = ("WEBVTT\n\n00:01.000 --> 00:03.000\nThirty characters, in <i>two</i>\nsecs!\n\n"
            "00:03.080 --> 00:05.080\n催化剂含汞约五百\n七十吨&amp;六吨\n")
    assert parse_webvtt(text) == []
