"""CIFAR-10 (utils.photos) and checksummed downloads (utils.download), tested against a
local HTTP server with tiny fake archives: the download path of chapter 26 without the
internet."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from utils import pretrained
from utils.download import ChecksumError, download, md5_bytes
from utils.photos import RECORD, load_cifar10, parse_cifar_records


def _records(n: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    rec = rng.integers(0, 256, size=(n, RECORD), dtype=np.uint8)
    rec[:, 0] = np.arange(n) % 10
    return rec.tobytes()


def _archive(per_file: int = 4) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
        for seed, name in enumerate(names):
            data = _records(per_file if name != "test_batch.bin" else 10, seed)
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """An HTTP server on 127.0.0.1 serving ``tmp_path/www``; yields (base URL, folder,
    the paths requested so far)."""
    www = tmp_path / "www"
    www.mkdir()
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            requests.append(self.path)

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", www, requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_parse_cifar_records_planes() -> None:
    data = _records(3, 0)
    x, y = parse_cifar_records(data)
    raw = np.frombuffer(data, dtype=np.uint8).reshape(3, RECORD)
    assert x.shape == (3, 3, 32, 32) and y.tolist() == [0, 1, 2]
    assert x[1, 0, 0, 0] == raw[1, 1] and x[1, 1, 0, 0] == raw[1, 1 + 1024]  # R then G plane
    assert x[2, 2, 31, 31] == raw[2, -1]
    with pytest.raises(ValueError, match="whole number"):
        parse_cifar_records(data[:-1])


def test_cifar10_downloads_once_and_checks(server, tmp_path: Path) -> None:
    base, www, requests = server
    archive = _archive()
    (www / "cifar.tgz").write_bytes(archive)
    cache = tmp_path / "cache"
    train, test = load_cifar10(quick=False, url=base + "cifar.tgz", md5=md5_bytes(archive),
                               folder=cache)
    assert requests == ["/cifar.tgz"]
    assert train.x.shape == (20, 3, 32, 32) and test.x.shape == (10, 3, 32, 32)
    assert train.x.dtype == torch.float32 and 0.0 <= float(train.x.min())
    assert float(train.x.max()) <= 1.0
    first, _ = parse_cifar_records(_records(4, 0))
    assert torch.equal(train.x[:4], torch.from_numpy(first.copy()).float() / 255)
    assert test.y.tolist() == list(range(10)) and train.classes[0] == "airplane"
    load_cifar10(quick=False, url=base + "cifar.tgz", md5=md5_bytes(archive), folder=cache)
    assert requests == ["/cifar.tgz"]  # the second call reads the cached copy


def test_download_rejects_a_wrong_checksum(server, tmp_path: Path) -> None:
    base, www, _ = server
    (www / "f.bin").write_bytes(b"not what we expect")
    dest = tmp_path / "cache" / "f.bin"
    with pytest.raises(ChecksumError, match="corrupt or incomplete"):
        download(base + "f.bin", dest, md5_bytes(b"the real file"))
    assert not dest.exists()  # nothing half-written
    assert download(base + "f.bin", dest, md5_bytes(b"not what we expect")).read_bytes() == \
        b"not what we expect"
    dest.write_bytes(b"truncated")  # a damaged cached copy is reported, not used
    with pytest.raises(ChecksumError):
        download(base + "f.bin", dest, md5_bytes(b"not what we expect"))


def test_download_offline_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        download("http://127.0.0.1:9/none.bin", tmp_path / "none.bin", None, timeout=2)


def test_resnet18_weights_from_a_local_server(server, tmp_path: Path, monkeypatch) -> None:
    """load_pretrained("resnet18") downloads torchvision-style weights over HTTP, checks
    their SHA-256 prefix and loads them; a wrong file is refused."""
    from utils.models import create

    base, www, requests = server
    ours = create("resnet18").state_dict()
    theirs = {}
    for key, value in ours.items():
        key = "conv1." + key[len("stem.0."):] if key.startswith("stem.0.") else key
        key = "bn1." + key[len("stem.1."):] if key.startswith("stem.1.") else key
        theirs[key.replace(".shortcut.", ".downsample.")] = value
    buf = io.BytesIO()
    torch.save(theirs, buf)
    (www / "r18.pth").write_bytes(buf.getvalue())
    digest = hashlib.sha256(buf.getvalue()).hexdigest()
    info = pretrained.WeightsInfo(filename="r18.pth", sha256=digest[:8], url=base + "r18.pth")
    monkeypatch.setitem(pretrained.WEIGHTS, "resnet18", info)
    monkeypatch.setenv("CNNBOOK_DATA", str(tmp_path / "cache"))
    model, _, names = pretrained.load_pretrained("resnet18")
    assert requests == ["/r18.pth"] and len(names) == 1000
    assert torch.equal(model.state_dict()["fc.weight"], ours["fc.weight"])
    bad = pretrained.WeightsInfo(filename="bad.pth", sha256="00000000", url=base + "r18.pth")
    monkeypatch.setitem(pretrained.WEIGHTS, "resnet18", bad)
    with pytest.raises(pretrained.PretrainedUnavailableError, match="expected 00000000"):
        pretrained.load_pretrained("resnet18")
    assert not (tmp_path / "cache" / "weights" / "bad.pth").exists()


def test_extract_features_of_a_resnet() -> None:
    """extract_features works for the zoo's ResNet-18 too (the online network): its last
    stage, pooled, is what the classifier reads."""
    from utils.models import create

    torch.manual_seed(0)
    net = create("resnet18", num_classes=10).eval()
    pre = pretrained.Preprocess(mean=pretrained.IMAGENET_MEAN, std=pretrained.IMAGENET_STD)
    images = torch.rand(3, 3, 32, 32)
    pooled, maps = pretrained.extract_features(net, images, pre, 64, keep=("layer3",),
                                               precision="fp32")
    assert list(pooled) == ["stem", "layer1", "layer2", "layer3", "layer4"]
    assert pooled["layer4"].shape == (3, 512) and maps["layer3"].shape == (3, 256, 4, 4)
    with torch.no_grad():
        logits = net.fc(pooled["layer4"])
        assert torch.allclose(logits, net(pre.batch(images, 64)), atol=1e-4)
    with pytest.raises(TypeError, match="neither"):
        pretrained.stage_outputs(torch.nn.Linear(2, 2), torch.zeros(1, 2))


def test_chapter_26_online_cell_against_a_local_server(server, tmp_path: Path,
                                                       monkeypatch) -> None:
    """The online cell of chapter 26, run as written, with the ResNet-18 weights and a
    tiny CIFAR-10 served from 127.0.0.1: it downloads both, checks them and takes the
    online path (the probes are stubbed: this tests the plumbing, not the accuracies)."""
    import json

    import utils.photos
    from utils.data import ImageData
    from utils.models import create

    base, www, requests = server
    archive = _archive(per_file=8)
    (www / "cifar.tgz").write_bytes(archive)
    buf = io.BytesIO()
    theirs = {k.replace("stem.0.", "conv1.").replace("stem.1.", "bn1.")
              .replace(".shortcut.", ".downsample."): v
              for k, v in create("resnet18").state_dict().items()}
    torch.save(theirs, buf)
    (www / "r18.pth").write_bytes(buf.getvalue())
    info = pretrained.WeightsInfo(filename="r18.pth", url=base + "r18.pth",
                                  sha256=hashlib.sha256(buf.getvalue()).hexdigest()[:8])
    monkeypatch.setitem(pretrained.WEIGHTS, "resnet18", info)
    monkeypatch.setattr(utils.photos, "CIFAR10_URL", base + "cifar.tgz")
    monkeypatch.setattr(utils.photos, "CIFAR10_MD5", md5_bytes(archive))
    monkeypatch.setenv("CNNBOOK_DATA", str(tmp_path / "cache"))

    nb = json.loads((Path(__file__).resolve().parent.parent / "chapters"
                     / "26_transfer_learning.ipynb").read_text())
    code = next("".join(c["source"]) for c in nb["cells"] if c.get("id") == "c26onl2")
    digits = ImageData(torch.rand(20, 1, 28, 28), torch.arange(20) % 10, tuple("0123456789"))

    def probe(x_train, y_train, x_test, y_test):  # features (512) beat pixels for photos
        return {512: 0.8, 3 * 32 * 32: 0.3}.get(x_train.shape[1], 0.7)

    namespace = dict(load_pretrained=pretrained.load_pretrained,
                     load_cifar10=lambda: utils.photos.load_cifar10(
                         quick=False, md5=utils.photos.CIFAR10_MD5),
                     PretrainedUnavailableError=pretrained.PretrainedUnavailableError,
                     extract_features=pretrained.extract_features, linear_probe=probe,
                     PER_CLASS={"much": 2}, N_TEST=10, DIFFERENT="different: MNIST",
                     datasets={"different: MNIST": {"much": digits, "test": digits}})
    exec(compile(code, "c26onl2", "exec"), namespace)
    assert namespace["ONLINE"] is True
    assert sorted(requests) == ["/cifar.tgz", "/r18.pth"]
    assert namespace["r18_gain"]["similar: CIFAR-10 photos"] > 0
