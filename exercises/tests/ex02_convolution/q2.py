from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=0.2, hidden=False)
def test_q2_shapes(conv2d_strided):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(conv2d_strided, ('torch', 'scipy'))
    x_000 = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=float)
    w_000 = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)
    out = conv2d_strided(np.zeros((7, 7)), np.ones((3, 3)), stride=2)
    assert out.shape == (3, 3), '7x7 input, 3x3 filter, stride 2 gives 3x3'
    same = conv2d_strided(x_000, w_000, stride=1, pad=1)
    assert same.shape == (5, 5), 'padding 1 keeps a 5x5 input 5x5'
    assert np.array_equal(same[1:-1, 1:-1], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])

