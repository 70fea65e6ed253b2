#!/usr/bin/env node
// Speed of the upstream tfjs implementations, the peer faceatlas is compared with:
//  1. each of the 6 networks alone: ms per face at batch 1 and 16 on tfjs-wasm (and tfjs cpu);
//  2. face-api's own full JS pipeline (detectAllFaces + landmarks + descriptors + age/gender +
//     expressions) on tfjs-wasm over the demo photos: photos/s and faces/s.
// Warm-up, then the median of several timed runs and their spread (min..max).
// Usage: node bench.mjs [--backends wasm,cpu] [--batches 1,16] [--cpu-batches 1] [--runs 7]
//                       [--pipeline-runs 5] [--json-out FILE]
//                       [--pipeline-only] [--pipeline-dir DIR] [--pipeline-limit N]
// --pipeline-only skips the per-network part (wasm pipeline only); --pipeline-dir runs the
// pipeline over the first N (sorted) .jpg files of DIR instead of the demo photos. The process
// CPU time (user+sys, all threads) of each pass is reported beside its wall time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import {
    decode_jpeg, faceapi, init_backend, kFaceApiDir, kFaceApiNets, kFaceresOutputs,
    load_face_api_nets, load_faceres, median, mulberry32, tf,
} from './lib.mjs';

const kInputSize = {
    ssd_mobilenetv1: 512,
    face_landmark_68: 112,
    face_recognition: 150,
    age_gender: 112,
    face_expression: 112,
    faceres: 224,
};

const { values: args } = parseArgs({
    options: {
        backends: { type: 'string', default: 'wasm,cpu' },
        batches: { type: 'string', default: '1,16' },
        // tfjs cpu is plain JS (about 10 s for one SSD 512 image here): batch 16 takes minutes.
        'cpu-batches': { type: 'string', default: '1' },
        runs: { type: 'string', default: '7' },
        'cpu-runs': { type: 'string', default: '3' },
        'pipeline-runs': { type: 'string', default: '5' },
        'json-out': { type: 'string' },
        'pipeline-only': { type: 'boolean', default: false },
        'pipeline-dir': { type: 'string' },
        'pipeline-limit': { type: 'string', default: '0' },
    },
});
const list = (s) => s.split(',').filter(Boolean).map(Number);

function random_batch(n, size, seed) {
    const next = mulberry32(seed);
    const data = new Float32Array(n * size * size * 3);
    for (let i = 0; i < data.length; ++i) data[i] = next() * 255;
    return tf.tensor4d(data, [n, size, size, 3]);
}

// One forward pass of `net` on batch x, outputs downloaded (so lazy backends finish the work).
async function forward(net, x, faceres) {
    let outs;
    if (net === 'faceres') {
        outs = faceres.execute(x, Object.values(kFaceresOutputs));
    } else {
        const parts = tf.unstack(x);
        const input = await faceapi.toNetInput(parts);
        const r = kFaceApiNets[net]().forwardInput(input);
        tf.dispose(parts);
        outs = r instanceof tf.Tensor ? [r] : Object.values(r).flat();
    }
    for (const t of outs) await t.data();
    tf.dispose(outs);
}

function stats(ms, per) {
    const v = ms.map((m) => m / per);
    return {
        median: median(v), min: Math.min(...v), max: Math.max(...v), runs: v.length,
    };
}

async function bench_nets(backend, batches, runs, faceres) {
    const rows = [];
    for (const [net, size] of Object.entries(kInputSize)) {
        for (const n of batches) {
            const x = random_batch(n, size, 1234 + n);
            await forward(net, x, faceres);  // warm-up: kernel setup, weight upload, allocation
            const ms = [];
            for (let r = 0; r < runs; ++r) {
                const t0 = performance.now();
                await forward(net, x, faceres);
                ms.push(performance.now() - t0);
            }
            x.dispose();
            const s = stats(ms, n);
            rows.push({ backend, net, input: `${size}x${size}`, batch: n, ms_per_face: s });
            console.error(`  ${backend} ${net} batch ${n}: ${s.median.toFixed(2)} ms/face`);
        }
    }
    return rows;
}

