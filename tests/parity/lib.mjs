// Shared setup for the tfjs reference harness: loads the pinned face-api build and the
// human-models faceres graph model from models/vendor, on the tfjs cpu or wasm backend,
// without @tensorflow/tfjs-node. See README.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire, Module } from 'node:module';
import { fileURLToPath } from 'node:url';

export const kHarnessDir = path.dirname(fileURLToPath(import.meta.url));
export const kSourceDir = path.resolve(kHarnessDir, '..', '..');
export const kVendorDir = path.join(kSourceDir, 'models', 'vendor');
export const kFaceApiDir = path.join(kVendorDir, 'face-api');
export const kFaceApiModelDir = path.join(kFaceApiDir, 'model');
export const kFaceresModel = path.join(kVendorDir, 'human-models', 'models', 'faceres.json');
export const kSharedData = path.resolve(kSourceDir, '..', 'shared', 'data');
const kNodeModules = path.join(kHarnessDir, 'node_modules');
const kWasmDir = path.join(kNodeModules, '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep;

// face-api.node-wasm.js does require('@tensorflow/tfjs') and require('@tensorflow/tfjs-backend-wasm')
// from models/vendor/face-api/dist, where no node_modules exists. Point CommonJS resolution at
// this harness's node_modules so face-api and this script share one tfjs instance (a second
// instance would not recognise our tensors as tf.Tensor).
if (!fs.existsSync(kNodeModules)) {
    throw new Error(`${kNodeModules} is missing: run (cd tests/parity && npm ci) first`);
}
process.env.NODE_PATH = [kNodeModules, process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
Module._initPaths();
const require = createRequire(path.join(kHarnessDir, 'lib.mjs'));

export const tf = require('@tensorflow/tfjs');
const tfWasm = require('@tensorflow/tfjs-backend-wasm');
const jpeg = require('jpeg-js');
export const faceapi = require(path.join(kFaceApiDir, 'dist', 'face-api.node-wasm.js'));

// Selects and initialises the backend. Returns {backend, threads} actually in use.
// tfjs-backend-wasm in Node reports WASM_HAS_MULTITHREAD_SUPPORT=false (its pthread workers are
// blob: URLs, which Node's worker_threads refuse), so it loads the single-threaded SIMD binary and
// XNNPACK ignores the requested thread count; we still request os.availableParallelism().
export async function init_backend(backend) {
    if (backend !== 'cpu' && backend !== 'wasm') {
        throw new Error(`unknown backend '${backend}': use cpu or wasm`);
    }
    // Quiet the "install tfjs-node" banner; it goes to stdout and would pollute --json output.
    tf.env().set('IS_TEST', true);
    if (backend === 'wasm') {
        tfWasm.setWasmPaths(kWasmDir);  // plain path: Node's fetch() cannot read files
        tfWasm.setThreadsCount(os.availableParallelism());
    }
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`);
    await tf.ready();
    const threads = backend === 'wasm' ? tfWasm.getThreadsCount() : 1;
    return {
        backend: tf.getBackend(),
        threads,
        requested_threads: backend === 'wasm' ? os.availableParallelism() : 1,
        simd: backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : false,
    };
}

// The five face-api networks under test, keyed by the faceatlas network name.
export const kFaceApiNets = {
    ssd_mobilenetv1: () => faceapi.nets.ssdMobilenetv1,
    face_landmark_68: () => faceapi.nets.faceLandmark68Net,
    face_recognition: () => faceapi.nets.faceRecognitionNet,
    age_gender: () => faceapi.nets.ageGenderNet,
    face_expression: () => faceapi.nets.faceExpressionNet,
};

// loadFromDisk works without tfjs-node: face-api's node env reads files with fs.
export async function load_face_api_nets() {
    for (const get of Object.values(kFaceApiNets)) await get().loadFromDisk(kFaceApiModelDir);
}

// tf.loadGraphModel with an IOHandler that reads model.json and its weight files from disk.
export async function load_faceres(json_path = kFaceresModel) {
    const dir = path.dirname(json_path);
    const model_json = JSON.parse(fs.readFileSync(json_path, 'utf8'));
    const handler = {
        load: async () => tf.io.getModelArtifactsForJSON(model_json, async (manifest) => {
            const specs = [];
            const buffers = [];
            for (const group of manifest) {
                specs.push(...group.weights);
                for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
            }
            const all = Buffer.concat(buffers);
            return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
        }),
    };
    return tf.loadGraphModel(handler);
}

export const kFaceresOutputs = {
    features: 'global_pooling/Mean',
    age: 'age_pred/Softmax',
    gender: 'gender_pred/Sigmoid',
};

// Decodes a JPEG file to a float32 [H,W,3] RGB tensor of 0..255 values (grey JPEGs replicate).
export function decode_jpeg(file) {
    const img = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: true });
    const n = img.width * img.height;
    const rgb = new Float32Array(n * 3);
    for (let i = 0; i < n; ++i) {
        rgb[3 * i] = img.data[4 * i];
        rgb[3 * i + 1] = img.data[4 * i + 1];
        rgb[3 * i + 2] = img.data[4 * i + 2];
    }
    return tf.tensor3d(rgb, [img.height, img.width, 3], 'float32');
}

// Writes a float32 little-endian C-order .npy (format 1.0).
export function write_npy(file, shape, data) {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== values.length) {
        throw new Error(`write_npy ${file}: shape [${shape}] needs ${count} values, got ${values.length}`);
    }
    const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
    const unpadded = 10 + header.length + 1;
    header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
    const pre = Buffer.alloc(10);
    pre.write('\x93NUMPY', 0, 'latin1');
    pre[6] = 1;
    pre[7] = 0;
    pre.writeUInt16LE(header.length, 8);
    const body = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

// Little-endian check: Float32Array views are host order and .npy says '<f4'.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian host');

// Seeded uniform generator (mulberry32): deterministic across Node versions.
export function mulberry32(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
