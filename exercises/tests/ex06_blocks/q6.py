from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_shape(DualPathBlock):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(DualPathBlock)
    out = DualPathBlock(16, 8, 12, 4)(torch.randn(2, 24, 6, 6))
    assert out.shape == (2, 28, 6, 6), '16 residual + 8 old dense + 4 new dense channels'

