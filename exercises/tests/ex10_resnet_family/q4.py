from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=0.2, hidden=False)
def test_q4_form(drop_path):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(drop_path, forbidden=('torch.nn.Dropout', 'torch.nn.functional.dropout', 'torch.dropout'), hint='Draw one number per example with torch.rand and scale.')
    out = drop_path(torch.ones(4, 3, 2, 2), 0.5)
    assert isinstance(out, torch.Tensor) and out.shape == (4, 3, 2, 2), 'keep the shape'

