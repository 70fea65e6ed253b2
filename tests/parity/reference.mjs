#!/usr/bin/env node
// Writes the upstream tfjs reference tensors that the C++ parity tests compare against.
// Usage: node reference.mjs --out DIR [--backend wasm|cpu] [--force]
// File contract: tests/parity/README.md (and docs in the common brief).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import {
    decode_jpeg, faceapi, init_backend, kFaceApiDir, kFaceApiNets, kFaceresModel, kFaceresOutputs,
    kHarnessDir, kSharedData, load_face_api_nets, load_faceres, mulberry32, tf, write_npy,
} from './lib.mjs';

const kUsage = 'usage: node reference.mjs --out DIR [--backend wasm|cpu] [--force]';

// Input sizes (square) of each network as face-api / human feed them.
const kInputSize = {
    ssd_mobilenetv1: 512,
    face_landmark_68: 112,
    face_recognition: 150,
    age_gender: 112,
    face_expression: 112,
    faceres: 224,
};

// Real face crops from ../shared/data (relative to it): a grey LFW crop, two UTKFace chips and a
// Families-in-the-Wild crop, so colour and grey, young and old, male and female are covered.
const kRealImages = [
    'faces-dev/images/Aaron_Guiel_0001.jpg',
    'utkface-dev/images/30_0_0_20170104164938536.jpg.chip.jpg',
    'fiw-dev/images/F0028_MID1_P00280_face1.jpg',
    'utkface-dev/images/20_1_0_20170103175416510.jpg.chip.jpg',
];
// For the 112x112 face-api nets (face-api feeds them face crops through
// NetInput.toBatchTensor(112, isCenterInputs = true)), each real case is a crop [x, y, w, h] of
// the image above, saved as crop.npy; input.npy is what face-api's own toBatchTensor makes of
// it (centred zero padding to a square, then resizeBilinear). Tall and wide crops with odd and
// even |w - h| exercise the padding split; the last one is square (no padding).
const kFaceCropNets = new Set(['face_landmark_68', 'age_gender', 'face_expression']);
const kFaceCrops = [
    [95, 70, 161, 210],  // tall, |w - h| = 49
    [0, 20, 200, 160],   // wide, 40
    [30, 10, 171, 200],  // tall, 29
    [0, 0, 200, 200],    // square
];
const kRandomSeeds = { random0: 20240601, random1: 7 };
const kMinConfidence = 0.5;

function parse_cli() {
    let values;
    try {
        ({ values } = parseArgs({
            options: {
                out: { type: 'string' },
                backend: { type: 'string', default: 'wasm' },
                force: { type: 'boolean', default: false },
                help: { type: 'boolean', short: 'h', default: false },
            },
        }));
    } catch (e) {
        console.error(`${e.message}\n${kUsage}`);
        process.exit(2);
    }
    if (values.help) {
        console.log(kUsage);
        process.exit(0);
    }
    if (!values.out || !['wasm', 'cpu'].includes(values.backend)) {
        console.error(kUsage);
        process.exit(2);
    }
    return values;
}

function random_input(seed, size) {
    const next = mulberry32(seed);
    const data = new Float32Array(size * size * 3);
    for (let i = 0; i < data.length; ++i) data[i] = next() * 255;
    return tf.tensor4d(data, [1, size, size, 3]);
}

function real_input(rel, size) {
    const file = path.join(kSharedData, rel);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: the shared data set is needed`);
    return tf.tidy(() => {
        const img = decode_jpeg(file);
        return tf.image.resizeBilinear(tf.expandDims(img, 0), [size, size], false, false);
    });
}

// A crop of a real image and face-api's preparation of it: {crop: [H,W,3], input: [1,S,S,3]}.
async function face_crop_input(rel, [x, y, w, h], size) {
    const file = path.join(kSharedData, rel);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: the shared data set is needed`);
    const img = decode_jpeg(file);
    if (x + w > img.shape[1] || y + h > img.shape[0]) {
        throw new Error(`crop [${x},${y},${w},${h}] leaves the ${img.shape[1]}x${img.shape[0]} ${rel}`);
    }
    const crop = tf.slice(img, [y, x, 0], [h, w, 3]);
    img.dispose();
    const net_input = await faceapi.toNetInput(crop);
    return { crop, input: net_input.toBatchTensor(size, true) };
}

