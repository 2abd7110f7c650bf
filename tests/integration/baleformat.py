"""An independent reading and writing of the bale image format, from docs/image-format.md alone,
for tests to hold bale's files against. Commands:
  baleformat.py check IMAGE [--foreign-body]
                                      check every byte-level rule; print a JSON summary (a
                                      foreign body, e.g. `tar czf` signed by `bale sign`, need
                                      only be gzip)
  baleformat.py config IMAGE         print the config bytes exactly as stored
  baleformat.py prefix BODY CONFIG TAR_SIZE ENTRIES SIGLEN OUT
                                      write body + trailer up to the signature (the signed bytes)
  baleformat.py finish PREFIX SIG BODY_SIZE OUT
                                      append signature and footer member to the signed bytes"""
import gzip
import json
import struct
import sys
import zlib

FOOTER_FROM_END = 72
FOOTER_SIZE = 62
EMPTY_TAIL = b"\x03\x00" + b"\x00" * 8
MEMBER_HEADER = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff"
CHUNK = 1 << 20


class FormatError(Exception):
    pass


def need(cond, what):
    if not cond:
        raise FormatError(what)


def footer(data):
    tail = data[-FOOTER_FROM_END:]
    need(tail[FOOTER_SIZE:] == EMPTY_TAIL, "the file does not end in an empty member tail")
    text = tail[:FOOTER_SIZE].decode("ascii")
    need(text.startswith("bale-image 1 ") and text.endswith("\n"), "bad footer %r" % text)
    need(text[13 + 20] == " " and text[13 + 41] == " ", "footer fields misaligned: %r" % text)
    return int(text[13:33]), int(text[34:54]), int(text[55:61])


def subfields(extra):
    out, pos = [], 0
    while pos < len(extra):
        need(len(extra) - pos >= 4, "truncated subfield header")
        sid, length = extra[pos:pos + 2], struct.unpack("<H", extra[pos + 2:pos + 4])[0]
        need(pos + 4 + length <= len(extra), "subfield runs past FEXTRA")
        out.append((sid, pos + 4, extra[pos + 4:pos + 4 + length]))
        pos += 4 + length
    return out


def check_body(data, body, summary):
    """Body: gzip members, each FEXTRA 'bl' = the member's own length, 1 MiB of tar but the last."""
    pos, tar = 0, b""
    while pos < body:
        m = data[pos:]
        need(m[:10] == MEMBER_HEADER, "body member at %d: header %s" % (pos, m[:10].hex()))
        need(struct.unpack("<H", m[10:12])[0] == 8 and m[12:16] == b"bl\x04\x00",
             "body member at %d: FEXTRA is not one 'bl' subfield" % pos)
        length = struct.unpack("<I", m[16:20])[0]
        d = zlib.decompressobj(-15)
        chunk = d.decompress(m[20:length - 8])
        need(d.eof and not d.unused_data, "member at %d: deflate data does not end at 'bl'" % pos)
        crc, isize = struct.unpack("<II", m[length - 8:length])
        need(crc == zlib.crc32(chunk) and isize == len(chunk), "member at %d: CRC/ISIZE" % pos)
        summary["members"].append(len(chunk))
        tar += chunk
        pos += length
    need(pos == body, "body members end at %d, the footer says %d" % (pos, body))
    need(all(n == CHUNK for n in summary["members"][:-1]), "a chunk other than the last is not 1 MiB")
    need(len(tar) % 512 == 0 and tar[-1024:] == b"\0" * 1024, "the tar does not end in two zero blocks")
    return tar, pos


def check(path, foreign_body=False):
    data = open(path, "rb").read()
    body, signed, siglen = footer(data)
    need(0 < body < signed < len(data), "footer sizes out of order")
    summary = {"body": body, "signed": signed, "siglen": siglen, "members": []}
    if foreign_body:
        tar, pos = gzip.decompress(data[:body]), body
    else:
        tar, pos = check_body(data, body, summary)

    # Trailer: empty members; config chunks, then bz, bs (at SIGNED), bf (the footer) last.
    config, seen = b"", []
    while pos < len(data):
        m = data[pos:]
        need(m[:10] == MEMBER_HEADER, "trailer member at %d: header %s" % (pos, m[:10].hex()))
        xlen = struct.unpack("<H", m[10:12])[0]
        for sid, off, value in subfields(m[12:12 + xlen]):
            seen.append(sid)
            if sid == b"bc":
                config += value
            elif sid == b"bz":
                summary["tar_size"], summary["entries"] = struct.unpack("<QQ", value)
            elif sid == b"bs":
                need(pos + 12 + off == signed and len(value) == siglen, "'bs' is not where the footer says")
                summary["signature"] = value.decode("ascii")
            elif sid == b"bf":
                need(pos + 12 + off == len(data) - FOOTER_FROM_END, "'bf' is not 72 bytes from the end")
            else:
                need(False, "unknown subfield %r" % sid)
        need(m[12 + xlen:22 + xlen] == EMPTY_TAIL, "trailer member at %d is not empty" % pos)
        pos += 22 + xlen
    need(pos == len(data), "bytes after the last member")
    need([s for s in seen if s != b"bc"] == [b"bz", b"bs", b"bf"], "subfield order %r" % seen)
    need(summary["tar_size"] == len(tar), "'bz' tar size %d, the body holds %d" % (summary["tar_size"], len(tar)))
    summary["config"] = json.loads(config)
    need(config == json.dumps(summary["config"], sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False).encode(), "config is not sorted compact JSON")
    return summary, config, tar


def member(extra):
    return MEMBER_HEADER + struct.pack("<H", len(extra)) + extra + EMPTY_TAIL


def sub(sid, value):
    return sid + struct.pack("<H", len(value)) + value


def prefix(body, config, tar_size, entries, siglen):
    """The body and the trailer up to the signature: the bytes an image's signature covers."""
    final_rest = sub(b"bz", struct.pack("<QQ", tar_size, entries))
    head = body
    # The final member: config, bz, bs (SIGLEN), bf (62); earlier members carry 60000-byte chunks.
    while len(config) + 4 + len(final_rest) + 4 + siglen + 4 + FOOTER_SIZE > 65535:
        head += member(sub(b"bc", config[:60000]))
        config = config[60000:]
    xlen = 4 + len(config) + len(final_rest) + 4 + siglen + 4 + FOOTER_SIZE
    return (head + MEMBER_HEADER + struct.pack("<H", xlen) + sub(b"bc", config) + final_rest +
            b"bs" + struct.pack("<H", siglen))


def finish(signed_bytes, sig, body_size):
    text = "bale-image 1 %20d %20d %6d\n" % (body_size, len(signed_bytes), len(sig))
    return signed_bytes + sig + b"bf" + struct.pack("<H", FOOTER_SIZE) + text.encode() + EMPTY_TAIL


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    try:
        if cmd == "check":
            s, _, _ = check(args[0], "--foreign-body" in args)
            s.pop("signature", None)
            print(json.dumps(s, sort_keys=True))
        elif cmd == "config":
            sys.stdout.buffer.write(check(args[0], True)[1])
        elif cmd == "prefix":
            body, config = open(args[0], "rb").read(), open(args[1], "rb").read()
            out = prefix(body, config, int(args[2]), int(args[3]), int(args[4]))
            open(args[5], "wb").write(out)
        elif cmd == "finish":
            signed, sig = open(args[0], "rb").read(), open(args[1], "rb").read()
            open(args[3], "wb").write(finish(signed, sig, int(args[2])))
        else:
            sys.exit("unknown command " + cmd)
    except FormatError as e:
        sys.exit("format error: %s" % e)
