from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_q2_outputs(replace_head, SmallCNN):
    import torch
    model = replace_head(SmallCNN(), 3)
    assert isinstance(model, torch.nn.Module), 'return the model'
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 3), 'the new head has 3 outputs'

