package dev.descent.optim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The saved-state format of descent's optimizers (described in the package documentation), apart from any optimizer:
 * {@link #write} encodes a {@link Saved} state and {@link #read} decodes and verifies one (envelope, checksum, counts,
 * lengths), so that {@link BaseOptimizer} only compares a decoded state with itself.
 *
 * <pre>
 *   int magic "DOPT", int version, long payload length, payload, long CRC-32 of the payload
 *   payload: UTF name; int n, n × (UTF key, double value) hyper-parameters; long steps;
 *            int parameters, each: UTF name, int group, int rank, rank × int, int states,
 *                                  each: UTF state name, int n, n × float (big-endian);
 *            UTF schedule spec; int n, n × (UTF key, double value) schedule state; int "END!"
 * </pre>
 */
final class OptimizerStateFile {
    /** "DOPT": the first four bytes of a saved optimizer state. */
    static final int MAGIC = 0x444F5054;
    /** The version of the saved-state format this build writes and reads. */
    static final int VERSION = 1;
    /** "END!": closes the payload. */
    static final int END = 0x454E4421;

    private OptimizerStateFile() {
    }

    /** One parameter's saved state tensors, in the optimizer's order of state names. */
    record Param(String name, int group, int[] shape, List<String> stateNames, List<float[]> data) {
    }

    /** A whole saved state. */
    record Saved(String name, Map<String, Double> hyper, long steps, List<Param> params, String scheduleSpec,
            Map<String, Double> schedule) {
    }

    static void write(DataOutputStream out, Saved s) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream p = new DataOutputStream(buf);
        p.writeUTF(s.name());
        writeMap(p, s.hyper());
        p.writeLong(s.steps());
        p.writeInt(s.params().size());
        for (Param param : s.params()) {
            p.writeUTF(param.name());
            p.writeInt(param.group());
            p.writeInt(param.shape().length);
            for (int d : param.shape()) {
                p.writeInt(d);
            }
            p.writeInt(param.stateNames().size());
            for (int k = 0; k < param.stateNames().size(); k++) {
                p.writeUTF(param.stateNames().get(k));
                float[] data = param.data().get(k);
                p.writeInt(data.length);
                ByteBuffer bb = ByteBuffer.allocate(data.length * 4);
                bb.asFloatBuffer().put(data);
                p.write(bb.array());
            }
        }
        p.writeUTF(s.scheduleSpec());
        writeMap(p, s.schedule());
        p.writeInt(END);
        p.flush();
        byte[] payload = buf.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(payload);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(payload.length);
        out.write(payload);
        out.writeLong(crc.getValue());
        out.flush();
    }

    private static void writeMap(DataOutputStream p, Map<String, Double> m) throws IOException {
        p.writeInt(m.size());
        for (Map.Entry<String, Double> e : m.entrySet()) {
            p.writeUTF(e.getKey());
            p.writeDouble(e.getValue());
        }
    }

    /**
     * Reads and verifies a saved state.
     *
     * @throws IOException saying what is wrong: not a state, another version, truncated, corrupted (and where)
     */
    static Saved read(DataInputStream in) throws IOException {
        byte[] payload = readEnvelope(in);
        DataInputStream p = new DataInputStream(new ByteArrayInputStream(payload));
        String where = "optimizer name";
        try {
            String name = p.readUTF();
            where = "hyper-parameters";
            Map<String, Double> hyper = readMap(p, "hyper-parameter count");
            where = "step count";
            long steps = p.readLong();
            if (steps < 0) {
                throw corrupt("negative step count " + steps);
            }
            where = "parameters";
            int np = count(p.readInt(), Integer.MAX_VALUE, "parameter count");
            List<Param> params = new ArrayList<>(Math.min(np, 1024));
            for (int i = 0; i < np; i++) {
                String pname = p.readUTF();
                where = "parameter " + pname;
                int group = p.readInt();
                int rank = count(p.readInt(), 8, "rank of " + pname);
                int[] shape = new int[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = p.readInt();
                }
                int ns = count(p.readInt(), 64, "state count of " + pname);
                List<String> names = new ArrayList<>(ns);
                List<float[]> data = new ArrayList<>(ns);
                for (int k = 0; k < ns; k++) {
                    String sname = p.readUTF();
                    int len = count(p.readInt(), p.available() / 4, "length of " + pname + "." + sname);
                    byte[] raw = new byte[len * 4];
                    p.readFully(raw);
                    float[] f = new float[len];
                    ByteBuffer.wrap(raw).asFloatBuffer().get(f);
                    names.add(sname);
                    data.add(f);
                }
                params.add(new Param(pname, group, shape, names, data));
            }
            where = "schedule";
            String spec = p.readUTF();
            Map<String, Double> schedule = readMap(p, "schedule state count");
            where = "end marker";
            if (p.readInt() != END || p.available() != 0) {
                throw corrupt("bad end of payload");
            }
            return new Saved(name, hyper, steps, params, spec, schedule);
        } catch (EOFException | UTFDataFormatException e) {
            throw corrupt("malformed payload while reading " + where);
        }
    }

    private static Map<String, Double> readMap(DataInputStream p, String what) throws IOException {
        int n = count(p.readInt(), 100_000, what);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            m.put(p.readUTF(), p.readDouble());
        }
        return m;
    }

    static IOException corrupt(String what) {
        return new IOException("optimizer state is corrupted: " + what);
    }

    private static int count(int value, int max, String what) throws IOException {
        if (value < 0 || value > max) {
            throw corrupt(what + " " + value + " is out of range");
        }
        return value;
    }

    /** Reads magic, version, length, payload and checksum; returns the verified payload. */
    private static byte[] readEnvelope(DataInputStream in) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IOException("optimizer state is truncated: empty or shorter than its header");
        }
        if (magic != MAGIC) {
            throw new IOException(String.format("not a descent optimizer state: magic 0x%08X, expected 0x%08X (DOPT)",
                    magic, MAGIC));
        }
        long length;
        try {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("unsupported optimizer state version " + version + "; this build reads version "
                        + VERSION);
            }
            length = in.readLong();
        } catch (EOFException e) {
            throw new IOException("optimizer state is truncated: header incomplete");
        }
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw corrupt("payload length " + length + " is out of range");
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.min(length, 1 << 20));
        byte[] chunk = new byte[(int) Math.min(length, 1 << 20)];
        long left = length;
        while (left > 0) {
            int r = in.read(chunk, 0, (int) Math.min(left, chunk.length));
            if (r < 0) {
                throw new IOException("optimizer state is truncated: payload has " + (length - left)
                        + " of " + length + " bytes");
            }
            buf.write(chunk, 0, r);
            left -= r;
        }
        byte[] payload = buf.toByteArray();
        long crc;
        try {
            crc = in.readLong();
        } catch (EOFException e) {
            throw new IOException("optimizer state is truncated: checksum missing");
        }
        CRC32 c = new CRC32();
        c.update(payload);
        if (c.getValue() != crc) {
            throw corrupt(String.format("checksum 0x%08X does not match the data's 0x%08X", crc, c.getValue()));
        }
        return payload;
    }
}
