from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=0.2, hidden=False)
def test_q2_form(bn_update_running, q2_unbiased):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(bn_update_running, forbidden=('torch',), hint='Use NumPy only: the tests compare your answer with PyTorch.')
    assert isinstance(q2_unbiased, bool), 'q2_unbiased is True or False'
    x = np.random.default_rng(1).normal(size=(4, 3, 2, 2))
    out = bn_update_running(np.zeros(3), np.ones(3), x)
    assert isinstance(out, tuple) and len(out) == 2, 'return (running_mean, running_var)'
    assert np.shape(out[0]) == (3,) and np.shape(out[1]) == (3,), 'one number per channel'

