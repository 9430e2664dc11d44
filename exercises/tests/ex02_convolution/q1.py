from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=0.2, hidden=False)
def test_q1_note_000(conv2d_loops):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(conv2d_loops, ('torch', 'scipy'))
    x_000 = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=float)
    w_000 = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)
    out = conv2d_loops(x_000, w_000)
    assert isinstance(out, np.ndarray), 'return a NumPy array'
    assert out.shape == (3, 3), f'expected shape (3, 3), got {out.shape}'
    assert np.array_equal(out, [[4, 3, 4], [2, 4, 3], [2, 3, 4]]), 'wrong values on note 000'

