from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=0.2, hidden=False)
def test_q4_first_step(rmsprop_step):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(rmsprop_step, ('torch',))
    w, avg_sq = rmsprop_step(np.array([1.0]), np.array([3.0]), np.zeros(1), lr=0.01, gamma=0.9)
    assert np.allclose(avg_sq, [0.9]), 'avg_sq = 0.9 * 0 + 0.1 * 3**2'
    assert np.allclose(w, [1.0 - 0.01 * 3.0 / np.sqrt(0.9)])