// Builds the cases for one net: {name: {input: Tensor4D, crop?: Tensor3D, sources: [...]}}.
async function make_cases(net, size) {
    const cases = {};
    for (const [name, seed] of Object.entries(kRandomSeeds)) {
        cases[name] = { input: random_input(seed, size), sources: [`mulberry32(${seed}) * 255`] };
    }
    for (const [i, rel] of kRealImages.entries()) {
        if (kFaceCropNets.has(net)) {
            const { crop, input } = await face_crop_input(rel, kFaceCrops[i], size);
            cases[`real${i}`] = { input, crop, sources: [`${rel} [x,y,w,h]=[${kFaceCrops[i]}]`] };
        } else {
            cases[`real${i}`] = { input: real_input(rel, size), sources: [rel] };
        }
    }
    const reals = kRealImages.map((_, i) => cases[`real${i}`].input);
    cases.batch4 = { input: tf.concat(reals, 0), sources: [...kRealImages] };
    return cases;
}

// Runs one net on a [N,S,S,3] batch and returns {output_name: Tensor} (caller disposes).
// Each face-api net goes through the same public forward path its predict* method uses.
async function run_net(net, x, faceres) {
    if (net === 'faceres') {
        const names = Object.values(kFaceresOutputs);
        // The HSE preprocessing faceatlas uses (models/manifest.json "faceres"): RGB -> BGR,
        // minus the ImageNet caffe mean, no scaling (Keras preprocess_input 'caffe', as in
        // HSE_FaceRec_tf). input.npy stays RGB 0..255; only the tensor fed to the graph changes.
        const bgr = tf.reverse(x, -1);
        const norm = tf.sub(bgr, tf.tensor1d([103.939, 116.779, 123.68]));
        const outs = faceres.execute(norm, names);
        bgr.dispose();
        norm.dispose();
        return Object.fromEntries(Object.keys(kFaceresOutputs).map((k, i) => [k, outs[i]]));
    }
    const model = kFaceApiNets[net]();
    // An array of [S,S,3] tensors is face-api's batch input (a [N>1,...] tensor is refused).
    const parts = tf.unstack(x);
    const input = await faceapi.toNetInput(parts);
    try {
        switch (net) {
        case 'ssd_mobilenetv1': {
            // forwardInput = mobilenet + prediction layer + outputLayer (box decoding, sigmoid).
            const { boxes, scores } = model.forwardInput(input);
            const out = { boxes: tf.stack(boxes), scores: tf.stack(scores) };
            tf.dispose([boxes, scores]);
            return out;
        }
        case 'face_landmark_68':  // runNet + postProcess (identity for square inputs)
            return { landmarks: model.forwardInput(input) };
        case 'face_recognition':
            return { descriptor: model.forwardInput(input) };
        case 'age_gender': {  // age: raw regression; gender: softmax
            const { age, gender } = model.forwardInput(input);
            return { age, gender };
        }
        case 'face_expression':  // softmax(runNet)
            return { expressions: model.forwardInput(input) };
        default:
            throw new Error(`unknown net ${net}`);
        }
    } finally {
        tf.dispose(parts);
    }
}

const kExpectedShapes = {
    ssd_mobilenetv1: (n) => ({ boxes: [n, 5118, 4], scores: [n, 5118] }),
    face_landmark_68: (n) => ({ landmarks: [n, 136] }),
    face_recognition: (n) => ({ descriptor: [n, 128] }),
    age_gender: (n) => ({ age: [n], gender: [n, 2] }),
    face_expression: (n) => ({ expressions: [n, 7] }),
    faceres: (n) => ({ features: [n, 1024], age: [n, 100], gender: [n, 1] }),
};

function save(dir, name, t) {
    write_npy(path.join(dir, `${name}.npy`), t.shape, t.dataSync());
}

function cache_key(backend) {
    const h = crypto.createHash('sha256');
    for (const f of ['reference.mjs', 'lib.mjs', 'package-lock.json']) {
        h.update(fs.readFileSync(path.join(kHarnessDir, f)));
    }
    h.update(fs.readFileSync(path.join(kFaceApiDir, 'dist', 'face-api.node-wasm.js')));
    h.update(fs.readFileSync(kFaceresModel));
    h.update(backend);
    return h.digest('hex');
}

function up_to_date(out, key) {
    const file = path.join(out, 'manifest.json');
    if (!fs.existsSync(file)) return false;
    try {
        const m = JSON.parse(fs.readFileSync(file, 'utf8'));
        return m.cache_key === key && m.files.every((f) => fs.existsSync(path.join(out, f)));
    } catch {
        return false;
    }
}

