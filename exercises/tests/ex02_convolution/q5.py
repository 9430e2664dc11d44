from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=0.3, hidden=False)
def test_q5_bias(conv2d_multi):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(conv2d_multi, ('torch', 'scipy'))
    x = np.random.default_rng(0).normal(size=(3, 6, 6))
    out = conv2d_multi(x, np.zeros((4, 3, 3, 3)), np.arange(4.0))
    assert isinstance(out, np.ndarray) and out.shape == (4, 4, 4), 'expected shape (4, 4, 4)'
    assert np.array_equal(out[2], np.full((4, 4), 2.0)), 'with zero weights the output is the bias'

