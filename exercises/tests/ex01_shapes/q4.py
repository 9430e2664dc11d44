from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=0.2, hidden=False)
def test_q4_small(conv_params):
    from utils.grading import assert_own_work
    assert_own_work(conv_params, ('torch',))
    assert conv_params(1, 1, 3) == 10, 'one 3x3 filter on one channel: 9 weights and a bias'

