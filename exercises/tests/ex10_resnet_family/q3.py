from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_form(block_diagonal, q3_zero_fraction):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(block_diagonal)
    dense = block_diagonal(torch.randn(8, 2, 3, 3), 4)
    assert isinstance(dense, torch.Tensor) and dense.shape == (8, 8, 3, 3), '(C_out, C_in, k, k)'
    assert isinstance(q3_zero_fraction, float), 'q3_zero_fraction is a float'

