#!/usr/bin/env node
// Compares two reference directories written by reference.mjs (e.g. --backend wasm vs cpu):
// prints the largest absolute difference per net/output, and the detection differences.
// Usage: node compare.mjs DIR_A DIR_B
import fs from 'node:fs';
import path from 'node:path';

function read_npy(file) {
    const buf = fs.readFileSync(file);
    if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not an npy file`);
    const hlen = buf.readUInt16LE(8);
    const header = buf.toString('latin1', 10, 10 + hlen);
    if (!header.includes("'<f4'")) throw new Error(`${file}: expected <f4, header ${header}`);
    const body = buf.subarray(10 + hlen);
    return new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
}

const [a, b] = process.argv.slice(2);
if (!a || !b) {
    console.error('usage: node compare.mjs DIR_A DIR_B');
    process.exit(2);
}
const ma = JSON.parse(fs.readFileSync(path.join(a, 'manifest.json'), 'utf8'));
const worst = {};
for (const file of ma.files.filter((f) => f.endsWith('.npy'))) {
    const x = read_npy(path.join(a, file));
    const y = read_npy(path.join(b, file));
    if (x.length !== y.length) throw new Error(`${file}: sizes differ`);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < x.length; ++i) {
        diff = Math.max(diff, Math.abs(x[i] - y[i]));
        scale = Math.max(scale, Math.abs(x[i]));
    }
    const [net, , name] = file.split('/');
    const k = `${net}/${path.basename(name, '.npy')}`;
    worst[k] = worst[k] || { max_abs_diff: 0, max_abs_value: 0 };
    worst[k].max_abs_diff = Math.max(worst[k].max_abs_diff, diff);
    worst[k].max_abs_value = Math.max(worst[k].max_abs_value, scale);
}
console.log(`${a} (${ma.backend}) vs ${b}`);
for (const [k, v] of Object.entries(worst)) {
    console.log(`  ${k.padEnd(36)} max |a-b| ${v.max_abs_diff.toExponential(2)}` +
        `  (max |a| ${v.max_abs_value.toPrecision(4)})`);
}
for (const s of Object.keys(ma.detector_pipeline.samples)) {
    const rel = path.join('detector_pipeline', s, 'detections.json');
    const da = JSON.parse(fs.readFileSync(path.join(a, rel), 'utf8'));
    const db = JSON.parse(fs.readFileSync(path.join(b, rel), 'utf8'));
    let d = da.length === db.length ? 0 : Infinity;
    for (let i = 0; i < Math.min(da.length, db.length); ++i) {
        d = Math.max(d, Math.abs(da[i].score - db[i].score),
            ...da[i].box.map((v, j) => Math.abs(v - db[i].box[j])));
    }
    console.log(`  ${rel.padEnd(36)} ${da.length} vs ${db.length} faces, max diff ${d.toExponential(2)}`);
}
