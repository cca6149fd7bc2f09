#!/usr/bin/env python3
"""Writes Y + sigma * std(Y) * N(0, I) as float32 .npy: model 2 = model 1 plus isotropic noise.
Usage: noisy_copy.py IN.npy OUT.npy SIGMA SEED"""
import sys

import numpy as np

y = np.load(sys.argv[1])
sigma, seed = float(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)
np.save(sys.argv[2], (y + sigma * y.std() * rng.standard_normal(y.shape)).astype(np.float32))