async function bench_pipeline(runs) {
    const dir = args['pipeline-dir'] ?? path.join(kFaceApiDir, 'demo');
    const pattern = args['pipeline-dir'] ? /\.jpe?g$/i : /^sample\d+\.jpg$/;
    let files = fs.readdirSync(dir).filter((f) => pattern.test(f)).sort();
    const limit = Number(args['pipeline-limit']);
    if (limit > 0) files = files.slice(0, limit);
    const t_dec = performance.now();
    const images = files.map((f) => decode_jpeg(path.join(dir, f)));
    const decode_ms = performance.now() - t_dec;
    const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
    const pass = async () => {
        let faces = 0;
        for (const img of images) {
            const res = await faceapi.detectAllFaces(img, options)
                .withFaceLandmarks().withFaceDescriptors().withAgeAndGender().withFaceExpressions();
            faces += res.length;
        }
        return faces;
    };
    const faces = await pass();  // warm-up
    const ms = [];
    const cpu_ms = [];
    for (let r = 0; r < runs; ++r) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const f = await pass();
        const c = process.cpuUsage(c0);
        ms.push(performance.now() - t0);
        cpu_ms.push((c.user + c.system) / 1000);
        if (f !== faces) throw new Error(`pipeline found ${f} faces, warm-up found ${faces}`);
    }
    tf.dispose(images);
    const med = median(ms);
    return {
        photos: files.length,
        faces,
        pixels: images.map((t) => `${t.shape[1]}x${t.shape[0]}`),
        dir,
        ms_per_pass: { median: med, min: Math.min(...ms), max: Math.max(...ms), runs },
        cpu_ms_per_pass: { median: median(cpu_ms), min: Math.min(...cpu_ms), max: Math.max(...cpu_ms), runs },
        photos_per_cpu_s: (files.length * 1000) / median(cpu_ms),
        faces_per_cpu_s: (faces * 1000) / median(cpu_ms),
        photos_per_s: (files.length * 1000) / med,
        faces_per_s: (faces * 1000) / med,
        jpeg_decode_ms_all: decode_ms,
    };
}

const rate = (x) => (x >= 10 ? x.toFixed(1) : x.toPrecision(2));

function fmt(s) {
    return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

async function main() {
    const machine = {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.availableParallelism(),
        loadavg_at_start: os.loadavg().map((l) => Number(l.toFixed(2))),
        node: process.version,
        tfjs: tf.version_core,
        face_api: faceapi.version,
        date: new Date().toISOString(),
    };
    const result = { machine, backends: {}, nets: [], pipeline: null };
    let faceres = null;
    for (const backend of args.backends.split(',')) {
        const rt = await init_backend(backend);
        result.backends[backend] = rt;
        await load_face_api_nets();
        faceres?.dispose();
        faceres = await load_faceres();
        const cpu = backend === 'cpu';
        if (!args['pipeline-only']) {
            result.nets.push(...await bench_nets(backend, list(cpu ? args['cpu-batches'] : args.batches),
                Number(cpu ? args['cpu-runs'] : args.runs), faceres));
        }
        if (backend === 'wasm') result.pipeline = await bench_pipeline(Number(args['pipeline-runs']));
    }
    machine.loadavg_at_end = os.loadavg().map((l) => Number(l.toFixed(2)));

    const lines = [];
    const w = result.backends.wasm;
    lines.push(`tfjs ${machine.tfjs}, face-api ${machine.face_api}, node ${machine.node}, ` +
        `${machine.cpu}, ${machine.cores} cores, load ${machine.loadavg_at_start[0]}` +
        (w ? `; wasm: ${w.threads} thread (requested ${w.requested_threads}), simd ${w.simd}` : ''));
    lines.push('');
    lines.push('| network | input | backend | batch | ms/face median (min–max) | faces/s |');
    lines.push('|---|---|---|---:|---:|---:|');
    for (const r of result.nets) {
        lines.push(`| ${r.net} | ${r.input} | ${r.backend} | ${r.batch} | ${fmt(r.ms_per_face)} | ` +
            `${rate(1000 / r.ms_per_face.median)} |`);
    }
    if (result.pipeline) {
        const p = result.pipeline;
        lines.push('');
        lines.push('| face-api full pipeline (wasm) | photos | faces | ms/pass median (min–max) | ' +
            'photos/s | faces/s |');
        lines.push('|---|---:|---:|---:|---:|---:|');
        lines.push(`| detect+landmarks+descriptor+age/gender+expressions | ${p.photos} | ${p.faces} | ` +
            `${fmt(p.ms_per_pass)} | ${p.photos_per_s.toFixed(2)} | ${p.faces_per_s.toFixed(2)} |`);
        lines.push('');
        lines.push('');
        lines.push(`CPU time (user+sys) per pass: ${fmt(p.cpu_ms_per_pass)} ms: ` +
            `${p.photos_per_cpu_s.toFixed(2)} photos/CPU-s, ${p.faces_per_cpu_s.toFixed(2)} faces/CPU-s`);
        lines.push(`(photos pre-decoded; jpeg-js decode of all ${p.photos}: ` +
            `${p.jpeg_decode_ms_all.toFixed(0)} ms, not counted)`);
    }
    console.log(lines.join('\n'));
    console.log('\n```json');
    console.log(JSON.stringify(result, null, 1));
    console.log('```');
    if (args['json-out']) fs.writeFileSync(args['json-out'], JSON.stringify(result, null, 1) + '\n');
}

main().catch((e) => {
    console.error(`bench.mjs: ${e.stack || e}`);
    process.exit(1);
});
