from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=0.3, hidden=False)
def test_q1_output(build_lenet5):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(build_lenet5)
    model = build_lenet5()
    assert isinstance(model, torch.nn.Module), 'return an nn.Module'
    out = model(torch.zeros(3, 1, 32, 32))
    assert out.shape == (3, 10), f'expected logits of shape (3, 10), got {tuple(out.shape)}'

