from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 1

@test_case(points=0.1, hidden=False)
def test_q2_note_001(avg_pool2d):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(avg_pool2d, ('torch', 'scipy'))
    x = np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 8, 7, 6], [5, 4, 3, 2]], dtype=float)
    out = avg_pool2d(x)
    assert isinstance(out, np.ndarray) and out.shape == (2, 2), 'expected a 2x2 array'
    assert np.allclose(out, [[3.5, 5.5], [6.5, 4.5]]), 'wrong values on the note-001 example'