async function main() {
    const args = parse_cli();
    const out = path.resolve(args.out);
    const t_start = performance.now();
    const key = cache_key(args.backend);
    if (!args.force && up_to_date(out, key)) {
        console.log(`parity references in ${out} are up to date (--force regenerates)`);
        return;
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });

    const runtime = await init_backend(args.backend);
    await load_face_api_nets();
    const faceres = await load_faceres();

    const manifest = {
        format: 'faceatlas-parity-reference',
        version: 1,
        generator: 'tests/parity/reference.mjs',
        cache_key: key,
        created: new Date().toISOString(),
        tfjs: tf.version_core,
        face_api: faceapi.version,
        backend: runtime.backend,
        wasm_threads: runtime.threads,
        input: 'NHWC float32 RGB 0..255 exactly as handed to the tfjs net',
        nets: {},
        detector_pipeline: { options: { minConfidence: kMinConfidence, maxResults: 100 }, samples: {} },
        files: [],
    };
    const summary = [];

    for (const [net, size] of Object.entries(kInputSize)) {
        const t0 = performance.now();
        const cases = await make_cases(net, size);
        manifest.nets[net] = { input_size: [size, size], cases: {} };
        for (const [name, { input, crop, sources }] of Object.entries(cases)) {
            const dir = path.join(out, net, name);
            fs.mkdirSync(dir, { recursive: true });
            save(dir, 'input', input);
            if (crop) {
                save(dir, 'crop', crop);
                manifest.files.push(`${net}/${name}/crop.npy`);
            }
            const outputs = await run_net(net, input, faceres);
            const expected = kExpectedShapes[net](input.shape[0]);
            const entry = { input: input.shape, sources, outputs: {} };
            if (crop) entry.crop = crop.shape;
            for (const [oname, t] of Object.entries(outputs)) {
                if (JSON.stringify(t.shape) !== JSON.stringify(expected[oname])) {
                    throw new Error(`${net}/${name}/${oname}: shape [${t.shape}], expected [${expected[oname]}]`);
                }
                save(dir, oname, t);
                entry.outputs[oname] = t.shape;
                manifest.files.push(`${net}/${name}/${oname}.npy`);
            }
            manifest.files.push(`${net}/${name}/input.npy`);
            manifest.nets[net].cases[name] = entry;
            tf.dispose(Object.values(outputs));
        }
        tf.dispose(Object.values(cases).flatMap((c) => (c.crop ? [c.input, c.crop] : [c.input])));
        summary.push([net, `${size}x${size}`, Object.keys(cases).length, performance.now() - t0]);
    }

    // The full face-api detector: resize (pad bottom/right to square, bilinear 512), SSD, NMS.
    const t_det = performance.now();
    const samples = fs.readdirSync(path.join(kFaceApiDir, 'demo'))
        .filter((f) => /^sample\d+\.jpg$/.test(f)).sort();
    const options = new faceapi.SsdMobilenetv1Options({ minConfidence: kMinConfidence });
    for (const file of samples) {
        const name = path.basename(file, '.jpg');
        const dir = path.join(out, 'detector_pipeline', name);
        fs.mkdirSync(dir, { recursive: true });
        const image = decode_jpeg(path.join(kFaceApiDir, 'demo', file));
        save(dir, 'image', image);
        const dets = await faceapi.detectAllFaces(image, options);
        const json = dets.map((d) => ({
            box: [d.box.x, d.box.y, d.box.width, d.box.height],
            score: d.score,
        }));
        fs.writeFileSync(path.join(dir, 'detections.json'),
            `[\n${json.map((d) => JSON.stringify(d)).join(',\n')}\n]\n`);
        manifest.detector_pipeline.samples[name] = {
            source: `models/vendor/face-api/demo/${file}`,
            image: image.shape,
            detections: json.length,
        };
        manifest.files.push(`detector_pipeline/${name}/image.npy`,
            `detector_pipeline/${name}/detections.json`);
        image.dispose();
    }
    summary.push(['detector_pipeline', 'image', samples.length, performance.now() - t_det]);

    manifest.seconds = (performance.now() - t_start) / 1000;
    fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');

    console.log(`parity references -> ${out}`);
    console.log(`tfjs ${tf.version_core}, face-api ${faceapi.version}, backend ${runtime.backend}` +
        (runtime.backend === 'wasm' ? ` (${runtime.threads} thread, simd ${runtime.simd})` : ''));
    for (const [net, size, n, ms] of summary) {
        console.log(`  ${net.padEnd(18)} ${String(size).padEnd(8)} ${n} cases  ${(ms / 1000).toFixed(1)} s`);
    }
    const faces = Object.values(manifest.detector_pipeline.samples).map((s) => s.detections);
    console.log(`  detections per sample: ${faces.join(' ')}`);
    console.log(`  ${manifest.files.length} files, ${manifest.seconds.toFixed(1)} s total`);
}

main().catch((e) => {
    console.error(`reference.mjs: ${e.stack || e}`);
    process.exit(1);
});
