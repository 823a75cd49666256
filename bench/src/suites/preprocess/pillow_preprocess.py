"""Pillow's side of the preprocess bench: decode, preprocess and both, per photo, one thread.
Same pipeline as packages/core/test/goldens/pillow_tensors.py (resize shortest side bicubic,
centre crop with round(), convert('RGB') after the crop, /255, normalize, CHW float32).
Usage: pillow_preprocess.py JOB.json  ->  JSON figures on stdout, tensors to job['tensorDir'].
       pillow_preprocess.py --serve     ->  one JOB.json path per stdin line, one JSON line back each
(the bench keeps one such process for the whole run: forking the Node process for every round made
every page of its heap copy-on-write, so its next decodes paid page faults the Python side did not)."""
import json, os, sys, time
import numpy as np
import PIL
from PIL import Image


def resize_shortest(img, size):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    if (new_w, new_h) == (w, h):
        return img
    return img.resize((new_w, new_h), Image.BICUBIC)


def preprocess(img, size, mean, std):
    r = resize_shortest(img, size)
    w, h = r.size
    top, left = int(round((h - size) / 2.0)), int(round((w - size) / 2.0))
    rgb = r.crop((left, top, left + size, top + size)).convert('RGB')
    x = np.asarray(rgb, dtype=np.float32) / 255.0
    x = (x - mean) / std
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def decode(path):
    img = Image.open(path)
    img.load()
    return img


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def run_job(job_path):
    with open(job_path) as f:
        job = json.load(f)
    size, repeats = job['size'], job['repeats']
    mean = np.array(job['mean'], dtype=np.float32)
    std = np.array(job['std'], dtype=np.float32)
    out = {'pillow': PIL.__version__, 'numpy': np.__version__, 'photos': []}
    for index, path in enumerate(job['files']):
        img = decode(path)
        tensor = preprocess(img, size, mean, std)
        if job.get('tensorDir'):
            tensor.astype(np.float32).tofile(os.path.join(job['tensorDir'], f'{index}.f32'))
        samples = {'decode': [], 'preprocess': [], 'total': [], 'decodeCpu': [], 'preprocessCpu': [], 'totalCpu': []}
        for _ in range(repeats):
            decoded, wall, cpu = timed(lambda: decode(path))
            samples['decode'].append(wall); samples['decodeCpu'].append(cpu)
            _, wall, cpu = timed(lambda: preprocess(decoded, size, mean, std))
            samples['preprocess'].append(wall); samples['preprocessCpu'].append(cpu)
            _, wall, cpu = timed(lambda: preprocess(decode(path), size, mean, std))
            samples['total'].append(wall); samples['totalCpu'].append(cpu)
        out['photos'].append({'mode': img.mode, 'samples': samples})
    return out


if __name__ == '__main__':
    if sys.argv[1] == '--serve':
        for line in sys.stdin:
            sys.stdout.write(json.dumps(run_job(line.strip())) + '\n')
            sys.stdout.flush()
    else:
        json.dump(run_job(sys.argv[1]), sys.stdout)
