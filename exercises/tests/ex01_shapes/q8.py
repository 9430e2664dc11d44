from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 2

@test_case(points=0.2, hidden=False)
def test_q8_types(q8_exact, q8_input):
    assert isinstance(q8_exact, float), 'q8_exact should be a float'
    assert isinstance(q8_input, int), 'q8_input should be an int'

