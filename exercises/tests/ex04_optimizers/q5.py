from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=0.3, hidden=False)
def test_q5_first_step(adam_step):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(adam_step, ('torch',))
    w, m, v = adam_step(np.array([1.0, 1.0]), np.array([0.001, 5.0]), np.zeros(2), np.zeros(2), t=1, lr=0.1)
    assert np.allclose(m, [0.0001, 0.5]) and np.allclose(v, [1e-09, 0.025]), 'check m and v'
    assert np.allclose(w, [0.9, 0.9], atol=0.0001), 'with bias correction step 1 moves by ~lr'

