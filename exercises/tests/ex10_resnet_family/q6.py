from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_form(PreActBlock):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(PreActBlock)
    out = PreActBlock(8)(torch.randn(2, 8, 5, 5))
    assert isinstance(out, torch.Tensor) and out.shape == (2, 8, 5, 5), 'the shape is kept'

