#!/usr/bin/env python3
"""Two-sample KS test between our p-values (datum_tests.csv) and the authors' (authors_procedure.py output).
Usage: ks_two_sample.py datum_tests.csv authors.csv"""
import csv
import sys

import numpy as np
from scipy.stats import ks_2samp

ours = np.array([float(r["p_value"]) for r in csv.DictReader(open(sys.argv[1]))])
theirs = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)[:, 1]
result = ks_2samp(ours, theirs)
print(f"p-values: ours mean {ours.mean():.4f}, share<0.05 {np.mean(ours < 0.05):.4f}; "
      f"authors mean {theirs.mean():.4f}, share<0.05 {np.mean(theirs < 0.05):.4f}; "
      f"two-sample KS D = {result.statistic:.4f}, p = {result.pvalue:.4g} "
      f"({'not rejected' if result.pvalue > 0.01 else 'REJECTED'} at 0.01)")
