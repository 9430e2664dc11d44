from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=0.3, hidden=False)
def test_q4_reached(q4_acc, TARGET_FEATURES):
    assert isinstance(q4_acc, float), 'q4_acc should be a float (the accuracy)'
    assert q4_acc >= TARGET_FEATURES, f'accuracy {q4_acc} is below the target {TARGET_FEATURES}'

