from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_extremes(random_hflip):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(random_hflip, ('torchvision',))
    x = torch.rand(6, 1, 4, 4)
    assert torch.equal(random_hflip(x, p=0.0), x), 'p = 0 flips nothing'
    assert torch.equal(random_hflip(x, p=1.0), x.flip(-1)), 'p = 1 flips every image'

