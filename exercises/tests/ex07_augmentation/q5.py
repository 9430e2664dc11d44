from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 1

@test_case(points=0.1, hidden=False)
def test_q5_dtype(subtract_mean_rgb):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(subtract_mean_rgb)
    out = subtract_mean_rgb(np.zeros((4, 5, 3), dtype=np.uint8))
    assert isinstance(out, np.ndarray) and out.dtype == np.float32, 'return a float32 array'
    assert out.shape == (4, 5, 3), 'keep the shape'

