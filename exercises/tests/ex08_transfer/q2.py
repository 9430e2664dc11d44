from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=0.2, hidden=False)
def test_q2_outputs(replace_head, SmallCNN):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(replace_head)
    model = replace_head(SmallCNN(), 3)
    assert isinstance(model, torch.nn.Module), 'return the model'
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 3), 'the new head has 3 outputs'

