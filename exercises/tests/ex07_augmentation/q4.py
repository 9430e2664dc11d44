from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=0.2, hidden=False)
def test_q4_simple(channel_stats, normalize):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(channel_stats, ('torchvision',))
    assert_own_work(normalize, ('torchvision',))
    x = torch.tensor([0.0, 2.0, 4.0, 6.0]).reshape(1, 1, 2, 2)
    mean, std = channel_stats(x)
    assert mean.shape == (1,) and std.shape == (1,), 'one mean and one std per channel'
    assert torch.allclose(mean, torch.tensor([3.0])) and torch.allclose(std, torch.tensor([5.0]) ** 0.5)
    assert torch.allclose(normalize(x, mean, std).flatten(), (x.flatten() - 3) / 5 ** 0.5)

