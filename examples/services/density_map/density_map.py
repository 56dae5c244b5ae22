# -*- coding: utf-8 -*-
"""density_map: a Terminus post-processing service (galactica-terminus 0.7 contract).

Projects the particles of a snapshot along one axis into a mass-weighted 2D histogram and writes

    out/density_map.pgm    binary PGM (P5), npix x npix, log-scaled grayscale (0 = empty pixel)
    out/density_map.json   npix, axis, extent, masses, min/max, ...

Entry point: run(data_path, data_ref, test=False, **kwargs), called with cwd = the job dir
(where out/ exists). data_path is the absolute simulation dir, data_ref the snapshot reference
(``output_00003``, ``3`` or ``output_00003;BIG``; the part after ';' is ignored).

Parameters (all optional):
    xcenter, ycenter  map centre in the image plane, box units in [0, 1] (default 0.5), or
                      [value, "kpc"|"pc"|"Mpc"] measured from the box origin
    size              map width, box units in (0, 1] (default 1.0 = whole box), or [value, unit]
    npix              pixels per side, int in [8, 1024] (default 64)
    axis              projection axis 'x', 'y' or 'z' (default 'z'); the image plane is
                      (y, z) for 'x', (z, x) for 'y', (x, y) for 'z'
Unknown parameters are ignored (listed in density_map.json). In test mode only 1 particle in 10
is used (masses scaled by 10); the outputs are still written.

Uses numpy when importable, plain Python otherwise (set DENSITY_MAP_NO_NUMPY=1 to force plain
Python); both give bit-identical outputs. Compatible with Python 2.7 and 3.x. Reads only below
data_path, writes only into out/.
"""
from __future__ import division, print_function

import json
import math
import os
import re
import sys
import time
import warnings

if os.environ.get("DENSITY_MAP_NO_NUMPY", "").strip().lower() in ("1", "true", "yes", "on"):
    np = None
else:
    try:
        import numpy as np
    except ImportError:
        np = None

try:
    string_types = (str, unicode)  # noqa: F821 (Python 2)
except NameError:
    string_types = (str,)

NPIX_MIN, NPIX_MAX = 8, 1024
TEST_STRIDE = 10
PARTICLE_FILE = "particles.csv"
OUT_DIR = "out"
UNITS_KPC = {"pc": 1.0e-3, "kpc": 1.0, "mpc": 1.0e3, "cm": 1.0 / 3.0856775814913673e21}
AXES = {"x": (1, 2, 0), "y": (2, 0, 1), "z": (0, 1, 2)}  # (horizontal, vertical, line of sight)
AXIS_NAMES = "xyz"


# ---------------------------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------------------------
def snapshot_name(data_ref):
    """'output_00003' | '3' | 'output_00003;BIG' -> 'output_00003'."""
    if not isinstance(data_ref, string_types):
        raise ValueError("data_ref must be a string, got %r" % (data_ref,))
    ref = data_ref.split(";", 1)[0].strip()
    if re.match(r"^[0-9]{1,5}$", ref):
        return "output_%05d" % int(ref)
    if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$", ref) or ref in (".", ".."):
        raise ValueError("invalid snapshot reference %r (expected e.g. 'output_00003' or '3')" % (data_ref,))
    return ref


def _number(name, value):
    if isinstance(value, bool):
        raise ValueError("parameter '%s' must be a number, got %r" % (name, value))
    if isinstance(value, string_types):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError("parameter '%s' must be a number, got %r" % (name, value))
    if not isinstance(value, (int, float)) and type(value).__name__ != "long":
        raise ValueError("parameter '%s' must be a number, got %r" % (name, value))
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError("parameter '%s' must be finite, got %r" % (name, value))
    return value


