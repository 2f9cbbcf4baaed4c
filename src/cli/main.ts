#!/usr/bin/env -S node --max-semi-space-size=64
/**
 * The `tidewatch` command. Only the early stop is imported statically: a static import graph is
 * loaded and compiled whole before its first module runs, so the handler would wait for every
 * other module (0.3 s idle, seconds on a busy machine); the rest comes by dynamic import after it.
 */
import './early-stop.js';

await import('./run.js');
