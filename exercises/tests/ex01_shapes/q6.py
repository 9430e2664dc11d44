from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_two_layers(receptive_field):
    from utils.grading import assert_own_work
    assert_own_work(receptive_field, ('torch',))
    assert receptive_field([3, 3]) == 5, 'two stacked 3x3 layers see a 5x5 patch'

