from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_small(im2col):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(im2col, ('torch', 'scipy'))
    x = np.arange(16.0).reshape(4, 4)
    cols = im2col(x, 3, 3)
    assert cols.shape == (4, 9), f'4x4 input, 3x3 patches: expected (4, 9), got {cols.shape}'
    assert np.array_equal(cols[0], x[:3, :3].ravel()), 'row 0 is the top-left patch'
    assert np.array_equal(cols[1], x[:3, 1:].ravel()), 'row 1 is the patch one step right'

