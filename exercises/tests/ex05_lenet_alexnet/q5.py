from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 1

@test_case(points=0.1, hidden=False)
def test_q5_types(q5_activations, q5_megabytes):
    assert isinstance(q5_activations, int), 'q5_activations should be an int'
    assert isinstance(q5_megabytes, float), 'q5_megabytes should be a float'

