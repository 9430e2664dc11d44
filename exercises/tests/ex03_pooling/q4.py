from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=0.2, hidden=False)
def test_q4_inference(stochastic_pool2d):
    import numpy as np
    from utils.grading import assert_own_work
    assert_own_work(stochastic_pool2d, ('torch', 'scipy'))
    out = stochastic_pool2d(np.array([[1.0, 2.0], [3.0, 4.0]]), train=False)
    assert isinstance(out, np.ndarray) and out.shape == (1, 1), 'one 2x2 window gives a 1x1 output'
    assert np.isclose(out[0, 0], 3.0), 'inference: (1*1 + 2*2 + 3*3 + 4*4) / 10 = 3'

