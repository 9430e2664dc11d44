from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=0.2, hidden=False)
def test_q5_shapes(DenseBlock, Transition):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(DenseBlock)
    assert_own_work(Transition)
    x = torch.randn(2, 64, 8, 8)
    y = DenseBlock(64, 32, 6)(x)
    assert y.shape == (2, 256, 8, 8), '64 + 6 * 32 = 256 channels, same size'
    assert Transition(256, 128)(y).shape == (2, 128, 4, 4), 'transition: 128 channels, half size'

