from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=0.2, hidden=False)
def test_q2_by_hand(nag_step):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(nag_step, ('torch',))
    w, delta = nag_step(np.array([1.0]), np.array([0.5]), lambda v: 2 * v, lr=0.1, alpha=0.9)
    assert np.allclose(delta, [0.56]), 'the gradient is taken at w - alpha * delta'
    assert np.allclose(w, [0.44])

