from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=0.2, hidden=False)
def test_q1_form(bn_train):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(bn_train, forbidden=('torch',), hint='Use NumPy only: the tests compare your answer with PyTorch.')
    x = np.random.default_rng(1).normal(size=(4, 3, 2, 2))
    out = bn_train(x, np.ones(3), np.zeros(3))
    assert isinstance(out, tuple) and len(out) == 3, 'return a tuple (y, mean, var)'
    y, mean, var = out
    assert np.shape(y) == (4, 3, 2, 2), 'y has the shape of x'
    assert np.shape(mean) == (3,) and np.shape(var) == (3,), 'one mean and variance per channel'

