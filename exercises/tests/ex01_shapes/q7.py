from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=0.2, hidden=False)
def test_q7_types(q7_weights, q7_relus):
    assert isinstance(q7_weights, tuple) and len(q7_weights) == 2, 'q7_weights: (stacked, single)'
    assert isinstance(q7_relus, tuple) and len(q7_relus) == 2, 'q7_relus: (stacked, single)'
    assert q7_weights[0] < q7_weights[1], 'the stack should use fewer weights than one 7x7'

