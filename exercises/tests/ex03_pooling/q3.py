from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_small(stochastic_probs):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(stochastic_probs, ('torch', 'scipy'))
    p = stochastic_probs(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert isinstance(p, np.ndarray) and p.shape == (2, 2), 'return an array shaped like the window'
    assert np.allclose(p, [[0.1, 0.2], [0.3, 0.4]]), 'p_i = a_i / sum_k a_k'

