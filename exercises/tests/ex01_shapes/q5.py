from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 1

@test_case(points=0.1, hidden=False)
def test_q5_type(q5_fc_weights):
    assert isinstance(q5_fc_weights, int), 'q5_fc_weights should be an int'

