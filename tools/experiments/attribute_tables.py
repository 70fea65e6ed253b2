#!/usr/bin/python3
"""Markdown tables from `faceatlas train attributes --report` JSON files (docs/ATTRIBUTES.md)."""
import json
import sys

reports = [json.load(open(p)) for p in sys.argv[1:]]


def label(r):
    """faceres / dlib, or the faceres-blocks spec (plus augmentation copies)."""
    s = r.get("features", r["backbone"]) if r["backbone"] == "faceres-blocks" else r["backbone"]
    if r.get("augment_copies", 0):
        s += f" +aug x{r['augment_copies']}"
    if r.get("mode") == "finetune":
        scale = r.get("finetune_lr_scale", 0)
        s += f" finetune {r.get('finetune_blocks', 1)} block(s), lr x{scale:g}" if scale > 0 else " suffix frozen"
    return s


print("| features | loss | optimizer | best epoch / run | mean acc (tuned thr) | mean bal. acc (tuned thr) "
      "| mean acc (0.5) | mean bal. acc (0.5) | attrs with bal. acc > 0.5 | train s |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in reports:
    above = sum(1 for a in r["attributes"] if a["balanced_accuracy"] > 0.5)
    print(f"| {label(r)} | {r['loss']} | {r['optimizer']} | {r['best_epoch']} / {r['epochs_run']} "
          f"| {r['mean_accuracy']:.4f} | {r['mean_balanced_accuracy']:.4f} | {r['mean_accuracy_at_half']:.4f} "
          f"| {r['mean_balanced_accuracy_at_half']:.4f} | {above}/{len(r['attributes'])} | {r['train_seconds']:.1f} |")
r0 = reports[0]
print(f"\nmajority baseline: mean accuracy {r0['mean_majority_accuracy']:.4f}, balanced accuracy 0.5000; "
      f"validation {r0['val_samples']} images / {r0['val_identities']} identities, training {r0['train_samples']} / "
      f"{r0['train_identities']}\n")
# Per-attribute table of every report.
names = [a["name"] for a in r0["attributes"]]
head = " | ".join(f"{label(r)} {r['loss']} {r['optimizer']}" for r in reports)
print(f"| attribute | val pos. rate | majority acc | {head} |")
print("| --- | --- | --- | " + " | ".join("---" for _ in reports) + " |")
for i, n in enumerate(names):
    a0 = r0["attributes"][i]
    cells = " | ".join(f"{r['attributes'][i]['accuracy']:.3f} / {r['attributes'][i]['balanced_accuracy']:.3f}"
                       for r in reports)
    print(f"| {n} | {a0['positive_rate']:.3f} | {a0['majority_accuracy']:.3f} | {cells} |")
