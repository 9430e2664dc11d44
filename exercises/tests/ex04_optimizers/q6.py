from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 1

@test_case(points=0.1, hidden=False)
def test_q6_type(q6_first_step):
    assert isinstance(q6_first_step, float), 'q6_first_step should be a float'
    assert q6_first_step > 0, 'a distance is positive'

