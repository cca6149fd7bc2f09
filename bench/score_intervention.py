"""Scores a datakernel run against a known set of moved data.

usage: score_intervention.py RESULTS_DIR MOVED.txt [--pair A,B]
Prints rejected, recall, false discovery proportion (FDP), precision@|moved| of the test's ranking (q, then
statistic) and of the plain kNN Jaccard distance, and the share of unmoved data with p < 0.05. With an empty
MOVED file (a control), only the rejections are reported. Standard library only.
"""
import csv
import sys


def main():
    out_dir, moved_path = sys.argv[1], sys.argv[2]
    pair = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[3] == "--pair" else None
    moved = {int(line) for line in open(moved_path) if line.strip()}
    rows = {}
    with open(f"{out_dir}/datum_tests.csv", newline="") as f:
        for r in csv.DictReader(f):
            key = (r["model_a"], r["model_b"])
            if pair and set(key) != set(pair):
                continue
            rows.setdefault(key, []).append(r)
    for (a, b), data in rows.items():
        n = len(data)
        rejected = {int(r["datum"]) for r in data if r["rejected"] == "true"}
        unmoved_small_p = sum(1 for r in data if int(r["datum"]) not in moved and float(r["p_value"]) < 0.05)
        line = f"{a} vs {b}: n {n}, rejected {len(rejected)} ({100 * len(rejected) / n:.2f}%)"
        if moved:
            tp = len(rejected & moved)
            fdp = (len(rejected) - tp) / len(rejected) if rejected else 0.0
            by_test = sorted(data, key=lambda r: (float(r["q_value"]), -float(r["statistic"])))
            by_jaccard = sorted(data, key=lambda r: -float(r["jaccard"]))
            top = len(moved)
            prec = sum(int(r["datum"]) in moved for r in by_test[:top]) / top
            prec_j = sum(int(r["datum"]) in moved for r in by_jaccard[:top]) / top
            line += (f", recall {tp / len(moved):.3f}, FDP {fdp:.3f}, precision@{top} {prec:.3f} "
                     f"(kNN Jaccard {prec_j:.3f})")
        line += f", unmoved with p < 0.05: {100 * unmoved_small_p / (n - len(moved)):.1f}%"
        print(line)


if __name__ == "__main__":
    main()
