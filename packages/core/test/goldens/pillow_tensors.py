"""Full float32 CHW tensors from the Pillow reference pipeline, for edgeclip's preprocessing tests.
Same steps as ../../../../../shared/tools/reference_preprocess.py (resize_shortest, centre crop with
round(), convert('RGB') after the crop, /255, normalize), for image files and for raw pixel buffers.
Usage: pillow_tensors.py JOBS.json   (Debian's python3-pil + python3-numpy)"""
import json, sys
import numpy as np
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
    return x.transpose(2, 0, 1)


def open_job(job):
    if 'file' in job:
        return Image.open(job['file'])
    with open(job['raw'], 'rb') as f:
        img = Image.frombytes(job['mode'], (job['width'], job['height']), f.read())
    if 'palette' in job:
        with open(job['palette'], 'rb') as f:
            img.putpalette(f.read(), rawmode=job.get('paletteMode', 'RGB'))
    return img


def main(jobs_path):
    with open(jobs_path) as f:
        jobs = json.load(f)
    mean = np.array(jobs['mean'], dtype=np.float32)
    std = np.array(jobs['std'], dtype=np.float32)
    for job in jobs['jobs']:
        x = preprocess(open_job(job), jobs['size'], mean, std)
        np.ascontiguousarray(x, dtype=np.float32).tofile(job['output'])


if __name__ == '__main__':
    main(sys.argv[1])
