from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_reached(q6_acc, TARGET_FINETUNE):
    assert isinstance(q6_acc, float), 'q6_acc should be a float (the accuracy)'
    assert q6_acc >= TARGET_FINETUNE, f'accuracy {q6_acc} is below the target {TARGET_FINETUNE}'

