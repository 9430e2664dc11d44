from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 1

@test_case(points=0.1, hidden=False)
def test_q3_form(bn_eval):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(bn_eval, forbidden=('torch',), hint='Use NumPy only: the tests compare your answer with PyTorch.')
    x = np.random.default_rng(1).normal(size=(4, 3, 2, 2))
    y = bn_eval(x, np.ones(3), np.zeros(3), np.zeros(3), np.ones(3))
    assert np.shape(y) == (4, 3, 2, 2), 'y has the shape of x'

