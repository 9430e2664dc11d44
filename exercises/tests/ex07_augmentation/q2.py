from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 1

@test_case(points=0.1, hidden=False)
def test_q2_small(hflip, vflip):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(hflip, ('torchvision',))
    assert_own_work(vflip, ('torchvision',))
    x = torch.arange(6).reshape(1, 2, 3)
    assert torch.equal(hflip(x), torch.tensor([[[2, 1, 0], [5, 4, 3]]])), 'hflip reverses rows'
    assert torch.equal(vflip(x), torch.tensor([[[3, 4, 5], [0, 1, 2]]])), 'vflip swaps rows'

