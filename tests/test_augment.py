"""utils.augment: shapes, value ranges, determinism under a seed, and plain-tensor replays."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils import augment as A


def _batch(n: int = 6, c: int = 3, h: int = 20, w: int = 24, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, c, h, w, generator=torch.Generator().manual_seed(seed))


def _basis() -> tuple[torch.Tensor, torch.Tensor]:
    return A.pca_color_basis(_batch(8, 3, 16, 16, seed=1))


RANDOM = {
    "crop": lambda seed: A.RandomCrop((20, 24), padding=3, seed=seed),
    "hflip": lambda seed: A.HorizontalFlip(seed=seed),
    "vflip": lambda seed: A.VerticalFlip(seed=seed),
    "noise": lambda seed: A.GaussianNoise(std=0.2, seed=seed),
    "scale": lambda seed: A.ScaleJitter(16, (16, 30), seed=seed),
    "pca": lambda seed: A.PCAColorJitter(*_basis(), std=0.5, clip=(0.0, 1.0), seed=seed),
    "compose": lambda seed: A.Compose(A.RandomCrop((20, 24), padding=2), A.HorizontalFlip(),
                                      A.GaussianNoise(0.05), seed=seed),
}
SHAPES = {"scale": (6, 3, 16, 16)}


@pytest.mark.parametrize("name", list(RANDOM))
def test_shape_range_and_determinism(name):
    x = _batch()
    t = RANDOM[name](0)
    y = t(x)
    assert y.shape == SHAPES.get(name, x.shape) and y.dtype == x.dtype
    assert y.min() >= 0.0 and y.max() <= 1.0
    # Same seed, same output; a second call differs from the first; other seed differs.
    y_again = RANDOM[name](0)(x)
    assert torch.equal(y, y_again)
    assert not torch.equal(t(x), y) or name in ("hflip", "vflip")
    assert not torch.equal(RANDOM[name](1)(x), y)
    # Re-seeding replays the sequence.
    t.manual_seed(0)
    assert torch.equal(t(x), y)


@pytest.mark.parametrize("name", list(RANDOM))
def test_seeded_transform_leaves_global_rng_alone(name):
    state = torch.random.get_rng_state()
    RANDOM[name](3)(_batch())
    assert torch.equal(state, torch.random.get_rng_state())


def test_unseeded_transform_follows_global_seed():
    x = _batch()
    torch.manual_seed(5)
    a = A.RandomCrop((20, 24), padding=2)(x)
    torch.manual_seed(5)
    b = A.RandomCrop((20, 24), padding=2)(x)
    assert torch.equal(a, b)


def test_random_crop_replays_with_plain_slicing():
    x = _batch(n=16)
    t = A.RandomCrop((20, 24), padding=3, seed=0)
    y = t(x)
    corners = t.last_params["src"][:, 0].long()  # (x, y) of the top-left corner, padded frame
    padded = F.pad(x, (3, 3, 3, 3))
    ref = torch.stack([padded[i, :, r:r + 20, c:c + 24] for i, (c, r) in enumerate(corners)])
    assert torch.equal(y, ref)
    assert len({tuple(c.tolist()) for c in corners}) > 1  # offsets vary across the batch


def test_flips_replay_with_torch_flip():
    x = _batch(n=32)
    for t, dim in ((A.HorizontalFlip(seed=0), -1), (A.VerticalFlip(seed=0), -2)):
        y = t(x)
        flipped = t.last_params["batch_prob"].bool()
        assert 0 < flipped.sum() < len(x)  # p = 0.5: some but not all
        ref = torch.where(flipped[:, None, None, None], x.flip(dim), x)
        assert torch.equal(y, ref)
    assert torch.equal(A.HorizontalFlip(p=1.0)(x), x.flip(-1))
    assert torch.equal(A.VerticalFlip(p=0.0)(x), x)


def test_noise_is_gaussian_with_the_given_std():
    x = torch.full((64, 1, 32, 32), 0.5)
    y = A.GaussianNoise(std=0.1, seed=0)(x)
    noise = y - x
    assert abs(noise.mean().item()) < 0.005
    assert abs(noise.std().item() - 0.1) < 0.005
    unclipped = A.GaussianNoise(std=1.0, clip=None, seed=0)(x)
    assert unclipped.min() < 0 and unclipped.max() > 1


def test_scale_jitter_equals_rescale_then_crop():
    for h, w in ((32, 32), (30, 45)):
        x = _batch(n=5, h=h, w=w)
        t = A.ScaleJitter(16, (16, 40), seed=0)
        y = t(x)
        p = t.last_params
        for i in range(len(x)):
            hn, wn = t.rescaled_size(h, w, int(p["S"][i]))
            big = F.interpolate(x[i:i + 1], size=(hn, wn), mode="bilinear", align_corners=False)
            top, left = int(p["top"][i]), int(p["left"][i])
            torch.testing.assert_close(y[i], big[0, :, top:top + 16, left:left + 16],
                                       atol=1e-5, rtol=0)
    x = _batch(h=16, w=16)
    torch.testing.assert_close(A.ScaleJitter(16, (16, 16))(x), x)  # S = size: identity


def test_pca_colour_jitter_shifts_each_image_by_one_colour():
    eigvals, eigvecs = _basis()
    assert torch.all(eigvals[:-1] >= eigvals[1:])  # sorted, largest first
    torch.testing.assert_close(eigvecs.T @ eigvecs, torch.eye(3), atol=1e-5, rtol=0)
    x = _batch()
    t = A.PCAColorJitter(eigvals, eigvecs, std=0.1, seed=0)
    shift = t(x) - x
    per_image = shift.flatten(2)
    assert torch.allclose(per_image, per_image[..., :1].expand_as(per_image), atol=1e-6)
    torch.testing.assert_close(per_image[..., 0], t.last_params["offset"])
    # Scale-equivariant: pixels in 0..255 give 255 times the shift.
    ev255, evec255 = A.pca_color_basis(_batch(8, 3, 16, 16, seed=1) * 255)
    torch.testing.assert_close(ev255, eigvals * 255**2, rtol=1e-4, atol=1e-4)
    t255 = A.PCAColorJitter(ev255, evec255, std=0.1, seed=0)
    torch.testing.assert_close(t255(x * 255) - x * 255, shift * 255, rtol=1e-3, atol=1e-3)


def test_normalize_per_channel_and_mean_image():
    x = _batch() * 255
    mean, std = (123.68, 116.78, 103.94), (58.0, 57.0, 57.5)
    y = A.Normalize(mean, std)(x)
    ref = (x - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    torch.testing.assert_close(y, ref)
    mean_image = x.mean(0)
    z = A.SubtractMeanImage(mean_image)(x)
    torch.testing.assert_close(z.mean(0), torch.zeros_like(mean_image), atol=1e-4, rtol=0)
    with pytest.raises(ValueError, match="channel"):
        A.Normalize((0.1, 0.2))(x)
    with pytest.raises(ValueError, match="shape"):
        A.SubtractMeanImage(mean_image[:, :10])(x)


def test_ten_crop_corners_centre_and_mirrors():
    x = torch.arange(2 * 1 * 6 * 8, dtype=torch.float32).reshape(2, 1, 6, 8)
    crops = A.ten_crop(x, (4, 4))
    assert crops.shape == (10, 2, 1, 4, 4)
    assert torch.equal(crops[0], x[..., :4, :4])
    assert torch.equal(crops[3], x[..., 2:, 4:])
    assert torch.equal(crops[4], x[..., 1:5, 2:6])
    assert torch.equal(crops[4], A.center_crop(x, 4))
    assert torch.equal(crops[5:], crops[:5].flip(-1))


def test_ten_crop_predict_averages_probabilities():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    x = _batch(n=4, c=1, h=6, w=6)
    probs = A.ten_crop_predict(model, x, 4)
    crops = A.ten_crop(x, 4)
    ref = torch.stack([model(c).softmax(-1) for c in crops]).mean(0)
    torch.testing.assert_close(probs, ref)
    torch.testing.assert_close(probs.sum(1), torch.ones(4))


def test_compose_shares_one_seeded_generator():
    c = A.Compose([A.HorizontalFlip(seed=9), A.GaussianNoise(0.1, seed=9)], seed=4)
    assert all(t.generator is c.generator for t in c.transforms)
    assert "HorizontalFlip" in repr(c)


def test_works_on_fit_style_grey_batches():
    x = torch.rand(128, 1, 28, 28)
    aug = A.Compose(A.RandomCrop(28, padding=2), A.HorizontalFlip(), seed=0)
    y = aug(x)
    assert y.shape == x.shape and y.device == x.device


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_same_result_on_gpu():
    x = _batch()
    for name, make in RANDOM.items():
        cpu = make(0)(x)
        gpu = make(0)(x.cuda()).cpu()
        torch.testing.assert_close(gpu, cpu, atol=1e-5, rtol=0, msg=name)


@pytest.mark.parametrize("bad", [
    lambda: A.RandomCrop(0),
    lambda: A.RandomCrop(8, padding=-1),
    lambda: A.RandomCrop(8, padding_mode="wrap"),
    lambda: A.HorizontalFlip(p=1.5),
    lambda: A.GaussianNoise(std=-1),
    lambda: A.ScaleJitter(16, (8, 20)),
    lambda: A.ScaleJitter(16, (16.5, 20)),
    lambda: A.PCAColorJitter(torch.ones(2), torch.eye(3)),
    lambda: A.Normalize((0.5,), (0.0,)),
    lambda: A.SubtractMeanImage(torch.zeros(4, 4)),
    lambda: A.RandomCrop(8)(torch.rand(3, 8, 8)),
    lambda: A.RandomCrop(8)(torch.zeros(1, 3, 8, 8, dtype=torch.uint8)),
    lambda: A.RandomCrop(30)(torch.rand(1, 3, 8, 8)),
    lambda: A.ten_crop(torch.rand(1, 1, 4, 4), 5),
    lambda: A.pca_color_basis(torch.rand(2, 1, 4, 4)),
])
def test_bad_input_raises_value_error(bad):
    with pytest.raises(ValueError):
        bad()
