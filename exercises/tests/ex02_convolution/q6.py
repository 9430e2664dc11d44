from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 1

@test_case(points=0.1, hidden=False)
def test_q6_flip(convolve2d):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(convolve2d, ('torch', 'scipy'))
    x = np.arange(9.0).reshape(3, 3)
    out = convolve2d(x, np.array([[1.0, 0.0], [0.0, 0.0]]))
    assert isinstance(out, np.ndarray) and out.shape == (2, 2), 'expected a 2x2 array'
    assert np.array_equal(out, [[4, 5], [7, 8]]), 'a flipped corner filter picks the far corner'

