"""Tests of utils.interpret on models whose answers can be computed by hand."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from utils.interpret import (  # noqa: E402
    feature_maps,
    grad_cam,
    occlusion,
    saliency,
    show_heatmap,
    upsample,
)


def linear_model(seed: int = 0) -> tuple[nn.Module, torch.Tensor]:
    """logits = W x + b on a 2x6x6 image, 3 classes; returns the model and W (3, 2, 6, 6)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 6 * 6, 3))
    return model, model[1].weight.detach().reshape(3, 2, 6, 6)


def cam_model() -> nn.Sequential:
    """conv -> ReLU -> global average pool -> linear: the network of the CAM paper."""
    torch.manual_seed(1)
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(4, 2))


def test_saliency_of_linear_model_is_its_weights() -> None:
    model, w = linear_model()
    x = torch.randn(1, 2, 6, 6)
    for target in range(3):
        torch.testing.assert_close(saliency(model, x, target), w[target].abs().amax(0))
    default = saliency(model, x)  # the predicted class
    predicted = int(model(x).argmax(1))
    torch.testing.assert_close(default, w[predicted].abs().amax(0))


def test_occlusion_of_linear_model_by_hand() -> None:
    model, w = linear_model()
    x = torch.randn(1, 2, 6, 6)
    drop = occlusion(model, x, target=1, patch=2, stride=2, score="logit")
    assert drop.shape == (3, 3)
    # Hiding a patch (fill 0) removes exactly its contribution sum(w * x) to the logit.
    contrib = (w[1] * x[0]).sum(0)
    expected = contrib.reshape(3, 2, 3, 2).sum((1, 3))
    torch.testing.assert_close(drop, expected, rtol=1e-4, atol=1e-5)
    # With overlapping positions and several batches the result is the same map.
    a = occlusion(model, x, target=1, patch=3, stride=1, batch_size=5)
    b = occlusion(model, x, target=1, patch=3, stride=1, batch_size=100)
    assert a.shape == (4, 4)
    torch.testing.assert_close(a, b)
    probs = occlusion(model, x, target=1, patch=6, stride=1)  # hide everything
    p = model(x).softmax(1)[0, 1] - model(torch.zeros_like(x)).softmax(1)[0, 1]
    torch.testing.assert_close(probs, p.detach().reshape(1, 1))


def test_occlusion_rejects_bad_arguments() -> None:
    model, _ = linear_model()
    x = torch.randn(1, 2, 6, 6)
    with pytest.raises(ValueError, match="patch"):
        occlusion(model, x, patch=7)
    with pytest.raises(ValueError, match="score"):
        occlusion(model, x, score="loss")
    with pytest.raises(ValueError, match="target"):
        occlusion(model, x, target=3, patch=2)
    with pytest.raises(ValueError, match="batch dimension"):
        occlusion(model, x[0])


def test_grad_cam_equals_class_activation_map() -> None:
    model = cam_model()
    x = torch.randn(1, 3, 5, 5)
    cam = grad_cam(model, x, model[1], target=0, normalize=False)
    # For conv -> GAP -> linear, alpha_k = w_k / (H W), so Grad-CAM = ReLU(sum_k w_k A_k) / 25.
    with torch.no_grad():
        acts = model[1](model[0](x))[0]
    w = model[4].weight[0].detach()
    expected = torch.relu((w[:, None, None] * acts).sum(0)) / 25
    torch.testing.assert_close(cam, expected, rtol=1e-5, atol=1e-6)
    norm = grad_cam(model, x, model[1], target=0)
    if expected.max() > 0:
        assert torch.isclose(norm.max(), torch.tensor(1.0))
    big = grad_cam(model, x, model[1], size=(10, 10))
    assert big.shape == (10, 10)


def test_grad_cam_layer_must_run() -> None:
    model = cam_model()
    with pytest.raises(ValueError, match="did not run"):
        grad_cam(model, torch.randn(1, 3, 5, 5), nn.Conv2d(3, 3, 1))


def test_feature_maps_and_hooks_removed() -> None:
    model = cam_model()
    maps = feature_maps(model, torch.randn(1, 3, 5, 5), {"conv": model[0], "pool": model[2]})
    assert maps["conv"].shape == (1, 4, 5, 5) and maps["pool"].shape == (1, 4, 1, 1)
    assert not model[0]._forward_hooks and not model[2]._forward_hooks
    with pytest.raises(ValueError, match="did not run"):
        feature_maps(model, torch.randn(1, 3, 5, 5), {"other": nn.ReLU()})


def test_model_mode_is_restored() -> None:
    model = cam_model().train()
    saliency(model, torch.randn(1, 3, 5, 5))
    occlusion(model, torch.randn(1, 3, 5, 5), patch=2)
    assert model.training


def test_upsample_and_show_heatmap() -> None:
    heat = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    up = upsample(heat, (4, 4))
    assert up.shape == (4, 4) and float(up.min()) >= 0 and float(up.max()) <= 1
    with pytest.raises(ValueError):
        upsample(torch.zeros(1, 2, 2), (4, 4))
    ax = show_heatmap(torch.rand(8, 8, 3), heat, title="t")
    assert ax.get_title() == "t"
    plt.close("all")
