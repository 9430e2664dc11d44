from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_shapes(BasicBlock):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(BasicBlock)
    x = torch.randn(2, 64, 16, 16)
    assert BasicBlock(64, 64)(x).shape == (2, 64, 16, 16), 'stride 1 keeps the shape'
    assert BasicBlock(64, 128, stride=2)(x).shape == (2, 128, 8, 8), 'stride 2 halves the size'

