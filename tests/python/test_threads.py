"""Many threads calling verify at once (the GIL released, one engine shared)
get what one thread gets, call by call."""
import concurrent.futures

import facekit
from conftest import sample

PAIRS = [(1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 6), (1, 6), (2, 3)]


def test_concurrent_verify_equals_sequential():
    engine = facekit.Engine(threads=1)
    want = [engine.verify(sample(a), sample(b), shape="facekit") for a, b in PAIRS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            got = list(pool.map(lambda p: engine.verify(sample(p[0]), sample(p[1]), shape="facekit"), PAIRS))
            assert got == want


def test_concurrent_calls_on_the_shared_engine():
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda p: facekit.verify(sample(p[0]), sample(p[1])), PAIRS[:4]))
    assert all(isinstance(r["verified"], bool) for r in results)
