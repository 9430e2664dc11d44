from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=0.2, hidden=False)
def test_q2_shape(Inception):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(Inception)
    block = Inception(192, 64, 96, 128, 16, 32, 32)
    out = block(torch.randn(2, 192, 28, 28))
    assert out.shape == (2, 256, 28, 28), f'inception (3a) gives 2x256x28x28, got {tuple(out.shape)}'

