/**
 * descent's figures, drawn headless with JFreeChart into PNG files: contour plots with trajectories (Rosenbrock, or any
 * field over any window), loss curves on linear or log axes, and figures of several panels.
 */
package dev.descent.cli.plot;
