/**
 * File formats of the command line: atomic writes, a small JSON writer and reader, CSV tables, and NumPy's
 * {@code .npy} (format 1.0, little-endian) and {@code .npz} (a zip of {@code .npy} files).
 */
package dev.descent.cli.io;
