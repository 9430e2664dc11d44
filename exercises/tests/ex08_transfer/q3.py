from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 1

@test_case(points=0.1, hidden=False)
def test_q3_type(q3_trainable):
    assert isinstance(q3_trainable, int), 'q3_trainable should be an int'

