from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=0.2, hidden=False)
def test_q4_shapes(Bottleneck):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(Bottleneck)
    x = torch.randn(2, 256, 8, 8)
    assert Bottleneck(256, 64)(x).shape == (2, 256, 8, 8), '256 -> 64 -> 256 keeps the shape'
    assert Bottleneck(256, 128, stride=2)(x).shape == (2, 512, 4, 4)

