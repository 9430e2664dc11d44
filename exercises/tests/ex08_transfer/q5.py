from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=0.2, hidden=False)
def test_q5_groups(finetune_optimizer, SmallCNN):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(finetune_optimizer)
    opt = finetune_optimizer(SmallCNN(), 0.001, 0.0001)
    assert isinstance(opt, torch.optim.Adam), 'return a torch.optim.Adam'
    assert len(opt.param_groups) == 2, 'two parameter groups: features, then head'

