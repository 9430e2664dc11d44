from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=0.2, hidden=False)
def test_q5_form(dropout):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(dropout, forbidden=('torch',), hint='Use NumPy only: the tests compare your answer with PyTorch.')
    y = dropout(np.ones((3, 4)), 0.5, np.random.default_rng(0))
    assert isinstance(y, np.ndarray) and y.shape == (3, 4), 'dropout keeps the shape'

