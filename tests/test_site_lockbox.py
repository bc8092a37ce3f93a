from paysieve.training.site_lockbox import LOCKBOX_SHARE, in_lockbox

SITES = [f"site{i}.example" for i in range(4000)]


def test_lockbox_holds_about_its_share_of_sites():
    share = sum(in_lockbox(s) for s in SITES) / len(SITES)
    assert abs(share - LOCKBOX_SHARE) < 0.02


def test_lockbox_is_a_fixed_function_of_the_site_name():
    chosen = [s for s in SITES if in_lockbox(s)]
    assert chosen == [s for s in SITES if in_lockbox(s)]
    assert chosen != [s for s in SITES if in_lockbox(s, seed="another seed")]


def test_lockbox_share_bounds():
    assert not any(in_lockbox(s, share=0.0) for s in SITES)
    assert all(in_lockbox(s, share=1.0) for s in SITES)
