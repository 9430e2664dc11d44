from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_first_step(adagrad_step):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(adagrad_step, ('torch',))
    w, G = adagrad_step(np.array([1.0, 1.0]), np.array([0.1, 10.0]), np.zeros(2), lr=0.1)
    assert np.allclose(G, [0.01, 100.0]), 'G accumulates squared gradients'
    assert np.allclose(w, [0.9, 0.9]), 'the first step moves every weight by about lr'