def length_in_box_units(name, value, box_kpc):
    """float (box units) or [value, unit] -> float in box units."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2 or not isinstance(value[1], string_types):
            raise ValueError("parameter '%s' must be a number or [value, \"unit\"], got %r" % (name, value))
        v = _number(name, value[0])
        unit = value[1].strip()
        if unit.lower() not in UNITS_KPC or unit.lower() == "cm":
            raise ValueError("parameter '%s': unknown unit %r (use 'pc', 'kpc' or 'Mpc')" % (name, value[1]))
        if box_kpc is None:
            raise ValueError("parameter '%s': cannot convert %r, the snapshot has no length unit (info file)"
                             % (name, value[1]))
        return v * UNITS_KPC[unit.lower()] / box_kpc
    return _number(name, value)


def parse_params(kwargs, box_kpc):
    p = {}
    for key in ("xcenter", "ycenter"):
        v = length_in_box_units(key, kwargs.get(key, 0.5), box_kpc)
        if not 0.0 <= v <= 1.0:
            raise ValueError("parameter '%s' must be within [0, 1] (box units), got %r" % (key, v))
        p[key] = v
    size = length_in_box_units("size", kwargs.get("size", 1.0), box_kpc)
    if not 0.0 < size <= 1.0:
        raise ValueError("parameter 'size' must be within (0, 1] (box units, 1 = whole box), got %r" % (size,))
    p["size"] = size
    npix = kwargs.get("npix", 64)
    if isinstance(npix, string_types):
        try:
            npix = int(npix.strip())
        except ValueError:
            raise ValueError("parameter 'npix' must be an integer, got %r" % (npix,))
    if isinstance(npix, float) and npix == int(npix):
        npix = int(npix)
    if isinstance(npix, bool) or not (isinstance(npix, int) or type(npix).__name__ == "long"):
        raise ValueError("parameter 'npix' must be an integer, got %r" % (npix,))
    if not NPIX_MIN <= npix <= NPIX_MAX:
        raise ValueError("parameter 'npix' must be between %d and %d, got %d" % (NPIX_MIN, NPIX_MAX, npix))
    p["npix"] = int(npix)
    axis = kwargs.get("axis", "z")
    if not isinstance(axis, string_types) or axis.strip().lower() not in AXES:
        raise ValueError("parameter 'axis' must be 'x', 'y' or 'z', got %r" % (axis,))
    p["axis"] = str(axis.strip().lower())
    return p


# ---------------------------------------------------------------------------------------------
# snapshot reading
# ---------------------------------------------------------------------------------------------
def read_info(snap_dir, snap):
    """Parse the RAMSES-like info file. Returns (dict, filename) or ({}, None)."""
    m = re.match(r"^output_([0-9]+)$", snap)
    candidates = []
    if m:
        candidates.append("info_%s.txt" % m.group(1))
    candidates += sorted(f for f in os.listdir(snap_dir) if re.match(r"^info_.*\.txt$", f))
    for fname in candidates:
        path = os.path.join(snap_dir, fname)
        if os.path.isfile(path):
            info = {}
            with open(path) as fh:
                for line in fh:
                    if "=" in line:
                        k, v = line.split("=", 1)
                        info[k.strip()] = v.strip()
            return info, fname
    return {}, None


def box_size_kpc(info):
    """Physical box size in kpc (boxlen * unit_l), or None if unknown."""
    try:
        unit_l = float(info["unit_l"])
        boxlen = float(info.get("boxlen", "1.0"))
    except (KeyError, ValueError):
        return None
    unit = info.get("length_unit", "").strip().lower()
    if not unit:  # genuine RAMSES info files give unit_l in cm
        unit = "cm" if unit_l > 1.0e10 else "kpc"
    if unit not in UNITS_KPC or unit_l <= 0 or boxlen <= 0:
        return None
    return boxlen * unit_l * UNITS_KPC[unit]


def read_header(path):
    with open(path) as fh:
        header = fh.readline()
    cols = [c.strip().lower() for c in header.strip().split(",")]
    idx = []
    for name in ("x", "y", "z", "mass"):
        if name not in cols:
            raise ValueError("particle file '%s' has no '%s' column (header: %r)"
                             % (os.path.basename(path), name, header.strip()))
        idx.append(cols.index(name))
    return idx


def read_particles_python(path, stride):
    """Plain Python reader: returns (xs, ys, zs, ms) lists (every stride-th particle)."""
    ix, iy, iz, im = read_header(path)
    cols = ([], [], [], [])
    with open(path) as fh:
        fh.readline()
        n = 0
        for lineno, line in enumerate(fh, 2):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if n % stride == 0:
                f = line.split(",")
                try:
                    vals = (float(f[ix]), float(f[iy]), float(f[iz]), float(f[im]))
                except (ValueError, IndexError):
                    raise ValueError("particle file '%s': bad line %d: %r"
                                     % (os.path.basename(path), lineno, line[:80]))
                for c, v in zip(cols, vals):
                    c.append(v)
            n += 1
    return cols


def read_particles_numpy(path, stride):
    ix, iy, iz, im = read_header(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data" for a header-only file
            a = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(ix, iy, iz, im), ndmin=2,
                           comments="#", dtype=np.float64)
    except ValueError as exc:
        raise ValueError("particle file '%s': %s" % (os.path.basename(path), exc))
    a = a[::stride]
    return a[:, 0], a[:, 1], a[:, 2], a[:, 3]


# ---------------------------------------------------------------------------------------------
# projection
# ---------------------------------------------------------------------------------------------
def project_python(u, v, w, umin, vmin, size, npix, weight_scale):
    """Mass-weighted histogram, row-major list (row j = v-bin j, from vmin upwards)."""
    grid = [0.0] * (npix * npix)
    floor = math.floor
    n_in = 0
    for a, b, m in zip(u, v, w):
        i = floor((a - umin) / size * npix)
        j = floor((b - vmin) / size * npix)
        if 0 <= i < npix and 0 <= j < npix:
            grid[int(j) * npix + int(i)] += m * weight_scale
            n_in += 1
    return grid, n_in


def project_numpy(u, v, w, umin, vmin, size, npix, weight_scale):
    # same floating-point operations, in the same order, as project_python
    i = np.floor((u - umin) / size * npix)
    j = np.floor((v - vmin) / size * npix)
    ok = (i >= 0) & (i < npix) & (j >= 0) & (j < npix)
    flat = (j[ok] * npix + i[ok]).astype(np.int64)
    # bincount adds the weights sequentially in input order, like the plain loop
    grid = np.bincount(flat, weights=w[ok] * weight_scale, minlength=npix * npix)
    return [float(x) for x in grid], int(ok.sum())


def gray_levels(grid):
    """Log scale: empty pixel -> 0, min positive -> 1, max -> 255. Uses math.log10 in both paths."""
    positive = [x for x in grid if x > 0.0]
    if not positive:
        return [0] * len(grid), None, None
    lo, hi = min(positive), max(positive)
    llo, lhi = math.log10(lo), math.log10(hi)
    span = lhi - llo
    out = []
    for x in grid:
        if x <= 0.0:
            out.append(0)
        elif span <= 0.0:
            out.append(255)
        else:
            g = int(math.floor(1.0 + 254.0 * (math.log10(x) - llo) / span + 0.5))
            out.append(min(255, max(1, g)))
    return out, lo, hi


def write_pgm(path, levels, npix, comment):
    header = "P5\n# %s\n%d %d\n255\n" % (comment, npix, npix)
    rows = []
    for r in range(npix):  # top row of the image = highest v
        j = npix - 1 - r
        rows.append(bytearray(levels[j * npix:(j + 1) * npix]))
    with open(path, "wb") as fh:
        fh.write(header.encode("ascii"))
        for row in rows:
            fh.write(bytes(row))


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------
def run(data_path, data_ref, test=False, **kwargs):
    t0 = time.time()
    if not isinstance(data_path, string_types) or not os.path.isabs(data_path) or not os.path.isdir(data_path):
        raise ValueError("simulation data directory %r not found" % (data_path,))
    simu = os.path.basename(os.path.normpath(data_path))
    snap = snapshot_name(data_ref)
    snap_dir = os.path.join(data_path, snap)
    if not os.path.isdir(snap_dir):
        raise ValueError("snapshot '%s' not found in %s" % (snap, simu))
    particle_path = os.path.join(snap_dir, PARTICLE_FILE)
    if not os.path.isfile(particle_path):
        raise ValueError("snapshot '%s' of %s has no particle file '%s'" % (snap, simu, PARTICLE_FILE))
    info, info_file = read_info(snap_dir, snap)
    box_kpc = box_size_kpc(info)

    known = ("xcenter", "ycenter", "size", "npix", "axis")
    p = parse_params(kwargs, box_kpc)
    ignored = sorted(k for k in kwargs if k not in known)
    test = bool(test)
    stride = TEST_STRIDE if test else 1
    backend = "numpy" if np is not None else "python"
    print("density_map: snapshot %s/%s, axis=%s npix=%d size=%.6g centre=(%.6g, %.6g) test=%s backend=%s"
          % (simu, snap, p["axis"], p["npix"], p["size"], p["xcenter"], p["ycenter"], test, backend))
    if ignored:
        print("density_map: ignoring unknown parameters: %s" % ", ".join(ignored))

    if np is not None:
        cols = read_particles_numpy(particle_path, stride)
    else:
        cols = read_particles_python(particle_path, stride)
    n_read = len(cols[3])
    total_mass = math.fsum(cols[3]) * stride
    hu, hv, _ = AXES[p["axis"]]
    npix, size = p["npix"], p["size"]
    umin = p["xcenter"] - size / 2.0
    vmin = p["ycenter"] - size / 2.0
    project = project_numpy if np is not None else project_python
    grid, n_in = project(cols[hu], cols[hv], cols[3], umin, vmin, size, npix, float(stride))
    levels, lo, hi = gray_levels(grid)
    t1 = time.time()

    out_dir = OUT_DIR
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    extent = [umin, umin + size, vmin, vmin + size]
    write_pgm(os.path.join(out_dir, "density_map.pgm"), levels, npix,
              "density_map %s/%s axis=%s extent=%r" % (simu, snap, p["axis"], extent))
    pix_kpc = size * box_kpc / npix if box_kpc else None
    result = {
        "service": "density_map",
        "simulation": simu,
        "snapshot": snap,
        "data_ref": data_ref,
        "info_file": info_file,
        "test": test,
        "particle_stride": stride,
        "npix": npix,
        "axis": p["axis"],
        "image_axes": [AXIS_NAMES[hu], AXIS_NAMES[hv]],
        "xcenter": p["xcenter"],
        "ycenter": p["ycenter"],
        "size": size,
        "extent": extent,
        "box_size_kpc": box_kpc,
        "size_kpc": size * box_kpc if box_kpc else None,
        "extent_kpc": [e * box_kpc for e in extent] if box_kpc else None,
        "pixel_size_kpc": pix_kpc,
        "n_particles_read": n_read,
        "n_particles_in_map": n_in,
        "total_mass": total_mass,
        "map_mass": math.fsum(grid),
        "mass_unit": info.get("mass_unit", "code units"),
        "min": min(grid),
        "max": max(grid),
        "min_positive": lo,
        "n_empty_pixels": sum(1 for x in grid if x <= 0.0),
        "pgm": {"file": "density_map.pgm", "format": "P5", "scale": "log10",
                "levels": "0 = empty, 1 = min_positive, 255 = max", "first_row": "top (highest %s)" % AXIS_NAMES[hv]},
        "ignored_parameters": ignored,
        "backend": backend,
        "compute_seconds": round(t1 - t0, 4),
    }
    with open(os.path.join(out_dir, "density_map.json"), "w") as fh:
        json.dump(result, fh, indent=2, sort_keys=True, separators=(",", ": "))
        fh.write("\n")
    print("density_map: %d/%d particles in the map, map mass %.6e (total %.6e), wrote %s/density_map.pgm and "
          "%s/density_map.json in %.3f s" % (n_in, n_read, result["map_mass"], total_mass, out_dir, out_dir,
                                             time.time() - t0))
    return result


if __name__ == "__main__":
    # by hand: python density_map.py <data_path> <data_ref> [key=json_value ...]  (cwd = a job dir)
    if len(sys.argv) < 3:
        sys.stderr.write("usage: %s <data_path> <data_ref> [key=json_value ...]\n" % sys.argv[0])
        sys.exit(2)
    params = {}
    for arg in sys.argv[3:]:
        k, _, v = arg.partition("=")
        try:
            params[k] = json.loads(v)
        except ValueError:
            params[k] = v
    run(sys.argv[1], sys.argv[2], **params)
