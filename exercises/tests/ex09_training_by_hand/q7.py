from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 1

@test_case(points=0.1, hidden=False)
def test_q7_form(q7_gain):
    assert isinstance(q7_gain, float), 'q7_gain is a float'

