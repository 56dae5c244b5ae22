#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Generate a small, deterministic synthetic simulation snapshot for the Terminus examples.

    python3 make_snapshot.py <data_dir> [--particles N] [--seed S] [--output K]

creates (idempotently)

    <data_dir>/GAL_FORMATION/TEST_GALAXY/SIMU_1/output_00003/
        particles.csv    header "x,y,z,mass"; x, y, z in box units [0, 1); mass in Msun
        info_00003.txt   RAMSES-like "key = value" file (boxlen, time, unit_l, ncpu, ...);
                         unit_l is in kpc (see the "length_unit" line)

The particles form a face-on (in the x-y plane) spiral disc galaxy with a bulge, a small
satellite and a thin uniform background, so a density map looks like something.

Plain Python (no numpy); runs under Python 2.7 and 3.x and produces byte-identical files for a
given (particles, seed, output) on both: it uses its own PRNG instead of the `random` module and
only fixed-precision formatting.
"""
from __future__ import division, print_function

import argparse
import math
import os
import sys

CATEGORY, PROJECT, SIMULATION = "GAL_FORMATION", "TEST_GALAXY", "SIMU_1"
DEFAULT_PARTICLES = 5000
MAX_PARTICLES = 200000
BOX_KPC = 40.0          # physical box size: boxlen (1.0) * unit_l (kpc)
MASK64 = (1 << 64) - 1


class Rng(object):
    """64-bit LCG (Knuth MMIX constants), top 53 bits -> float in [0, 1). Same on py2 and py3."""

    def __init__(self, seed):
        self.state = (int(seed) * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E5) & MASK64
        for _ in range(4):
            self._next()

    def _next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK64
        return self.state

    def uniform(self):
        return (self._next() >> 11) / 9007199254740992.0  # 2**53

    def gauss(self):
        """Standard normal (Box-Muller, one value per call: simple and deterministic)."""
        u1 = 1.0 - self.uniform()  # (0, 1]
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def plummer_radius(rng, a):
    """Radius drawn from a Plummer sphere of scale a (truncated at 10 a)."""
    while True:
        m = rng.uniform()
        if m <= 0.0:
            continue
        r = a / math.sqrt(m ** (-2.0 / 3.0) - 1.0) if m < 1.0 else 10.0 * a
        if r < 10.0 * a:
            return r


def random_direction(rng):
    cos_t = 2.0 * rng.uniform() - 1.0
    sin_t = math.sqrt(max(0.0, 1.0 - cos_t * cos_t))
    phi = 2.0 * math.pi * rng.uniform()
    return sin_t * math.cos(phi), sin_t * math.sin(phi), cos_t


def make_particles(n, seed):
    """Return a list of (x, y, z, mass) tuples, all coordinates in [0, 1)."""
    rng = Rng(seed)
    n_bulge = int(round(0.15 * n))
    n_sat = int(round(0.05 * n))
    n_bg = int(round(0.20 * n))
    n_disc = n - n_bulge - n_sat - n_bg
    cx = cy = cz = 0.5
    m_star = 2.0e6           # Msun per disc/bulge/satellite particle (the count sets the total)
    m_bg = 2.0e5             # background (gas-like) particles are 10x lighter
    out = []

    def add(x, y, z, m):
        # keep inside [0, 1): reject (rare) particles that fall outside the box
        if 0.0 <= x < 1.0 and 0.0 <= y < 1.0 and 0.0 <= z < 1.0:
            out.append((x, y, z, m))
            return True
        return False

    # exponential disc (scale length 3.5 kpc, scale height 0.3 kpc), half of it in 2 log-spiral arms
    rd, hz = 3.5 / BOX_KPC, 0.3 / BOX_KPC
    pitch = math.radians(18.0)
    i = 0
    while i < n_disc:
        # radius from the exponential surface density: r = -rd * ln(u1 * u2) (Gamma(2) distribution)
        r = -rd * math.log((1.0 - rng.uniform()) * (1.0 - rng.uniform()))
        if r > 12.0 * rd:
            continue
        if i % 2 == 0:
            arm = (i // 2) % 2
            theta = arm * math.pi + math.log(max(r, 0.2 * rd) / rd) / math.tan(pitch) + 0.25 * rng.gauss()
        else:
            theta = 2.0 * math.pi * rng.uniform()
        z = hz * math.log(1.0 - rng.uniform()) * (1.0 if rng.uniform() < 0.5 else -1.0)
        if add(cx + r * math.cos(theta), cy + r * math.sin(theta), cz + z, m_star):
            i += 1

    # bulge: Plummer sphere, scale 0.8 kpc
    i = 0
    while i < n_bulge:
        r = plummer_radius(rng, 0.8 / BOX_KPC)
        ux, uy, uz = random_direction(rng)
        if add(cx + r * ux, cy + r * uy, cz + r * uz, m_star):
            i += 1

    # satellite: small Plummer sphere at 10 kpc / 8 kpc / 2 kpc from the centre
    sx, sy, sz = cx + 10.0 / BOX_KPC, cy + 8.0 / BOX_KPC, cz + 2.0 / BOX_KPC
    i = 0
    while i < n_sat:
        r = plummer_radius(rng, 0.5 / BOX_KPC)
        ux, uy, uz = random_direction(rng)
        if add(sx + r * ux, sy + r * uy, sz + r * uz, m_star):
            i += 1

    # thin uniform background
    for _ in range(n_bg):
        add(rng.uniform(), rng.uniform(), rng.uniform(), m_bg)
    return out


def particles_text(particles):
    lines = ["x,y,z,mass"]
    for x, y, z, m in particles:
        lines.append("%.6f,%.6f,%.6f,%.6e" % (x, y, z, m))
    return "\n".join(lines) + "\n"


def info_text(output_num, n_particles, seed, total_mass):
    def f(v):
        return "%23.15E" % v
    rows = [
        ("ncpu", "%11d" % 1),
        ("ndim", "%11d" % 3),
        ("levelmin", "%11d" % 7),
        ("levelmax", "%11d" % 12),
        ("ngridmax", "%11d" % 100000),
        ("nstep_coarse", "%11d" % (100 * output_num)),
        None,
        ("boxlen", f(1.0)),
        ("time", f(0.25 * output_num)),
        ("aexp", f(1.0)),
        ("H0", f(70.0)),
        ("omega_m", f(0.3)),
        ("omega_l", f(0.7)),
        ("omega_k", f(0.0)),
        ("omega_b", f(0.045)),
        ("unit_l", f(BOX_KPC)),
        ("unit_d", f(6.767e-23)),
        ("unit_t", f(4.706e14)),
        None,
        ("length_unit", "kpc"),
        ("time_unit", "Gyr"),
        ("mass_unit", "Msun"),
        ("npart", "%11d" % n_particles),
        ("total_mass", "%.6e" % total_mass),
        ("particle_file", "particles.csv"),
        ("generator", "make_snapshot.py seed=%d" % seed),
        None,
        ("ordering type", "hilbert"),
    ]
    lines = []
    for row in rows:
        lines.append("" if row is None else "%-12s= %s" % row)
    return "\n".join(lines) + "\n"


def write_if_changed(path, text):
    """Write text (ASCII) to path unless it already holds exactly that. Returns the action taken."""
    data = text.encode("ascii")
    if os.path.isfile(path):
        with open(path, "rb") as fh:
            if fh.read() == data:
                return "unchanged"
        action = "updated"
    else:
        action = "created"
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.rename(tmp, path)  # atomic on POSIX; replaces an existing file
    return action


def main(argv=None):
    p = argparse.ArgumentParser(description="Generate a small synthetic snapshot for the Terminus examples.")
    p.add_argument("data_dir", help="Terminus data dir (TERMINUS_DATA_DIR); created if missing")
    p.add_argument("--particles", type=int, default=DEFAULT_PARTICLES,
                   help="number of particles (default %d, max %d)" % (DEFAULT_PARTICLES, MAX_PARTICLES))
    p.add_argument("--seed", type=int, default=12345, help="PRNG seed (default 12345)")
    p.add_argument("--output", type=int, default=3, help="snapshot number (default 3 -> output_00003)")
    args = p.parse_args(argv)
    if not 10 <= args.particles <= MAX_PARTICLES:
        p.error("--particles must be between 10 and %d" % MAX_PARTICLES)
    if not 1 <= args.output <= 99999:
        p.error("--output must be between 1 and 99999")

    snap_name = "output_%05d" % args.output
    snap_dir = os.path.join(os.path.abspath(args.data_dir), CATEGORY, PROJECT, SIMULATION, snap_name)
    if not os.path.isdir(snap_dir):
        os.makedirs(snap_dir)
        print("created   %s/" % snap_dir)

    particles = make_particles(args.particles, args.seed)
    total_mass = math.fsum(m for _, _, _, m in particles)
    files = [
        ("particles.csv", particles_text(particles)),
        ("info_%05d.txt" % args.output, info_text(args.output, len(particles), args.seed, total_mass)),
    ]
    for name, text in files:
        path = os.path.join(snap_dir, name)
        action = write_if_changed(path, text)
        print("%-9s %s (%d bytes)" % (action, path, len(text)))
    print("snapshot %s/%s/%s/%s: %d particles, total mass %.4e Msun, box %.1f kpc"
          % (CATEGORY, PROJECT, SIMULATION, snap_name, len(particles), total_mass, BOX_KPC))
    return 0


if __name__ == "__main__":
    sys.exit(main())
