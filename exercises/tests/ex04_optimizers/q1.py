from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=0.2, hidden=False)
def test_q1_by_hand(momentum_step):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(momentum_step, ('torch',))
    w, delta = momentum_step(np.array([1.0]), np.array([2.0]), np.array([0.5]), lr=0.1, alpha=0.9)
    assert np.allclose(delta, [0.65]), 'delta = 0.9 * 0.5 + 0.1 * 2 = 0.65'
    assert np.allclose(w, [0.35]), 'w = 1 - 0.65 = 0.35'

