package dev.descent.cpu;

import dev.descent.backend.Elementwise;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels, the fast twin of {@link ScalarKernels} (the only class that imports
 * {@code jdk.incubator.vector}). Only {@link KernelSelection} creates it, after checking that the Vector API is worth
 * using here. The species are {@code static final} constants (so C2 compiles them to registers), taken from
 * {@code -Ddescent.vector.bits} or the platform's preferred width.
 *
 * <p>Pattern of every kernel: a vector loop up to {@code loopBound}, then the scalar twin for the tail, so tails use
 * exactly the reference formula. Float sums across lanes are added lane by lane in a fixed order (never
 * {@code reduceLanes(ADD)}, whose order the JIT may change between compilation tiers).
 *
 * <p><b>No allocation, and what it takes.</b> C2 keeps vectors in registers only where it inlines every method
 * through which they pass; a vector handed to a method that is not inlined is boxed (an object and an array, on every
 * call). The Vector API's own methods are force-inlined (late, if need be), but an ordinary method longer than a
 * few bytecodes is refused once the compilation has created about 18,000 nodes (C2's NodeCountInliningCutoff), and
 * every Vector API call costs several hundred; the exp alone costs some 14,000. A helper that C2 has already compiled
 * on its own because it is hot (the exp was) is refused too, whatever the node count (InlineSmallCode), depending on
 * which compilation comes first: the allocation test failed in about half of its JVMs that way. Hence: the kernels
 * call the Vector API directly (no fma helper); the exp ({@link ScalarKernels#expNonPositive}'s operations, lane by
 * lane, bit-identical) is written out where it is used, in the softmax and the BCE; so are the GEMM tiles' starting
 * loads (a helper once: an 8-row tile's 16 calls of it were cut off part-way and its fmas boxed in 3 of 8 runs);
 * only small helpers such as {@link #maxLanes} are called, once per row and before the exp (written out there, it
 * made the full-batch call some 10 % slower); after it, code is written out (the log1p of the BCE, the lane sums); a
 * remainder that would need a second copy of the exp reuses the first through
 * a mask instead; the upper half of a float vector is widened after a rotation ({@code convertShape} part 1 costs
 * about 6,000 nodes, part 0 a few hundred). {@code AllocationFreeTest} checks it.
 *
 * <p><b>One float species per JVM.</b> {@code FloatVector.intoArray} is a single JDK method whose receiver-type
 * profile every caller in the JVM shares. Where a kernel stores a vector that comes out of a late-inlined intrinsic,
 * C2 inlines {@code vspecies()} by that profile; if it ever saw a second float vector class (a half-width species,
 * or the Vector API's own fallback code running on one while the kernels were still interpreted), the species is
 * not a constant, the store intrinsic is refused on the first try and the vector is boxed: an allocation per store,
 * in whichever kernels C2 happened to compile that way. So every float vector here is of species {@link #F}, doubles
 * are of {@link #D} (the same shape), ints only come from reinterpreting F; a wider or narrower view of the data is
 * made with masks, rotations and {@code convertShape} part 0 of an F vector, never with another species.
 * {@code VectorKernelsSpeciesTest} checks the static species and shuffles.
 */
final class VectorKernels implements CpuKernels {

    static final VectorSpecies<Float> F = floatSpecies();
    /** Doubles of the same bit size: a float vector widens into two of them. */
    static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    static final int L = F.length();
    /** Half a float vector: the floats of one double vector. */
    private static final int H = L / 2;
    private static final int L2 = 2 * L;
    private static final int L3 = 3 * L;

    /** Lane rotations for the fixed-order horizontal sums and maxima (a rotation by L is the identity). */
    private static final VectorShuffle<Float> ROT8 = VectorShuffle.iota(F, 8 % L, 1, true);
    private static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(F, 4 % L, 1, true);
    private static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(F, 2 % L, 1, true);
    private static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(F, 1, 1, true);
    /** Rotation by half a vector: brings the upper half down, to be widened (part 0 of a conversion is cheap). */
    private static final VectorShuffle<Float> ROT_HALF = VectorShuffle.iota(F, L / 2, 1, true);
    /** The lower half of a vector, twice ({@link #tile8x2Pairs}: one row's last half vector for two rows). */
    private static final VectorShuffle<Float> LOW_HALF_TWICE = VectorShuffle.fromOp(F, i -> i % (L / 2));
    /** The lanes of a vector's upper half. */
    private static final VectorMask<Float> UPPER_HALF = F.indexInRange(L / 2, L).not();
    /** The lanes of a vector's lower half. */
    private static final VectorMask<Float> LOWER_HALF = F.indexInRange(0, L / 2);

    /** System property: {@code true} or {@code false} chooses the 8-row GEMM tiles whatever the registers. */
    static final String WIDE_TILES_PROPERTY = "descent.cpu.wideTiles";

    /**
     * Whether the 8-row GEMM tiles ({@link #tile8x3}, {@link #tile8x2Unit}) are used: on hosts with 32 vector
     * registers (x86 with AVX-512 and HotSpot's UseAVX=3, AArch64). The 8 × 3 tile's 24 accumulators, 3 vectors of
     * op(B) and a broadcast need 28 registers;
     * with 16 (AVX2, or UseAVX=2 on an AVX-512 host) C2 would spill accumulators to the stack in the inner loop.
     * Property {@code descent.cpu.wideTiles} (true/false) overrides the choice. The results are the same either way.
     */
    static final boolean WIDE_TILES;
    /** Why {@link #WIDE_TILES} is what it is, for {@link #describe()}: decided once, with it. */
    private static final String WIDE_TILES_REASON;

    static {
        String v = System.getProperty(WIDE_TILES_PROPERTY);
        int registers = vectorRegisters();
        WIDE_TILES = wideTiles(v, registers);
        WIDE_TILES_REASON = v == null ? registers + " vector registers"
                : parseSwitch(v) != null ? WIDE_TILES_PROPERTY + "=" + v.trim()
                : registers + " vector registers; " + WIDE_TILES_PROPERTY + "=" + v + " ignored: not true or false";
    }

    static final VectorKernels INSTANCE = new VectorKernels();

    /**
     * Whether to use the 8-row tiles: as {@code property} says when it is {@code true} or {@code false} (any case),
     * else (absent, or another value, which {@link #describe()} then names as ignored) when there are 32 registers.
     */
    static boolean wideTiles(String property, int registers) {
        Boolean forced = parseSwitch(property);
        return forced != null ? forced : registers >= 32;
    }

    private static Boolean parseSwitch(String v) {
        if (v == null) {
            return null;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** The vector registers C2 allocates from: 32 on AArch64 and on x86 with UseAVX=3 (EVEX encodings), else 16. */
    static int vectorRegisters() {
        if (System.getProperty("os.arch", "").equals("aarch64")) {
            return 32;
        }
        return "3".equals(dev.descent.backend.HostCpu.hotSpotUseAvx()) ? 32 : 16; // null off x86
    }

    private static final ScalarKernels TAIL = ScalarKernels.INSTANCE;

    private VectorKernels() {
    }

    /**
     * The width {@link VectorBits#resolve} decides (the property, the measured plan, or the widest), capped at the
     * preferred (widest hardware) one: a species wider than the hardware would run the Vector API's pure-Java
     * fallback, many times slower than the scalar kernels.
     */
    private static VectorSpecies<Float> floatSpecies() {
        int bits = VectorBits.resolve(FloatVector.SPECIES_PREFERRED.vectorBitSize());
        return switch (bits) {
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    /** The platform's preferred vector width in bits (touches the Vector API; call only once it is known present). */
    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    @Override
    public String describe() {
        return "Vector API " + F.vectorBitSize() + "-bit (" + L + " float lanes; GEMM tiles of " + (WIDE_TILES ? 8 : 4)
                + " rows, " + WIDE_TILES_REASON + ")";
    }

    @Override
    public int gemmLanes() {
        return L;
    }

    @Override
    public int gemmTileRows(int width) {
        return width == L || WIDE_TILES ? 8 : 4;
    }

    @Override
    public void copyRows(float[] src, int srcOff, int srcLd, int rows, int cols, float[] dst, int dstOff, int dstLd) {
        int full = cols - cols % L;
        VectorMask<Float> tail = F.indexInRange(full, cols);
        for (int r = 0; r < rows; r++) {
            int so = srcOff + r * srcLd;
            int dOff = dstOff + r * dstLd;
            for (int c = 0; c < full; c += L) {
                FloatVector.fromArray(F, src, so + c).intoArray(dst, dOff + c);
            }
            if (full < cols) {
                FloatVector.fromArray(F, src, so + full, tail).intoArray(dst, dOff + full, tail);
            }
        }
    }

    @Override
    public void packRows(float[] src, int srcOff, int ld, int rows, int valid, float[] dst, int dstOff, int w) {
        int full = valid - valid % L;
        VectorMask<Float> tail = F.indexInRange(full, valid);
        FloatVector zero = FloatVector.zero(F);
        for (int r = 0; r < rows; r++) {
            int so = srcOff + r * ld;
            int dOff = dstOff + r * w;
            int c = 0;
            for (; c < full; c += L) {
                FloatVector.fromArray(F, src, so + c).intoArray(dst, dOff + c);
            }
            if (c < valid) {
                FloatVector.fromArray(F, src, so + c, tail).intoArray(dst, dOff + c);
                c += L;
            }
            for (; c < w; c += L) {
                zero.intoArray(dst, dOff + c);
            }
        }
    }

    // ================================================================== elementary functions

    // ================================================================== GEMM micro-kernels

    @Override
    public void gemmPanel(float[] a, int aOff, int rs, int ks, int rows, int kLen, float[] pb, int pbOff, int ldb,
            int width, int valid, float[] d, int dOff, int ldd, boolean accumulate) {
        // tv: the lanes of each row's last vector that are stored (L: all of them, unmasked). The tiles build their
        // mask from this int themselves: a mask passed between methods that C2 did not inline would be boxed.
        int tv = valid - (width - L);
        if (tv <= 0 || tv > L) {
            throw new IllegalArgumentException("gemmPanel: valid " + valid + " not in (" + (width - L) + ", " + width
                    + "]");
        }
        if (tv == L) {
            wholeVectors(a, aOff, rs, ks, rows, kLen, pb, pbOff, ldb, width, d, dOff, ldd, accumulate);
        } else {
            maskedLast(a, aOff, rs, ks, rows, kLen, pb, pbOff, ldb, width, d, dOff, ldd, accumulate, tv);
        }
    }

    private static void wholeVectors(float[] a, int aOff, int rs, int ks, int rows, int kLen, float[] pb, int pbOff,
            int ldb, int width, float[] d, int dOff, int ldd, boolean accumulate) {
        int r = 0;
        if (width == L3) {
            if (WIDE_TILES) {
                for (; r + 8 <= rows; r += 8) {
                    tile8x3(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate);
                }
            }
            for (; r + 4 <= rows; r += 4) {
                tile4x3(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate);
            }
            for (; r + 2 <= rows; r += 2) {
                tile2x3(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate);
            }
            for (; r < rows; r++) {
                tile1x3(a, aOff + r * rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, accumulate);
            }
        } else if (width == L2) {
            // Each twin is chosen here, not inside its general tile. With the choice inside tile4x2Masked, some
            // JVMs' general tile boxed its fma results (JFR put the allocations there) and a batch-16 step of 24
            // classes at 512 bits took 6x as long: the larger method, inferred to be what pushed C2 over its
            // inlining budget. Kept apart, each tile compiles on its own.
            if (ks == 1 && ldb == L2) {
                for (; WIDE_TILES && !accumulate && r + 8 <= rows; r += 8) {
                    tile8x2Unit(a, aOff + r * rs, rs, kLen, pb, pbOff, d, dOff + r * ldd, ldd, L);
                }
                for (; r + 4 <= rows; r += 4) {
                    tile4x2Unit(a, aOff + r * rs, rs, kLen, pb, pbOff, d, dOff + r * ldd, ldd, accumulate, L);
                }
            }
            for (; WIDE_TILES && !accumulate && r + 8 <= rows; r += 8) {
                tile8x2(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, L);
            }
            for (; r + 4 <= rows; r += 4) {
                tile4x2(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate);
            }
            for (; r < rows; r++) {
                tile1xW(a, aOff + r * rs, ks, kLen, pb, pbOff, ldb, L2, d, dOff + r * ldd, accumulate);
            }
        } else if (width == L) {
            if (ks == 1 && ldb == L) { // the twin: see L2 above
                for (; r + 8 <= rows; r += 8) {
                    tile8x1Unit(a, aOff + r * rs, rs, kLen, pb, pbOff, d, dOff + r * ldd, ldd, accumulate);
                }
            }
            for (; r + 8 <= rows; r += 8) {
                tile8x1(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate);
            }
            for (; r + 4 <= rows; r += 4) {
                tile4x1(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate);
            }
            for (; r < rows; r++) {
                tile1xW(a, aOff + r * rs, ks, kLen, pb, pbOff, ldb, L, d, dOff + r * ldd, accumulate);
            }
        } else {
            throw new IllegalArgumentException("gemmPanel: width " + width + " is not 1, 2 or 3 times " + L);
        }
    }

    private static void maskedLast(float[] a, int aOff, int rs, int ks, int rows, int kLen, float[] pb, int pbOff,
            int ldb, int width, float[] d, int dOff, int ldd, boolean accumulate, int tv) {
        int r = 0;
        if (width == L3) {
            for (; r + 4 <= rows; r += 4) {
                tile4x3Masked(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate, tv);
            }
            for (; r < rows; r++) {
                tile1x3Masked(a, aOff + r * rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, accumulate, tv);
            }
        } else if (width == L2) {
            if (ks == 1 && ldb == L2) { // the twin: see wholeVectors
                for (; WIDE_TILES && !accumulate && r + 8 <= rows; r += 8) {
                    tile8x2Unit(a, aOff + r * rs, rs, kLen, pb, pbOff, d, dOff + r * ldd, ldd, tv);
                }
                for (; r + 4 <= rows; r += 4) {
                    tile4x2Unit(a, aOff + r * rs, rs, kLen, pb, pbOff, d, dOff + r * ldd, ldd, accumulate, tv);
                }
            }
            // Half a vector: two rows share one accumulator, no lane computes padding. After the Unit twin on
            // purpose: a packed panel with A along k is the full-batch forward, bound by X's stream, where row pairs
            // gained nothing (benchmarks README, session 16); the minibatch GEMMs (B in place, or A strided) gain.
            if (2 * tv == L) {
                for (; WIDE_TILES && !accumulate && r + 8 <= rows; r += 8) {
                    tile8x2Pairs(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd);
                }
            }
            for (; WIDE_TILES && !accumulate && r + 8 <= rows; r += 8) {
                tile8x2(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, tv);
            }
            for (; r + 4 <= rows; r += 4) {
                tile4x2Masked(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate, tv);
            }
            for (; r < rows; r++) {
                tile1xWMasked(a, aOff + r * rs, ks, kLen, pb, pbOff, ldb, L2, d, dOff + r * ldd, accumulate, tv);
            }
        } else if (width == L) {
            if (ks == 1 && ldb == L) { // the twin: see wholeVectors
                for (; !accumulate && r + 8 <= rows; r += 8) {
                    tile8x1MaskedUnit(a, aOff + r * rs, rs, kLen, pb, pbOff, d, dOff + r * ldd, ldd, tv);
                }
            }
            for (; !accumulate && r + 8 <= rows; r += 8) {
                tile8x1Masked(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, tv);
            }
            for (; r + 4 <= rows; r += 4) {
                tile4x1Masked(a, aOff + r * rs, rs, ks, kLen, pb, pbOff, ldb, d, dOff + r * ldd, ldd, accumulate, tv);
            }
            for (; r < rows; r++) {
                tile1xWMasked(a, aOff + r * rs, ks, kLen, pb, pbOff, ldb, L, d, dOff + r * ldd, accumulate, tv);
            }
        } else {
            throw new IllegalArgumentException("gemmPanel: width " + width + " is not 1, 2 or 3 times " + L);
        }
    }

    // The tiles start their chains inline, as {@code acc ? FloatVector.fromArray(F, d, off) : FloatVector.zero(F)}
    // (a row's last vector under the mask of its first tv lanes): only the Vector API's own calls, which C2 inlines
    // late when a method has grown past NodeCountInliningCutoff, where it refuses to inline a helper of ours. A helper
    // left out in a tile gives back a vector of no exact type, and every fma on it is then boxed: an 8-row tile that
    // started its chains through such helpers allocated in 3 of 8 runs (benchmarks/results/ab-2026-12-07-s16.txt).

    /** 4 rows × 3 vectors, any strides (transposed A: the 4 values of one k step are adjacent). */
    private static void tile4x3(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, int ldd, boolean acc) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        FloatVector c00 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c01 = acc ? FloatVector.fromArray(F, d, d0 + L) : FloatVector.zero(F);
        FloatVector c02 = acc ? FloatVector.fromArray(F, d, d0 + L2) : FloatVector.zero(F);
        FloatVector c10 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c11 = acc ? FloatVector.fromArray(F, d, d1 + L) : FloatVector.zero(F);
        FloatVector c12 = acc ? FloatVector.fromArray(F, d, d1 + L2) : FloatVector.zero(F);
        FloatVector c20 = acc ? FloatVector.fromArray(F, d, d2) : FloatVector.zero(F);
        FloatVector c21 = acc ? FloatVector.fromArray(F, d, d2 + L) : FloatVector.zero(F);
        FloatVector c22 = acc ? FloatVector.fromArray(F, d, d2 + L2) : FloatVector.zero(F);
        FloatVector c30 = acc ? FloatVector.fromArray(F, d, d3) : FloatVector.zero(F);
        FloatVector c31 = acc ? FloatVector.fromArray(F, d, d3 + L) : FloatVector.zero(F);
        FloatVector c32 = acc ? FloatVector.fromArray(F, d, d3 + L2) : FloatVector.zero(F);
        int ai = a0;
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, pb, bi + L2);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[ai + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, a[ai + rs2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(F, a[ai + rs3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            ai += ks;
        }
        c00.intoArray(d, d0);
        c01.intoArray(d, d0 + L);
        c02.intoArray(d, d0 + L2);
        c10.intoArray(d, d1);
        c11.intoArray(d, d1 + L);
        c12.intoArray(d, d1 + L2);
        c20.intoArray(d, d2);
        c21.intoArray(d, d2 + L);
        c22.intoArray(d, d2 + L2);
        c30.intoArray(d, d3);
        c31.intoArray(d, d3 + L);
        c32.intoArray(d, d3 + L2);
    }

    /**
     * 8 rows × 3 vectors, any strides: 24 chains in registers, for hosts with 32 vector registers ({@link
     * #WIDE_TILES}). Per step of k it loads the 3 vectors of op(B) once for 8 rows instead of 4, so op(B) (a layer's
     * weights, from L2) is streamed half as often and the loads and broadcasts per fma drop from 7/12 to 11/24. Same
     * chains as {@link #tile4x3}: only the tiling differs.
     */
    private static void tile8x3(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, int ldd, boolean acc) {
        int d1 = d0 + ldd;
        int d2 = d0 + 2 * ldd;
        int d3 = d0 + 3 * ldd;
        int d4 = d0 + 4 * ldd;
        int d5 = d0 + 5 * ldd;
        int d6 = d0 + 6 * ldd;
        int d7 = d0 + 7 * ldd;
        FloatVector c00 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c01 = acc ? FloatVector.fromArray(F, d, d0 + L) : FloatVector.zero(F);
        FloatVector c02 = acc ? FloatVector.fromArray(F, d, d0 + L2) : FloatVector.zero(F);
        FloatVector c10 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c11 = acc ? FloatVector.fromArray(F, d, d1 + L) : FloatVector.zero(F);
        FloatVector c12 = acc ? FloatVector.fromArray(F, d, d1 + L2) : FloatVector.zero(F);
        FloatVector c20 = acc ? FloatVector.fromArray(F, d, d2) : FloatVector.zero(F);
        FloatVector c21 = acc ? FloatVector.fromArray(F, d, d2 + L) : FloatVector.zero(F);
        FloatVector c22 = acc ? FloatVector.fromArray(F, d, d2 + L2) : FloatVector.zero(F);
        FloatVector c30 = acc ? FloatVector.fromArray(F, d, d3) : FloatVector.zero(F);
        FloatVector c31 = acc ? FloatVector.fromArray(F, d, d3 + L) : FloatVector.zero(F);
        FloatVector c32 = acc ? FloatVector.fromArray(F, d, d3 + L2) : FloatVector.zero(F);
        FloatVector c40 = acc ? FloatVector.fromArray(F, d, d4) : FloatVector.zero(F);
        FloatVector c41 = acc ? FloatVector.fromArray(F, d, d4 + L) : FloatVector.zero(F);
        FloatVector c42 = acc ? FloatVector.fromArray(F, d, d4 + L2) : FloatVector.zero(F);
        FloatVector c50 = acc ? FloatVector.fromArray(F, d, d5) : FloatVector.zero(F);
        FloatVector c51 = acc ? FloatVector.fromArray(F, d, d5 + L) : FloatVector.zero(F);
        FloatVector c52 = acc ? FloatVector.fromArray(F, d, d5 + L2) : FloatVector.zero(F);
        FloatVector c60 = acc ? FloatVector.fromArray(F, d, d6) : FloatVector.zero(F);
        FloatVector c61 = acc ? FloatVector.fromArray(F, d, d6 + L) : FloatVector.zero(F);
        FloatVector c62 = acc ? FloatVector.fromArray(F, d, d6 + L2) : FloatVector.zero(F);
        FloatVector c70 = acc ? FloatVector.fromArray(F, d, d7) : FloatVector.zero(F);
        FloatVector c71 = acc ? FloatVector.fromArray(F, d, d7 + L) : FloatVector.zero(F);
        FloatVector c72 = acc ? FloatVector.fromArray(F, d, d7 + L2) : FloatVector.zero(F);
        int ai = a0;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, pb, bi + L2);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[ai + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, a[ai + 2 * rs]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(F, a[ai + 3 * rs]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(F, a[ai + 4 * rs]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(F, a[ai + 5 * rs]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(F, a[ai + 6 * rs]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(F, a[ai + 7 * rs]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
            ai += ks;
        }
        c00.intoArray(d, d0);
        c01.intoArray(d, d0 + L);
        c02.intoArray(d, d0 + L2);
        c10.intoArray(d, d1);
        c11.intoArray(d, d1 + L);
        c12.intoArray(d, d1 + L2);
        c20.intoArray(d, d2);
        c21.intoArray(d, d2 + L);
        c22.intoArray(d, d2 + L2);
        c30.intoArray(d, d3);
        c31.intoArray(d, d3 + L);
        c32.intoArray(d, d3 + L2);
        c40.intoArray(d, d4);
        c41.intoArray(d, d4 + L);
        c42.intoArray(d, d4 + L2);
        c50.intoArray(d, d5);
        c51.intoArray(d, d5 + L);
        c52.intoArray(d, d5 + L2);
        c60.intoArray(d, d6);
        c61.intoArray(d, d6 + L);
        c62.intoArray(d, d6 + L2);
        c70.intoArray(d, d7);
        c71.intoArray(d, d7 + L);
        c72.intoArray(d, d7 + L2);
    }

    /**
     * 2 rows × 3 vectors: the rows a 4-row tiling leaves (10 classes as the rows of ∂Wᵀ: 4 + 4 + 2), with 6 chains
     * where two 1-row passes would have 3 each, a third of what the FMA units take. Same chains as {@link #tile1x3}.
     */
    private static void tile2x3(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, int ldd, boolean acc) {
        int d1 = d0 + ldd;
        FloatVector c00 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c01 = acc ? FloatVector.fromArray(F, d, d0 + L) : FloatVector.zero(F);
        FloatVector c02 = acc ? FloatVector.fromArray(F, d, d0 + L2) : FloatVector.zero(F);
        FloatVector c10 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c11 = acc ? FloatVector.fromArray(F, d, d1 + L) : FloatVector.zero(F);
        FloatVector c12 = acc ? FloatVector.fromArray(F, d, d1 + L2) : FloatVector.zero(F);
        int ai = a0;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, pb, bi + L2);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[ai + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            ai += ks;
        }
        c00.intoArray(d, d0);
        c01.intoArray(d, d0 + L);
        c02.intoArray(d, d0 + L2);
        c10.intoArray(d, d1);
        c11.intoArray(d, d1 + L);
        c12.intoArray(d, d1 + L2);
    }

    private static void tile1x3(float[] a, int a0, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, boolean acc) {
        FloatVector c0 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c1 = acc ? FloatVector.fromArray(F, d, d0 + L) : FloatVector.zero(F);
        FloatVector c2 = acc ? FloatVector.fromArray(F, d, d0 + L2) : FloatVector.zero(F);
        int ai = a0;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c0 = x.fma(FloatVector.fromArray(F, pb, bi), c0);
            c1 = x.fma(FloatVector.fromArray(F, pb, bi + L), c1);
            c2 = x.fma(FloatVector.fromArray(F, pb, bi + L2), c2);
            ai += ks;
        }
        c0.intoArray(d, d0);
        c1.intoArray(d, d0 + L);
        c2.intoArray(d, d0 + L2);
    }

    private static void tile4x2(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, int ldd, boolean acc) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        FloatVector c00 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c01 = acc ? FloatVector.fromArray(F, d, d0 + L) : FloatVector.zero(F);
        FloatVector c10 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c11 = acc ? FloatVector.fromArray(F, d, d1 + L) : FloatVector.zero(F);
        FloatVector c20 = acc ? FloatVector.fromArray(F, d, d2) : FloatVector.zero(F);
        FloatVector c21 = acc ? FloatVector.fromArray(F, d, d2 + L) : FloatVector.zero(F);
        FloatVector c30 = acc ? FloatVector.fromArray(F, d, d3) : FloatVector.zero(F);
        FloatVector c31 = acc ? FloatVector.fromArray(F, d, d3 + L) : FloatVector.zero(F);
        int ai = a0;
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + rs2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + rs3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            ai += ks;
        }
        c00.intoArray(d, d0);
        c01.intoArray(d, d0 + L);
        c10.intoArray(d, d1);
        c11.intoArray(d, d1 + L);
        c20.intoArray(d, d2);
        c21.intoArray(d, d2 + L);
        c30.intoArray(d, d3);
        c31.intoArray(d, d3 + L);
    }

    private static void tile4x1(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, int ldd, boolean acc) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        FloatVector c0 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c1 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c2 = acc ? FloatVector.fromArray(F, d, d2) : FloatVector.zero(F);
        FloatVector c3 = acc ? FloatVector.fromArray(F, d, d3) : FloatVector.zero(F);
        int ai = a0;
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b = FloatVector.fromArray(F, pb, pbOff + kk * ldb);
            c0 = FloatVector.broadcast(F, a[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(F, a[ai + rs]).fma(b, c1);
            c2 = FloatVector.broadcast(F, a[ai + rs2]).fma(b, c2);
            c3 = FloatVector.broadcast(F, a[ai + rs3]).fma(b, c3);
            ai += ks;
        }
        c0.intoArray(d, d0);
        c1.intoArray(d, d1);
        c2.intoArray(d, d2);
        c3.intoArray(d, d3);
    }

    /**
     * 8 rows × 1 vector, any strides: for C one vector wide (8 classes at 256 bits, 16 at 512), where 4 rows would
     * leave half of the FMA units idle (4 chains against an fma latency of 4 cycles at 2 issues a cycle). Same chains
     * as {@link #tile4x1}: only the tiling differs.
     */
    private static void tile8x1(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, int ldd, boolean acc) {
        FloatVector c0 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c1 = acc ? FloatVector.fromArray(F, d, d0 + ldd) : FloatVector.zero(F);
        FloatVector c2 = acc ? FloatVector.fromArray(F, d, d0 + 2 * ldd) : FloatVector.zero(F);
        FloatVector c3 = acc ? FloatVector.fromArray(F, d, d0 + 3 * ldd) : FloatVector.zero(F);
        FloatVector c4 = acc ? FloatVector.fromArray(F, d, d0 + 4 * ldd) : FloatVector.zero(F);
        FloatVector c5 = acc ? FloatVector.fromArray(F, d, d0 + 5 * ldd) : FloatVector.zero(F);
        FloatVector c6 = acc ? FloatVector.fromArray(F, d, d0 + 6 * ldd) : FloatVector.zero(F);
        FloatVector c7 = acc ? FloatVector.fromArray(F, d, d0 + 7 * ldd) : FloatVector.zero(F);
        int ai = a0;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b = FloatVector.fromArray(F, pb, pbOff + kk * ldb);
            c0 = FloatVector.broadcast(F, a[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(F, a[ai + rs]).fma(b, c1);
            c2 = FloatVector.broadcast(F, a[ai + 2 * rs]).fma(b, c2);
            c3 = FloatVector.broadcast(F, a[ai + 3 * rs]).fma(b, c3);
            c4 = FloatVector.broadcast(F, a[ai + 4 * rs]).fma(b, c4);
            c5 = FloatVector.broadcast(F, a[ai + 5 * rs]).fma(b, c5);
            c6 = FloatVector.broadcast(F, a[ai + 6 * rs]).fma(b, c6);
            c7 = FloatVector.broadcast(F, a[ai + 7 * rs]).fma(b, c7);
            ai += ks;
        }
        c0.intoArray(d, d0);
        c1.intoArray(d, d0 + ldd);
        c2.intoArray(d, d0 + 2 * ldd);
        c3.intoArray(d, d0 + 3 * ldd);
        c4.intoArray(d, d0 + 4 * ldd);
        c5.intoArray(d, d0 + 5 * ldd);
        c6.intoArray(d, d0 + 6 * ldd);
        c7.intoArray(d, d0 + 7 * ldd);
    }

    /** {@link #tile8x1} where {@link #tile8x1MaskedUnit} applies: the same chains, bounds checked before the loop. */
    private static void tile8x1Unit(float[] a, int a0, int rs, int kLen, float[] pb, int pbOff, float[] d, int d0,
            int ldd, boolean acc) {
        FloatVector c0 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c1 = acc ? FloatVector.fromArray(F, d, d0 + ldd) : FloatVector.zero(F);
        FloatVector c2 = acc ? FloatVector.fromArray(F, d, d0 + 2 * ldd) : FloatVector.zero(F);
        FloatVector c3 = acc ? FloatVector.fromArray(F, d, d0 + 3 * ldd) : FloatVector.zero(F);
        FloatVector c4 = acc ? FloatVector.fromArray(F, d, d0 + 4 * ldd) : FloatVector.zero(F);
        FloatVector c5 = acc ? FloatVector.fromArray(F, d, d0 + 5 * ldd) : FloatVector.zero(F);
        FloatVector c6 = acc ? FloatVector.fromArray(F, d, d0 + 6 * ldd) : FloatVector.zero(F);
        FloatVector c7 = acc ? FloatVector.fromArray(F, d, d0 + 7 * ldd) : FloatVector.zero(F);
        int a1 = a0 + rs;
        int a2 = a0 + 2 * rs;
        int a3 = a0 + 3 * rs;
        int a4 = a0 + 4 * rs;
        int a5 = a0 + 5 * rs;
        int a6 = a0 + 6 * rs;
        int a7 = a0 + 7 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b = FloatVector.fromArray(F, pb, pbOff + kk * L);
            c0 = FloatVector.broadcast(F, a[a0 + kk]).fma(b, c0);
            c1 = FloatVector.broadcast(F, a[a1 + kk]).fma(b, c1);
            c2 = FloatVector.broadcast(F, a[a2 + kk]).fma(b, c2);
            c3 = FloatVector.broadcast(F, a[a3 + kk]).fma(b, c3);
            c4 = FloatVector.broadcast(F, a[a4 + kk]).fma(b, c4);
            c5 = FloatVector.broadcast(F, a[a5 + kk]).fma(b, c5);
            c6 = FloatVector.broadcast(F, a[a6 + kk]).fma(b, c6);
            c7 = FloatVector.broadcast(F, a[a7 + kk]).fma(b, c7);
        }
        c0.intoArray(d, d0);
        c1.intoArray(d, d0 + ldd);
        c2.intoArray(d, d0 + 2 * ldd);
        c3.intoArray(d, d0 + 3 * ldd);
        c4.intoArray(d, d0 + 4 * ldd);
        c5.intoArray(d, d0 + 5 * ldd);
        c6.intoArray(d, d0 + 6 * ldd);
        c7.intoArray(d, d0 + 7 * ldd);
    }

    private static void tile1xW(float[] a, int a0, int ks, int kLen, float[] pb, int pbOff, int ldb, int width,
            float[] d, int d0, boolean acc) {
        for (int v = 0; v < width; v += L) {
            FloatVector c = acc ? FloatVector.fromArray(F, d, d0 + v) : FloatVector.zero(F);
            int ai = a0;
            for (int kk = 0; kk < kLen; kk++) {
                c = FloatVector.broadcast(F, a[ai]).fma(FloatVector.fromArray(F, pb, pbOff + kk * ldb + v), c);
                ai += ks;
            }
            c.intoArray(d, d0 + v);
        }
    }

    // The masked twins of the tiles above: the same chains, with each row's last vector read (when accumulating) and
    // stored under the mask of its first tv lanes. Separate methods, so that the tiles of whole vectors keep their
    // code: masked stores and their branch inside the same methods slow the whole-vector minibatch GEMMs (GemmBench).

    /** {@link #tile4x3} with a masked last vector. */
    private static void tile4x3Masked(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb,
            float[] d, int d0, int ldd, boolean acc, int tv) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        FloatVector c00 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c01 = acc ? FloatVector.fromArray(F, d, d0 + L) : FloatVector.zero(F);
        FloatVector c02 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d0 + L2, F.indexInRange(0, tv));
        FloatVector c10 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c11 = acc ? FloatVector.fromArray(F, d, d1 + L) : FloatVector.zero(F);
        FloatVector c12 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d1 + L2, F.indexInRange(0, tv));
        FloatVector c20 = acc ? FloatVector.fromArray(F, d, d2) : FloatVector.zero(F);
        FloatVector c21 = acc ? FloatVector.fromArray(F, d, d2 + L) : FloatVector.zero(F);
        FloatVector c22 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d2 + L2, F.indexInRange(0, tv));
        FloatVector c30 = acc ? FloatVector.fromArray(F, d, d3) : FloatVector.zero(F);
        FloatVector c31 = acc ? FloatVector.fromArray(F, d, d3 + L) : FloatVector.zero(F);
        FloatVector c32 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d3 + L2, F.indexInRange(0, tv));
        int ai = a0;
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, pb, bi + L2);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[ai + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, a[ai + rs2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(F, a[ai + rs3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            ai += ks;
        }
        c00.intoArray(d, d0);
        c01.intoArray(d, d0 + L);
        c10.intoArray(d, d1);
        c11.intoArray(d, d1 + L);
        c20.intoArray(d, d2);
        c21.intoArray(d, d2 + L);
        c30.intoArray(d, d3);
        c31.intoArray(d, d3 + L);
        if (tv == L) {
            c02.intoArray(d, d0 + L2);
            c12.intoArray(d, d1 + L2);
            c22.intoArray(d, d2 + L2);
            c32.intoArray(d, d3 + L2);
        } else {
            VectorMask<Float> m = F.indexInRange(0, tv);
            c02.intoArray(d, d0 + L2, m);
            c12.intoArray(d, d1 + L2, m);
            c22.intoArray(d, d2 + L2, m);
            c32.intoArray(d, d3 + L2, m);
        }
    }

    private static void tile1x3Masked(float[] a, int a0, int ks, int kLen, float[] pb, int pbOff, int ldb,
            float[] d, int d0, boolean acc, int tv) {
        FloatVector c0 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c1 = acc ? FloatVector.fromArray(F, d, d0 + L) : FloatVector.zero(F);
        FloatVector c2 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d0 + L2, F.indexInRange(0, tv));
        int ai = a0;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c0 = x.fma(FloatVector.fromArray(F, pb, bi), c0);
            c1 = x.fma(FloatVector.fromArray(F, pb, bi + L), c1);
            c2 = x.fma(FloatVector.fromArray(F, pb, bi + L2), c2);
            ai += ks;
        }
        c0.intoArray(d, d0);
        c1.intoArray(d, d0 + L);
        if (tv == L) {
            c2.intoArray(d, d0 + L2);
        } else {
            c2.intoArray(d, d0 + L2, F.indexInRange(0, tv));
        }
    }

    private static void tile4x2Masked(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb,
            float[] d, int d0, int ldd, boolean acc, int tv) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        FloatVector c00 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c01 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d0 + L, F.indexInRange(0, tv));
        FloatVector c10 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c11 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d1 + L, F.indexInRange(0, tv));
        FloatVector c20 = acc ? FloatVector.fromArray(F, d, d2) : FloatVector.zero(F);
        FloatVector c21 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d2 + L, F.indexInRange(0, tv));
        FloatVector c30 = acc ? FloatVector.fromArray(F, d, d3) : FloatVector.zero(F);
        FloatVector c31 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d3 + L, F.indexInRange(0, tv));
        int ai = a0;
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            int bi = pbOff + kk * ldb;
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + rs2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + rs3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            ai += ks;
        }
        c00.intoArray(d, d0);
        c10.intoArray(d, d1);
        c20.intoArray(d, d2);
        c30.intoArray(d, d3);
        if (tv == L) {
            c01.intoArray(d, d0 + L);
            c11.intoArray(d, d1 + L);
            c21.intoArray(d, d2 + L);
            c31.intoArray(d, d3 + L);
        } else {
            VectorMask<Float> m = F.indexInRange(0, tv);
            c01.intoArray(d, d0 + L, m);
            c11.intoArray(d, d1 + L, m);
            c21.intoArray(d, d2 + L, m);
            c31.intoArray(d, d3 + L, m);
        }
    }

    /**
     * {@link #tile4x2} and {@link #tile4x2Masked} for A's rows along k ({@code ks == 1}) and a packed two-vector panel
     * ({@code ldb == 2L}): the forward GEMM of 10 or 16 classes at 256 bits, 24 or 32 at 512 (chosen by the
     * callers). As in {@link #tile8x1MaskedUnit}, every index is the loop counter times a constant plus an invariant,
     * so C2 can check the bounds before the loop. Each broadcast feeds two fmas here, against one in the 8-row tile of one vector. The
     * same chains as the general tiles, so the same bits.
     */
    private static void tile4x2Unit(float[] a, int a0, int rs, int kLen, float[] pb, int pbOff, float[] d, int d0,
            int ldd, boolean acc, int tv) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        FloatVector c00 = acc ? FloatVector.fromArray(F, d, d0) : FloatVector.zero(F);
        FloatVector c01 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d0 + L, F.indexInRange(0, tv));
        FloatVector c10 = acc ? FloatVector.fromArray(F, d, d1) : FloatVector.zero(F);
        FloatVector c11 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d1 + L, F.indexInRange(0, tv));
        FloatVector c20 = acc ? FloatVector.fromArray(F, d, d2) : FloatVector.zero(F);
        FloatVector c21 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d2 + L, F.indexInRange(0, tv));
        FloatVector c30 = acc ? FloatVector.fromArray(F, d, d3) : FloatVector.zero(F);
        FloatVector c31 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d3 + L, F.indexInRange(0, tv));
        int a1 = a0 + rs;
        int a2 = a1 + rs;
        int a3 = a2 + rs;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b0 = FloatVector.fromArray(F, pb, pbOff + kk * L2);
            FloatVector b1 = FloatVector.fromArray(F, pb, pbOff + kk * L2 + L);
            FloatVector x = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(d, d0);
        c10.intoArray(d, d1);
        c20.intoArray(d, d2);
        c30.intoArray(d, d3);
        if (tv == L) {
            c01.intoArray(d, d0 + L);
            c11.intoArray(d, d1 + L);
            c21.intoArray(d, d2 + L);
            c31.intoArray(d, d3 + L);
        } else {
            VectorMask<Float> m = F.indexInRange(0, tv);
            c01.intoArray(d, d0 + L, m);
            c11.intoArray(d, d1 + L, m);
            c21.intoArray(d, d2 + L, m);
            c31.intoArray(d, d3 + L, m);
        }
    }

    /**
     * {@link #tile4x2Unit} with 8 rows and chains from +0 (the forward GEMM, which never accumulates), for hosts
     * with 32 vector registers ({@link #WIDE_TILES}): 16 chains where the 4-row tile has 8, just what two FMA units of
     * 4 cycles' latency need in flight, so that any stall shows. On a CPU with two full-width 512-bit FMA units (AMD
     * Zen 5) the forward GEMM of 24 classes at 512 bits ran 1.5 times as fast from L2 with this tile (170 against 113
     * GFLOP/s, one thread), and 1.2 times as fast with X streamed from memory. Same chains as the 4-row tile, so the
     * same bits.
     *
     * <p>No {@code accumulate} (nothing that runs this tile accumulates). Its first version started its chains
     * through two helpers, {@code start} and {@code startLast}, since written inline in every tile: C2 sometimes
     * stopped inlining those 16 calls at NodeCountInliningCutoff, the accumulators it had not inlined lost their exact
     * vector type, and every fma of the loop was boxed: 3 of 8 runs of a full-batch call took 100-146 ms against
     * 15-20, with hundreds of GCs.
     */
    private static void tile8x2Unit(float[] a, int a0, int rs, int kLen, float[] pb, int pbOff, float[] d, int d0,
            int ldd, int tv) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        int d4 = d3 + ldd;
        int d5 = d4 + ldd;
        int d6 = d5 + ldd;
        int d7 = d6 + ldd;
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F);
        FloatVector c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F);
        FloatVector c71 = FloatVector.zero(F);
        int a1 = a0 + rs;
        int a2 = a1 + rs;
        int a3 = a2 + rs;
        int a4 = a3 + rs;
        int a5 = a4 + rs;
        int a6 = a5 + rs;
        int a7 = a6 + rs;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b0 = FloatVector.fromArray(F, pb, pbOff + kk * L2);
            FloatVector b1 = FloatVector.fromArray(F, pb, pbOff + kk * L2 + L);
            FloatVector x = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[a6 + kk]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[a7 + kk]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(d, d0);
        c10.intoArray(d, d1);
        c20.intoArray(d, d2);
        c30.intoArray(d, d3);
        c40.intoArray(d, d4);
        c50.intoArray(d, d5);
        c60.intoArray(d, d6);
        c70.intoArray(d, d7);
        if (tv == L) {
            c01.intoArray(d, d0 + L);
            c11.intoArray(d, d1 + L);
            c21.intoArray(d, d2 + L);
            c31.intoArray(d, d3 + L);
            c41.intoArray(d, d4 + L);
            c51.intoArray(d, d5 + L);
            c61.intoArray(d, d6 + L);
            c71.intoArray(d, d7 + L);
        } else {
            VectorMask<Float> m = F.indexInRange(0, tv);
            c01.intoArray(d, d0 + L, m);
            c11.intoArray(d, d1 + L, m);
            c21.intoArray(d, d2 + L, m);
            c31.intoArray(d, d3 + L, m);
            c41.intoArray(d, d4 + L, m);
            c51.intoArray(d, d5 + L, m);
            c61.intoArray(d, d6 + L, m);
            c71.intoArray(d, d7 + L, m);
        }
    }

    /**
     * {@link #tile8x2Unit} for any strides: A's values of one k step {@code rs} apart and k steps {@code ks} apart, B's
     * rows {@code ldb} apart. It runs the minibatch weight gradient {@code X^T·G} (A = X read down its columns: the 8
     * values of a k step are adjacent, k steps a row apart) and the forward GEMM with a narrow B read in place (10
     * classes at 256 bits: rows 10 floats apart, the second vector's spare lanes reading the next row, or the tensor's
     * slack after the last, and never stored); a last vector of exactly half its lanes (24 classes at 512 bits) takes
     * {@link #tile8x2Pairs}. 16 chains where {@link #tile4x2Masked} has 8: on AMD Zen 5 at 512 bits the 4-row tile's 8
     * chains left half of the two FMA units idle. No {@code accumulate}; same chains as the 4-row tile, so the same
     * bits.
     */
    private static void tile8x2(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb, float[] d,
            int d0, int ldd, int tv) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        int d4 = d3 + ldd;
        int d5 = d4 + ldd;
        int d6 = d5 + ldd;
        int d7 = d6 + ldd;
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F);
        FloatVector c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F);
        FloatVector c71 = FloatVector.zero(F);
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        int rs4 = 4 * rs;
        int rs5 = 5 * rs;
        int rs6 = 6 * rs;
        int rs7 = 7 * rs;
        int ai = a0;
        int bi = pbOff;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + rs2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + rs3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ai + rs4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ai + rs5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[ai + rs6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[ai + rs7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            ai += ks;
            bi += ldb;
        }
        c00.intoArray(d, d0);
        c10.intoArray(d, d1);
        c20.intoArray(d, d2);
        c30.intoArray(d, d3);
        c40.intoArray(d, d4);
        c50.intoArray(d, d5);
        c60.intoArray(d, d6);
        c70.intoArray(d, d7);
        if (tv == L) {
            c01.intoArray(d, d0 + L);
            c11.intoArray(d, d1 + L);
            c21.intoArray(d, d2 + L);
            c31.intoArray(d, d3 + L);
            c41.intoArray(d, d4 + L);
            c51.intoArray(d, d5 + L);
            c61.intoArray(d, d6 + L);
            c71.intoArray(d, d7 + L);
        } else {
            VectorMask<Float> m = F.indexInRange(0, tv);
            c01.intoArray(d, d0 + L, m);
            c11.intoArray(d, d1 + L, m);
            c21.intoArray(d, d2 + L, m);
            c31.intoArray(d, d3 + L, m);
            c41.intoArray(d, d4 + L, m);
            c51.intoArray(d, d5 + L, m);
            c61.intoArray(d, d6 + L, m);
            c71.intoArray(d, d7 + L, m);
        }
    }

    /**
     * {@link #tile8x2} for a last vector of exactly half its lanes (24 classes at 512 bits, 12 at 256), any strides:
     * two rows' last half vectors share one accumulator, row r's in the lower half and row r + 1's in the upper, so
     * that no lane computes padding. Per k step: 12 fmas where the 8-row tile has 16 (a quarter of them on lanes never
     * stored), plus one shuffle that doubles the B row's half vector and a blend of two rows' broadcasts per pair.
     * Each stored element is the same fma chain as in the other tiles, so the same bits. No {@code accumulate}. On AMD
     * Zen 5 at 512 bits, from cache, against {@link #tile8x2}: a batch-16 weight gradient (98 tiles of 16 k steps)
     * 4.54-4.61 → 4.13-4.22 µs, its forward GEMM (2 tiles of 784) 3.54-3.61 → 3.20 µs (fastest of 25 alternating
     * rounds, two runs).
     */
    private static void tile8x2Pairs(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb,
            float[] d, int d0, int ldd) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F);
        FloatVector c5 = FloatVector.zero(F);
        FloatVector c6 = FloatVector.zero(F);
        FloatVector c7 = FloatVector.zero(F);
        FloatVector t01 = FloatVector.zero(F);
        FloatVector t23 = FloatVector.zero(F);
        FloatVector t45 = FloatVector.zero(F);
        FloatVector t67 = FloatVector.zero(F);
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        int rs4 = 4 * rs;
        int rs5 = 5 * rs;
        int rs6 = 6 * rs;
        int rs7 = 7 * rs;
        int ai = a0;
        int bi = pbOff;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector bt = FloatVector.fromArray(F, pb, bi + L).rearrange(LOW_HALF_TWICE);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            FloatVector y = FloatVector.broadcast(F, a[ai + rs]);
            c0 = x.fma(b0, c0);
            c1 = y.fma(b0, c1);
            t01 = x.blend(y, UPPER_HALF).fma(bt, t01);
            x = FloatVector.broadcast(F, a[ai + rs2]);
            y = FloatVector.broadcast(F, a[ai + rs3]);
            c2 = x.fma(b0, c2);
            c3 = y.fma(b0, c3);
            t23 = x.blend(y, UPPER_HALF).fma(bt, t23);
            x = FloatVector.broadcast(F, a[ai + rs4]);
            y = FloatVector.broadcast(F, a[ai + rs5]);
            c4 = x.fma(b0, c4);
            c5 = y.fma(b0, c5);
            t45 = x.blend(y, UPPER_HALF).fma(bt, t45);
            x = FloatVector.broadcast(F, a[ai + rs6]);
            y = FloatVector.broadcast(F, a[ai + rs7]);
            c6 = x.fma(b0, c6);
            c7 = y.fma(b0, c7);
            t67 = x.blend(y, UPPER_HALF).fma(bt, t67);
            ai += ks;
            bi += ldb;
        }
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        int d4 = d3 + ldd;
        int d5 = d4 + ldd;
        int d6 = d5 + ldd;
        int d7 = d6 + ldd;
        c0.intoArray(d, d0);
        c1.intoArray(d, d1);
        c2.intoArray(d, d2);
        c3.intoArray(d, d3);
        c4.intoArray(d, d4);
        c5.intoArray(d, d5);
        c6.intoArray(d, d6);
        c7.intoArray(d, d7);
        t01.intoArray(d, d0 + L, LOWER_HALF);
        t01.rearrange(ROT_HALF).intoArray(d, d1 + L, LOWER_HALF);
        t23.intoArray(d, d2 + L, LOWER_HALF);
        t23.rearrange(ROT_HALF).intoArray(d, d3 + L, LOWER_HALF);
        t45.intoArray(d, d4 + L, LOWER_HALF);
        t45.rearrange(ROT_HALF).intoArray(d, d5 + L, LOWER_HALF);
        t67.intoArray(d, d6 + L, LOWER_HALF);
        t67.rearrange(ROT_HALF).intoArray(d, d7 + L, LOWER_HALF);
    }

    private static void tile4x1Masked(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb,
            float[] d, int d0, int ldd, boolean acc, int tv) {
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        FloatVector c0 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d0, F.indexInRange(0, tv));
        FloatVector c1 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d1, F.indexInRange(0, tv));
        FloatVector c2 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d2, F.indexInRange(0, tv));
        FloatVector c3 = !acc ? FloatVector.zero(F) : FloatVector.fromArray(F, d, d3, F.indexInRange(0, tv));
        int ai = a0;
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b = FloatVector.fromArray(F, pb, pbOff + kk * ldb);
            c0 = FloatVector.broadcast(F, a[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(F, a[ai + rs]).fma(b, c1);
            c2 = FloatVector.broadcast(F, a[ai + rs2]).fma(b, c2);
            c3 = FloatVector.broadcast(F, a[ai + rs3]).fma(b, c3);
            ai += ks;
        }
        if (tv == L) {
            c0.intoArray(d, d0);
            c1.intoArray(d, d1);
            c2.intoArray(d, d2);
            c3.intoArray(d, d3);
        } else {
            VectorMask<Float> m = F.indexInRange(0, tv);
            c0.intoArray(d, d0, m);
            c1.intoArray(d, d1, m);
            c2.intoArray(d, d2, m);
            c3.intoArray(d, d3, m);
        }
    }

    /**
     * {@link #tile8x1} with each row stored under the mask of its first tv lanes, from +0 only (the paths that
     * accumulate into C's partials always store whole vectors): without the masked reads of C the tile stays small
     * enough for C2 to inline every Vector API call, so nothing is boxed.
     */
    private static void tile8x1Masked(float[] a, int a0, int rs, int ks, int kLen, float[] pb, int pbOff, int ldb,
            float[] d, int d0, int ldd, int tv) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        int ai = a0;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b = FloatVector.fromArray(F, pb, pbOff + kk * ldb);
            c0 = FloatVector.broadcast(F, a[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(F, a[ai + rs]).fma(b, c1);
            c2 = FloatVector.broadcast(F, a[ai + 2 * rs]).fma(b, c2);
            c3 = FloatVector.broadcast(F, a[ai + 3 * rs]).fma(b, c3);
            c4 = FloatVector.broadcast(F, a[ai + 4 * rs]).fma(b, c4);
            c5 = FloatVector.broadcast(F, a[ai + 5 * rs]).fma(b, c5);
            c6 = FloatVector.broadcast(F, a[ai + 6 * rs]).fma(b, c6);
            c7 = FloatVector.broadcast(F, a[ai + 7 * rs]).fma(b, c7);
            ai += ks;
        }
        VectorMask<Float> m = F.indexInRange(0, tv);
        c0.intoArray(d, d0, m);
        c1.intoArray(d, d0 + ldd, m);
        c2.intoArray(d, d0 + 2 * ldd, m);
        c3.intoArray(d, d0 + 3 * ldd, m);
        c4.intoArray(d, d0 + 4 * ldd, m);
        c5.intoArray(d, d0 + 5 * ldd, m);
        c6.intoArray(d, d0 + 6 * ldd, m);
        c7.intoArray(d, d0 + 7 * ldd, m);
    }

    /**
     * {@link #tile8x1Masked} for A's rows along k ({@code ks == 1}) and a packed one-vector panel ({@code ldb == L}),
     * the forward GEMM of 10 classes at 512 bits ({@link #tile8x1Unit}: 16 classes at 512 bits, 8 at 256). Every index
     * is the loop counter times a constant plus an invariant, the form C2's range-check elimination needs, so its
     * bounds can be checked before the loop; the general tile's strides are variables. Measured, not derived from the
     * generated code: the fused 10-class call alone, 2 threads, 10.6-11.6 ms before and 9.1-9.8 ms after, while after
     * other GEMMs had run first the general tile was as fast (benchmarks README, "Bounds checks in the 8-row tile").
     * The same chains as the general tile, so the same bits.
     */
    private static void tile8x1MaskedUnit(float[] a, int a0, int rs, int kLen, float[] pb, int pbOff, float[] d,
            int d0, int ldd, int tv) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        int a1 = a0 + rs;
        int a2 = a0 + 2 * rs;
        int a3 = a0 + 3 * rs;
        int a4 = a0 + 4 * rs;
        int a5 = a0 + 5 * rs;
        int a6 = a0 + 6 * rs;
        int a7 = a0 + 7 * rs;
        for (int kk = 0; kk < kLen; kk++) {
            FloatVector b = FloatVector.fromArray(F, pb, pbOff + kk * L);
            c0 = FloatVector.broadcast(F, a[a0 + kk]).fma(b, c0);
            c1 = FloatVector.broadcast(F, a[a1 + kk]).fma(b, c1);
            c2 = FloatVector.broadcast(F, a[a2 + kk]).fma(b, c2);
            c3 = FloatVector.broadcast(F, a[a3 + kk]).fma(b, c3);
            c4 = FloatVector.broadcast(F, a[a4 + kk]).fma(b, c4);
            c5 = FloatVector.broadcast(F, a[a5 + kk]).fma(b, c5);
            c6 = FloatVector.broadcast(F, a[a6 + kk]).fma(b, c6);
            c7 = FloatVector.broadcast(F, a[a7 + kk]).fma(b, c7);
        }
        VectorMask<Float> m = F.indexInRange(0, tv);
        c0.intoArray(d, d0, m);
        c1.intoArray(d, d0 + ldd, m);
        c2.intoArray(d, d0 + 2 * ldd, m);
        c3.intoArray(d, d0 + 3 * ldd, m);
        c4.intoArray(d, d0 + 4 * ldd, m);
        c5.intoArray(d, d0 + 5 * ldd, m);
        c6.intoArray(d, d0 + 6 * ldd, m);
        c7.intoArray(d, d0 + 7 * ldd, m);
    }

    private static void tile1xWMasked(float[] a, int a0, int ks, int kLen, float[] pb, int pbOff, int ldb, int width,
            float[] d, int d0, boolean acc, int tv) {
        for (int v = 0; v < width; v += L) {
            boolean last = v + L == width;
            FloatVector c = !acc ? FloatVector.zero(F)
                    : last ? FloatVector.fromArray(F, d, d0 + v, F.indexInRange(0, tv))
                    : FloatVector.fromArray(F, d, d0 + v);
            int ai = a0;
            for (int kk = 0; kk < kLen; kk++) {
                c = FloatVector.broadcast(F, a[ai]).fma(FloatVector.fromArray(F, pb, pbOff + kk * ldb + v), c);
                ai += ks;
            }
            if (!last || tv == L) {
                c.intoArray(d, d0 + v);
            } else {
                c.intoArray(d, d0 + v, F.indexInRange(0, tv));
            }
        }
    }

    // ================================================================== elementwise

    @Override
    public void addChunks(float[] p, int off, int stride, int chunks, float[] out, int outOff, int len) {
        // Four vectors at a time: four independent chains of adds (each element's own chain is in chunk order).
        int i = 0;
        for (; i + 4 * L <= len; i += 4 * L) {
            int o = off + i;
            FloatVector s0 = FloatVector.fromArray(F, p, o);
            FloatVector s1 = FloatVector.fromArray(F, p, o + L);
            FloatVector s2 = FloatVector.fromArray(F, p, o + 2 * L);
            FloatVector s3 = FloatVector.fromArray(F, p, o + 3 * L);
            for (int ch = 1; ch < chunks; ch++) {
                o += stride;
                s0 = s0.add(FloatVector.fromArray(F, p, o));
                s1 = s1.add(FloatVector.fromArray(F, p, o + L));
                s2 = s2.add(FloatVector.fromArray(F, p, o + 2 * L));
                s3 = s3.add(FloatVector.fromArray(F, p, o + 3 * L));
            }
            s0.intoArray(out, outOff + i);
            s1.intoArray(out, outOff + i + L);
            s2.intoArray(out, outOff + i + 2 * L);
            s3.intoArray(out, outOff + i + 3 * L);
        }
        for (; i + L <= len; i += L) {
            int o = off + i;
            FloatVector s0 = FloatVector.fromArray(F, p, o);
            for (int ch = 1; ch < chunks; ch++) {
                o += stride;
                s0 = s0.add(FloatVector.fromArray(F, p, o));
            }
            s0.intoArray(out, outOff + i);
        }
        TAIL.addChunks(p, off + i, stride, chunks, out, outOff + i, len - i);
    }

    @Override
    public void axpy(float alpha, float[] x, float[] y, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (; i < bound; i += L) {
            va.fma(FloatVector.fromArray(F, x, i), FloatVector.fromArray(F, y, i)).intoArray(y, i);
        }
        TAIL.axpy(alpha, x, y, i, to);
    }

    @Override
    public void scale(float alpha, float[] x, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector.fromArray(F, x, i).mul(alpha).intoArray(x, i);
        }
        TAIL.scale(alpha, x, i, to);
    }

    @Override
    public void multiply(float[] a, float[] b, float[] out, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector.fromArray(F, a, i).mul(FloatVector.fromArray(F, b, i)).intoArray(out, i);
        }
        TAIL.multiply(a, b, out, i, to);
    }

    @Override
    public void clamp(float[] x, float lo, float hi, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector.fromArray(F, x, i).max(lo).min(hi).intoArray(x, i);
        }
        TAIL.clamp(x, lo, hi, i, to);
    }

    @Override
    public void relu(float[] x, float[] out, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector.fromArray(F, x, i).max(0f).intoArray(out, i);
        }
        TAIL.relu(x, out, i, to);
    }

    @Override
    public void reluBackward(float[] gradOut, float[] activation, float[] gradIn, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector zero = FloatVector.zero(F);
        for (; i < bound; i += L) {
            VectorMask<Float> active = FloatVector.fromArray(F, activation, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(F, gradOut, i), active).intoArray(gradIn, i);
        }
        TAIL.reluBackward(gradOut, activation, gradIn, i, to);
    }

    @Override
    public void addRowVector(float[] x, float[] bias, int cols, int rowFrom, int rowTo) {
        int bound = F.loopBound(cols);
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            int c = 0;
            for (; c < bound; c += L) {
                FloatVector.fromArray(F, x, off + c).add(FloatVector.fromArray(F, bias, c)).intoArray(x, off + c);
            }
            for (; c < cols; c++) {
                x[off + c] += bias[c];
            }
        }
    }

    @Override
    public void columnSums(float[] x, int cols, int rowFrom, int rowTo, int colFrom, int colTo, double[] acc) {
        int c = colFrom;
        // Three float vectors of columns (six double vectors) per pass over the rows, then one, then the scalar twin
        // for the last partial vector; per column the sum is the same sequential double sum as the scalar twin's. Every float
        // vector is of species F and is widened by lo/hi (see the class comment: no second float species).
        for (; c + L3 <= colTo; c += L3) {
            DoubleVector s0 = DoubleVector.fromArray(D, acc, c);
            DoubleVector s1 = DoubleVector.fromArray(D, acc, c + H);
            DoubleVector s2 = DoubleVector.fromArray(D, acc, c + 2 * H);
            DoubleVector s3 = DoubleVector.fromArray(D, acc, c + 3 * H);
            DoubleVector s4 = DoubleVector.fromArray(D, acc, c + 4 * H);
            DoubleVector s5 = DoubleVector.fromArray(D, acc, c + 5 * H);
            for (int r = rowFrom; r < rowTo; r++) {
                int off = r * cols + c;
                FloatVector v0 = FloatVector.fromArray(F, x, off);
                FloatVector v1 = FloatVector.fromArray(F, x, off + L);
                FloatVector v2 = FloatVector.fromArray(F, x, off + L2);
                s0 = s0.add(lo(v0));
                s1 = s1.add(hi(v0));
                s2 = s2.add(lo(v1));
                s3 = s3.add(hi(v1));
                s4 = s4.add(lo(v2));
                s5 = s5.add(hi(v2));
            }
            s0.intoArray(acc, c);
            s1.intoArray(acc, c + H);
            s2.intoArray(acc, c + 2 * H);
            s3.intoArray(acc, c + 3 * H);
            s4.intoArray(acc, c + 4 * H);
            s5.intoArray(acc, c + 5 * H);
        }
        for (; c + L <= colTo; c += L) {
            DoubleVector s0 = DoubleVector.fromArray(D, acc, c);
            DoubleVector s1 = DoubleVector.fromArray(D, acc, c + H);
            for (int r = rowFrom; r < rowTo; r++) {
                FloatVector v = FloatVector.fromArray(F, x, r * cols + c);
                s0 = s0.add(lo(v));
                s1 = s1.add(hi(v));
            }
            s0.intoArray(acc, c);
            s1.intoArray(acc, c + H);
        }
        if (c < colTo) {
            TAIL.columnSums(x, cols, rowFrom, rowTo, c, colTo, acc);
        }
    }

    /** Largest lane (NaN if any lane is NaN), by a fixed tree of rotations, the same in every compilation tier. */
    private static float maxLanes(FloatVector v) {
        if (L >= 16) {
            v = v.max(v.rearrange(ROT8));
        }
        if (L >= 8) {
            v = v.max(v.rearrange(ROT4));
        }
        v = v.max(v.rearrange(ROT2));
        v = v.max(v.rearrange(ROT1));
        return v.lane(0);
    }

    /** Lanes [0, L/2) widened to double. */
    private static DoubleVector lo(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
    }

    /** Lanes [L/2, L) widened to double. */
    private static DoubleVector hi(FloatVector v) {
        return (DoubleVector) v.rearrange(ROT_HALF).convertShape(VectorOperators.F2D, D, 0);
    }

    /** Adds the lanes in index order (deterministic, unlike reduceLanes(ADD)). */
    private static double lanes(DoubleVector v) {
        double s = 0;
        for (int l = 0; l < v.length(); l++) {
            s += v.lane(l);
        }
        return s;
    }

    // ================================================================== reductions

    @Override
    public double sum(float[] x, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            s0 = s0.add(lo(v));
            s1 = s1.add(hi(v));
        }
        return lanes(s0.add(s1)) + TAIL.sum(x, i, to);
    }

    @Override
    public double dot(float[] x, float[] y, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        for (; i < bound; i += L) {
            FloatVector a = FloatVector.fromArray(F, x, i);
            FloatVector b = FloatVector.fromArray(F, y, i);
            s0 = lo(a).fma(lo(b), s0);
            s1 = hi(a).fma(hi(b), s1);
        }
        return lanes(s0.add(s1)) + TAIL.dot(x, y, i, to);
    }

    @Override
    public double squaredNorm(float[] x, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            DoubleVector a = lo(v);
            DoubleVector b = hi(v);
            s0 = a.fma(a, s0);
            s1 = b.fma(b, s1);
        }
        return lanes(s0.add(s1)) + TAIL.squaredNorm(x, i, to);
    }

    @Override
    public float maxAbs(float[] x, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector m = FloatVector.zero(F);
        for (; i < bound; i += L) {
            m = m.max(FloatVector.fromArray(F, x, i).abs());
        }
        float r = 0f;
        for (int l = 0; l < L; l++) {
            r = Math.max(r, m.lane(l));
        }
        return Math.max(r, TAIL.maxAbs(x, i, to));
    }

    @Override
    public boolean allFinite(float[] x, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector s = FloatVector.zero(F);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            s = s.add(v.sub(v)); // 0 for finite values, NaN for infinities and NaN
        }
        return !s.test(VectorOperators.IS_NAN).anyTrue() && TAIL.allFinite(x, i, to);
    }

    // ================================================================== losses

    @Override
    public double softmaxCrossEntropy(float[] z, int[] labels, float[] grad, int k, int rowFrom, int rowTo,
            float gradScale, double start, double[] rowLoss, int rowLossOff) {
        return k <= L ? softmaxOneVector(z, labels, grad, k, rowFrom, rowTo, gradScale, start, rowLoss, rowLossOff)
                : softmaxRows(z, labels, grad, k, rowFrom, rowTo, gradScale, start, rowLoss, rowLossOff);
    }

    /** {@link #softmaxCrossEntropy} for any class count: the row's vectors in loops. */
    double softmaxRows(float[] z, int[] labels, float[] grad, int k, int rowFrom, int rowTo, float gradScale,
            double start, double[] rowLoss, int rowLossOff) {
        // One exp for whole and partial vectors (see the class comment): the last, partial vector of a row is read
        // under a mask, with -inf past k, whose exp is +0; adding it leaves the lane sums as a masked add would.
        //
        // Software-pipelined by one row: iteration r takes row r through its maximum, exps and their sum, then
        // finishes row r - 1 (its log, loss and the division of its gradient). Within a row each step waits for the
        // one before (maximum, lane tree, exp, sum, lane tree, log), some 200 cycles; the finish of the previous
        // row is independent of it, so the two overlap. Each row's operations are the same as in row order.
        //
        // One log per LOG_GROUP rows, of the product of their sums: a log per row was some 10 of a row's 57 ns for 24
        // classes (SoftBench, 1 thread).
        double total = start;
        double product = 1.0;
        int kb = F.loopBound(k);
        VectorMask<Float> tailMask = F.indexInRange(kb, k);
        VectorMask<Float> pastK = tailMask.not();
        FloatVector negInf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        float prevMax = 0f;
        float prevZy = 0f;
        float prevSum = 0f;
        int prevY = 0;
        for (int r = rowFrom; r <= rowTo; r++) {
            float max = 0f;
            float zy = 0f;
            float sum = 0f;
            int y = 0;
            if (r < rowTo) {
                int off = r * k;
                y = labels[r];
                zy = z[off + y]; // read before grad (which may alias z) is written
                FloatVector vmax = negInf;
                for (int j = 0; j < k; j += L) {
                    FloatVector v = j < kb ? FloatVector.fromArray(F, z, off + j)
                            : FloatVector.fromArray(F, z, off + j, tailMask).blend(negInf, pastK);
                    vmax = vmax.max(v);
                }
                max = maxLanes(vmax);
                FloatVector vs = FloatVector.zero(F);
                for (int j = 0; j < k; j += L) {
                    FloatVector v = j < kb ? FloatVector.fromArray(F, z, off + j)
                            : FloatVector.fromArray(F, z, off + j, tailMask).blend(negInf, pastK);
                    // expNonPositive(v - max), written out: a helper that C2 has already compiled on its own (it is
                    // hot) may be refused for inlining here (InlineSmallCode), and its argument and result are then
                    // boxed.
                    FloatVector ex = v.sub(max);
                    VectorMask<Float> under = ex.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
                    FloatVector xc = ex.blend(0f, under); // see expNonPositive: no subnormal steps
                    FloatVector shifted = xc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
                    FloatVector nf = shifted.sub(ScalarKernels.ROUND_MAGIC);
                    FloatVector rr = nf.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), xc);
                    rr = nf.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), rr);
                    FloatVector pp = rr.fma(FloatVector.broadcast(F, ScalarKernels.E5),
                            FloatVector.broadcast(F, ScalarKernels.E4));
                    pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E3));
                    pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E2));
                    pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E1));
                    pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E0));
                    FloatVector er = pp.fma(rr.mul(rr), rr).add(1f);
                    IntVector ni = shifted.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
                    IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
                    IntVector n2 = ni.sub(n1);
                    FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                    FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                    FloatVector e = er.mul(s1).mul(s2).blend(0f, under);
                    vs = vs.add(e);
                    if (grad != null) {
                        if (j < kb) {
                            e.intoArray(grad, off + j);
                        } else {
                            e.intoArray(grad, off + j, tailMask);
                        }
                    }
                }
                // The lane sum as a fixed tree of float additions (rotate and add), the same in every compilation
                // tier (reduceLanes(ADD) leaves its order to the JIT); written out, as it comes after the exp.
                if (L >= 16) {
                    vs = vs.add(vs.rearrange(ROT8));
                }
                if (L >= 8) {
                    vs = vs.add(vs.rearrange(ROT4));
                }
                vs = vs.add(vs.rearrange(ROT2));
                vs = vs.add(vs.rearrange(ROT1));
                sum = vs.lane(0);
            }
            if (r > rowFrom) { // finish row r - 1
                int p = r - 1;
                double rowTerm = (double) prevMax - prevZy;
                total += rowTerm;
                product *= prevSum;
                double groupLog = 0.0;
                if (CpuKernels.endsLogGroup(p, rowTo)) {
                    groupLog = StrictMath.log(product);
                    total += groupLog;
                    product = 1.0;
                }
                if (rowLoss != null) {
                    rowLoss[rowLossOff + 2 * (p - rowFrom)] = rowTerm;
                    rowLoss[rowLossOff + 2 * (p - rowFrom) + 1] = groupLog;
                }
                if (grad != null) {
                    int off = p * k;
                    float ey = grad[off + prevY];
                    for (int j = 0; j < kb; j += L) {
                        FloatVector.fromArray(F, grad, off + j).div(prevSum).mul(gradScale).intoArray(grad, off + j);
                    }
                    if (kb < k) {
                        FloatVector.fromArray(F, grad, off + kb, tailMask).div(prevSum).mul(gradScale)
                                .intoArray(grad, off + kb, tailMask);
                    }
                    grad[off + prevY] = (ey / prevSum - 1f) * gradScale;
                }
            }
            prevMax = max;
            prevZy = zy;
            prevSum = sum;
            prevY = y;
        }
        return total;
    }

    /**
     * {@link #softmaxRows} for rows of at most one vector (10 classes at 512 bits, 8 at 256): each row is loaded once
     * and the loops over its vectors are gone, so C2 compiles a smaller method (sooner: a full-batch run's epochs 2-6
     * wait for it) and each row does less bookkeeping. The same operations in the same order, so the same bits
     * ({@code ScalarVsVectorTest}).
     */
    double softmaxOneVector(float[] z, int[] labels, float[] grad, int k, int rowFrom, int rowTo, float gradScale,
            double start, double[] rowLoss, int rowLossOff) {
        // One exp for whole and partial vectors (see the class comment): the last, partial vector of a row is read
        // under a mask, with -inf past k, whose exp is +0; adding it leaves the lane sums as a masked add would.
        //
        // Software-pipelined by one row: iteration r takes row r through its maximum, exps and their sum, then
        // finishes row r - 1 (its log, loss and the division of its gradient). Within a row each step waits for the
        // one before (maximum, lane tree, exp, sum, lane tree, log), some 200 cycles; the finish of the previous
        // row is independent of it, so the two overlap. Each row's operations are the same as in row order.
        //
        // One log per LOG_GROUP rows, of the product of their sums: a log per row was some 10 of a row's 57 ns for 24
        // classes (SoftBench, 1 thread).
        double total = start;
        double product = 1.0;
        int kb = F.loopBound(k);
        VectorMask<Float> tailMask = F.indexInRange(kb, k);
        VectorMask<Float> pastK = tailMask.not();
        FloatVector negInf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        boolean whole = kb == k; // k == L: one whole vector; else one partial vector read under the mask
        float prevMax = 0f;
        float prevZy = 0f;
        float prevSum = 0f;
        int prevY = 0;
        for (int r = rowFrom; r <= rowTo; r++) {
            float max = 0f;
            float zy = 0f;
            float sum = 0f;
            int y = 0;
            if (r < rowTo) {
                int off = r * k;
                y = labels[r];
                zy = z[off + y]; // read before grad (which may alias z) is written
                FloatVector v = whole ? FloatVector.fromArray(F, z, off)
                        : FloatVector.fromArray(F, z, off, tailMask).blend(negInf, pastK);
                max = maxLanes(negInf.max(v));
                FloatVector vs = FloatVector.zero(F);
                // expNonPositive(v - max), written out: a helper that C2 has already compiled on its own (it is
                // hot) may be refused for inlining here (InlineSmallCode), and its argument and result are then
                // boxed.
                FloatVector ex = v.sub(max);
                VectorMask<Float> under = ex.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
                FloatVector xc = ex.blend(0f, under); // see expNonPositive: no subnormal steps
                FloatVector shifted = xc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
                FloatVector nf = shifted.sub(ScalarKernels.ROUND_MAGIC);
                FloatVector rr = nf.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), xc);
                rr = nf.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), rr);
                FloatVector pp = rr.fma(FloatVector.broadcast(F, ScalarKernels.E5),
                        FloatVector.broadcast(F, ScalarKernels.E4));
                pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E3));
                pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E2));
                pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E1));
                pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E0));
                FloatVector er = pp.fma(rr.mul(rr), rr).add(1f);
                IntVector ni = shifted.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
                IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
                IntVector n2 = ni.sub(n1);
                FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector e = er.mul(s1).mul(s2).blend(0f, under);
                vs = vs.add(e);
                if (grad != null) {
                    if (whole) {
                        e.intoArray(grad, off);
                    } else {
                        e.intoArray(grad, off, tailMask);
                    }
                }
                // The lane sum as a fixed tree of float additions (rotate and add), the same in every compilation
                // tier (reduceLanes(ADD) leaves its order to the JIT); written out, as it comes after the exp.
                if (L >= 16) {
                    vs = vs.add(vs.rearrange(ROT8));
                }
                if (L >= 8) {
                    vs = vs.add(vs.rearrange(ROT4));
                }
                vs = vs.add(vs.rearrange(ROT2));
                vs = vs.add(vs.rearrange(ROT1));
                sum = vs.lane(0);
            }
            if (r > rowFrom) { // finish row r - 1
                int p = r - 1;
                double rowTerm = (double) prevMax - prevZy;
                total += rowTerm;
                product *= prevSum;
                double groupLog = 0.0;
                if (CpuKernels.endsLogGroup(p, rowTo)) {
                    groupLog = StrictMath.log(product);
                    total += groupLog;
                    product = 1.0;
                }
                if (rowLoss != null) {
                    rowLoss[rowLossOff + 2 * (p - rowFrom)] = rowTerm;
                    rowLoss[rowLossOff + 2 * (p - rowFrom) + 1] = groupLog;
                }
                if (grad != null) {
                    int off = p * k;
                    float ey = grad[off + prevY];
                    if (whole) {
                        FloatVector.fromArray(F, grad, off).div(prevSum).mul(gradScale).intoArray(grad, off);
                    } else {
                        FloatVector.fromArray(F, grad, off, tailMask).div(prevSum).mul(gradScale)
                                .intoArray(grad, off, tailMask);
                    }
                    grad[off + prevY] = (ey / prevSum - 1f) * gradScale;
                }
            }
            prevMax = max;
            prevZy = zy;
            prevSum = sum;
            prevY = y;
        }
        return total;
    }

    @Override
    public double sigmoidBinaryCrossEntropy(float[] x, float[] t, float[] grad, int from, int to, float gradScale) {
        // The exp is the only helper, parsed first; everything after it calls the Vector API directly (see the class
        // comment): the log1p is ScalarKernels.log1pUnit written out, the halves are widened in place.
        int i = from;
        int bound = from + F.loopBound(to - from);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            // expNonPositive(-|x|), written out (see softmaxCrossEntropy)
            FloatVector ex = xv.abs().neg();
            VectorMask<Float> under = ex.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
            FloatVector xc = ex.blend(0f, under); // see expNonPositive: no subnormal steps
            FloatVector shifted = xc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
            FloatVector nf = shifted.sub(ScalarKernels.ROUND_MAGIC);
            FloatVector rr = nf.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), xc);
            rr = nf.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), rr);
            FloatVector pp = rr.fma(FloatVector.broadcast(F, ScalarKernels.E5), FloatVector.broadcast(F, ScalarKernels.E4));
            pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E3));
            pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E2));
            pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E1));
            pp = pp.fma(rr, FloatVector.broadcast(F, ScalarKernels.E0));
            FloatVector er = pp.fma(rr.mul(rr), rr).add(1f);
            IntVector ni = shifted.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = ni.sub(n1);
            FloatVector e = er.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, under);
            FloatVector tv = FloatVector.fromArray(F, t, i);
            // log1p(e), e in [0, 1]: the operations of ScalarKernels.log1pUnit
            FloatVector sv = e.div(e.add(2f));
            FloatVector w = sv.mul(sv);
            FloatVector q = w.fma(FloatVector.broadcast(F, ScalarKernels.L7),
                    FloatVector.broadcast(F, ScalarKernels.L6));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L5));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L4));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L3));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L2));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L1));
            FloatVector u = sv.add(sv);
            FloatVector loss = xv.max(0f).sub(xv.mul(tv)).add(u.mul(w).fma(q, u));
            s0 = s0.add(loss.convertShape(VectorOperators.F2D, D, 0));
            s1 = s1.add(loss.rearrange(ROT_HALF).convertShape(VectorOperators.F2D, D, 0));
            if (grad != null) {
                // sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e) below
                FloatVector sig = e.blend(one, xv.compare(VectorOperators.GE, 0f)).div(one.add(e));
                sig.sub(tv).mul(gradScale).intoArray(grad, i);
            }
        }
        DoubleVector s = s0.add(s1);
        double total = 0;
        for (int l = 0; l < D.length(); l++) {
            total += s.lane(l);
        }
        return total + TAIL.sigmoidBinaryCrossEntropy(x, t, grad, i, to, gradScale);
    }

    @Override
    public double squaredError(float[] p, float[] t, float[] grad, int from, int to, float gradScale) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        for (; i < bound; i += L) {
            FloatVector dv = FloatVector.fromArray(F, p, i).sub(FloatVector.fromArray(F, t, i));
            DoubleVector a = lo(dv);
            DoubleVector b = hi(dv);
            s0 = a.fma(a, s0);
            s1 = b.fma(b, s1);
            if (grad != null) {
                dv.mul(gradScale).intoArray(grad, i);
            }
        }
        return lanes(s0.add(s1)) + TAIL.squaredError(p, t, grad, i, to, gradScale);
    }

    @Override
    public double absoluteError(float[] p, float[] t, float[] grad, int from, int to, float gradScale) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        FloatVector pos = FloatVector.broadcast(F, gradScale);
        FloatVector neg = FloatVector.broadcast(F, -gradScale);
        for (; i < bound; i += L) {
            FloatVector dv = FloatVector.fromArray(F, p, i).sub(FloatVector.fromArray(F, t, i));
            FloatVector ad = dv.abs();
            s0 = s0.add(lo(ad));
            s1 = s1.add(hi(ad));
            if (grad != null) {
                // signum(d)·scale: ±0 stays ±0 (d·0), NaN stays NaN, otherwise ±scale.
                dv.mul(0f).blend(pos, dv.compare(VectorOperators.GT, 0f))
                        .blend(neg, dv.compare(VectorOperators.LT, 0f)).intoArray(grad, i);
            }
        }
        return lanes(s0.add(s1)) + TAIL.absoluteError(p, t, grad, i, to, gradScale);
    }

    // ================================================================== optimizers

    @Override
    public void sgd(float[] p, float[] grad, float[] buf, int from, int to, float negLr, boolean applyWd, float wd,
            boolean useMomentum, float momentum, float oneMinusDampening, boolean nesterov, boolean maximize,
            boolean copyFirst) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vNegLr = FloatVector.broadcast(F, negLr);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vMom = FloatVector.broadcast(F, momentum);
        FloatVector vOmd = FloatVector.broadcast(F, oneMinusDampening);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (applyWd) {
                g = vWd.fma(th, g);
            }
            if (useMomentum) {
                FloatVector b = copyFirst ? g : vOmd.fma(g, FloatVector.fromArray(F, buf, i).mul(vMom));
                b.intoArray(buf, i);
                g = nesterov ? vMom.fma(b, g) : b;
            }
            vNegLr.fma(g, th).intoArray(p, i);
        }
        TAIL.sgd(p, grad, buf, i, to, negLr, applyWd, wd, useMomentum, momentum, oneMinusDampening, nesterov,
                maximize, copyFirst);
    }

    @Override
    public void adam(float[] p, float[] grad, float[] m, float[] v, float[] vmax, int from, int to, float negStepSize,
            float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2Sqrt, float eps,
            boolean applyWd, float wd, boolean decoupled, float decayFactor, boolean maximize) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vB1 = FloatVector.broadcast(F, beta1);
        FloatVector vOmb1 = FloatVector.broadcast(F, oneMinusBeta1);
        FloatVector vB2 = FloatVector.broadcast(F, beta2);
        FloatVector vOmb2 = FloatVector.broadcast(F, oneMinusBeta2);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (decoupled) {
                th = th.mul(decayFactor);
            } else if (applyWd) {
                g = vWd.fma(th, g);
            }
            FloatVector mi = vOmb1.fma(g, FloatVector.fromArray(F, m, i).mul(vB1));
            FloatVector vi = vOmb2.mul(g).fma(g, FloatVector.fromArray(F, v, i).mul(vB2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            if (vmax != null) {
                vi = FloatVector.fromArray(F, vmax, i).max(vi);
                vi.intoArray(vmax, i);
            }
            FloatVector denom = vi.sqrt().div(bc2Sqrt).add(eps);
            th.add(mi.mul(negStepSize).div(denom)).intoArray(p, i);
        }
        TAIL.adam(p, grad, m, v, vmax, i, to, negStepSize, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps,
                applyWd, wd, decoupled, decayFactor, maximize);
    }

    @Override
    public void rmsprop(float[] p, float[] grad, float[] sq, float[] gradAvg, float[] buf, int from, int to,
            float negLr, float alpha, float oneMinusAlpha, float eps, boolean applyWd, float wd, boolean useMomentum,
            float momentum, boolean maximize) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vA = FloatVector.broadcast(F, alpha);
        FloatVector vOma = FloatVector.broadcast(F, oneMinusAlpha);
        FloatVector vNegLr = FloatVector.broadcast(F, negLr);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (applyWd) {
                g = vWd.fma(th, g);
            }
            FloatVector s = vOma.mul(g).fma(g, FloatVector.fromArray(F, sq, i).mul(vA));
            s.intoArray(sq, i);
            FloatVector avg;
            if (gradAvg != null) {
                FloatVector ga = vOma.fma(g, FloatVector.fromArray(F, gradAvg, i).mul(vA));
                ga.intoArray(gradAvg, i);
                avg = ga.neg().fma(ga, s).sqrt().add(eps);
            } else {
                avg = s.sqrt().add(eps);
            }
            if (useMomentum) {
                FloatVector b = FloatVector.fromArray(F, buf, i).mul(momentum).add(g.div(avg));
                b.intoArray(buf, i);
                vNegLr.fma(b, th).intoArray(p, i);
            } else {
                th.add(vNegLr.mul(g).div(avg)).intoArray(p, i);
            }
        }
        TAIL.rmsprop(p, grad, sq, gradAvg, buf, i, to, negLr, alpha, oneMinusAlpha, eps, applyWd, wd, useMomentum,
                momentum, maximize);
    }

    @Override
    public void adagrad(float[] p, float[] grad, float[] sum, int from, int to, float negClr, float eps,
            boolean applyWd, float wd, boolean maximize) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vNegClr = FloatVector.broadcast(F, negClr);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (applyWd) {
                g = vWd.fma(th, g);
            }
            FloatVector s = g.fma(g, FloatVector.fromArray(F, sum, i));
            s.intoArray(sum, i);
            th.add(vNegClr.mul(g).div(s.sqrt().add(eps))).intoArray(p, i);
        }
        TAIL.adagrad(p, grad, sum, i, to, negClr, eps, applyWd, wd, maximize);
    }

    @Override
    public void nadam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float negGradStep,
            float negMomentumStep, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2,
            float eps, boolean applyWd, float wd, boolean maximize) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vB1 = FloatVector.broadcast(F, beta1);
        FloatVector vOmb1 = FloatVector.broadcast(F, oneMinusBeta1);
        FloatVector vB2 = FloatVector.broadcast(F, beta2);
        FloatVector vOmb2 = FloatVector.broadcast(F, oneMinusBeta2);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (applyWd) {
                g = vWd.fma(th, g);
            }
            FloatVector mi = vOmb1.fma(g, FloatVector.fromArray(F, m, i).mul(vB1));
            FloatVector vi = vOmb2.mul(g).fma(g, FloatVector.fromArray(F, v, i).mul(vB2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denom = vi.div(bc2).sqrt().add(eps);
            th = th.add(g.mul(negGradStep).div(denom));
            th.add(mi.mul(negMomentumStep).div(denom)).intoArray(p, i);
        }
        TAIL.nadam(p, grad, m, v, i, to, negGradStep, negMomentumStep, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2,
                eps, applyWd, wd, maximize);
    }

    @Override
    public void radam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float lr, float beta1,
            float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc1, boolean adaptive, float bc2Sqrt,
            float rect, float eps, boolean applyWd, float wd, boolean maximize) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vB1 = FloatVector.broadcast(F, beta1);
        FloatVector vOmb1 = FloatVector.broadcast(F, oneMinusBeta1);
        FloatVector vB2 = FloatVector.broadcast(F, beta2);
        FloatVector vOmb2 = FloatVector.broadcast(F, oneMinusBeta2);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (applyWd) {
                g = vWd.fma(th, g);
            }
            FloatVector mi = vOmb1.fma(g, FloatVector.fromArray(F, m, i).mul(vB1));
            FloatVector vi = vOmb2.mul(g).fma(g, FloatVector.fromArray(F, v, i).mul(vB2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector step = mi.div(bc1).mul(lr);
            if (adaptive) {
                step = step.mul(one.div(vi.sqrt().add(eps)).mul(bc2Sqrt)).mul(rect);
            }
            th.sub(step).intoArray(p, i);
        }
        TAIL.radam(p, grad, m, v, i, to, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc1, adaptive, bc2Sqrt, rect,
                eps, applyWd, wd, maximize);
    }

    @Override
    public void adamax(float[] p, float[] grad, float[] m, float[] u, int from, int to, float negClr, float beta1,
            float oneMinusBeta1, float beta2, float eps, boolean applyWd, float wd, boolean maximize) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vB1 = FloatVector.broadcast(F, beta1);
        FloatVector vOmb1 = FloatVector.broadcast(F, oneMinusBeta1);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (applyWd) {
                g = vWd.fma(th, g);
            }
            FloatVector mi = vOmb1.fma(g, FloatVector.fromArray(F, m, i).mul(vB1));
            // max follows Math.max: NaN if either is NaN, as torch.amax
            FloatVector ui = FloatVector.fromArray(F, u, i).mul(beta2).max(g.abs().add(eps));
            mi.intoArray(m, i);
            ui.intoArray(u, i);
            th.add(mi.mul(negClr).div(ui)).intoArray(p, i);
        }
        TAIL.adamax(p, grad, m, u, i, to, negClr, beta1, oneMinusBeta1, beta2, eps, applyWd, wd, maximize);
    }

    @Override
    public void adadelta(float[] p, float[] grad, float[] sq, float[] acc, int from, int to, float negLr, float rho,
            float oneMinusRho, float eps, boolean applyWd, float wd, boolean maximize) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector vWd = FloatVector.broadcast(F, wd);
        FloatVector vRho = FloatVector.broadcast(F, rho);
        FloatVector vOmr = FloatVector.broadcast(F, oneMinusRho);
        FloatVector vNegLr = FloatVector.broadcast(F, negLr);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i);
            if (maximize) {
                g = g.neg();
            }
            FloatVector th = FloatVector.fromArray(F, p, i);
            if (applyWd) {
                g = vWd.fma(th, g);
            }
            FloatVector s = vOmr.mul(g).fma(g, FloatVector.fromArray(F, sq, i).mul(vRho));
            s.intoArray(sq, i);
            FloatVector a = FloatVector.fromArray(F, acc, i);
            FloatVector delta = a.add(eps).sqrt().div(s.add(eps).sqrt()).mul(g);
            vOmr.mul(delta).fma(delta, a.mul(vRho)).intoArray(acc, i);
            vNegLr.fma(delta, th).intoArray(p, i);
        }
        TAIL.adadelta(p, grad, sq, acc, i, to, negLr, rho, oneMinusRho, eps, applyWd, wd, maximize);
    }

    // ================================================================== autodiff: elementwise functions
    //
    // Each kernel is one vector loop to loopBound, then the scalar twin for the tail; a range shorter than a vector
    // goes to the scalar twin before any set-up. A gradient's accumulation ({@code beta != 0}) is a loop-invariant
    // branch inside the one loop, so that every kernel has one store site; operands with a stride are loaded, or
    // broadcast once when the stride is 0, by a loop-invariant choice too.
    //
    // exp, log, log1p, sin, cos, tanh and a general pow are java.lang.Math's, element by element, as in the scalar
    // twin. The Vector API's lanewise EXP, LOG, TANH... are 10 to 20 times faster (512-bit: exp 0.32 against 4.6 ns per
    // element, tanh 0.6 against 11), but not the same in every compilation tier: in C2-compiled kernels EXP differed
    // from the interpreter's (per-lane Math.exp) on 4% of inputs, by 1 or 2 ulps, so that a row computed before and
    // after a compilation came out different, whatever the thread count promises (DeterminismTest caught it). Math's
    // functions give the same bits interpreted, from C1 and from C2. Sigmoid, softplus and their gradients, and the
    // softmax along rows, use ScalarKernels.expNonPositive and log1pUnit written out in vector form, as the losses do:
    // vectorised, and the same bits in both twins and every tier.

    @Override
    public void neg(float[] x, float[] out, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.neg(x, out, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector.fromArray(F, x, i).neg().intoArray(out, i);
        }
        TAIL.neg(x, out, i, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void exp(float[] x, float[] out, int from, int to) {
        TAIL.exp(x, out, from, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void log(float[] x, float[] out, int from, int to) {
        TAIL.log(x, out, from, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void log1p(float[] x, float[] out, int from, int to) {
        TAIL.log1p(x, out, from, to);
    }

    @Override
    public void sqrt(float[] x, float[] out, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.sqrt(x, out, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector.fromArray(F, x, i).sqrt().intoArray(out, i);
        }
        TAIL.sqrt(x, out, i, to);
    }

    @Override
    public void abs(float[] x, float[] out, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.abs(x, out, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector.fromArray(F, x, i).abs().intoArray(out, i);
        }
        TAIL.abs(x, out, i, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void sin(float[] x, float[] out, int from, int to) {
        TAIL.sin(x, out, from, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void cos(float[] x, float[] out, int from, int to) {
        TAIL.cos(x, out, from, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void tanh(float[] x, float[] out, int from, int to) {
        TAIL.tanh(x, out, from, to);
    }

    @Override
    public void sigmoid(float[] x, float[] out, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.sigmoid(x, out, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector ex = v.abs().neg();
            // e = expNonPositive(ex), written out (see the class comment)
            VectorMask<Float> under = ex.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
            FloatVector eXc = ex.blend(0f, under); // see expNonPositive: no subnormal steps
            FloatVector eSh = eXc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
            FloatVector eN = eSh.sub(ScalarKernels.ROUND_MAGIC);
            FloatVector eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), eXc);
            eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), eR);
            FloatVector eP = eR.fma(FloatVector.broadcast(F, ScalarKernels.E5),
                    FloatVector.broadcast(F, ScalarKernels.E4));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E3));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E2));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E1));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E0));
            FloatVector eEr = eP.fma(eR.mul(eR), eR).add(1f);
            IntVector eNi = eSh.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
            IntVector eN1 = eNi.lanewise(VectorOperators.ASHR, 1);
            IntVector eN2 = eNi.sub(eN1);
            FloatVector e = eEr.mul(eN1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(eN2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, under);
            e.blend(one, v.compare(VectorOperators.GE, 0f)).div(one.add(e)).intoArray(out, i);
        }
        TAIL.sigmoid(x, out, i, to);
    }

    @Override
    public void softplus(float[] x, float[] out, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.softplus(x, out, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector ex = v.abs().neg();
            // e = expNonPositive(ex), written out (see the class comment)
            VectorMask<Float> under = ex.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
            FloatVector eXc = ex.blend(0f, under); // see expNonPositive: no subnormal steps
            FloatVector eSh = eXc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
            FloatVector eN = eSh.sub(ScalarKernels.ROUND_MAGIC);
            FloatVector eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), eXc);
            eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), eR);
            FloatVector eP = eR.fma(FloatVector.broadcast(F, ScalarKernels.E5),
                    FloatVector.broadcast(F, ScalarKernels.E4));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E3));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E2));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E1));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E0));
            FloatVector eEr = eP.fma(eR.mul(eR), eR).add(1f);
            IntVector eNi = eSh.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
            IntVector eN1 = eNi.lanewise(VectorOperators.ASHR, 1);
            IntVector eN2 = eNi.sub(eN1);
            FloatVector e = eEr.mul(eN1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(eN2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, under);
            // log1p(e), e in [0, 1]: the operations of ScalarKernels.log1pUnit
            FloatVector sv = e.div(e.add(2f));
            FloatVector w = sv.mul(sv);
            FloatVector q = w.fma(FloatVector.broadcast(F, ScalarKernels.L7),
                    FloatVector.broadcast(F, ScalarKernels.L6));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L5));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L4));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L3));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L2));
            q = q.fma(w, FloatVector.broadcast(F, ScalarKernels.L1));
            FloatVector u = sv.add(sv);
            v.max(0f).add(u.mul(w).fma(q, u)).intoArray(out, i);
        }
        TAIL.softplus(x, out, i, to);
    }

    // POW: torch's special exponents are exact vector operations; any other exponent, and POW of two tensors, is
    // java.lang.Math.pow per element, in both twins. The Vector API's POW is not intrinsified at every width (at 128
    // bits it ran its per-lane fallback, boxing 28 bytes per element), and a loop that merely contains it boxes its
    // other vectors too (AllocationFreeTest).

    /** {@link Elementwise#pow}'s cases, chosen once per call. */
    private static final int POW_SQUARE = 0;
    private static final int POW_CUBE = 1;
    private static final int POW_SQRT = 2;
    private static final int POW_RSQRT = 3;
    private static final int POW_RECIPROCAL = 4;
    private static final int POW_INVERSE_SQUARE = 5;
    private static final int POW_IDENTITY = 6;
    private static final int POW_ONE = 7;
    private static final int POW_GENERAL = 8;

    private static int powCase(float p) {
        return p == 2f ? POW_SQUARE : p == 3f ? POW_CUBE : p == 0.5f ? POW_SQRT : p == -0.5f ? POW_RSQRT
                : p == -1f ? POW_RECIPROCAL : p == -2f ? POW_INVERSE_SQUARE : p == 1f ? POW_IDENTITY
                : p == 0f ? POW_ONE : POW_GENERAL;
    }

    @Override
    public void pow(float p, float[] x, float[] out, int from, int to) {
        int c = powCase(p);
        if (c == POW_GENERAL) { // see the comment above powCase
            TAIL.pow(p, x, out, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector r = switch (c) {
                case POW_SQUARE -> v.mul(v);
                case POW_CUBE -> v.mul(v).mul(v);
                case POW_SQRT -> v.sqrt();
                case POW_RSQRT -> one.div(v.sqrt());
                case POW_RECIPROCAL -> one.div(v);
                case POW_INVERSE_SQUARE -> one.div(v.mul(v));
                case POW_IDENTITY -> v;
                default -> one;
            };
            r.intoArray(out, i);
        }
        TAIL.pow(p, x, out, i, to);
    }

    @Override
    public void negGrad(float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.negGrad(g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        for (; i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, g, i).neg();
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.negGrad(g, beta, gi, i, to);
    }

    @Override
    public void expGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.expGrad(y, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        for (; i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, g, i).mul(FloatVector.fromArray(F, y, i));
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.expGrad(y, g, beta, gi, i, to);
    }

    @Override
    public void logGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.logGrad(x, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        for (; i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, g, i).div(FloatVector.fromArray(F, x, i));
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.logGrad(x, g, beta, gi, i, to);
    }

    @Override
    public void log1pGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.log1pGrad(x, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        for (; i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, g, i).div(FloatVector.fromArray(F, x, i).add(1f));
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.log1pGrad(x, g, beta, gi, i, to);
    }

    @Override
    public void sqrtGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.sqrtGrad(y, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        for (; i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, g, i).div(FloatVector.fromArray(F, y, i).mul(2f));
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.sqrtGrad(y, g, beta, gi, i, to);
    }

    @Override
    public void absGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.absGrad(x, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector zero = FloatVector.zero(F);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector sign = zero.blend(1f, v.compare(VectorOperators.GT, 0f))
                    .blend(-1f, v.compare(VectorOperators.LT, 0f));
            FloatVector t = FloatVector.fromArray(F, g, i).mul(sign);
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.absGrad(x, g, beta, gi, i, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void sinGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        TAIL.sinGrad(x, g, beta, gi, from, to);
    }

    /** java.lang.Math per element, as the scalar twin (see the section comment). */
    @Override
    public void cosGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        TAIL.cosGrad(x, g, beta, gi, from, to);
    }

    @Override
    public void tanhGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.tanhGrad(y, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, y, i);
            FloatVector t = FloatVector.fromArray(F, g, i).mul(one.sub(v.mul(v)));
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.tanhGrad(y, g, beta, gi, i, to);
    }

    @Override
    public void sigmoidGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.sigmoidGrad(y, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, y, i);
            FloatVector t = FloatVector.fromArray(F, g, i).mul(one.sub(v)).mul(v);
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.sigmoidGrad(y, g, beta, gi, i, to);
    }

    @Override
    public void reluGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.reluGrad(y, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector zero = FloatVector.zero(F);
        for (; i < bound; i += L) {
            VectorMask<Float> active = FloatVector.fromArray(F, y, i).compare(VectorOperators.GT, 0f);
            FloatVector t = zero.blend(FloatVector.fromArray(F, g, i), active);
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.reluGrad(y, g, beta, gi, i, to);
    }

    @Override
    public void softplusGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.softplusGrad(x, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector ex = v.abs().neg();
            // e = expNonPositive(ex), written out (see the class comment)
            VectorMask<Float> under = ex.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
            FloatVector eXc = ex.blend(0f, under); // see expNonPositive: no subnormal steps
            FloatVector eSh = eXc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
            FloatVector eN = eSh.sub(ScalarKernels.ROUND_MAGIC);
            FloatVector eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), eXc);
            eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), eR);
            FloatVector eP = eR.fma(FloatVector.broadcast(F, ScalarKernels.E5),
                    FloatVector.broadcast(F, ScalarKernels.E4));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E3));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E2));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E1));
            eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E0));
            FloatVector eEr = eP.fma(eR.mul(eR), eR).add(1f);
            IntVector eNi = eSh.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
            IntVector eN1 = eNi.lanewise(VectorOperators.ASHR, 1);
            IntVector eN2 = eNi.sub(eN1);
            FloatVector e = eEr.mul(eN1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(eN2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, under);
            FloatVector sig = e.blend(one, v.compare(VectorOperators.GE, 0f)).div(one.add(e));
            FloatVector t = FloatVector.fromArray(F, g, i).mul(sig);
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.softplusGrad(x, g, beta, gi, i, to);
    }

    @Override
    public void powGrad(float p, float[] x, float[] g, float beta, float[] gi, int from, int to) {
        if (to - from < L) { // no whole vector: nothing to set up
            TAIL.powGrad(p, x, g, beta, gi, from, to);
            return;
        }
        int i = from;
        int bound = from + F.loopBound(to - from);
        float q = p - 1f;
        int c = powCase(q);
        if (c == POW_GENERAL && p != 0f) { // see the comment above powCase
            TAIL.powGrad(p, x, g, beta, gi, from, to);
            return;
        }
        boolean zeroGrad = p == 0f;
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector vp = FloatVector.broadcast(F, p);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector pw = switch (c) {
                case POW_SQUARE -> v.mul(v);
                case POW_CUBE -> v.mul(v).mul(v);
                case POW_SQRT -> v.sqrt();
                case POW_RSQRT -> one.div(v.sqrt());
                case POW_RECIPROCAL -> one.div(v);
                case POW_INVERSE_SQUARE -> one.div(v.mul(v));
                case POW_IDENTITY -> v;
                default -> one; // POW_ONE, or any power when p is 0 (then t is 0)
            };
            FloatVector t = zeroGrad ? zero : FloatVector.fromArray(F, g, i).mul(vp.mul(pw));
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, gi, i), t);
            }
            t.intoArray(gi, i);
        }
        TAIL.powGrad(p, x, g, beta, gi, i, to);
    }

    // ================================================================== autodiff: broadcasting binary operations

    @Override
    public void add(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int outOff, int n) {
        if (n < L) {
            TAIL.add(a, aOff, as, b, bOff, bs, out, outOff, n);
            return;
        }
        int bound = F.loopBound(n);
        FloatVector ca = FloatVector.broadcast(F, a[aOff]);
        FloatVector cb = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(F, a, aOff + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(F, b, bOff + i);
            va.add(vb).intoArray(out, outOff + i);
        }
        TAIL.add(a, aOff + i * as, as, b, bOff + i * bs, bs, out, outOff + i, n - i);
    }

    @Override
    public void sub(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int outOff, int n) {
        if (n < L) {
            TAIL.sub(a, aOff, as, b, bOff, bs, out, outOff, n);
            return;
        }
        int bound = F.loopBound(n);
        FloatVector ca = FloatVector.broadcast(F, a[aOff]);
        FloatVector cb = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(F, a, aOff + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(F, b, bOff + i);
            va.sub(vb).intoArray(out, outOff + i);
        }
        TAIL.sub(a, aOff + i * as, as, b, bOff + i * bs, bs, out, outOff + i, n - i);
    }

    @Override
    public void mul(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int outOff, int n) {
        if (n < L) {
            TAIL.mul(a, aOff, as, b, bOff, bs, out, outOff, n);
            return;
        }
        int bound = F.loopBound(n);
        FloatVector ca = FloatVector.broadcast(F, a[aOff]);
        FloatVector cb = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(F, a, aOff + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(F, b, bOff + i);
            va.mul(vb).intoArray(out, outOff + i);
        }
        TAIL.mul(a, aOff + i * as, as, b, bOff + i * bs, bs, out, outOff + i, n - i);
    }

    @Override
    public void div(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int outOff, int n) {
        if (n < L) {
            TAIL.div(a, aOff, as, b, bOff, bs, out, outOff, n);
            return;
        }
        int bound = F.loopBound(n);
        FloatVector ca = FloatVector.broadcast(F, a[aOff]);
        FloatVector cb = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(F, a, aOff + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(F, b, bOff + i);
            va.div(vb).intoArray(out, outOff + i);
        }
        TAIL.div(a, aOff + i * as, as, b, bOff + i * bs, bs, out, outOff + i, n - i);
    }

    /** Math.pow per element, as the scalar twin (see the comment above powCase). */
    @Override
    public void pow(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int outOff, int n) {
        TAIL.pow(a, aOff, as, b, bOff, bs, out, outOff, n);
    }

    @Override
    public void spread(float[] src, int srcOff, int srcStride, float divisor, float beta, float[] d, int dOff, int n) {
        if (n < L) {
            TAIL.spread(src, srcOff, srcStride, divisor, beta, d, dOff, n);
            return;
        }
        int bound = F.loopBound(n);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector cs = FloatVector.broadcast(F, src[srcOff]);
        FloatVector vd = FloatVector.broadcast(F, divisor);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector t = (srcStride == 0 ? cs : FloatVector.fromArray(F, src, srcOff + i)).div(vd);
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, d, dOff + i), t);
            }
            t.intoArray(d, dOff + i);
        }
        TAIL.spread(src, srcOff + i * srcStride, srcStride, divisor, beta, d, dOff + i, n - i);
    }

    @Override
    public void mulGrad(float[] g, int gOff, float[] o, int oOff, int os, float beta, float[] d, int dOff, int n) {
        if (n < L) {
            TAIL.mulGrad(g, gOff, o, oOff, os, beta, d, dOff, n);
            return;
        }
        int bound = F.loopBound(n);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        FloatVector co = FloatVector.broadcast(F, o[oOff]);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, g, gOff + i)
                    .mul(os == 0 ? co : FloatVector.fromArray(F, o, oOff + i));
            if (acc) {
                t = vb.fma(FloatVector.fromArray(F, d, dOff + i), t);
            }
            t.intoArray(d, dOff + i);
        }
        TAIL.mulGrad(g, gOff + i, o, oOff + i * os, os, beta, d, dOff + i, n - i);
    }

    @Override
    public void divGradA(float[] g, int gOff, float[] b, int bOff, int bs, float beta, float[] d, int dOff, int n) {
        if (n < L) {
            TAIL.divGradA(g, gOff, b, bOff, bs, beta, d, dOff, n);
            return;
        }
        int bound = F.loopBound(n);
        boolean acc = beta != 0f;
        FloatVector vbeta = FloatVector.broadcast(F, beta);
        FloatVector cb = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, g, gOff + i)
                    .div(bs == 0 ? cb : FloatVector.fromArray(F, b, bOff + i));
            if (acc) {
                t = vbeta.fma(FloatVector.fromArray(F, d, dOff + i), t);
            }
            t.intoArray(d, dOff + i);
        }
        TAIL.divGradA(g, gOff + i, b, bOff + i * bs, bs, beta, d, dOff + i, n - i);
    }

    @Override
    public void divGradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float beta,
            float[] d, int dOff, int n) {
        if (n < L) {
            TAIL.divGradB(g, gOff, a, aOff, as, b, bOff, bs, beta, d, dOff, n);
            return;
        }
        int bound = F.loopBound(n);
        boolean acc = beta != 0f;
        FloatVector vbeta = FloatVector.broadcast(F, beta);
        FloatVector ca = FloatVector.broadcast(F, a[aOff]);
        FloatVector cb = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(F, a, aOff + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(F, b, bOff + i);
            FloatVector t = FloatVector.fromArray(F, g, gOff + i).neg().mul(va.div(vb).div(vb));
            if (acc) {
                t = vbeta.fma(FloatVector.fromArray(F, d, dOff + i), t);
            }
            t.intoArray(d, dOff + i);
        }
        TAIL.divGradB(g, gOff + i, a, aOff + i * as, as, b, bOff + i * bs, bs, beta, d, dOff + i, n - i);
    }

    /** Math.pow per element, as the scalar twin (see the comment above powCase). */
    @Override
    public void powGradA(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float beta,
            float[] d, int dOff, int n) {
        TAIL.powGradA(g, gOff, a, aOff, as, b, bOff, bs, beta, d, dOff, n);
    }

    /** java.lang.Math's log per element, as the scalar twin (see the section comment). */
    @Override
    public void powGradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y,
            int yOff, float beta, float[] d, int dOff, int n) {
        TAIL.powGradB(g, gOff, a, aOff, as, b, bOff, bs, y, yOff, beta, d, dOff, n);
    }

    // ================================================================== autodiff: reductions and rows

    @Override
    public float max(float[] x, int from, int to) {
        int i = from;
        int bound = from + F.loopBound(to - from);
        if (i == bound) {
            return TAIL.max(x, from, to);
        }
        FloatVector m = FloatVector.fromArray(F, x, i);
        for (i += L; i < bound; i += L) {
            m = m.max(FloatVector.fromArray(F, x, i));
        }
        // The lanes written out, as in maxAbs: maxLanes(m) here was not always inlined (C2 had compiled it on its
        // own), and m was boxed, once per call (AllocationFreeTest). Math.max is the same in any order.
        float r = m.lane(0);
        for (int l = 1; l < L; l++) {
            r = Math.max(r, m.lane(l));
        }
        return Math.max(r, TAIL.max(x, i, to));
    }

    @Override
    public void columnMax(float[] x, int cols, int rowFrom, int rowTo, int colFrom, int colTo, float[] acc) {
        int c = colFrom;
        for (; c + L <= colTo; c += L) {
            FloatVector m = FloatVector.fromArray(F, acc, c);
            for (int r = rowFrom; r < rowTo; r++) {
                m = m.max(FloatVector.fromArray(F, x, r * cols + c));
            }
            m.intoArray(acc, c);
        }
        if (c < colTo) {
            TAIL.columnMax(x, cols, rowFrom, rowTo, c, colTo, acc);
        }
    }

    @Override
    public void softmaxRows(float[] x, float[] out, int cols, int rowFrom, int rowTo, boolean log) {
        // Per row: the maximum, then the exps (stored for the softmax, whose out may be x: each is written where it
        // was read), their sum in double (two accumulators of widened halves, then the lanes in order, then the
        // tail), then the division or the subtraction of the log.
        int kb = F.loopBound(cols);
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            float m = max(x, off, off + cols);
            DoubleVector s0 = DoubleVector.zero(D);
            DoubleVector s1 = DoubleVector.zero(D);
            for (int j = 0; j < kb; j += L) {
                FloatVector ex = FloatVector.fromArray(F, x, off + j).sub(m);
                // e = expNonPositive(ex), written out (see the class comment)
                VectorMask<Float> under = ex.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
                FloatVector eXc = ex.blend(0f, under); // see expNonPositive: no subnormal steps
                FloatVector eSh = eXc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
                FloatVector eN = eSh.sub(ScalarKernels.ROUND_MAGIC);
                FloatVector eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), eXc);
                eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), eR);
                FloatVector eP = eR.fma(FloatVector.broadcast(F, ScalarKernels.E5),
                        FloatVector.broadcast(F, ScalarKernels.E4));
                eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E3));
                eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E2));
                eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E1));
                eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E0));
                FloatVector eEr = eP.fma(eR.mul(eR), eR).add(1f);
                IntVector eNi = eSh.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
                IntVector eN1 = eNi.lanewise(VectorOperators.ASHR, 1);
                IntVector eN2 = eNi.sub(eN1);
                FloatVector e = eEr.mul(eN1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(eN2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).blend(0f, under);
                s0 = s0.add(e.convertShape(VectorOperators.F2D, D, 0));
                s1 = s1.add(e.rearrange(ROT_HALF).convertShape(VectorOperators.F2D, D, 0));
                if (!log) {
                    e.intoArray(out, off + j);
                }
            }
            DoubleVector sv = s0.add(s1);
            double s = 0;
            for (int l = 0; l < D.length(); l++) {
                s += sv.lane(l);
            }
            for (int j = kb; j < cols; j++) {
                float e = ScalarKernels.expNonPositive(x[off + j] - m);
                s += e;
                if (!log) {
                    out[off + j] = e;
                }
            }
            if (log) {
                float lse = (float) Math.log(s);
                for (int j = 0; j < kb; j += L) {
                    FloatVector.fromArray(F, x, off + j).sub(m).sub(lse).intoArray(out, off + j);
                }
                for (int j = kb; j < cols; j++) {
                    out[off + j] = (x[off + j] - m) - lse;
                }
            } else {
                float sf = (float) s;
                for (int j = 0; j < kb; j += L) {
                    FloatVector.fromArray(F, out, off + j).div(sf).intoArray(out, off + j);
                }
                for (int j = kb; j < cols; j++) {
                    out[off + j] = out[off + j] / sf;
                }
            }
        }
    }

    @Override
    public void softmaxRowsGrad(float[] y, float[] g, int cols, int rowFrom, int rowTo, boolean log, float beta,
            float[] gi) {
        int kb = F.loopBound(cols);
        boolean acc = beta != 0f;
        FloatVector vb = FloatVector.broadcast(F, beta);
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            // Σ g (log-softmax) or Σ g·y (softmax) in double: widened halves, lanes in order, then the tail
            DoubleVector s0 = DoubleVector.zero(D);
            DoubleVector s1 = DoubleVector.zero(D);
            for (int j = 0; j < kb; j += L) {
                FloatVector gv = FloatVector.fromArray(F, g, off + j);
                if (log) {
                    s0 = s0.add(gv.convertShape(VectorOperators.F2D, D, 0));
                    s1 = s1.add(gv.rearrange(ROT_HALF).convertShape(VectorOperators.F2D, D, 0));
                } else {
                    FloatVector yv = FloatVector.fromArray(F, y, off + j);
                    s0 = ((DoubleVector) gv.convertShape(VectorOperators.F2D, D, 0))
                            .fma((DoubleVector) yv.convertShape(VectorOperators.F2D, D, 0), s0);
                    s1 = ((DoubleVector) gv.rearrange(ROT_HALF).convertShape(VectorOperators.F2D, D, 0))
                            .fma((DoubleVector) yv.rearrange(ROT_HALF).convertShape(VectorOperators.F2D, D, 0), s1);
                }
            }
            DoubleVector sv = s0.add(s1);
            double s = 0;
            for (int l = 0; l < D.length(); l++) {
                s += sv.lane(l);
            }
            for (int j = kb; j < cols; j++) {
                s += log ? g[off + j] : (double) g[off + j] * y[off + j];
            }
            float sf = (float) s;
            if (log) {
                for (int j = 0; j < kb; j += L) {
                    FloatVector yv = FloatVector.fromArray(F, y, off + j);
                    // e = expNonPositive(yv), written out (see the class comment)
                    VectorMask<Float> under = yv.compare(VectorOperators.LT, ScalarKernels.EXP_UNDERFLOW);
                    FloatVector eXc = yv.blend(0f, under); // see expNonPositive: no subnormal steps
                    FloatVector eSh = eXc.mul(ScalarKernels.LOG2E).add(ScalarKernels.ROUND_MAGIC);
                    FloatVector eN = eSh.sub(ScalarKernels.ROUND_MAGIC);
                    FloatVector eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_HI), eXc);
                    eR = eN.fma(FloatVector.broadcast(F, -ScalarKernels.LN2_LO), eR);
                    FloatVector eP = eR.fma(FloatVector.broadcast(F, ScalarKernels.E5),
                            FloatVector.broadcast(F, ScalarKernels.E4));
                    eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E3));
                    eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E2));
                    eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E1));
                    eP = eP.fma(eR, FloatVector.broadcast(F, ScalarKernels.E0));
                    FloatVector eEr = eP.fma(eR.mul(eR), eR).add(1f);
                    IntVector eNi = eSh.reinterpretAsInts().sub(ScalarKernels.ROUND_MAGIC_BITS);
                    IntVector eN1 = eNi.lanewise(VectorOperators.ASHR, 1);
                    IntVector eN2 = eNi.sub(eN1);
                    FloatVector e = eEr.mul(eN1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(eN2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .blend(0f, under);
                    FloatVector t = FloatVector.fromArray(F, g, off + j).sub(e.mul(sf));
                    if (acc) {
                        t = vb.fma(FloatVector.fromArray(F, gi, off + j), t);
                    }
                    t.intoArray(gi, off + j);
                }
            } else {
                for (int j = 0; j < kb; j += L) {
                    FloatVector t = FloatVector.fromArray(F, y, off + j)
                            .mul(FloatVector.fromArray(F, g, off + j).sub(sf));
                    if (acc) {
                        t = vb.fma(FloatVector.fromArray(F, gi, off + j), t);
                    }
                    t.intoArray(gi, off + j);
                }
            }
            for (int j = kb; j < cols; j++) {
                float t = log ? g[off + j] - ScalarKernels.expNonPositive(y[off + j]) * sf
                        : y[off + j] * (g[off + j] - sf);
                gi[off + j] = Elementwise.accumulate(beta, gi[off + j], t);
            }
        }
    }

    /** Pure data movement with strided writes: the scalar twin's tiled loop. */
    @Override
    public void transpose(float[] x, int rows, int cols, int rowFrom, int rowTo, float beta, float[] out) {
        TAIL.transpose(x, rows, cols, rowFrom, rowTo, beta, out);
    }
}
