/**
 * descent's figures, drawn headless with JFreeChart into PNG files: the Rosenbrock contour plot with trajectories,
 * loss curves on linear or log axes, and figures of several panels.
 */
package dev.descent.cli.plot;
