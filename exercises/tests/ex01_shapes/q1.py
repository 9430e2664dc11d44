from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=0.2, hidden=False)
def test_q1_notes(conv_output_size):
    from utils.grading import assert_own_work
    assert_own_work(conv_output_size, ('torch',))
    assert conv_output_size(7, 3) == 5, '7x7 input, 3x3 filter, stride 1: expected 5'
    assert conv_output_size(7, 3, stride=2) == 3, '7x7 input, 3x3 filter, stride 2: expected 3'

