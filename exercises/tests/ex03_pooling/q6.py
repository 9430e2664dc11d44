from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_shape(global_avg_pool, q6_pool_params):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(global_avg_pool, ('torch.nn.functional', 'torch.nn.AdaptiveAvgPool2d', 'torch.nn.AvgPool2d'))
    out = global_avg_pool(torch.ones(2, 3, 4, 5))
    assert isinstance(out, torch.Tensor) and out.shape == (2, 3), 'expected a (2, 3) tensor'
    assert isinstance(q6_pool_params, int), 'q6_pool_params should be an int'

