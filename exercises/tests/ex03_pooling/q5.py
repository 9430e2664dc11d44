from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=0.3, hidden=False)
def test_q5_note_003(max_pool2d_backward):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(max_pool2d_backward, ('torch', 'scipy'))
    x = np.array([[2, 3, 4, 3], [4, 3, 2, 0], [1, 0, 5, 7], [2, 3, 5, 6]], dtype=float)
    grad = max_pool2d_backward(x, np.ones((2, 2)))
    assert isinstance(grad, np.ndarray) and grad.shape == (4, 4), 'the gradient is shaped like x'
    mask = [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]
    assert np.array_equal(grad, mask), 'the gradient goes to the arg-max of each window'

