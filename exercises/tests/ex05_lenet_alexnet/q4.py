from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=0.3, hidden=False)
def test_q4_output(build_alexnet):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(build_alexnet)
    model = build_alexnet(num_classes=10).eval()
    assert isinstance(model, torch.nn.Module), 'return an nn.Module'
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 227, 227))
    assert out.shape == (1, 10), f'expected logits of shape (1, 10), got {tuple(out.shape)}'

