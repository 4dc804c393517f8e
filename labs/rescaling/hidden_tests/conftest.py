"""Shared fixtures of the hidden tests: random ReLU networks and reference answers.

References are written independently of the solution notebook and run in the grader's
process, never in the worker: the forward pass by PyTorch's ``nn.Linear``/``relu``, the
path norm by explicit enumeration of the paths (those starting at a bias unit included).
"""

import itertools
from types import SimpleNamespace

import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def make_net(rng):
    """``make_net(dims)`` -> (weights, biases) of a ReLU network with layer sizes dims."""

    def make(dims, bias_scale=0.5):
        weights = [rng.standard_normal((dims[i + 1], dims[i])) * rng.uniform(0.3, 2.0)
                   for i in range(len(dims) - 1)]
        biases = [bias_scale * rng.standard_normal(dims[i + 1]) for i in range(len(dims) - 1)]
        return weights, biases

    return make


def _forward(weights, biases, X):
    h = torch.tensor(X, dtype=torch.float64)
    for k, (W, b) in enumerate(zip(weights, biases)):
        h = torch.nn.functional.linear(h, torch.tensor(W), torch.tensor(b))
        if k < len(weights) - 1:
            h = torch.relu(h)
    return h.numpy()


def _path_norm(weights, biases=None):
    """Sum over every path (from an input unit or from a bias unit) of the squared products."""
    total = 0.0
    L = len(weights)
    for start in range(-1, L):
        # start = -1: paths from an input unit; start = l: from the bias of layer l
        if start == -1:
            first = [range(weights[0].shape[1])]
            layers = range(L)
        else:
            if biases is None:
                continue
            first = [range(weights[start].shape[0])]
            layers = range(start + 1, L)
        sizes = first + [range(weights[m].shape[0]) for m in layers]
        for units in itertools.product(*sizes):
            prod = 1.0 if start == -1 else biases[start][units[0]] ** 2
            for pos, m in enumerate(layers):
                prod *= weights[m][units[pos + 1], units[pos]] ** 2
            total += prod
    return total


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(forward=_forward, path_norm=_path_norm)
