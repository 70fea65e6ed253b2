#!/usr/bin/python3
"""Which age/gender networks to fuse (docs/QUALITY.md, "Attributes"): face-api's AgeGenderNet,
faceres and faceres_deep (human-models), each on the face and its mirror image.

  build/bench/attr_models_experiment models/vendor models.csv ../shared/data/utkface-dev/images/*.jpg
  /usr/bin/python3 scripts/attr_models_fit.py ../shared/data/utkface-dev/labels.csv models.csv

Same seeded dev/test halves as scripts/attr_fusion_fit.py (seed 20240611). The flip view of a
model is the mean of its two answers (for the faceres family the mean of the two top-L expected
ages, close to but not the pipeline's mean of the age probabilities). Fusion weights: a grid on
the dev half (age: convex weights of the three ages in steps of 0.05; gender: logit weights in
steps of 0.05), scored on the test half, and cross-fitted over all faces (each half predicted with
the weights fitted on the other).
"""
import csv
import itertools
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from attr_fusion_fit import age_scores, dev_split, gender_scores, logit  # noqa: E402


def main():
    labels = {r["file"]: r for r in csv.DictReader(open(sys.argv[1]))}
    rows = list(csv.DictReader(open(sys.argv[2])))
    files = [r["file"] for r in rows]
    get = lambda n: np.array([float(r[n]) for r in rows])
    age = np.array([float(labels[f]["age"]) for f in files])
    male = np.array([labels[f]["gender"] == "male" for f in files])
    dev = dev_split(files)
    test = ~dev
    adult = age >= 18
    print(f"{len(files)} images: dev {dev.sum()}, test {test.sum()}, adults {adult.sum()}")

    ages, males = {}, {}
    ages["fa"], males["fa"] = get("fa_age"), get("fa_male")
    ages["fa+flip"] = (get("fa_age") + get("fa_flip_age")) / 2
    males["fa+flip"] = (get("fa_male") + get("fa_flip_male")) / 2
    for m in ("fr", "deep"):
        males[m] = get(m + "_male")
        males[m + "+flip"] = (get(m + "_male") + get(m + "_flip_male")) / 2
        for l in range(1, 6):
            ages[f"{m}_top{l}"] = get(f"{m}_age{l}")
            ages[f"{m}+flip_top{l}"] = (get(f"{m}_age{l}") + get(f"{m}_flip_age{l}")) / 2

    def line(name, a=None, m=None):
        out = f"{name:30s}"
        for sel in (dev, test, np.ones_like(dev), adult):
            if a is not None:
                s = age_scores(age[sel], a[sel])
                out += f"  MAE {s['mae']:5.2f} band {s['band']:.3f}"
            if m is not None:
                g = gender_scores(male[sel], m[sel])
                out += f"  g {g['acc']:.4f} bal {g['bacc']:.4f}"
        print(out)

    print("single models (columns: dev, test, all, adults)")
    for n, a in ages.items():
        line(n, a=a)
    for n, m in males.items():
        line(n, m=m)

    steps = np.round(np.arange(0, 1.0001, 0.05), 2)

    def grid_fit(names, sel, combine, score):
        """Weights on the simplex grid (step 0.05) that maximise score(combine(weights), sel)."""
        best = None
        for w in itertools.product(steps, repeat=len(names) - 1):
            if sum(w) > 1 + 1e-9:
                continue
            ww = list(w) + [1 - sum(w)]
            v = score(combine(ww, names), sel)
            if best is None or v > best[0]:
                best = (v, ww)
        return best[1]

    age_of = lambda w, names: sum(wi * ages[n] for wi, n in zip(w, names))
    logit_of = lambda w, names: sum(wi * logit(males[n]) for wi, n in zip(w, names))
    fit_age = lambda names, sel: grid_fit(names, sel, age_of, lambda p, s: -np.mean(np.abs(p[s] - age[s])))
    fit_gender = lambda names, sel: grid_fit(names, sel, logit_of, lambda z, s: np.mean((z[s] > 0) == male[s]))

    print("\nfusions: weights fitted on dev; rows show dev, test, all (cross-fitted = 'xfit'), adults")
    for flip in ("", "+flip"):
        for l_fr, l_deep in ((3, 3), (5, 5), (3, 5), (5, 3)):
            for names in ((f"fa{flip}", f"deep{flip}_top{l_deep}"),
                          (f"fa{flip}", f"fr{flip}_top{l_fr}", f"deep{flip}_top{l_deep}")):
                if len(names) == 2 and l_fr != l_deep:
                    continue
                w = fit_age(names, dev)
                p = age_of(w, names)
                w2 = fit_age(names, test)
                x = np.where(dev, age_of(w2, names), p)
                print(f"age {'+'.join(names)} w={w} (test-fit {w2})")
                line("  dev-fit", a=p)
                line("  xfit", a=x)
        for names in ((f"fa{flip}", f"deep{flip}"), (f"fa{flip}", f"fr{flip}", f"deep{flip}")):
            w = fit_gender(names, dev)
            z = logit_of(w, names)
            w2 = fit_gender(names, test)
            zx = np.where(dev, logit_of(w2, names), z)
            sig = lambda t: 1 / (1 + np.exp(-t))
            print(f"gender {'+'.join(names)} w={w} (test-fit {w2})")
            line("  dev-fit", m=sig(z))
            line("  xfit", m=sig(zx))


if __name__ == "__main__":
    main()
