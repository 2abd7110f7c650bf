"""Hand-made container archives for the import tests: layers entry by entry (including the
malformed and hostile ones no real tool writes), wrapped as a docker-archive (`docker save`) or an
OCI image layout tarball. Used as `python3 archives.py SPEC.json OUT` or imported."""
import gzip
import hashlib
import io
import json
import sys
import tarfile


def layer(entries, compress=False):
    """A layer tar from entries: dicts with name, type (file, dir, symlink, hardlink, fifo,
    chardev), and optional data (or file: a host file's bytes), target, mode, uid, gid, mtime,
    major, minor."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            info = tarfile.TarInfo(e["name"])  # kept verbatim: '..' and '/' included
            info.mode = e.get("mode", 0o755 if e.get("type") == "dir" else 0o644)
            info.uid, info.gid = e.get("uid", 0), e.get("gid", 0)
            info.mtime = e.get("mtime", 1600000000)
            kind = e.get("type", "file")
            data = open(e["file"], "rb").read() if "file" in e else e.get("data", "").encode()
            if kind == "file":
                info.size = len(data)
            else:
                info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                             "hardlink": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE,
                             "chardev": tarfile.CHRTYPE}[kind]
                info.linkname = e.get("target", "")
                info.devmajor, info.devminor = e.get("major", 0), e.get("minor", 0)
            t.addfile(info, io.BytesIO(data) if kind == "file" else None)
    raw = buf.getvalue()
    return gzip.compress(raw, mtime=0) if compress else raw


def _add(t, name, data, kind="file", target=""):
    info = tarfile.TarInfo(name)
    info.mtime = 1600000000
    if kind == "symlink":
        info.type, info.linkname = tarfile.SYMTYPE, target
        t.addfile(info)
    else:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))


def docker_archive(out, config, layers, links=None, outer=None):
    """`docker save` layout: manifest.json, the config, one NAME/layer.tar per layer. `links`
    maps a layer's path to a symlink target to store there instead of the layer itself; `outer`
    maps more member names to their contents."""
    links = links or {}
    config["rootfs"]["diff_ids"] = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config_bytes = json.dumps(config).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    names = ["layer%d/layer.tar" % i for i in range(len(layers))]
    manifest = [{"Config": config_name, "RepoTags": ["test:latest"], "Layers": names}]
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        _add(t, config_name, config_bytes)
        for name, data in zip(names, layers):
            if name in links:
                _add(t, name, b"", "symlink", links[name])
            else:
                _add(t, name, data)
        _add(t, "manifest.json", json.dumps(manifest).encode())
        for name, data in (outer or {}).items():
            _add(t, name, data.encode())


def oci_layout(out, config, layers, diff_ids=None):
    """An OCI image layout tarball: oci-layout, index.json, blobs/sha256/* (gzip layers).
    `diff_ids`, when given, is what the config says instead of the layers' true digests."""
    blobs = {}

    def blob(data, media_type):
        digest = hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}

    config["rootfs"]["diff_ids"] = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    if diff_ids is not None:
        config["rootfs"]["diff_ids"] = diff_ids
    config_desc = blob(json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
    layer_descs = [blob(gzip.compress(l, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip")
                   for l in layers]
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_desc, "layers": layer_descs}
    manifest_desc = blob(json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")
    index = {"schemaVersion": 2, "manifests": [manifest_desc]}
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        _add(t, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        _add(t, "index.json", json.dumps(index).encode())
        for digest, data in blobs.items():
            _add(t, "blobs/sha256/" + digest, data)


def config(**image_config):
    return {"architecture": "amd64", "os": "linux", "config": image_config,
            "rootfs": {"type": "layers", "diff_ids": []}, "history": []}


if __name__ == "__main__":
    # SPEC.json: {"format": "docker"|"oci", "config": {...}, "layers": [[entry, ...], ...],
    #             "links": {...}, "outer": {...}, "diff_ids": [...] (oci only: a config that lies)}
    spec = json.load(open(sys.argv[1]))
    built = [layer(l) for l in spec["layers"]]
    cfg = config(**spec.get("config", {}))
    if spec.get("format", "docker") == "oci":
        oci_layout(sys.argv[2], cfg, built, spec.get("diff_ids"))
    else:
        docker_archive(sys.argv[2], cfg, built, spec.get("links"), spec.get("outer"))
