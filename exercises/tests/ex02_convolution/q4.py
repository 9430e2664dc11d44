from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=0.2, hidden=False)
def test_q4_note_001(conv2d_im2col):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(conv2d_im2col, ('torch', 'scipy'))
    x_001 = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [0, 1, 1, 0, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 1]], dtype=float)
    w_001 = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=float)
    out = conv2d_im2col(x_001, w_001)
    assert isinstance(out, np.ndarray) and out.shape == (3, 3), 'expected a 3x3 array'
    assert np.array_equal(out, [[3, 4, 3], [2, 3, 2], [1, 1, 1]]), 'wrong values on note 001'

