from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_q6_shape(DualPathBlock):
    import torch
    out = DualPathBlock(16, 8, 12, 4)(torch.randn(2, 24, 6, 6))
    assert out.shape == (2, 28, 6, 6), '16 residual + 8 old dense + 4 new dense channels'

