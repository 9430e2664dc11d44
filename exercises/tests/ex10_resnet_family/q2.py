from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=0.3, hidden=False)
def test_q2_form(grouped_conv_by_paths):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(grouped_conv_by_paths)
    out = grouped_conv_by_paths(torch.randn(1, 8, 5, 5), torch.randn(8, 2, 3, 3), groups=4)
    assert isinstance(out, torch.Tensor) and out.shape == (1, 8, 5, 5), '8 channels in 4 groups give 8 output channels; padding 1 keeps 5x5'

